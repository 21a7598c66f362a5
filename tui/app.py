"""The Textual app: the wizard shell around the step panels.

The only module in tui/ that imports textual or screens/. Nothing here imports
msgraph or azure.identity: Graph work starts after the first frame, in thread
workers, through tui functions.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import ContentSwitcher
from textual.worker import WorkerState

from screens.steps import APP_STYLESHEET, panel_class, preload_panels
from screens.widgets.step_list import StepIndicator, StepList
from screens.widgets.step_panel import StepPanel
from screens.widgets.wizard_header import WizardHeader
from screens.widgets.wizard_screen import WizardScreen
from tui import startup_gc
from tui.backend import Backend, SandboxInfo, WizardOptions
from tui.session import Session
from tui.steps import STEPS, get_step, next_step, previous_step


class AdueApp(App[int]):
    TITLE = "adue"
    # Rules every screen shares; the shell's layout below; each widget, step and dialog
    # carries its own DEFAULT_CSS, which Textual parses once the first of its kind mounts
    # (so the first frame parses only the shell's and the step it opens on).
    CSS_PATH = APP_STYLESHEET
    DEFAULT_CSS = """
    Screen {
        layout: vertical;
    }
    #body {
        height: 1fr;
    }
    #steps {
        width: 1fr;
        height: 1fr;
    }
    /* The footer's row until the Footer mounts (AdueApp._mount_footer): as Footer draws it. */
    #footer-slot {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    /* Narrow terminals (under 72 columns, HORIZONTAL_BREAKPOINTS): the step list collapses
       to one line; F2 shows it over the left of the body until a step is chosen. */
    Screen.-narrow #step-indicator {
        display: block;
    }
    Screen.-narrow #step-list {
        display: none;
    }
    Screen.-narrow.-steps-shown #step-list {
        display: block;
    }
    """
    BINDINGS = [
        Binding("ctrl+n", "next_step", "Next", id="next-step"),
        Binding("escape", "previous_step", "Back", id="previous-step"),
        Binding("f1", "help", "Help", id="help"),
        # Narrow terminals hide the step list behind a one-line indicator (app.tcss).
        Binding("f2", "toggle_steps", "Steps", show=False, id="toggle-steps"),
        # Review's Progress view, wherever focus is (right after Apply it is on the step
        # list); in the footer only on Review after a successful apply (check_action).
        Binding(
            "p",
            "rollout_progress",
            "Progress",
            id="rollout-progress",
            tooltip="Rollout progress: who has enrolled so far (after a successful apply)",
        ),
        Binding("ctrl+q", "quit", "Save & quit", id="quit", priority=True),
    ]
    # Below 72 columns the step list (26 of them) would leave the step too little room.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-wide")]

    def __init__(
        self, session: Session, *, sandbox: bool = False, backend: Backend | None = None
    ) -> None:
        super().__init__()
        self.session = session
        self.backend = backend or Backend(session, WizardOptions(sandbox=sandbox))
        self.sandbox = self.backend.sandbox_mode
        self.sandbox_info: SandboxInfo | None = None
        self.crash_line = ""  # set when the app stopped on an unexpected error

    # layout

    def get_default_screen(self) -> Screen[Any]:
        # Born with the class its first resize would give it: otherwise that resize
        # changes the screen's classes and Textual re-styles every widget on it just
        # before the first frame.
        width = self.size.width
        wide = next(name for edge, name in reversed(self.HORIZONTAL_BREAKPOINTS) if width >= edge)
        return WizardScreen(id="_default", classes=wide)

    def compose(self) -> ComposeResult:
        # Header and step list start with their final content, so that nothing has to
        # be redrawn between mounting and the first frame.
        tenant, tenant_id, cloud = self._header_values()
        yield WizardHeader(sandbox=self.sandbox, tenant=tenant, tenant_id=tenant_id, cloud=cloud)
        yield StepIndicator(self.session.data, self.session.current_step)
        with Horizontal(id="body"):
            yield StepList(self.session.data, self.session.current_step)
            # Only the current step is built now; the others on their first visit,
            # so the first frame does not wait for eight panels.
            with ContentSwitcher(id="steps", initial=self.session.current_step):
                panel = self._make_panel(self.session.current_step)
                panel.focus_on_compose = True  # focused before its fields mount
                yield panel
        yield Widget(id="footer-slot")

    def on_mount(self) -> None:
        self.query_one(f"#{self.session.current_step}", StepPanel).focus()
        self.call_after_refresh(self._mount_footer)

    async def _mount_footer(self) -> None:
        """The key bar, in place of its empty row once the first frame is out.

        Textual's Footer shows no key before its screen's first bindings update, and that
        comes after the first frame (Footer.compose waits for `_bindings_ready`): composed
        with the rest, it drew an empty row in the first frame, for its module, its
        stylesheet and its layout (about 20 M instructions, 2% of a hello-world app's
        first frame). A bare row in its colours holds its place, so that nothing else
        moves when it comes; told the bindings at once, it shows the keys a refresh
        later than before (tests/foundation/test_footer_slot.py)."""
        from textual.widgets import Footer

        if not self.screen_stack or not self.main_screen.is_attached:
            return  # quit before its first refresh (a key pressed at once)
        screen = self.main_screen
        with self.batch_update():  # no frame with both rows, or neither
            await screen.mount(Footer())
            await screen.query_one("#footer-slot").remove()
        screen.refresh_bindings()

    class SandboxStarted(Message):
        """The start-up worker started the built-in tenant (`adue --sandbox`)."""

        def __init__(self, info: SandboxInfo) -> None:
            super().__init__()
            self.info = info

    class ResumeSignIn(Message):
        """The start-up worker found a resumed session that signs in again by itself;
        `interactive`: the sandbox's self-approving device code, else a silent sign-in."""

        def __init__(self, interactive: bool) -> None:
            super().__init__()
            self.interactive = interactive

    def on_ready(self) -> None:
        # Textual's Ready comes once the first frame is on the terminal. Only now start the
        # sandbox (if any) and warm msgraph up, in a thread: neither may delay the first
        # frame (a thread importing competes for the interpreter) nor freeze the UI.
        self._prepare_backend()

    @work(thread=True, name="prepare", exit_on_error=False)
    def _prepare_backend(self) -> None:
        try:
            self._start_backend()
        finally:
            startup_gc.resume()  # start-up's imports are done (tui/startup_gc.py)

    def _start_backend(self) -> None:
        info = self.backend.start_sandbox()
        if info is not None:
            self.post_message(self.SandboxStarted(info))
        # Import every step's module here, off the UI thread, so that a step's first
        # visit does not stall the UI while Python loads its widgets.
        preload_panels()
        if self.session.get("sign_in", "status") == "done" and self.backend.signed_in is None:
            # Resuming: sign in again at once where that needs nobody (the sandbox, a
            # cached sign-in, a token), so the step the person lands on can read the tenant.
            mode = self.backend.resume_mode()
            if mode:
                self.post_message(self.ResumeSignIn(interactive=mode == "interactive"))
        self.backend.warm_up()

    def on_adue_app_resume_sign_in(self, message: ResumeSignIn) -> None:
        self.run_worker(
            self._resume_sign_in(interactive=message.interactive),
            name="resume",
            exit_on_error=False,
        )

    async def _resume_sign_in(self, *, interactive: bool) -> None:
        from screens.sign_in import SignInStep

        switcher = self.main_screen.query_one(ContentSwitcher)
        panels = switcher.query(SignInStep)
        if panels:
            panel = panels.first()
        else:
            panel = SignInStep(self.session, self.backend)
            panel.display = False  # built for the sign-in only; the current step stays
            await switcher.mount(panel)
        panel.start_sign_in(interactive=interactive)

    def on_adue_app_sandbox_started(self, message: SandboxStarted) -> None:
        self.sandbox_info = info = message.info
        if not self.screen_stack:
            return  # closing down
        self._refresh_header()
        for panel in self.main_screen.query(StepPanel):
            panel.sandbox_ready(info)

    def broadcast_signed_in(self) -> None:
        """Sign-in finished: every built panel may now load what it needs."""
        if not self.screen_stack:
            return  # closing down
        self._refresh_header()
        self._refresh_steps()
        for panel in self.main_screen.query(StepPanel):
            panel.signed_in()

    def _make_panel(self, step_id: str) -> StepPanel:
        return panel_class(step_id)(self.session, self.backend)

    @property
    def main_screen(self) -> Screen[object]:
        """The wizard's own screen, under any dialog that may be open on top of it."""
        return self.screen_stack[0]

    def _header_values(self) -> tuple[str, str, str]:
        """The header's tenant name and id and cloud: the signed-in tenant once sign-in
        checked it, before that the session's record (or the sandbox, once started)."""
        tenant = self.session.table("tenant")
        cloud = tenant.get("cloud") or "global"
        target = self.backend.target
        if target is not None:
            return target.name or target.id, target.id, target.cloud or cloud
        name = tenant.get("organization") or tenant.get("tenant_id") or "not signed in"
        if self.sandbox_info is not None:
            name = f"{self.sandbox_info.organization} (sandbox)"
        return name, "", cloud

    def _refresh_header(self) -> None:
        headers = self.main_screen.query(WizardHeader) if self.screen_stack else ()
        if not headers:
            return  # closing down
        header = headers.first()
        header.tenant, header.tenant_id, header.cloud = self._header_values()

    def _refresh_steps(self) -> None:
        step_lists = self.main_screen.query(StepList) if self.screen_stack else ()
        if step_lists:
            step_lists.first().show_states(self.session.data, self.session.current_step)
        for indicator in self.main_screen.query(StepIndicator) if self.screen_stack else ():
            indicator.show_states(self.session.data, self.session.current_step)

    # navigation

    @property
    def current_step(self) -> str:
        return self.session.current_step

    def go_to_step(self, step_id: str) -> None:
        """Show a step and remember it in the session, so a reopen lands here."""
        get_step(step_id)  # refuse unknown ids loudly
        switcher = self.main_screen.query_one(ContentSwitcher)
        if not switcher.query(f"#{step_id}"):
            switcher.mount(self._make_panel(step_id))
        switcher.current = step_id
        if self.session.current_step != step_id:
            self.session.set("session", "current_step", step_id)
            self.session.save()
        self._refresh_steps()
        panel = self.main_screen.query_one(f"#{step_id}", StepPanel)
        panel.scroll_home(animate=False)
        panel.focus()

    def action_next_step(self) -> None:
        target = next_step(self.current_step)
        if target:
            self.main_screen.query_one(f"#{self.current_step}", StepPanel).go_through()
            self.go_to_step(target)

    def action_previous_step(self) -> None:
        target = previous_step(self.current_step)
        if target:
            self.go_to_step(target)

    def check_action(self, action: str, _parameters: tuple[object, ...]) -> bool | None:
        # Grey out Next on the last step and Back on the first.
        if action == "next_step":
            return next_step(self.current_step) is not None
        if action == "previous_step":
            return previous_step(self.current_step) is not None
        if action == "rollout_progress":
            # Not over a dialog (its inputs keep their p), not before an apply succeeded.
            return (
                self.screen is self.main_screen
                and self.current_step == "review"
                and self.session.get("review", "last_result") == "ok"
            )
        return True

    def action_rollout_progress(self) -> None:
        from screens.review import ReviewStep

        for review in self.main_screen.query("#review").results(ReviewStep):
            review.action_progress()

    def on_step_panel_navigate(self, message: StepPanel.Navigate) -> None:
        self.go_to_step(message.step_id)
        self.refresh_bindings()

    def on_step_panel_signed_in(self) -> None:
        self.broadcast_signed_in()

    def on_step_panel_session_changed(self) -> None:
        self.session.save()
        self._refresh_header()
        self._refresh_steps()
        if self.screen_stack:  # a worker's answer may land while the wizard closes down
            self.refresh_bindings()  # e.g. p (Rollout progress) once an apply succeeded

    def on_step_list_step_chosen(self, message: StepList.StepChosen) -> None:
        self.main_screen.remove_class("-steps-shown")
        self.go_to_step(message.step_id)
        self.refresh_bindings()

    def action_toggle_steps(self) -> None:
        """F2 on a narrow terminal: show the hidden step list (and focus it), or hide it."""
        screen = self.main_screen
        if not screen.has_class("-narrow"):
            screen.query_one(StepList).focus()  # always visible: just go there
            return
        screen.toggle_class("-steps-shown")
        if screen.has_class("-steps-shown"):
            screen.query_one(StepList).focus()
        else:
            screen.query_one(f"#{self.current_step}", StepPanel).focus()

    def watch_focused(self) -> None:  # pragma: no cover - Textual hook name differs by version
        self.refresh_bindings()

    # help, palette, quit

    def action_help(self) -> None:
        from screens.dialogs.help import HelpDialog  # Markdown is costly at start-up

        self.push_screen(HelpDialog(shown_path(self.session.path), self.current_step))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # adue's own commands first, Textual's (theme, screenshot, …) after them.
        for number, step in enumerate(STEPS, start=1):
            yield SystemCommand(
                f"Step {number}: {step.title}",
                step.summary,
                partial(self._palette_go, step.id),
            )
        yield SystemCommand("Help for this step", "F1: what it does, its keys", self.action_help)
        yield from super().get_system_commands(screen)

    def _palette_go(self, step_id: str) -> None:
        self.go_to_step(step_id)
        self.refresh_bindings()

    async def action_quit(self) -> None:
        if any(w.name == "review-apply" and w.state is WorkerState.RUNNING for w in self.workers):
            from screens.dialogs.confirm import ConfirmDialog

            self.push_screen(
                ConfirmDialog(
                    "Quit while applying?",
                    "adue is writing to the tenant right now. Every write is journalled: "
                    "quit now and the next apply resumes where this one stopped, without "
                    "duplicates.",
                    "Quit",
                    id="quit-confirm",
                ),
                self._quit_if_confirmed,
            )
            return
        self._save_and_exit()

    def _quit_if_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self._save_and_exit()

    def _save_and_exit(self) -> None:
        self.session.save()
        self.exit(0)

    def on_unmount(self) -> None:
        self.backend.close()

    # the last resort

    def _handle_exception(self, error: Exception) -> None:
        """Any unhandled exception: exit with code 1 and one line, never a traceback.

        Textual's own handler prints a full traceback with local variables (which may
        hold a token); this keeps its bookkeeping (Pilot re-raises `_exception` in
        tests) and leaves `crash_line` for the command to print after the screen is
        restored. Overrides a private Textual hook: it is the one place every app,
        widget and worker error goes through.
        """
        from tui.files import FileWriteError
        from tui.session import SessionError

        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        if not self.crash_line:
            if isinstance(error, (SessionError, FileWriteError)):
                self.crash_line = f"adue: {error}"
            else:
                from tui.crash import crash_message, write_report

                self.crash_line = crash_message(error, write_report(error))
        self._close_messages_no_wait()


class FleetApp(App[str | None]):
    """`adue fleet --fleet FILE`: the fleet table (screens/fleet). Exits with the label of
    the tenant whose wizard to open (tui/commands/fleet_wizard.py opens it, then this
    again), or None to quit. Quitting during a fleet apply asks first, then stops it."""

    TITLE = "adue fleet"
    CSS_PATH = APP_STYLESHEET  # the dialogs' shared rules (their own are in DEFAULT_CSS)
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", id="fleet-quit", priority=True)]

    def __init__(self, board: Any, *, note: str = "") -> None:
        super().__init__()
        self.board = board
        self.note = note
        self.crash_line = ""

    def get_default_screen(self) -> Screen[Any]:
        from screens.fleet.screen import FleetScreen

        return FleetScreen(self.board, self.note)

    def on_fleet_screen_open_tenant(self, message: Any) -> None:
        self.exit(message.label)

    async def action_quit(self) -> None:
        from screens.fleet.screen import FleetScreen

        screen = self.screen_stack[0] if self.screen_stack else None
        if isinstance(screen, FleetScreen) and screen.applying:
            from screens.dialogs.confirm import ConfirmDialog

            self.push_screen(
                ConfirmDialog(
                    "Quit while applying?",
                    "adue is writing to the fleet's tenants right now. Every write is"
                    " journalled: quit now and the next fleet apply resumes each tenant"
                    " where it stopped, without duplicates.",
                    "Quit",
                    id="fleet-quit-confirm",
                ),
                self._quit_if_confirmed,
            )
            return
        self.exit(None)

    def _quit_if_confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.board.stop()
            self.exit(None)

    _handle_exception = AdueApp._handle_exception  # one line and code 1, never a traceback


def shown_path(path: Path) -> str:
    """A path as the person typed it: relative when it is under the current folder."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
