"""The base of every step's panel: title, what the step does, its body, back/next buttons.

Panels read and write the session (saved on every change) and reach Graph only
through the Backend's blocking domain methods, called from Textual thread workers
(`@work(thread=True, ...)`) that post the answer back as a typed Message, which the
panel handles with its `on_...` handler: the UI never waits on the network.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, ParamSpec, TypeVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, OptionList, Static
from textual.worker import NoActiveWorker, Worker, get_current_worker

from screens.widgets.prestyled_button import PrestyledButton
from screens.widgets.reveal import reveal_highlight
from tui.backend import Backend, SandboxInfo
from tui.error_text import describe_error
from tui.session.document import Session
from tui.steps import StepStatus, get_step, next_step, previous_step

if TYPE_CHECKING:  # ListView is imported by the steps that show one, not at start-up
    from textual.widgets import ListView

T = TypeVar("T")
P = ParamSpec("P")


def step_worker(name: str) -> Callable[[Callable[P, None]], Callable[P, Worker[None]]]:
    """A panel's Backend call as a Textual thread worker named `name`, alone in its group:
    a newer run cancels the one in flight (whose answer `post_answer` then drops), and
    an error never ends the app (`answer` turns it into the panel's message)."""

    def decorate(method: Callable[P, None]) -> Callable[P, Worker[None]]:
        return work(method, thread=True, exclusive=True, group=name, name=name, exit_on_error=False)

    return decorate


class StepPanel(VerticalScroll):
    """One wizard step. Subclasses set `step_id` and override `compose_body`.

    Hooks: `on_signed_in()` runs once Graph is reachable (after sign-in, or at
    once when the panel is built later); `refresh_from_session()` re-reads inputs.
    """

    # Every step's frame, and the field styles several steps share (scoped: inside a step).
    DEFAULT_CSS = """
    StepPanel {
        padding: 0 1;
        height: 1fr;
    }
    .step-title {
        text-style: bold;
        color: $accent;
        margin-bottom: 1;
    }
    .step-summary {
        margin-bottom: 1;
    }
    .step-plan-heading {
        text-style: italic;
    }
    .step-plan-item {
        padding-left: 2;
    }
    .step-nav {
        height: auto;
        margin-top: 1;
    }
    .step-nav Button {
        margin-right: 2;
    }
    .needs-sign-in {
        color: $warning;
        margin-bottom: 1;
    }

    /* ---- shared by the steps' fields ---- */
    /* Labels wrap rather than being cut at the panel's edge (80x24 and narrower). */
    .field-label {
        width: 100%;
        height: auto;
        margin-top: 1;
        color: $text-muted;
    }
    .field-problem {
        color: $error;
        height: auto;
    }
    .section-title {
        margin-top: 1;
        text-style: bold;
    }
    .field-hint, .field-message {
        height: auto;
        color: $text-muted;
    }
    .field-message.-error {
        color: $error;
    }
    /* A field and its button(s) on one line: the field takes the room left. */
    .field-row {
        height: auto;
    }
    .field-row Input {
        width: 1fr;
    }
    .field-row Button {
        margin-left: 1;
    }
    .switch-row {
        height: auto;
    }
    .switch-row .switch-label {
        width: 1fr;
        padding: 1 0 0 1;
    }
    .step-help {
        color: $text-muted;
        height: auto;
    }
    .step-status {
        height: auto;
        margin-top: 1;
    }
    .step-status.-error {
        color: $error;
    }
    """

    step_id: ClassVar[str]
    needs_graph: ClassVar[bool] = False

    class Navigate(Message):
        """Ask the app to show another step."""

        def __init__(self, step_id: str) -> None:
            super().__init__()
            self.step_id = step_id

    class SessionChanged(Message):
        """The panel changed the session (the app saves it and refreshes step states)."""

    class SignedIn(Message):
        """Sign-in finished: the app tells every panel (`signed_in`)."""

    class Failed(Message, bubble=False):
        """A worker's Backend call failed; the panel shows what to do (`show_error`).

        A step that answers a failure its own way posts a kind of it, declared in the step
        (`class ChecksFailed(StepPanel.Failed, bubble=False)`): its own handler gets it."""

        def __init__(self, error: BaseException) -> None:
            super().__init__()
            self.error = error

    def __init__(self, session: Session, backend: Backend) -> None:
        super().__init__(id=self.step_id, classes="step-panel")
        self.session = session
        self.backend = backend
        self.step = get_step(self.step_id)
        # Set by the app on the panel it opens on: see `_take_focus`.
        self.focus_on_compose = False

    def _take_focus(self) -> None:
        """Focus this panel now, before its children mount.

        Textual re-styles a widget's whole subtree when its focus changes: focused once
        its fields are there (the app's on_mount), the panel re-styled every one of
        them before the first frame (6% of the sign-in form's start-up instructions).
        Set as Textual's own auto-focus sets it; the Focus event that follows then
        changes nothing, and the app's later focus() finds it focused.
        """
        self.has_focus = True
        self.screen.set_focus(self)

    def compose(self) -> ComposeResult:
        if self.focus_on_compose:
            self._take_focus()
        yield Static(self.step.title, classes="step-title")
        yield Static(self.step.summary, classes="step-summary")
        if self.needs_graph:
            yield Static(
                "Sign in first (step 1): this step reads your tenant.",
                classes="needs-sign-in",
                id=f"{self.step_id}-needs-sign-in",
            )
        yield from self.compose_body()
        lower = [*self.compose_lower(), self._navigation()]
        if self.focus_on_compose and self.lower_can_wait():
            # The panel the app opens on: what is below the first screenful (at 80x24)
            # mounts one refresh after the first frame, as Textual's `Lazy` does. A
            # spacer keeps the panel as tall as that part's fixed rows meanwhile, so the
            # first frame has the scrollbar (and so the widths) the full panel has.
            spacer = Static("", classes="lower-spacer")
            spacer.styles.height = self.lower_rows
            yield spacer
            self._lower_waits = True
            self.call_after_refresh(self._mount_lower, lower, spacer)
        else:
            yield from lower

    def compose_body(self) -> ComposeResult:
        yield from ()

    # A step whose body ends with widgets below the first screenful (at 80x24) returns
    # them from `compose_lower` (built, not composed) and says `lower_can_wait`: on the
    # panel the app opens on they mount after the first frame. `lower_rows`: their
    # height without wrapped text.
    lower_rows = 0
    _lower_waits = False  # this panel's lower part mounts after the first frame

    def compose_lower(self) -> list[Widget]:
        return []

    def lower_can_wait(self) -> bool:
        return False

    def _navigation(self) -> Horizontal:
        buttons: list[Widget] = []
        if previous_step(self.step_id):
            buttons.append(PrestyledButton("Back", id=f"{self.step_id}-back", classes="nav-back"))
        if next_step(self.step_id):
            buttons.append(
                PrestyledButton(
                    "Next", id=f"{self.step_id}-next", variant="primary", classes="nav-next"
                )
            )
        return Horizontal(*buttons, classes="step-nav")

    async def _mount_lower(self, lower: list[Widget], spacer: Widget) -> None:
        with self.app.batch_update():
            await self.mount_all(lower, before=spacer)
            await spacer.remove()
        self.lower_mounted()

    def lower_mounted(self) -> None:
        """Runs once the lower part is mounted: after the first frame, whether it waited
        for that frame or was composed with the rest."""

    def on_mount(self) -> None:
        if not self._lower_waits:
            self.call_after_refresh(self.lower_mounted)
        self._show_sign_in_hint()
        if self.backend_ready:
            self.call_after_refresh(self.on_signed_in)

    @property
    def backend_ready(self) -> bool:
        return self.backend.signed_in is not None

    def _show_sign_in_hint(self) -> None:
        for hint in self.query(".needs-sign-in"):
            hint.display = not self.backend_ready

    def signed_in(self) -> None:
        """Called by the app when sign-in completes."""
        self._show_sign_in_hint()
        self.on_signed_in()

    def on_signed_in(self) -> None:
        """Load what the step needs from Graph (override)."""

    def sandbox_ready(self, info: SandboxInfo) -> None:
        """The built-in sandbox tenant is up (sandbox mode only; override)."""

    def refresh_from_session(self) -> None:
        """Re-read inputs from the session (override)."""

    # session helpers

    def save(self, key: str, value: Any, *, by_admin: bool = True) -> None:
        """Store one of this step's keys and tell the app (which saves the file).

        A value the step filled in by itself (`by_admin=False`, e.g. the one VPP app the
        tenant has) leaves an untouched step "todo".
        """
        self.session.set(self.step_id, key, value)
        if by_admin and self.session.get(self.step_id, "status") == "todo":
            self.session.set(self.step_id, "status", "in_progress")
        self.post_message(self.SessionChanged())

    # A step's inputs being complete and valid is not enough for "done": the admin must
    # also have gone through it (Next, or the step's own explicit action such as an
    # export). Until then a step that reports "done" keeps its status and is `ready`.
    _ready = False

    def set_status(self, status: StepStatus, *, confirmed: bool = False) -> None:
        """Record the step's state; "done" only when `confirmed` or already done."""
        current = self.session.get(self.step_id, "status")
        if status == "done" and not confirmed and current != "done":
            self._ready = True
            return
        self._ready = status == "done"
        if current == status:
            return
        self.session.set(self.step_id, "status", status)
        self.post_message(self.SessionChanged())

    def update_status(self) -> None:
        """Work out from the inputs whether the step is complete (override)."""

    def go_through(self) -> None:
        """The admin pressed Next: a step whose inputs are complete becomes done."""
        self.update_status()
        if self._ready:
            self.set_status("done", confirmed=True)

    # background work

    def post_answer(self, message: Message) -> bool:
        """From a worker (or the Graph thread working for it): hand `message` to this
        panel, unless the worker was cancelled (a newer run of the same exclusive group,
        or the panel is going), whose answer is then dropped. True if it was posted."""
        try:
            cancelled = get_current_worker().is_cancelled
        except NoActiveWorker:  # a Graph-thread callback outside the worker's context
            cancelled = False
        return not cancelled and self.post_message(message)

    def answer(
        self,
        call: Callable[[], T],
        read: Callable[[T], Message],
        failed: Callable[[Exception], Message],
    ) -> None:
        """From a worker: run the Backend's blocking `call` and post `read(its result)`, or
        `failed(the exception)` when it raises: an error is shown to the person, never
        raised into Textual. Dropped like post_answer's when the worker was cancelled."""
        try:
            result = call()
        except Exception as exc:
            self.post_answer(failed(exc))
        else:
            self.post_answer(read(result))

    def on_step_panel_failed(self, message: Failed) -> None:
        self.show_error(message.error)

    # The highlighted row of any list in the step stays on screen (80x24 included).
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.call_after_refresh(reveal_highlight, event.option_list)

    def on_list_view_highlighted(self, event: ListView.Highlighted) -> None:
        self.call_after_refresh(reveal_highlight, event.list_view)

    def show_error(self, error: BaseException) -> None:
        """Tell the person what failed and what to do (GraphError carries both)."""
        self.notify(
            describe_error(error), title="Something went wrong", severity="error", markup=False
        )

    def button_actions(self) -> Mapping[str, Callable[[], object]]:
        """The step's own buttons: button id -> what pressing it does (override)."""
        return {}

    def on_button_pressed(self, event: Button.Pressed) -> None:
        run = self.button_actions().get(event.button.id or "")
        if run is not None:
            event.stop()
            run()
            return
        target = None
        if event.button.has_class("nav-next"):
            self.go_through()
            target = next_step(self.step_id)
        elif event.button.has_class("nav-back"):
            target = previous_step(self.step_id)
        if target:
            event.stop()
            self.post_message(self.Navigate(target))


class PlannedStep(StepPanel):
    """A step whose controls arrive with its own issue: it says what it will do."""

    plan: ClassVar[tuple[str, ...]] = ()

    def compose_body(self) -> ComposeResult:
        yield Static("This step will:", classes="step-plan-heading")
        for line in self.plan:
            yield Static(f"• {line}", classes="step-plan-item")
