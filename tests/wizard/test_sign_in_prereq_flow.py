"""Steps 1–2 end to end on the sandbox: the real device-code flow inside the TUI,
then the prerequisite checks and the live discovery check."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import ContentSwitcher, Input, Select, Static

from screens.dialogs.device_code import DeviceCodeDialog
from screens.prerequisites import CheckRow
from screens.widgets.wizard_header import WizardHeader
from tests.wizard.conftest import until, wait_until
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.server import RunningSandbox
from tui.session import Session


@pytest.fixture(autouse=True)
def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The token cache and authentication record go to a fresh state dir.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


def saved(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text())


def text_of(app: AdueApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def device_code_app(tmp_path: Path, sb: RunningSandbox) -> tuple[AdueApp, Session]:
    session = Session.open(tmp_path / "adue-session.toml")
    backend = Backend(session, WizardOptions(), running_sandbox=sb)
    return AdueApp(session, backend=backend), session


async def test_device_code_sign_in_then_every_prerequisite_passes(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox]
) -> None:
    sb = sandbox_factory(device_auto_approve_seconds=1.0)
    app, session = device_code_app(tmp_path, sb)
    dialogs: list[DeviceCodeDialog] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#sign-in-button")

        def dialog_shown() -> bool:
            # Pushed, then composed a moment later: wait for its code line to be there.
            if isinstance(app.screen, DeviceCodeDialog) and app.screen.query("#device-code"):
                dialogs.append(app.screen)
                return True
            return False

        await wait_until(
            pilot,
            dialog_shown,
        )
        dialog = dialogs[0]
        assert dialog.prompt.verification_uri.startswith(sb.https_url)
        assert dialog.prompt.user_code in str(dialog.query_one("#device-code", Static).render())
        assert "expires in" in str(dialog.query_one("#device-code-countdown", Static).render())
        await wait_until(pilot, lambda: session.get("sign_in", "status") == "done")
        await wait_until(pilot, lambda: not isinstance(app.screen, DeviceCodeDialog))
        assert "Signed in as admin@contoso.com" in text_of(app, "#sign-in-result")
        assert "Every permission adue needs is granted." in text_of(app, "#sign-in-result")
        data = saved(session.path)
        assert data["tenant"]["tenant_id"] == sb.tenant_id
        assert data["tenant"]["organization"] == "Contoso"
        assert data["tenant"]["sign_in_domain"] == "contoso.com"
        assert data["tenant"]["account"] == "admin@contoso.com"
        assert data["tenant"]["graph_url"] == ""  # a sandbox's port is never stored
        assert "Group.Read.All" in data["sign_in"]["scopes"]

        await pilot.press("ctrl+n")
        assert app.query_one(ContentSwitcher).current == "prerequisites"
        await wait_until(pilot, lambda: bool(app.query(".check-row")))
        for check in ("intune_licence", "apns_certificate", "vpp_token", "authenticator_app"):
            assert app.query_one(f"#check-{check}").has_class("check-pass"), check
        await wait_until(pilot, lambda: bool(app.query("#discovery-verdict")))
        assert "serves the right file" in text_of(app, "#discovery-verdict")
        assert session.get("prerequisites", "status") != "done"  # federation not confirmed
        assert "confirm Managed Apple Accounts" in text_of(app, "#prereq-verdict")
        app.query_one("#prereq-federation").focus()
        await pilot.press("space")
        await wait_until(
            pilot, lambda: "All prerequisites are met" in text_of(app, "#prereq-verdict")
        )
        # Complete, but done only once the admin goes through it (Next).
        assert session.get("prerequisites", "status") != "done"
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: session.get("prerequisites", "status") == "done")
    data = saved(session.path)
    assert data["prerequisites"]["federation_confirmed"] is True
    assert data["prerequisites"]["status"] == "done"


async def test_cancel_the_device_code(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox]
) -> None:
    sb = sandbox_factory()  # nobody approves
    app, session = device_code_app(tmp_path, sb)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#sign-in-button")
        await wait_until(pilot, lambda: isinstance(app.screen, DeviceCodeDialog))
        await pilot.press("escape")
        await wait_until(pilot, lambda: "cancelled" in text_of(app, "#sign-in-result"))
        assert not isinstance(app.screen, DeviceCodeDialog)
    assert saved(session.path)["sign_in"]["status"] == "todo"


async def test_a_broken_tenant_fails_exactly_its_check(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox_factory(seed="expired-apns")
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", sb.token)
    session = Session.open(tmp_path / "s.toml")
    session.set("session", "current_step", "prerequisites")
    backend = Backend(session, WizardOptions(auth="token"), running_sandbox=sb)
    backend.sign_in(lambda _: None, __import__("threading").Event())
    app = AdueApp(session, backend=backend)
    async with app.run_test(size=(120, 40)) as pilot:
        # Rows replace the old ones once those are gone (mounted a moment after the
        # report): wait for the whole report, i.e. the verdict that follows it.
        await wait_until(pilot, lambda: bool(app.query(".check-row")))
        await wait_until(pilot, lambda: "fix: " in text_of(app, "#prereq-verdict"))
        await pilot.pause(0.2)
        failing = [row.id for row in app.query(".check-fail")]
        assert failing == ["check-apns_certificate"]
        assert "Fix:" in app.query_one("#check-apns_certificate", CheckRow).text
        assert "fix: Apple MDM push certificate" in text_of(app, "#prereq-verdict")
    assert saved(session.path)["prerequisites"]["status"] != "done"


async def test_resuming_signs_in_again_and_lands_on_the_same_step(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox]
) -> None:
    sb = sandbox_factory(device_auto_approve_seconds=0.5)
    session = Session.open(tmp_path / "adue-session.toml")
    session.update("tenant", {"account": "admin@contoso.com", "organization": "Contoso"})
    session.set("sign_in", "status", "done")
    session.set("session", "current_step", "prerequisites")
    session.save()
    app = AdueApp(session, backend=Backend(session, WizardOptions(), running_sandbox=sb))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.query_one(ContentSwitcher).current == "prerequisites"
        # No key pressed: the app signs in again by itself and the checks run.
        await wait_until(pilot, lambda: bool(app.query(".check-row")))
        assert app.query_one(ContentSwitcher).current == "prerequisites"


async def test_invalid_fields_say_what_to_fix_and_are_not_saved(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "s.toml")
    app = AdueApp(session)  # not sandbox mode: the form is shown
    async with app.run_test(size=(80, 24)) as pilot:
        # The app id's box is in the form's lower part, mounted after the first frame.
        await until(pilot, lambda: bool(app.query("#sign-in-client-id")), what="the app id box")
        field = app.query_one("#sign-in-client-id", Input)
        field.focus()
        await pilot.press(*"not-a-guid")
        await pilot.pause()
        assert field.has_class("-invalid")
        assert "App (client) id: a GUID" in text_of(app, "#sign-in-problem")
        tenant = app.query_one("#sign-in-tenant", Input)
        tenant.focus()
        await pilot.press(*"contoso.com")
        await pilot.pause()
        assert not tenant.has_class("-invalid")
        app.query_one("#sign-in-button").focus()
        await pilot.press("enter")
        assert "Fix the highlighted field" in text_of(app, "#sign-in-problem")
    data = saved(session.path)
    assert data["tenant"]["client_id"] == ""
    assert data["tenant"]["tenant_id"] == "contoso.com"


async def test_cloud_and_method_chosen_by_keyboard_are_saved_and_reopened(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with Session.open(path) as session:
        app = AdueApp(session)  # not sandbox mode: the form is shown
        async with app.run_test(size=(100, 40)) as pilot:
            app.query_one("#sign-in-cloud", Select).focus()
            await pilot.press("enter", "down", "enter")  # Global -> US Government GCC High
            app.query_one("#sign-in-auth", Select).focus()
            await pilot.press("enter", "down", "enter")  # Device code -> Browser
            await pilot.pause()
            header = app.query_one(WizardHeader).render_line(0).text
            assert "Cloud: usgov" in header
    assert saved(path)["tenant"]["cloud"] == "usgov"
    assert saved(path)["tenant"]["auth"] == "browser"
    with Session.open(path) as session:
        app = AdueApp(session)
        async with app.run_test(size=(100, 40)):
            assert app.query_one("#sign-in-cloud", Select).value == "usgov"
            assert app.query_one("#sign-in-auth", Select).value == "browser"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("step", ["sign_in", "prerequisites"])
def test_steps_one_and_two_look_right(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], step: str
) -> None:
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("session", "current_step", step)
    assert snap_compare(AdueApp(session), terminal_size=size)


async def test_resuming_without_a_cached_sign_in_waits_for_the_person(tmp_path: Path) -> None:
    # A real tenant's session, device code, nothing cached: adue must not start a
    # sign-in by itself (nor reach the network); the Sign in step says what to do.
    session = Session.open(tmp_path / "s.toml")
    session.update("tenant", {"account": "admin@contoso.com", "tenant_id": "contoso.com"})
    session.set("sign_in", "status", "done")
    session.save()
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.backend.signed_in is None
        assert not isinstance(app.screen, DeviceCodeDialog)
        assert "Last signed in as admin@contoso.com" in text_of(app, "#sign-in-result")


async def test_run_checks_again_replaces_the_rows_and_the_wizard_lives_on(
    tmp_path: Path, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pressing "Run checks" after a report mounted the new rows (same ids) before the old
    ones were gone: DuplicateIds ended the wizard."""
    from tests.wizard.sso_auth_profile_support import open_session, settle, signed_in_app

    session = open_session(tmp_path, "prerequisites")
    app = signed_in_app(session, sandbox, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert app.query("#check-apns_certificate")
        for _ in range(2):
            await pilot.click("#prereq-run")
            await settle(app, pilot)
        assert app.is_running
        assert len(app.query("#check-apns_certificate")) == 1
        assert app.query_one("#check-apns_certificate").has_class("check-pass")
