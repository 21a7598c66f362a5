"""Labels that quote a session file, a command line or a tenant are shown literally
(issue 14, point 2): the places the whole-wizard walk on the `hostile` seed does not
reach (tests/wizard/test_hostile_names.py). What is checked is the rendered screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Markdown

from screens.dialogs.help import HelpDialog
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

from .late_steps_support import new_session, signed_in_app, until
from .test_hostile_names import assert_clean, private_home, screen_text

__all__ = ["private_home"]  # the autouse fixture: a private HOME for each test

MARKDOWN = "**bold** [x](javascript:alert(1)) `code` <b>tag</b> _em_"


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo") as sb:
        yield sb


def flat(app: AdueApp) -> str:
    """The screen's text with line breaks and box edges gone, runs of spaces as one: what
    a label reads as, wherever it wraps."""
    text = screen_text(app)
    for edge in "│█▌▐╭╮╰╯─":
        text = text.replace(edge, " ")
    return " ".join(text.split())


async def test_a_refused_graph_root_is_shown_with_its_controls_visible(tmp_path: Path) -> None:
    """A session's graph_url holding an OSC title sequence, a bidi override and markup:
    the Sign in step says why it is refused without acting on any of it."""
    path = tmp_path / "s.toml"
    Session.open(path).close()
    text = path.read_text(encoding="utf-8").replace(
        'graph_url = ""', 'graph_url = "https://x.test/[b]y\\u001b]0;PWNED\\u0007\\u202e"'
    )
    assert "PWNED" in text
    path.write_text(text, encoding="utf-8")
    session = Session.open(path)
    app = AdueApp(session, backend=Backend(session, WizardOptions()))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause(0.3)
        shown = assert_clean(app)
        assert "https://x.test/[b]y␛]0;PWNED␇<U+202E>" in shown
    session.close()


async def test_the_help_shows_the_session_path_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The help page names the session file: a folder named with Markdown (a backtick
    that closes the code span, emphasis, a link) is shown as it is, with no link."""
    folder = tmp_path / "a` **bold** [l](javascript:x) `b"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    session = Session.open(Path(folder.name) / "s.toml")
    app = AdueApp(session)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpDialog))
        await pilot.pause(0.3)
        assert f"Session file: {folder.name}/s.toml" in flat(app)
        links = [
            link
            for markdown in app.screen.query(Markdown)
            for link in markdown.source.split("(")[1:]
            if link.startswith("javascript:")
        ]
        assert not links
    session.close()


async def test_guide_preview_shows_problems_quoting_values_literally(
    tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The preview lists what keeps it from appearing; a problem quoting the sign-in
    domain as typed (Markdown in it) is shown as written, not as bold text or a link."""
    session = new_session(tmp_path, "guide")
    session.set("tenant", "sign_in_domain", "**evil** [x](javascript:alert(1)) `c`")
    session.update("guide", {"support_contact": "it-help@contoso.com"})
    session.save()
    app = signed_in_app(session, demo, monkeypatch)
    async with app.run_test(size=(200, 60)) as pilot:
        await until(pilot, lambda: bool(app.query("#guide-preview")))
        await pilot.pause(0.5)
        preview: Any = app.query_one("#guide-preview", Markdown)
        assert "is not a domain name" in preview.source
        shown = flat(app)
        assert "'**evil** [x](javascript:alert(1)) `c`' is not a domain name" in shown, shown


async def test_guide_preview_shows_markdown_in_names_literally(
    tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Organisation and support contact holding Markdown and HTML: the preview shows
    them as typed (the exported files are tests/guide/test_escaping.py's)."""
    session = new_session(tmp_path, "guide")
    session.update(
        "guide", {"organization": f"Org {MARKDOWN}", "support_contact": f"Desk {MARKDOWN}"}
    )
    session.save()
    app = signed_in_app(session, demo, monkeypatch)
    async with app.run_test(size=(200, 200)) as pilot:
        await until(pilot, lambda: bool(app.query("#guide-preview")))
        await pilot.pause(0.5)
        shown = flat(app)
        assert f"Org {MARKDOWN} uses Microsoft Intune" in shown, shown
        assert f"Desk {MARKDOWN}" in shown.split("Preview in", 1)[1], shown
