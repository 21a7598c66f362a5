"""The wizard on the sandbox `hostile` seed (issue 14, point 2): names full of markup,
escape sequences and bidi overrides, typed and read from the tenant, are shown
literally with controls made visible, crash nothing and reach the terminal as text.

What is asserted is the rendered screen itself (the compositor's strips, what Textual
writes to the terminal), not the widgets' data."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Input, OptionList

from screens.dialogs.confirm import ConfirmDialog
from tests.wizard.conftest import wait_until
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.seeds import HOSTILE_GROUPS, HOSTILE_ORGANIZATION
from tui.sandbox.server import RunningSandbox
from tui.session import Session
from tui.text import safe_text

NAMES = {key: name for key, name, _ in HOSTILE_GROUPS}
CONTROL_BYTES = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n"}
BIDI = {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


def screen_text(app: AdueApp) -> str:
    """The screen as Textual renders it for the terminal, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def assert_clean(app: AdueApp) -> str:
    """No control, escape or bidi character in what is drawn; returns the screen text."""
    text = screen_text(app)
    found = {c for c in text if c in CONTROL_BYTES or c in BIDI}
    assert not found, f"raw control characters on screen: {sorted(map(hex, map(ord, found)))}"
    return text


def saved(session: Session) -> dict[str, Any]:
    return tomllib.loads(session.path.read_text())


async def search_and_pick(pilot: Pilot[Any], app: AdueApp, words: str, key: str) -> None:
    """Type `words` into the profile's group search and pick the hostile group `key`."""
    search = app.query_one("#profile-groups-search", Input)
    search.focus()
    search.value = words  # as typed (pilot.press has no keys for CJK)
    results = app.query_one("#profile-groups-results", OptionList)
    picker: Any = app.query_one("#profile-groups")
    wanted = NAMES[key]

    def found() -> str | None:
        if picker._answered != words:  # the answer to this search, not an earlier one
            return None
        return next((g for g, x in picker._results.items() if x.display_name == wanted), None)

    await wait_until(pilot, lambda: found() is not None, f"{wanted!r} in the results")
    results.focus()
    results.highlighted = results.get_option_index(str(found()))
    await pilot.pause(0.3)
    text = assert_clean(app)
    # Shown literally (the 300-character one is cut at the screen's edge).
    assert safe_text(wanted)[:60] in text, text
    await pilot.press("enter")
    await wait_until(
        pilot,
        lambda: wanted in [g["name"] for g in saved(app.session)["enrollment_profile"]["groups"]],
        f"{wanted!r} picked",
    )
    await pilot.pause(0.2)
    # The status quotes the name literally: brackets are text, controls are visible.
    assert f"Added {safe_text(wanted)}"[:80] in assert_clean(app)


async def test_hostile_names_through_the_whole_wizard(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox]
) -> None:
    sb = sandbox_factory(seed="hostile", device_auto_approve_seconds=0.5)
    session = Session.open(tmp_path / "rollout.toml")
    app = AdueApp(session, backend=Backend(session, WizardOptions(), running_sandbox=sb))
    async with app.run_test(size=(200, 50)) as pilot:
        step = app.query_one(ContentSwitcher)
        # 1. Sign in: the organisation's name (markup, an OSC title sequence, CJK, emoji)
        # is shown literally in the result and the header; sign-in finishes.
        await pilot.press("tab", "enter")
        await wait_until(pilot, lambda: saved(session)["sign_in"]["status"] == "done", "signed in")
        await pilot.pause(0.2)
        text = assert_clean(app)
        shown_org = safe_text(HOSTILE_ORGANIZATION)
        assert "␛]0;PWNED-ORG␇" in shown_org
        assert f"Tenant: {shown_org}" in text
        assert "Signing in…" not in text
        # 2. Prerequisites run; nothing on screen is a raw escape.
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: bool(app.query("#discovery-verdict")), "discovery ok")
        assert_clean(app)
        app.query_one("#prereq-federation").focus()
        await pilot.press("space")
        # 3. SSO extension, 4. Authenticator (a VPP token named with markup and an OSC).
        await pilot.press("ctrl+n")
        assert step.current == "sso_extension"
        bundles = app.query_one("#sso-bundles Input", Input)
        bundles.focus()
        await pilot.press(*"com.contoso.expenses", "enter")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: bool(saved(session)["authenticator"]["app_id"]), "app")
        await pilot.pause(0.2)
        text = assert_clean(app)
        assert "[red]Contoso[/] ␛]0;PWNED-VPP␇VPP <U+202E>Ltd" in text
        # 5. Enrollment profile: typing "[/" searches, it does not crash the wizard.
        await pilot.press("ctrl+n")
        search = app.query_one("#profile-groups-search", Input)
        search.focus()
        await pilot.press("[", "/")
        await pilot.pause(0.5)
        assert app.is_running
        assert app.return_code is None
        assert "“[/”" in assert_clean(app)
        await search_and_pick(pilot, app, "Finance", "h-finance")
        await search_and_pick(pilot, app, "External", "h-external")
        await search_and_pick(pilot, app, "Quit", "h-click")
        await search_and_pick(pilot, app, "Payroll", "h-bidi")
        await search_and_pick(pilot, app, "OSC", "h-osc")
        await search_and_pick(pilot, app, "Launch", "h-emoji")
        await search_and_pick(pilot, app, "Kanji", "h-cjk")
        await search_and_pick(pilot, app, "Long", "h-long")
        assert "✕ [External] Partners" in assert_clean(app)  # the selection list
        # A click on the name that spells an action does not run it.
        status = app.query_one("#profile-groups-status")
        await pilot.click(status)
        await pilot.click("#profile-groups-selected")
        await pilot.pause(0.2)
        assert app.is_running
        assert app.return_code is None
        # Put back what the click removed (a click on the selection removes a group).
        chosen = [g["name"] for g in saved(session)["enrollment_profile"]["groups"]]
        if NAMES["h-finance"] not in chosen:
            await search_and_pick(pilot, app, "Finance", "h-finance")
        # 6. Priority: hostile profile names listed literally. 7. Review & apply.
        await pilot.press("ctrl+n")
        await pilot.pause(0.5)
        text = assert_clean(app)
        assert "[bold]User choice[/] ␛[5m[/" in text
        await pilot.press("ctrl+n")
        assert step.current == "review"
        await wait_until(
            pilot, lambda: not app.query_one("#review-apply").disabled, "a plan to apply"
        )
        text = assert_clean(app)
        assert "Finance [/]" in text
        assert "[External] Partners" in text
        app.query_one("#review-apply").focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog), "confirm")
        assert_clean(app)
        app.screen.query_one("#confirm-ok").focus()
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: saved(session)["review"].get("last_result") == "ok", "applied"
        )
        assert_clean(app)
        assert app.is_running
        assert app.return_code is None

    # The names were saved as the tenant holds them, not as shown.
    groups = {g["name"] for g in saved(session)["enrollment_profile"]["groups"]}
    assert NAMES["h-osc"] in groups
    assert NAMES["h-bidi"] in groups
    with sb.lock:
        profile = sb.state.enrollment_profiles[saved(session)["enrollment_profile"]["profile_id"]]
        targeted = {
            a["target"]["groupId"] for a in sb.state.profile_assignments[str(profile["id"])]
        }
    assert {g["id"] for g in saved(session)["enrollment_profile"]["groups"]} == targeted


async def test_text_fields_draw_pasted_controls_visibly(tmp_path: Path) -> None:
    """A value with an OSC sequence and a bidi override (pasted, or from a session file)
    is drawn with visible characters; the field keeps the value as it is."""
    session = Session.open(tmp_path / "rollout.toml")
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", "ctrl+n")  # the profile step
        await wait_until(pilot, lambda: bool(app.query("#profile-name")), "profile step")
        field = app.query_one("#profile-name", Input)
        field.value = "BYOD \x1b]0;PWNED\x07 \u202eevil"
        await pilot.pause(0.3)
        text = assert_clean(app)
        # (Rich's Text drops BEL, BS, VT, FF and CR itself before the field draws.)
        assert "BYOD ␛]0;PWNED \ufffdevil" in text, text
        assert field.value == "BYOD \x1b]0;PWNED\x07 \u202eevil"
    session.close()
