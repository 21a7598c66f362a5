"""The fleet table's screen: the tenants, the highlighted one in full, the fleet's keys.

Enter opens the highlighted tenant's wizard (the app leaves the table for it and comes
back: tui/commands/fleet_wizard.py). `a` applies the rollout in every tenant after a
confirmation naming how many: the fleet's one sign-in first if there is none yet (the
gdap device code in the wizard's dialog), then tui.fleet.run's apply in a thread
worker, which posts a typed message per tenant as it starts and ends (never Graph work
on the event loop). Each row shows its tenant's progress live; the summary follows.
"""

from __future__ import annotations

import threading
import time
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import get_current_worker

from screens.fleet.detail import TenantDetail
from screens.fleet.messages import (
    ApplyEnded,
    DeviceCodeShown,
    RowsRead,
    SignInEnded,
    TenantProgressed,
)
from screens.fleet.table import FleetTable
from screens.widgets.literal import literal
from tui.error_text import describe_error
from tui.fleet.board import FleetBoard
from tui.fleet.rows import TenantProgress, summary_line
from tui.graph.sign_in_models import DeviceCodePrompt


class FleetScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "apply",
            "Apply all",
            id="fleet-apply",
            tooltip="Apply the rollout in every tenant of the fleet (asks first)",
        ),
        Binding(
            "s",
            "sign_in",
            "Sign in",
            id="fleet-sign-in",
            tooltip="Sign in once for every tenant of the fleet",
        ),
        Binding(
            "r",
            "reload",
            "Reload",
            id="fleet-reload",
            tooltip="Read every tenant's session file again",
        ),
    ]

    DEFAULT_CSS = """
    FleetScreen #fleet-title {
        height: 1;
        background: $primary;
        color: $text;
        text-style: bold;
        padding: 0 1;
    }
    FleetScreen #fleet-status {
        height: auto;
        max-height: 3;
        padding: 0 1;
    }
    """

    class OpenTenant(Message):
        """The person chose a tenant: open its wizard."""

        def __init__(self, label: str) -> None:
            super().__init__()
            self.label = label

    def __init__(self, board: FleetBoard, note: str = "") -> None:
        super().__init__(id="fleet-screen")
        self.board = board
        self.note = note
        self.applying = False
        self.runs_ended = 0  # fleet applies that ended (the tests wait on it)
        self.results: dict[str, TenantProgress] = {}
        self._sign_in_cancel = threading.Event()
        self._signing_in = False

    def compose(self) -> ComposeResult:
        fleet = self.board.fleet
        yield Static(
            literal(f"adue fleet · {fleet.name} · {len(fleet.tenants)} tenant(s)"),
            id="fleet-title",
        )
        status = " ".join(text for text in (self.note, self._sign_in_words()) if text)
        yield Static(literal(status, lines=True), id="fleet-status")
        yield FleetTable(self.board.placeholder_rows())
        yield TenantDetail()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FleetTable).focus()
        self.reload_rows()

    # --- rows -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="fleet-rows", exit_on_error=False)
    def reload_rows(self) -> None:
        rows = self.board.rows()  # a file read per tenant: off the event loop
        if not get_current_worker().is_cancelled:  # a newer reload's rows are the ones
            self.post_message(RowsRead(rows))

    def on_rows_read(self, message: RowsRead) -> None:
        table = self.query_one(FleetTable)
        table.show_rows(message.rows)
        self._show_detail()

    def action_reload(self) -> None:
        if not self.applying:
            self.reload_rows()

    def on_data_table_row_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one(FleetTable)
        label = table.highlighted_label
        if label is None or label not in table.rows_by_label:
            return
        result, note = table.result_and_note(label)
        self.query_one(TenantDetail).show(table.rows_by_label[label], result, note)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.applying:
            self.notify("The fleet apply is running: open a tenant once it has finished.")
            return
        if event.row_key.value is None:
            return
        label = str(event.row_key.value)
        if self.board.signed_in:
            self.post_message(self.OpenTenant(label))
        else:  # the wizard signs in through the fleet's one sign-in: that first
            self._start_sign_in(then_open=label)

    # --- sign-in ----------------------------------------------------------------------

    def _sign_in_words(self) -> str:
        mode = self.board.fleet.mode
        if self.board.signed_in:
            return f"Signed in for the fleet as {self.board.account} ({mode}): a applies."
        return (
            f"Not signed in ({mode}). Press s to sign in once for every tenant, a to apply,"
            " enter to open a tenant's wizard."
        )

    def _status(self, text: str) -> None:
        self.query_one("#fleet-status", Static).update(literal(text, lines=True))

    def action_sign_in(self) -> None:
        if self._signing_in and self._sign_in_cancel.is_set():
            # The identity platform waits for the cancelled code until it expires.
            self.notify(
                "The cancelled sign-in waits for its code to expire; try again after that.",
                markup=False,
            )
        elif not self.board.signed_in:
            self._start_sign_in()

    def _start_sign_in(self, *, then_apply: bool = False, then_open: str = "") -> None:
        if self._signing_in:
            return  # one sign-in at a time (its device code may be on screen)
        question = self.board.secret_question()
        if question:
            from screens.dialogs.secret import SecretDialog

            def answered(secret: str | None) -> None:
                if secret:
                    self._begin_sign_in(then_apply, then_open, secret)
                else:
                    self._status("Sign-in cancelled: no client secret given.")

            self.app.push_screen(SecretDialog(question), answered)
            return
        self._begin_sign_in(then_apply, then_open, "")

    def _begin_sign_in(self, then_apply: bool, then_open: str, secret: str) -> None:
        if self._signing_in:
            return
        self._signing_in = True
        self._status("Signing in for the fleet…")
        self._sign_in_cancel = threading.Event()
        # A daemon thread, not a Textual worker: the fleet's sign-in cannot be cancelled
        # while it waits for a device code (until the code expires), and the app waits
        # for its workers' threads when it closes; quitting must not wait for that.
        threading.Thread(
            target=self._sign_in,
            args=(then_apply, then_open, secret),
            name="fleet-sign-in",
            daemon=True,
        ).start()

    def _sign_in(self, then_apply: bool, then_open: str, secret: str) -> None:
        try:
            account = self.board.sign_in(self._post_device_code, secret)
        except Exception as exc:  # shown in the table: never a traceback
            self.post_message(SignInEnded("", describe_error(exc)))
            return
        self.post_message(SignInEnded(account, then_apply=then_apply, then_open=then_open))

    def _post_device_code(self, prompt: DeviceCodePrompt) -> None:
        self.post_message(DeviceCodeShown(prompt))  # from the sign-in's thread

    def on_device_code_shown(self, message: DeviceCodeShown) -> None:
        from screens.dialogs.device_code import DeviceCodeDialog

        self.app.push_screen(
            DeviceCodeDialog(
                message.prompt,
                self._sign_in_cancel,
                "One sign-in for every tenant of the fleet (GDAP).",
            )
        )

    def _close_device_code(self) -> None:
        from screens.dialogs.device_code import DeviceCodeDialog

        if isinstance(self.app.screen, DeviceCodeDialog):
            self.app.pop_screen()

    def on_sign_in_ended(self, message: SignInEnded) -> None:
        self._signing_in = False
        self._close_device_code()
        if message.error:
            self._status(f"Sign-in failed: {message.error}")
            return
        if self._sign_in_cancel.is_set():
            self._status("Sign-in cancelled.")
            self.board.close()
            return
        self._status(self._sign_in_words())
        if message.then_apply:
            self._start_apply()
        elif message.then_open:
            self.post_message(self.OpenTenant(message.then_open))

    # --- the fleet apply --------------------------------------------------------------

    def action_apply(self) -> None:
        if self.applying:
            return
        from screens.dialogs.confirm import ConfirmDialog

        count = len(self.board.tenants)
        self.app.push_screen(
            ConfirmDialog(
                f"Apply in {count} tenant(s)?",
                f"adue reads each of the {count} tenant(s) of {self.board.fleet.name} afresh"
                " and writes what its session's rollout still needs, as adue fleet apply"
                " does. A tenant that fails never stops the others; running it again"
                " resumes where it stopped, without duplicates.",
                f"Apply in {count}",
                id="fleet-apply-confirm",
            ),
            self._apply_if_confirmed,
        )

    def _apply_if_confirmed(self, confirmed: bool | None) -> None:
        if not confirmed:
            return
        if self.board.signed_in:
            self._start_apply()
        else:
            self._start_sign_in(then_apply=True)

    def _start_apply(self) -> None:
        self.applying = True
        self.results.clear()
        table = self.query_one(FleetTable)
        for tenant in self.board.tenants:  # until the run reaches them (concurrency)
            table.show_progress(TenantProgress(tenant.label, "waiting"))
        self._status(f"Applying in {len(self.board.tenants)} tenant(s)…")
        self._apply()

    @work(thread=True, exclusive=True, group="fleet-apply", name="fleet-apply", exit_on_error=False)
    def _apply(self) -> None:
        started = time.monotonic()
        try:
            results = self.board.apply(self._post_progress)
        except Exception as exc:  # shown in the table: never a traceback
            self.post_message(ApplyEnded([], time.monotonic() - started, describe_error(exc)))
            return
        self.post_message(ApplyEnded(results, time.monotonic() - started))

    def _post_progress(self, progress: TenantProgress) -> None:
        self.post_message(TenantProgressed(progress))  # from the apply's thread

    def on_tenant_progressed(self, message: TenantProgressed) -> None:
        progress = message.progress
        self.query_one(FleetTable).show_progress(progress)
        if progress.result != "running":
            self.results[progress.label] = progress
        running = sum(
            1 for p in self.query_one(FleetTable).progress.values() if p.result == "running"
        )
        failed = sum(1 for p in self.results.values() if p.failed)
        total = len(self.board.tenants)
        self._status(
            f"Applying: {len(self.results)} of {total} done, {running} running"
            + (f", {failed} failed" if failed else "")
        )
        self._show_detail()

    def on_apply_ended(self, message: ApplyEnded) -> None:
        self.applying = False
        self.runs_ended += 1
        if message.error:
            self._status(f"The fleet apply could not run: {message.error}")
            return
        line = summary_line(message.results, message.seconds)
        self._status(f"Done. {line}")
        self.notify(line, title="Fleet apply", markup=False)
        self.reload_rows()  # the steps and [review] each tenant's apply recorded
