"""Step 4, Microsoft Authenticator, driven with Pilot against sandbox tenants over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Checkbox, ContentSwitcher, Static

from screens.widgets.group_picker import GroupPicker
from tests.wizard.sso_auth_profile_support import (
    demo_group,
    open_session,
    private_home,
    saved,
    settle,
    signed_in_app,
    text_of,
)
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id
from tui.session import Session

AUTHENTICATOR_APP_ID = stable_id("demo", "app", "authenticator-vpp")


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)


async def test_the_vpp_app_found_with_its_licences(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "authenticator")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        shown = text_of(app.query_one("#auth-app", Static))
        assert "Microsoft Authenticator (com.microsoft.azureauthenticator)" in shown
        assert "Token: Contoso Ltd (abm-admin@contoso.com), valid" in shown
        assert "250 total, 37 used, 213 free" in shown
        assert "Cannot be used" not in shown
        assert "all users" in text_of(app.query_one("#auth-sso-audience"))
        table = saved(session.path)["authenticator"]
        assert table["app_id"] == AUTHENTICATOR_APP_ID
        assert table["same_groups_as_sso"] is True
        assert table["status"] == "todo"  # found by adue, not yet gone through
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert saved(session.path)["authenticator"]["status"] == "done"


@pytest.mark.parametrize(
    ("seed", "reason"),
    [
        ("authenticator-store-only", "only added as an App Store app"),
        ("authenticator-no-licences", "has no free licences (50 of 50 used)"),
        ("no-vpp-token", "No Apple VPP (Apps and Books) location token"),
    ],
)
async def test_the_reason_it_cannot_be_used(
    tmp_path: Path,
    sandbox_factory: object,
    monkeypatch: pytest.MonkeyPatch,
    seed: str,
    reason: str,
) -> None:
    sb: RunningSandbox = sandbox_factory(seed=seed)  # type: ignore[operator]
    session = open_session(tmp_path, "authenticator")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        box = app.query_one("#auth-app", Static)
        shown = text_of(box)
        assert "Cannot be used" in shown
        assert reason in shown
        assert "Fix:" in shown
        assert box.has_class("-unusable")
        table = saved(session.path)["authenticator"]
        assert table["app_id"] == ""
        assert table["status"] == "in_progress"


async def test_own_groups_with_device_groups_refused(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "authenticator")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        picker = app.query_one("#auth-groups", GroupPicker)
        assert not picker.display
        app.query_one("#auth-same-groups", Checkbox).focus()
        await pilot.press("space")
        await pilot.pause()
        assert picker.display
        table = saved(session.path)["authenticator"]
        assert table["same_groups_as_sso"] is False
        assert table["status"] == "in_progress"
        assert "no group chosen" in text_of(app.query_one("#auth-groups-message"))

        picker.search_input.focus()
        picker.search_input.insert_text_at_cursor("corporate")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert "Corporate iPads holds devices" in text_of(picker.status)
        assert saved(session.path)["authenticator"]["groups"] == []

        picker.search_input.value = ""
        picker.search_input.focus()
        picker.search_input.insert_text_at_cursor("ios users")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        table = saved(session.path)["authenticator"]
        assert table["groups"] == [demo_group("all-ios-users")]
        assert table["status"] == "in_progress"  # complete; done once gone through


async def test_quit_midway_and_resume_on_the_same_inputs(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "authenticator")
    session.update(
        "authenticator", {"same_groups_as_sso": False, "groups": [demo_group("finance")]}
    )
    session.save()
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        picker = app.query_one("#auth-groups", GroupPicker)
        picker.selected_list.focus()
        picker.selected_list.highlighted = 0
        await pilot.press("enter")  # remove Finance
        picker.search_input.insert_text_at_cursor("sales")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+q")
    session.close()

    with Session.open(session.path) as again:
        resumed = signed_in_app(again, demo_sandbox_shared, monkeypatch)
        async with resumed.run_test(size=(80, 24)) as pilot:
            await settle(resumed, pilot)
            assert resumed.query_one(ContentSwitcher).current == "authenticator"
            assert resumed.query_one("#auth-same-groups", Checkbox).value is False
            picker = resumed.query_one("#auth-groups", GroupPicker)
            assert picker.display
            assert picker.groups == [demo_group("sales")]
            assert saved(again.path)["authenticator"]["status"] == "in_progress"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(
    snap_compare: Any,
    tmp_path: Path,
    demo_sandbox_shared: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    session = open_session(tmp_path, "authenticator", lock=False)
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)

    async def loaded(pilot: Any) -> None:
        await settle(pilot.app, pilot)

    assert snap_compare(app, terminal_size=size, run_before=loaded)


async def test_the_web_clip_section_switches_the_company_portal_web_clip(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On by default (a new session has [web_clip] enabled = true); the checkbox writes it."""
    session = open_session(tmp_path, "authenticator")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        box = app.query_one("#auth-web-clip", Checkbox)
        assert box.value is True
        assert saved(session.path)["web_clip"]["enabled"] is True
        box.focus()
        await pilot.press("space")
        await settle(app, pilot)
        assert saved(session.path)["web_clip"]["enabled"] is False
        await pilot.press("space")
        await settle(app, pilot)
        assert saved(session.path)["web_clip"]["enabled"] is True
