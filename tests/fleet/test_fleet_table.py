"""The fleet table (`adue fleet --fleet FILE`), driven with Pilot against the fleet
sandbox through the real SDK: rows read from each tenant's session, Enter opening a
tenant's wizard on its session, the fleet apply from the table with live rows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.fleet.helpers import count_named, fleet_file, fleet_sandbox, member, writes_by_label
from tui.app import FleetApp
from tui.fleet.board import FleetBoard
from tui.fleet.file import load_fleet
from tui.sandbox.server import RunningSandbox

HEALTHY = ["t01", "t02", "t03", "t04", "t05", "t06", "t08", "t09"]


@pytest.fixture(scope="module")
def ten() -> Iterator[RunningSandbox]:
    with fleet_sandbox(10) as sb:
        yield sb


def board_for(path: Path) -> FleetBoard:
    return FleetBoard(load_fleet(path))


async def settled(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def rows(app: FleetApp) -> dict[str, list[str]]:
    from textual.coordinate import Coordinate

    from screens.fleet.table import FleetTable

    table = app.screen.query_one(FleetTable)
    return {
        str(key.value): [cell.plain for cell in table.get_row(key)]
        for key in (
            table.coordinate_to_cell_key(Coordinate(i, 0)).row_key for i in range(table.row_count)
        )
    }


async def detail_of(pilot: Pilot[Any], label: str) -> str:
    """The detail under the table with `label`'s row highlighted."""
    from screens.fleet.table import FleetTable

    table = pilot.app.screen.query_one(FleetTable)
    table.move_cursor(row=table.get_row_index(label))
    await pilot.pause()
    return str(pilot.app.screen.query_one("#fleet-detail").render())


async def until_applied(pilot: Pilot[Any], runs: int) -> None:
    """Wait until the table's `runs`th fleet apply has ended."""
    from screens.fleet.screen import FleetScreen

    screen = pilot.app.screen_stack[0]
    assert isinstance(screen, FleetScreen)
    for _ in range(1200):
        await pilot.pause(0.05)
        if screen.runs_ended >= runs:
            break
    assert screen.runs_ended == runs
    assert not screen.applying
    await settled(pilot)


async def test_the_table_lists_every_tenant_with_states_from_its_session(
    ten: RunningSandbox, tmp_path: Path
) -> None:
    path = fleet_file(ten, tmp_path)
    board = board_for(path)
    session = board.open_session("t02")  # as the wizard leaves it: two steps on
    session.set("sign_in", "status", "done")
    session.set("prerequisites", "status", "in_progress")
    session.save()
    session.close()
    app = FleetApp(board)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        shown = rows(app)
        assert list(shown) == [m.label for m in ten.fleet]
        assert shown["t02"][3] == "●◐○○○○○○"
        assert shown["t01"][3] == "○○○○○○○○"
        t02 = member(ten, "t02")
        assert shown["t02"][4] == "never"
        assert shown["t02"][2] == t02.id[:8] + "…"
        for label, cells in shown.items():
            name = member(ten, label).name
            assert cells[1] == name or (cells[1].endswith("…") and name.startswith(cells[1][:-1]))
        detail = await detail_of(pilot, "t02")
        assert t02.id in detail
        assert t02.name in detail
        assert "● 1 Sign in" in detail
        assert "◐ 2 Prerequisites" in detail
        assert "○ 8" in detail
    board.close()


async def test_apply_from_the_table_converges_every_tenant_and_a_rerun_writes_nothing(
    ten: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screens.dialogs.confirm import ConfirmDialog
    from screens.fleet.messages import TenantProgressed

    monkeypatch.setenv("AZURE_CLIENT_SECRET", ten.fleet_client_secret)
    path = fleet_file(ten, tmp_path)
    board = board_for(path)
    seen: list[Any] = []

    def hook(message: Any) -> None:
        if isinstance(message, TenantProgressed):
            seen.append(message.progress)

    app = FleetApp(board)
    async with app.run_test(size=(120, 40), message_hook=hook) as pilot:
        await settled(pilot)
        await pilot.press("a")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "10 tenant(s)" in dialog.title_text
        await pilot.click("#confirm-ok")
        await until_applied(pilot, 1)
        shown = rows(app)
        first = writes_by_label(ten)
        for label in HEALTHY:
            assert shown[label][4] == "applied", shown[label]
            # re-read from the session apply wrote: steps 3-7 done (sign-in, checks and
            # guide are the wizard's own), as the session records it
            assert shown[label][3] == "○○●●●●●○", shown[label]
            assert count_named(ten, label) == (1, 1)
            assert first[label] > 0
        # each broken tenant fails alone, its reason in its row (cut to the column) and
        # whole in the detail under the table when its row is highlighted
        assert shown["t07"][4] == "failed"
        assert shown["t07"][5].startswith("sso_extension")
        t10 = member(ten, "t10").id
        assert shown["t10"][4] == "failed"
        assert shown["t10"][5].startswith(f"Tenant {t10}")
        assert "permission" in await detail_of(pilot, "t07")
        assert "AADSTS700016" in await detail_of(pilot, "t10")
        assert first["t10"] == 0
        assert count_named(ten, "t07") == (0, 0)
        # live: every tenant was shown running before its result
        for label in shown:
            results = [p.result for p in seen if p.label == label]
            assert results[0] == "running", (label, results)
            assert results[-1] != "running", (label, results)
        status = str(app.screen.query_one("#fleet-status").render())
        assert "10 tenant(s)" in status
        assert "8 applied" in status
        assert "2 failed" in status

        seen.clear()
        await pilot.press("a")
        await pilot.pause()
        await pilot.click("#confirm-ok")
        await until_applied(pilot, 2)
        shown = rows(app)
        assert {shown[label][4] for label in HEALTHY} == {"in sync"}
        after = writes_by_label(ten)  # t07 tries again and is refused again (a 403)
        assert {label: after[label] for label in HEALTHY} == {
            label: first[label] for label in HEALTHY
        }
        assert count_named(ten, "t07") == (0, 0)
        assert after["t10"] == 0
    board.close()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_snapshot(
    snap_compare: Any,
    ten: RunningSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    monkeypatch.chdir(tmp_path)  # the detail shows the session path relative to here
    board = board_for(fleet_file(ten, tmp_path))
    session = board.open_session("t01")
    session.set("sign_in", "status", "done")
    session.set("prerequisites", "status", "in_progress")
    session.save()
    session.close()
    assert snap_compare(FleetApp(board), terminal_size=size, run_before=settled)
    board.close()


FIRST_FRAME = """
import json, sys
from tui.app import FleetApp
from tui.fleet.board import FleetBoard
from tui.fleet.file import load_fleet

seen = {}

async def at_first_frame(pilot):
    seen["heavy"] = sorted(m for m in sys.modules
                           if m.split(".")[0] == "msgraph" or m.startswith("azure"))
    seen["screen"] = type(pilot.app.screen).__name__
    pilot.app.exit(None)

app = FleetApp(FleetBoard(load_fleet(sys.argv[1])))
app.run(headless=True, size=(80, 24), auto_pilot=at_first_frame)
print(json.dumps(seen))
"""


def test_the_first_frame_comes_before_msgraph_or_azure_is_imported() -> None:
    import json
    import subprocess
    import sys

    from tests.fleet.helpers import ROOT

    result = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(ROOT / "examples" / "fleet.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"heavy": [], "screen": "FleetScreen"}


async def test_enter_opens_that_tenants_wizard_on_its_session_signed_in_by_the_fleet(
    ten: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screens.widgets.wizard_header import WizardHeader
    from tui.app import AdueApp
    from tui.fleet.tenant_backend import FleetTenantBackend

    monkeypatch.setenv("AZURE_CLIENT_SECRET", ten.fleet_client_secret)
    board = board_for(fleet_file(ten, tmp_path))
    before = writes_by_label(ten)
    app = FleetApp(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        # Enter signs in for the fleet first (the app's secret: no person), then opens
        await pilot.press("down", "down", "down", "enter")
        await settled(pilot)
        assert board.signed_in
    assert app.return_value == "t04"  # tui/commands/fleet_wizard.py opens its wizard

    # what fleet_wizard.open_tenant_wizard runs for it: the wizard on t04's session
    session = board.open_session("t04")
    backend = board.backend_for("t04", session)
    assert isinstance(backend, FleetTenantBackend)
    wizard = AdueApp(session, backend=backend)
    t04 = member(ten, "t04")
    async with wizard.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert wizard.session.path == tmp_path / "fleet.tenants" / "t04.toml"
        await pilot.click("#sign-in-button")  # no device code: the fleet signed in
        for _ in range(200):
            await pilot.pause(0.05)
            if wizard.session.get("sign_in", "status") == "done":
                break
        await settled(pilot)
        header = wizard.query_one(WizardHeader)
        assert header.tenant_id == t04.id
        assert header.tenant == t04.name
        assert wizard.session.get("tenant", "organization") == t04.name
        await pilot.press("ctrl+q")
    session.close()
    assert writes_by_label(ten) == before  # opening and signing in writes nothing
    board.close()


async def test_quitting_during_the_apply_asks_then_stops_it_and_a_rerun_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from screens.dialogs.confirm import ConfirmDialog
    from screens.fleet.screen import FleetScreen
    from tui.session import Session

    with fleet_sandbox(3, monkeypatch, latency_ms=300) as sb:
        path = fleet_file(sb, tmp_path)
        board = board_for(path)
        app = FleetApp(board)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("a")
            await pilot.pause()
            await pilot.click("#confirm-ok")
            screen = app.screen_stack[0]
            assert isinstance(screen, FleetScreen)
            for _ in range(200):  # until a tenant has written (its first create is out)
                await pilot.pause(0.05)
                if any(n > 0 for n in writes_by_label(sb).values()):
                    break
            assert screen.applying
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmDialog)
            await pilot.click("#confirm-ok")
        for _ in range(100):  # the worker ends once every tenant recorded the stop
            if not board.applying:
                break
            await asyncio.sleep(0.05)
        assert not board.applying
        results = {
            m.label: Session.read_only(tmp_path / "fleet.tenants" / f"{m.label}.toml").get(
                "review", "last_result"
            )
            for m in sb.fleet
            if (tmp_path / "fleet.tenants" / f"{m.label}.toml").exists()
        }
        assert "interrupted" in results.values(), results
        board.close()

        # a new table applies again: every tenant converges, nothing doubled
        board = board_for(path)
        app = FleetApp(board)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("a")
            await pilot.pause()
            await pilot.click("#confirm-ok")
            await until_applied(pilot, 1)
            assert {cells[4] for cells in rows(app).values()} <= {"applied", "in sync"}
        assert all(count_named(sb, m.label) == (1, 1) for m in sb.fleet)
        board.close()


async def test_names_from_the_fleet_file_are_shown_as_written_never_as_markup(
    ten: RunningSandbox, tmp_path: Path
) -> None:
    import tomlkit

    from screens.fleet.table import FleetTable

    path = fleet_file(ten, tmp_path, only=["t01", "t02"])
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    doc["fleet"]["name"] = "[b]MSP[/b] [@click=app.quit]x[/]"
    doc["tenant"][0]["name"] = "[red]Evil[/] \x1b[2J"
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    app = FleetApp(board_for(path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert "[b]MSP[/b] [@click=app.quit]x[/]" in str(
            app.screen.query_one("#fleet-title").render()
        )
        cell = app.screen.query_one(FleetTable).get_row("t01")[1]
        assert cell.plain == "[red]Evil[/] ␛[2J"
        assert not cell.spans
        detail = await detail_of(pilot, "t01")
        assert "[red]Evil[/] ␛[2J" in detail
        assert "\x1b" not in detail


def test_the_command_opens_no_table_on_an_unusable_fleet_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui import cli

    bad = tmp_path / "fleet.toml"
    bad.write_text('[fleet]\nname = "x"\nconcurrency = "eight"\n', encoding="utf-8")
    assert cli.main(["fleet", "--fleet", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("adue fleet: ")
    assert "concurrency" in err
    assert "Traceback" not in err
    assert cli.main(["fleet", "--fleet", str(tmp_path / "none.toml")]) == 1
    assert "none.toml" in capsys.readouterr().err
    assert cli.main(["fleet"]) == 64  # neither an action nor a fleet file: the usage line
    assert "choose an action" in capsys.readouterr().err


async def test_the_gdap_device_code_is_shown_in_the_table_and_the_sign_in_kept(
    tmp_path: Path,
) -> None:
    from screens.dialogs.device_code import DeviceCodeDialog
    from tui.sandbox.fleet import start_fleet_sandbox

    # The sandbox approves the code it showed after a second, as the partner admin would.
    with start_fleet_sandbox(2, device_auto_approve_seconds=1) as sb:
        board = board_for(fleet_file(sb, tmp_path, mode="gdap"))
        app = FleetApp(board)
        async with app.run_test(size=(80, 24)) as pilot:
            await settled(pilot)
            await pilot.press("s")
            dialog = None
            for _ in range(200):
                await pilot.pause(0.02)
                # Pushed is not yet composed: wait for the code itself to be on it.
                if isinstance(app.screen, DeviceCodeDialog) and app.screen.query("#device-code"):
                    dialog = app.screen
                    break
            assert dialog is not None, "no device code dialog"
            code = str(dialog.query_one("#device-code").render())
            assert code.strip()
            assert code.strip() == dialog.prompt.user_code
            for _ in range(200):
                await pilot.pause(0.05)
                if board.signed_in and not isinstance(app.screen, DeviceCodeDialog):
                    break
            assert board.signed_in
            assert not isinstance(app.screen, DeviceCodeDialog)
            status = str(app.screen.query_one("#fleet-status").render())
            assert "Signed in for the fleet as" in status
            assert "(gdap)" in status
            await pilot.press("s")  # signed in already: nothing new to do
            await pilot.pause()
            assert not isinstance(app.screen, DeviceCodeDialog)
        board.close()


async def test_the_app_secret_is_asked_in_the_table_when_the_environment_has_none(
    ten: RunningSandbox, tmp_path: Path
) -> None:
    """app-secret without $AZURE_CLIENT_SECRET: a masked question in the table (the
    terminal is the TUI's, getpass cannot ask), then one sign-in for every tenant; a
    wrong secret is refused naming it, escape and Cancel sign nothing in, and the secret
    is written nowhere."""
    board = board_for(fleet_file(ten, tmp_path))
    app = FleetApp(board)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        dialog = await secret_dialog(pilot)
        assert ten.fleet_client_id in dialog.question
        await pilot.press("escape")
        await pilot.pause()
        assert not board.signed_in
        assert "no client secret given" in status_of(app)

        # Cancel after typing the secret: nothing is signed in with it either.
        field = (await secret_dialog(pilot)).query_one("#secret-input", Input)
        field.value = ten.fleet_client_secret
        await pilot.click("#secret-cancel")
        await settled(pilot)
        await pilot.pause(0.5)  # a sign-in (a thread of its own) would be done by now
        assert not board.signed_in
        assert "no client secret given" in status_of(app)

        field = (await secret_dialog(pilot)).query_one("#secret-input", Input)
        assert field.password  # masked as typed
        await pilot.press(*"not-the-secret", "enter")
        await until_status(pilot, lambda: "Sign-in failed" in status_of(app))
        assert "client secret" in status_of(app)
        assert not board.signed_in

        field = (await secret_dialog(pilot)).query_one("#secret-input", Input)
        field.value = ten.fleet_client_secret
        await pilot.press("enter")
        await until_status(pilot, lambda: board.signed_in)
        await settled(pilot)
        assert "Signed in for the fleet as" in status_of(app)
        assert ten.fleet_client_id in status_of(app)
    board.close()
    assert not files_holding(tmp_path, ten.fleet_client_secret)


def status_of(app: FleetApp) -> str:
    return str(app.screen.query_one("#fleet-status").render())


async def secret_dialog(pilot: Pilot[Any]) -> Any:
    """Press s (sign in) and return the secret dialog it must open."""
    from screens.dialogs.secret import SecretDialog

    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SecretDialog)
    return pilot.app.screen


async def until_status(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    """The fleet's sign-in runs in a thread of its own (no worker to wait for)."""
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


def files_holding(folder: Path, text: str) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and text in p.read_text(errors="replace")]


async def test_the_tables_workers_post_the_rows_read_and_the_sign_in_as_messages(
    ten: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows read off the event loop come as RowsRead (at the start, and on r with what a
    session records now); s signs in (the app's secret: no person) and posts SignInEnded."""
    from screens.fleet.messages import DeviceCodeShown, RowsRead, SignInEnded
    from tests.wizard.conftest import Posted

    monkeypatch.setenv("AZURE_CLIENT_SECRET", ten.fleet_client_secret)
    board = board_for(fleet_file(ten, tmp_path))
    app = FleetApp(board)
    posted = Posted()
    async with app.run_test(size=(120, 40), message_hook=posted) as pilot:
        await settled(pilot)
        (first,) = posted.of(RowsRead)
        assert [row.label for row in first.rows] == [m.label for m in ten.fleet]
        assert all(row.known for row in first.rows)
        t03 = next(row for row in first.rows if row.label == "t03")
        assert t03.steps[0] == "todo"

        session = board.open_session("t03")
        session.set("sign_in", "status", "done")
        session.save()
        session.close()
        await pilot.press("r")
        await settled(pilot)
        reread = posted.of(RowsRead)
        assert len(reread) == 2
        t03 = next(row for row in reread[1].rows if row.label == "t03")
        assert t03.steps[0] == "done"
        assert rows(app)["t03"][3].startswith("●")

        await pilot.press("s")
        for _ in range(600):
            await pilot.pause(0.05)
            if posted.of(SignInEnded):
                break
    # SignInEnded bubbles on from the screen to the app: the hook sees it at each
    (ended,) = {id(m): m for m in posted.of(SignInEnded)}.values()
    assert ended.error == ""
    assert ended.account
    assert not ended.then_apply
    assert ended.then_open == ""
    assert posted.of(DeviceCodeShown) == []
    board.close()
