"""Step 8, Employee guide: fields saved as typed, live preview, export, copy, resume.

The guide is built from the session by tui.guide; exported files are read back
(Markdown and HTML text, PDF text through pypdf). The wizard is signed in to a
sandbox so that reopening a signed-in session never reaches for a real cloud.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from textual.widgets import Checkbox, Input, Markdown, Static

from tui.app import AdueApp
from tui.guide import GuideSettings, render_markdown
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

from .late_steps_support import new_session, reopen, signed_in_app, until


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    """Read only: this step never talks to Graph."""
    with start_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture
def wizard(demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> Any:
    """`wizard(session)` -> the app on that session, signed in to the sandbox."""
    return lambda session: signed_in_app(session, demo, monkeypatch)


def guide_session(tmp_path: Path, **guide: Any) -> Session:
    session = new_session(tmp_path, "guide")
    session.update("guide", {"support_contact": "it-help@contoso.com", **guide})
    session.save()
    return session


def preview(app: AdueApp) -> str:
    return str(app.query_one("#guide-preview", Markdown).source)


def result(app: AdueApp) -> str:
    return str(app.query_one("#guide-result", Static).render())


def problem(app: AdueApp, field: str) -> str:
    line = app.query_one(f"#guide-{field}-problem", Static)
    return str(line.render()) if line.display else ""


async def settle(pilot: Any) -> None:
    """Past the preview's debounce, with every worker done."""
    await pilot.pause(0.4)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def activate(pilot: Any, widget_id: str) -> None:
    """Focus a button, checkbox or radio button (scrolling it into view) and press it."""
    pilot.app.query_one(f"#{widget_id}").focus()
    await pilot.pause()
    await pilot.press("enter" if widget_id.endswith(("export", "copy")) else "space")


async def type_into(pilot: Any, field_id: str, text: str) -> None:
    field = pilot.app.query_one(f"#{field_id}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)


async def test_fields_are_saved_as_typed_and_the_preview_follows(
    tmp_path: Path, wizard: Any
) -> None:
    session = guide_session(tmp_path)
    app = wizard(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Contoso" in preview(app)  # prefilled from the tenant's name
        assert session.get("guide", "status") == "todo"  # opening the step changes nothing
        await type_into(pilot, "guide-organization", "Fabrikam Ltd")
        await settle(pilot)
        assert session.get("guide", "organization") == "Fabrikam Ltd"
        assert Session.read_only(session.path).get("guide", "organization") == "Fabrikam Ltd"
        assert "Fabrikam Ltd" in preview(app)
        assert session.get("guide", "status") == "in_progress"
        # the domain is the tenant's (adue guide reads it there too)
        await type_into(pilot, "guide-sign-in-domain", "fabrikam.com")
        await settle(pilot)
        assert session.get("tenant", "sign_in_domain") == "fabrikam.com"
        assert "fabrikam.com" in preview(app)
        # a Managed Apple Account changes the sign-in instructions
        federated = preview(app)
        await pilot.click("#guide-identity-managed")
        await settle(pilot)
        assert session.get("guide", "identity") == "managed_apple_id"
        expected = render_markdown(
            GuideSettings(
                organization="Fabrikam Ltd",
                sign_in_domain="fabrikam.com",
                support_contact="it-help@contoso.com",
                identity="managed_apple_id",
                authenticator_required=False,
                web_clip=True,  # a new session deploys the Company Portal web clip
            ),
            "en",
        )
        assert preview(app) == expected != federated


async def test_invalid_fields_are_marked_with_the_fix(tmp_path: Path, wizard: Any) -> None:
    session = guide_session(tmp_path)
    app = wizard(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_into(pilot, "guide-support-contact", "")
        await settle(pilot)
        contact = app.query_one("#guide-support-contact", Input)
        assert contact.has_class("-invalid")
        assert problem(app, "support-contact").startswith(
            "Support contact: add an e-mail address, phone number or web page"
        )
        assert preview(app).startswith("**The preview appears once these are fixed:**")
        await type_into(pilot, "guide-link-url", "intranet page")
        await settle(pilot)
        assert app.query_one("#guide-link-url", Input).has_class("-invalid")
        assert "is not a web address" in problem(app, "link-url")
        await type_into(pilot, "guide-sign-in-domain", "admin@contoso.com")
        await settle(pilot)
        assert "looks like an address" in problem(app, "sign-in-domain")
        # no language at all
        await activate(pilot, "guide-lang-en")
        await settle(pilot)
        assert problem(app, "languages") == "Languages: choose at least one"
        await activate(pilot, "guide-export")
        await settle(pilot)
        assert result(app).startswith("Not exported — fix these first:")
        assert not list(tmp_path.glob("onboarding-guide-*"))  # noqa: ASYNC240 - a tiny listing
        # fixing a field clears its mark
        await type_into(pilot, "guide-support-contact", "+1 425 555 0100")
        await settle(pilot)
        assert not contact.has_class("-invalid")
        assert problem(app, "support-contact") == ""


async def test_export_writes_each_language_and_format(tmp_path: Path, wizard: Any) -> None:
    session = guide_session(
        tmp_path, output_dir="guides", languages=["en", "de"], formats=["md", "html", "pdf"]
    )
    app = wizard(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one("#guide-lang-de", Checkbox).value
        await activate(pilot, "guide-export")
        await until(pilot, lambda: result(app).startswith("Written:"))
        folder = tmp_path / "guides"  # relative to the session file, like `adue guide`
        names = sorted(p.name for p in folder.iterdir())
        assert names == [
            f"onboarding-guide-{lang}.{fmt}"
            for lang in ("de", "en")
            for fmt in ("html", "md", "pdf")
        ]
        for path in folder.iterdir():
            assert stat.S_IMODE(path.stat().st_mode) == 0o644  # published documents
            assert str(path) in result(app)
        german = (folder / "onboarding-guide-de.md").read_text(encoding="utf-8")
        assert "Contoso" in german
        assert "it-help@contoso.com" in german
        assert german != (folder / "onboarding-guide-en.md").read_text(encoding="utf-8")
        html = (folder / "onboarding-guide-de.html").read_text(encoding="utf-8")
        assert '<html lang="de"' in html
        assert "contoso.com" in html
        pdf_text = "".join(
            page.extract_text() for page in PdfReader(folder / "onboarding-guide-en.pdf").pages
        )
        assert "Contoso" in pdf_text
        assert session.get("guide", "status") == "done"
        assert "● 8 Employee guide" in str(app.query_one("#step-list").render_line(7))


async def test_copy_puts_the_previewed_markdown_on_the_clipboard(
    tmp_path: Path, wizard: Any
) -> None:
    session = guide_session(tmp_path, languages=["en", "fr"])
    app = wizard(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.query_one("#guide-preview-lang").value = "fr"
        await settle(pilot)
        app.query_one("#guide-copy").focus()
        await pilot.press("enter")
        settings = GuideSettings.from_session(session.data)
        assert app.clipboard == render_markdown(settings, "fr") == preview(app)
        assert result(app).startswith("Copied the Français guide as Markdown")


async def test_quit_in_the_middle_and_resume(tmp_path: Path, wizard: Any) -> None:
    session = guide_session(tmp_path)
    app = wizard(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_into(pilot, "guide-organization", "Northwind")
        await activate(pilot, "guide-format-pdf")
        await type_into(pilot, "guide-output-dir", "out")
        await pilot.press("ctrl+q")
    session = reopen(session)
    assert session.current_step == "guide"
    app = wizard(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.query_one("#guide-organization", Input).value == "Northwind"
        assert app.query_one("#guide-output-dir", Input).value == "out"
        assert app.query_one("#guide-format-pdf", Checkbox).value
        assert app.query_one("#guide-format-html", Checkbox).value
        assert "Northwind" in preview(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_guide_snapshot(
    snap_compare: Any, tmp_path: Path, wizard: Any, size: tuple[int, int]
) -> None:
    app = wizard(guide_session(tmp_path, languages=["en", "de"]))
    assert snap_compare(app, terminal_size=size, run_before=settle)
