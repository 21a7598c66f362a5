"""Step 3, the SSO app extension policy, driven with Pilot on the sandbox `demo` tenant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import ContentSwitcher, Input, OptionList, RadioSet, Static, Switch

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
from tui.app import AdueApp
from tui.sandbox.server import RunningSandbox
from tui.session import Session

DEFAULT_NAME = "iOS – Entra ID SSO extension (account-driven UE)"


@pytest.fixture(autouse=True)
def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    private_home(tmp_path, monkeypatch)


async def type_into(
    pilot: object, app: AdueApp, selector: str, text: str, *, by_key: bool = False
) -> None:
    """Focus an Input and put `text` in it: key by key, or at once like a paste (quicker)."""
    field = app.query_one(selector, Input)
    field.focus()
    field.value = ""
    if by_key:
        await pilot.press(*text)  # type: ignore[attr-defined]
    else:
        field.insert_text_at_cursor(text)
    await pilot.pause()  # type: ignore[attr-defined]


async def test_policy_name_checked_as_you_type(tmp_path: Path) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        name = app.query_one("#sso-name", Input)
        assert name.value == DEFAULT_NAME
        await type_into(pilot, app, "#sso-name", "Contoso SSO", by_key=True)
        assert saved(session.path)["sso_extension"]["name"] == "Contoso SSO"
        assert not name.has_class("-invalid")

        name.value = ""
        await pilot.pause()
        assert name.has_class("-invalid")
        message = text_of(app.query_one("#sso-name-message", Static))
        assert message.startswith("Policy name: the policy name is empty")
        assert saved(session.path)["sso_extension"]["name"] == "Contoso SSO"

        name.value = "x" * 201
        await pilot.pause()
        assert "longer than 200 characters" in text_of(app.query_one("#sso-name-message"))
        assert saved(session.path)["sso_extension"]["name"] == "Contoso SSO"
        assert saved(session.path)["sso_extension"]["status"] == "in_progress"


async def test_bundle_ids_added_refused_edited_and_removed(tmp_path: Path) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        entry = app.query_one("#sso-bundles-input", Input)
        message = app.query_one("#sso-bundles-message", Static)

        await type_into(pilot, app, "#sso-bundles-input", "com.contoso.expenses")
        await pilot.press("enter")
        assert saved(session.path)["sso_extension"]["bundle_ids"] == ["com.contoso.expenses"]

        refusals = {
            "expenses app": "contains spaces",
            "contoso": "is not reverse-DNS",
            "com.microsoft.skype.teams": "is a Microsoft app",
            "com.microsoft.azureauthenticator": "is Microsoft Authenticator",
        }
        for typed, reason in refusals.items():
            await type_into(pilot, app, "#sso-bundles-input", typed)
            assert entry.has_class("-invalid"), typed
            assert reason in text_of(message), (typed, text_of(message))
            await pilot.press("enter")
            assert saved(session.path)["sso_extension"]["bundle_ids"] == ["com.contoso.expenses"]

        # Spaces around an id are dropped; an id already listed is kept once.
        entry.value = "  com.contoso.timesheets  "
        await pilot.pause()  # let the field's Changed message land before the click
        await pilot.click("#sso-bundles-add")
        entry.value = "COM.contoso.expenses"
        await pilot.pause()
        entry.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert saved(session.path)["sso_extension"]["bundle_ids"] == [
            "com.contoso.expenses",
            "com.contoso.timesheets",
        ]
        assert "listed already" in text_of(message)

        # Edit: enter on a listed id puts it in the field; enter saves the change.
        listing = app.query_one("#sso-bundles-list", OptionList)
        listing.focus()
        listing.highlighted = 1
        await pilot.press("enter")
        assert entry.has_focus
        assert entry.value == "com.contoso.timesheets"
        entry.value = "com.contoso.rota"
        await pilot.pause()
        await pilot.press("enter")
        assert saved(session.path)["sso_extension"]["bundle_ids"] == [
            "com.contoso.expenses",
            "com.contoso.rota",
        ]

        # Remove: delete on the highlighted id.
        listing.focus()
        listing.highlighted = 0
        await pilot.press("delete")
        assert saved(session.path)["sso_extension"]["bundle_ids"] == ["com.contoso.rota"]
        assert saved(session.path)["sso_extension"]["status"] == "in_progress"


async def test_the_two_keys_shown_as_sent_and_the_switch(tmp_path: Path) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = AdueApp(session)
    async with app.run_test(size=(120, 40)) as pilot:
        keys = app.query_one("#sso-keys", Static)
        shown = str(keys.render())
        assert 'device_registration = "{{DEVICEREGISTRATION}}" (string)' in shown
        assert "browser_sso_interaction_enabled = 1 (integer)" in shown
        switch = app.query_one("#sso-browser-sso", Switch)
        assert switch.value is True
        await pilot.click("#sso-browser-sso")
        assert saved(session.path)["sso_extension"]["browser_sso_interaction_enabled"] is False
        shown = str(keys.render())
        assert "browser_sso_interaction_enabled not sent" in shown
        assert "= 1" not in shown


async def test_assignment_groups_and_exclusions(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = signed_in_app(session, demo_sandbox_shared, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        include = app.query_one("#sso-groups", GroupPicker)
        assert not include.display  # all users by default
        app.query_one(RadioSet).focus()
        await pilot.press("down", "enter")  # "Selected groups"
        await pilot.pause()
        assert include.display
        table = saved(session.path)["sso_extension"]
        assert table["all_users"] is False
        assert table["status"] == "in_progress"
        message = text_of(app.query_one("#sso-assign-message"))
        assert "nobody would get the policy" in message

        await type_into(pilot, app, "#sso-groups-search", "pilot")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await type_into(pilot, app, "#sso-exclude-search", "exec")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)

        table = saved(session.path)["sso_extension"]
        assert table["groups"] == [demo_group("byod-pilot")]
        assert table["exclude_groups"] == [demo_group("executives")]
        assert table["status"] == "in_progress"  # complete; done once gone through (Next)
        message = text_of(app.query_one("#sso-assign-message"))
        assert "BYOD pilot, except Executives" in message


async def test_quit_midway_and_resume_on_the_same_inputs(tmp_path: Path) -> None:
    session = open_session(tmp_path, "sso_extension")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await type_into(pilot, app, "#sso-name", "Contoso SSO")
        await type_into(pilot, app, "#sso-bundles-input", "com.contoso.expenses")
        await pilot.press("enter")
        app.query_one("#sso-browser-sso", Switch).focus()
        await pilot.press("space")
        await type_into(pilot, app, "#sso-bundles-input", "com.contoso.half")  # not added
        await pilot.press("ctrl+q")
    session.close()

    with Session.open(session.path) as again:
        resumed = AdueApp(again)
        async with resumed.run_test(size=(80, 24)):
            assert resumed.query_one(ContentSwitcher).current == "sso_extension"
            assert resumed.query_one("#sso-name", Input).value == "Contoso SSO"
            listing = resumed.query_one("#sso-bundles-list", OptionList)
            assert [str(listing.get_option_at_index(i).prompt) for i in range(1)] == [
                "• com.contoso.expenses"
            ]
            assert listing.option_count == 1
            assert resumed.query_one("#sso-browser-sso", Switch).value is False


async def test_hand_edited_list_is_cleaned_and_bad_ids_flagged(tmp_path: Path) -> None:
    session = open_session(tmp_path, "sso_extension")
    session.set(
        "sso_extension",
        "bundle_ids",
        [" com.contoso.a ", "com.contoso.a", "com.microsoft.Office.Outlook"],
    )
    session.set("sso_extension", "status", "in_progress")
    session.save()
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = saved(session.path)["sso_extension"]
        assert table["bundle_ids"] == ["com.contoso.a", "com.microsoft.Office.Outlook"]
        assert table["status"] == "in_progress"  # a Microsoft app is still listed
        listing = app.query_one("#sso-bundles-list", OptionList)
        assert str(listing.get_option_at_index(1).prompt).startswith("⚠")


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    session = open_session(tmp_path, "sso_extension", lock=False)
    session.update(
        "sso_extension",
        {
            "status": "in_progress",
            "bundle_ids": ["com.contoso.expenses", "com.contoso.timesheets"],
            "all_users": False,
            "groups": [demo_group("byod-pilot")],
            "exclude_groups": [demo_group("executives")],
        },
    )
    session.save()
    assert snap_compare(AdueApp(session), terminal_size=size)


async def test_optional_plug_in_keys_are_typed_checked_and_saved(tmp_path: Path) -> None:
    from textual.widgets import Select

    session = open_session(tmp_path, "sso_extension")
    app = AdueApp(session)
    async with app.run_test(size=(100, 50)) as pilot:
        app.query_one("#sso-extra-key", Select).value = "Enable_SSO_On_All_ManagedApps"
        await pilot.pause()
        value = app.query_one("#sso-extra-value", Input)
        assert value.placeholder == "1 or 0"
        value.focus()
        await pilot.press(*"yes", "enter")
        await pilot.pause()
        message = text_of(app.query_one("#sso-extra-message"))
        assert "Enable_SSO_On_All_ManagedApps must be 1 or 0, not 'yes'" in message
        assert saved(session.path)["sso_extension"]["extra_keys"] == {}
        value.value = "1"
        await pilot.press("enter")
        await pilot.pause()
        assert saved(session.path)["sso_extension"]["extra_keys"] == {
            "Enable_SSO_On_All_ManagedApps": 1
        }
        keys = text_of(app.query_one("#sso-keys"))
        assert "Enable_SSO_On_All_ManagedApps = 1 (integer)" in keys
        app.query_one("#sso-extra-key", Select).value = "AppPrefixAllowList"
        await pilot.pause()
        value.value = "com.contoso., com.fabrikam."
        await pilot.press("enter")
        await pilot.pause()
        assert saved(session.path)["sso_extension"]["extra_keys"]["AppPrefixAllowList"] == (
            "com.contoso., com.fabrikam."
        )
        assert 'AppPrefixAllowList = "com.contoso., com.fabrikam." (string)' in text_of(
            app.query_one("#sso-keys")
        )
        value.value = ""  # an empty value removes the key
        await pilot.press("enter")
        await pilot.pause()
        assert "AppPrefixAllowList" not in saved(session.path)["sso_extension"]["extra_keys"]
