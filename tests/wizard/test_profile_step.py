"""Step 5, the account-driven user enrollment profile, driven with Pilot on the demo tenant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import ContentSwitcher, Input, RadioButton

from screens.widgets.group_picker import GroupPicker
from tests.wizard.conftest import wait_until
from tests.wizard.sso_auth_profile_support import (
    demo_group,
    open_session,
    private_home,
    saved,
    settle,
    signed_in_app,
    text_of,
)
from tui.app import AdueApp
from tui.sandbox.server import RunningSandbox
from tui.session import Session

DEFAULT_NAME = "iOS – account-driven user enrollment"


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)


async def pick(app: AdueApp, pilot: object, text: str) -> GroupPicker:
    """Search the profile's picker for `text` and choose the first result."""
    picker = app.query_one("#profile-groups", GroupPicker)
    picker.search_input.focus()
    picker.search_input.value = text
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(app, pilot)
    # The results arrive from a worker and are put in the list on the UI thread: under
    # load that can be after the workers are done, so wait for the list itself.
    await wait_until(
        pilot,
        lambda: bool(picker.results.option_count) and app.focused is picker.results,
        "the results listed and focused",
    )
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(app, pilot)
    return picker


async def test_name_and_description_checked_as_you_type(tmp_path: Path) -> None:
    session = open_session(tmp_path, "enrollment_profile")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        name = app.query_one("#profile-name", Input)
        assert name.value == DEFAULT_NAME
        name.focus()
        name.value = ""
        await pilot.press(*"BYOD iPhones")
        assert saved(session.path)["enrollment_profile"]["name"] == "BYOD iPhones"

        name.value = "   "
        await pilot.pause()
        assert name.has_class("-invalid")
        message = text_of(app.query_one("#profile-name-message"))
        assert message.startswith("Profile name: the profile name is empty")
        assert saved(session.path)["enrollment_profile"]["name"] == "BYOD iPhones"

        description = app.query_one("#profile-description", Input)
        description.value = "Personal devices"
        await pilot.pause()
        assert saved(session.path)["enrollment_profile"]["description"] == "Personal devices"
        description.value = "y" * 1001
        await pilot.pause()
        assert description.has_class("-invalid")
        assert "Description: the description is longer than 1000" in text_of(
            app.query_one("#profile-description-message")
        )
        assert saved(session.path)["enrollment_profile"]["description"] == "Personal devices"
        assert saved(session.path)["enrollment_profile"]["status"] == "in_progress"


async def test_old_ios_note_is_shown(tmp_path: Path) -> None:
    app = AdueApp(open_session(tmp_path, "enrollment_profile"))
    async with app.run_test(size=(80, 24)):
        note = text_of(app.query_one("#profile-old-ios"))
        # Intune's minimum is iOS/iPadOS 17; the Company Portal fallback is gone.
        assert "iOS/iPadOS 17 or later" in note
        assert "Company Portal" not in note


async def test_user_groups_only(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "enrollment_profile")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await pick(app, pilot, "kiosk")
        status = text_of(picker.status)
        assert "Kiosk iPhones holds devices" in status
        assert "device groups are not supported" in status
        assert saved(session.path)["enrollment_profile"]["groups"] == []

        await pick(app, pilot, "pilot")
        table = saved(session.path)["enrollment_profile"]
        assert table["groups"] == [demo_group("byod-pilot")]
        assert table["status"] == "in_progress"  # complete; done once gone through (Next)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert saved(session.path)["enrollment_profile"]["status"] == "done"


async def test_quit_midway_and_resume_on_the_same_inputs(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "enrollment_profile")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#profile-name", Input).value = "BYOD iPhones"
        app.query_one("#profile-description", Input).value = "Personal devices"
        await pick(app, pilot, "engineering")
        await pilot.press("ctrl+q")
    session.close()

    with Session.open(session.path) as again:
        resumed = AdueApp(again)
        async with resumed.run_test(size=(80, 24)):
            assert resumed.query_one(ContentSwitcher).current == "enrollment_profile"
            assert resumed.query_one("#profile-name", Input).value == "BYOD iPhones"
            assert resumed.query_one("#profile-description", Input).value == "Personal devices"
            picker = resumed.query_one("#profile-groups", GroupPicker)
            assert picker.groups == [demo_group("engineering")]
            assert "Engineering" in str(picker.selected_list.get_option_at_index(0).prompt)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(
    snap_compare: Any,
    tmp_path: Path,
    demo_sandbox_shared: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    session = open_session(tmp_path, "enrollment_profile", lock=False)
    session.update("enrollment_profile", {"status": "done", "groups": [demo_group("byod-pilot")]})
    session.save()
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)

    async def searched(pilot: Any) -> None:
        # Results with users/devices beside each, and the selection, on screen.
        picker = pilot.app.query_one("#profile-groups", GroupPicker)
        picker.search_input.focus()
        picker.search_input.value = "i"
        await pilot.press("enter")
        await settle(pilot.app, pilot)
        picker.scroll_visible(animate=False)
        await settle(pilot.app, pilot)
        # The step is taller than the screen since the All users and filter fields: let the
        # scrollbar's hover/active styling after the scroll fade before the picture.
        await pilot.hover(offset=(0, 0))
        await pilot.pause(0.3)
        await settle(pilot.app, pilot)
        # Scroll once more now that every row is in: a scroll made while the results were
        # still arriving left the picker higher (a CI run's picture was 5 rows off).
        picker.scroll_visible(animate=False)
        await settle(pilot.app, pilot)
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=searched)


async def test_all_users_and_an_assignment_filter_are_saved(tmp_path: Path) -> None:
    session = open_session(tmp_path, "enrollment_profile")
    app = AdueApp(session)
    async with app.run_test(size=(100, 40)) as pilot:
        table = saved(session.path)["enrollment_profile"]
        assert table["all_users"] is False
        assert table["filter_id"] == ""
        app.query_one("#profile-all-users").focus()
        await pilot.press("space")
        await pilot.pause()
        assert saved(session.path)["enrollment_profile"]["all_users"] is True
        # All users alone is enough: no group needed.
        assert "Add a user group" not in text_of(app.query_one("#profile-groups-message"))

        field = app.query_one("#profile-filter", Input)
        field.focus()
        await pilot.press(*"not-a-filter")
        await pilot.pause()
        assert field.has_class("-invalid")
        message = text_of(app.query_one("#profile-filter-message"))
        assert message.startswith("Assignment filter: ")
        assert "GUID" in message
        assert saved(session.path)["enrollment_profile"]["filter_id"] == ""

        filter_id = "5f1c8f7e-1111-4222-8333-444455556666"
        field.value = filter_id
        await pilot.pause()
        assert saved(session.path)["enrollment_profile"]["filter_id"] == filter_id
        app.query_one("#filter-exclude", RadioButton).value = True  # as a click does
        await pilot.pause()
        assert saved(session.path)["enrollment_profile"]["filter_type"] == "exclude"
