"""Wizard step 7: the plan in plain words, then apply with live progress per action.

The plan (tui.rollout.plan.make_plan) compares the session with the tenant and never
writes. Apply asks first (naming the signed-in tenant), then in one worker checks the
tenant, plans afresh (Backend.apply_fresh: never the plan on screen) and writes action by action,
journalled in the session; its progress callback runs on the Graph thread and posts
each event to the panel as an `ApplyProgress` message. Throttling and retries show on the row of
the action they delay. A failure says what happened, Graph's request-id, and that
applying again resumes; success lists each object with its Intune admin center
link, and a fresh plan shows that nothing is left to do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Checkbox, Static

from screens.dialogs.confirm import ConfirmDialog
from screens.widgets.address_link import AddressLink
from screens.widgets.plan_view import PlanView, plan_summary
from screens.widgets.step_panel import StepPanel, step_worker
from screens.widgets.toggles import StateCheckbox
from tui.error_text import describe_error
from tui.text import safe_lines, safe_text

if TYPE_CHECKING:
    from tui.backend import ApplyResult, CheckReport, Progress
    from tui.graph.models import CheckTargets
    from tui.progress.report import ProgressReport
    from tui.rollout.destroy_model import DestroyPlan, DestroyResult
    from tui.rollout.model import Plan

SHOW_PLAN_SECONDS = 10.0  # how long apply's first write waits for its plan to be shown

LAST_RESULT_WORDS = {
    "failed": "The last apply stopped with a failure",
    "interrupted": "The last apply was interrupted before it finished",
}


class ReviewStep(StepPanel):
    DEFAULT_CSS = """
    #review-plan, #review-outcome {
        height: auto;
    }
    /* Names every prerequisite not met: the whole width, so that its label wraps at 80x24. */
    #review-prereq-ack {
        width: 100%;
    }
    .outcome-failed {
        color: $error;
    }
    .outcome-where {
        color: $text-muted;
    }
    .outcome-ok {
        color: $success;
    }
    .outcome-object {
        margin-top: 1;
    }
    """

    step_id = "review"
    needs_graph = True

    # What each worker answers; a failure is a kind of StepPanel.Failed, handled here.

    class ChecksRead(Message, bubble=False):
        def __init__(self, targets: CheckTargets, report: CheckReport) -> None:
            super().__init__()
            self.targets = targets
            self.report = report

    class ChecksFailed(StepPanel.Failed, bubble=False):
        """The prerequisites could not be read again (the plan still runs)."""

    class Planned(Message, bubble=False):
        def __init__(self, plan: Plan, after_apply: bool) -> None:
            super().__init__()
            self.plan = plan
            self.after_apply = after_apply

    class PlanFailed(StepPanel.Failed, bubble=False):
        """The tenant could not be read to plan."""

    class FreshPlan(Message, bubble=False):
        """Apply read the tenant again and planned: the plan it now carries out."""

        def __init__(self, plan: Plan) -> None:
            super().__init__()
            self.plan = plan
            # Set once the plan is on screen (apply's first write waits for it).
            self.shown = threading.Event()

    class ApplyProgress(Message, bubble=False):
        """One action's progress during apply (start, retry, done, failed)."""

        def __init__(self, event: Progress) -> None:
            super().__init__()
            self.event = event

    class Applied(Message, bubble=False):
        def __init__(self, result: ApplyResult) -> None:
            super().__init__()
            self.result = result

    class ApplyFailed(StepPanel.Failed, bubble=False):
        """Apply could not finish, or refused to start (the plan went stale)."""

    class ProgressRead(Message, bubble=False):
        def __init__(self, report: ProgressReport) -> None:
            super().__init__()
            self.report = report

    class ProgressFailed(StepPanel.Failed, bubble=False):
        """Who has enrolled could not be read."""

    class DestroyPreviewed(Message, bubble=False):
        def __init__(self, destroy: DestroyPlan) -> None:
            super().__init__()
            self.destroy = destroy

    class Destroyed(Message, bubble=False):
        def __init__(self, result: DestroyResult) -> None:
            super().__init__()
            self.result = result

    class DestroyFailed(StepPanel.Failed, bubble=False):
        """Undo could not be previewed, or could not finish."""

    # After a successful apply: the Progress view (who has enrolled), a button here and
    # the key p, bound by the app so that it works wherever focus is (tui/app.py).

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan: Plan | None = None
        self.checks: CheckReport | None = None  # the prerequisite checks, read with the plan
        self._open: list[tuple[str, str]] = []  # (check id, words) not met, not accepted
        self._checked_for: object = None  # the targets the checks were read for
        self.applying = False
        self._planned_once = False

    def compose_body(self) -> ComposeResult:
        yield Static("", id="review-last", classes="step-help", markup=False)
        yield Static("", id="review-status", classes="step-status", markup=False)
        with Horizontal(classes="actions"):
            yield Button("Apply", id="review-apply", variant="warning", disabled=True)
            yield Button("Check again", id="review-replan", disabled=True)
            yield Button("Undo rollout…", id="review-destroy", disabled=True)
        # Prerequisites not met (step 2's checks, read again here): named, and Apply needs
        # this confirmation of its own besides the dialog (issue 17, point 2).
        yield Static("", id="review-prereq", classes="outcome-failed", markup=False)
        yield StateCheckbox("", id="review-prereq-ack")
        yield Vertical(id="review-outcome")
        # Whom this reaches and what is unfinished, above the plan (tui.review_summary);
        # below the buttons, so that Apply stays in view at 80x24.
        yield Static("", id="review-summary", classes="step-help", markup=False)
        yield Vertical(id="review-plan")

    def on_mount(self) -> None:
        super().on_mount()
        self._show_last_result()
        self._show_summary()
        self._show_prerequisites()

    def _show_summary(self) -> None:
        from tui.review_summary import licence_lines, review_summary

        target = self.backend.target
        cloud = target.cloud if target else self.session.table("tenant").get("cloud") or "global"
        text = review_summary(self.session.data, f"{self._tenant_label()} · cloud: {cloud}")
        if self.checks is not None and self.session.table("authenticator"):
            text = "\n".join([text, *licence_lines(self.checks.licences)])
        self.query_one("#review-summary", Static).update(safe_lines(text))

    # the prerequisites, read again (tui.graph.checks), as step 2 shows them

    def check_prerequisites(self) -> None:
        """Read the checks again when they may say something new: never read yet, the
        targets changed, or something was not met (it may be fixed now). Not on every
        plan: each read is several requests, and a re-plan after a failure needs none."""
        from tui.rollout.desired import check_targets

        targets = check_targets(self.session.data)
        if self.checks is not None and targets == self._checked_for and not self._open:
            self._show_prerequisites()  # step 2's accepted warnings may have changed
            return

        self._read_checks(targets)

    @step_worker("review-checks")
    def _read_checks(self, targets: CheckTargets) -> None:
        self.answer(
            lambda: self.backend.run_checks(targets),
            lambda report: self.ChecksRead(targets, report),
            self.ChecksFailed,
        )

    def on_review_step_checks_read(self, message: ChecksRead) -> None:
        self._checked_for = message.targets
        self.checks = message.report
        self._show_summary()
        self._show_prerequisites()
        self._buttons()

    def on_review_step_checks_failed(self, message: ChecksFailed) -> None:
        error = message.error
        # Not a reason to refuse: the plan reads the tenant on its own and says what fails.
        self.checks = None
        self._open = []
        text = f"The prerequisites could not be checked: {describe_error(error)}"
        prereq = self.query_one("#review-prereq", Static)
        prereq.update(safe_lines(text))
        prereq.display = True
        self.query_one("#review-prereq-ack").display = False
        self._buttons()

    def _show_prerequisites(self) -> None:
        from tui.review_summary import confirmed, open_prerequisites

        report = self.checks
        self._open = open_prerequisites(report, self.session.data) if report else []
        prereq = self.query_one("#review-prereq", Static)
        ack = self.query_one("#review-prereq-ack", StateCheckbox)
        prereq.display = ack.display = bool(self._open)
        if not self._open:
            return
        lines = ["Prerequisites not met (step 2):", *(f"✘ {words}" for _, words in self._open)]
        prereq.update(safe_lines("\n".join(lines)))
        # Short, so that it fits at 80x24 (the list above names each one).
        ack.label = "Apply anyway: I know the above are not met"
        with ack.prevent(Checkbox.Changed):
            ack.value = confirmed([cid for cid, _ in self._open], self.session.data)

    @on(Checkbox.Changed, "#review-prereq-ack")
    def _prereq_ack_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        ids = [cid for cid, _ in self._open]
        kept = [
            cid
            for cid in self.session.get("prerequisites", "acknowledged_failures")
            if cid not in ids
        ]
        self.session.set(
            "prerequisites", "acknowledged_failures", kept + ids if event.value else kept
        )
        self.post_message(self.SessionChanged())
        self._buttons()

    def _prerequisites_confirmed(self) -> bool:
        from tui.review_summary import confirmed

        return confirmed([cid for cid, _ in self._open], self.session.data)

    # planning

    def on_signed_in(self) -> None:
        self.make_plan()

    def on_show(self) -> None:
        # Inputs may have changed in other steps since the last plan.
        if self._planned_once and not self.applying and self.backend_ready:
            self.make_plan()

    def make_plan(self, after_apply: bool = False) -> None:
        self._planned_once = True
        self._show_summary()  # the other steps may have changed since
        if not after_apply:
            self.check_prerequisites()
        self._set_status("Comparing the session with the tenant…")
        self._buttons(planning=True)
        self.query_one("#review-plan").loading = True
        self._read_plan(after_apply=after_apply)

    @step_worker("review-plan")
    def _read_plan(self, *, after_apply: bool) -> None:
        self.answer(
            self.backend.plan,
            lambda plan: self.Planned(plan, after_apply=after_apply),
            self.PlanFailed,
        )

    async def on_review_step_planned(self, message: Planned) -> None:
        self.query_one("#review-plan").loading = False
        plan, after_apply = message.plan, message.after_apply
        self.plan = plan
        # Right after an apply, an empty plan keeps the applied rows (and their
        # request-ids) on screen; the status line says that nothing is left.
        if not (after_apply and plan.is_empty):
            holder = self.query_one("#review-plan", Vertical)
            await holder.remove_children()
            await holder.mount(PlanView(plan, id="review-plan-view"))
        summary = plan_summary(plan)
        if after_apply:
            summary = "Checked again: " + summary[0].lower() + summary[1:]
        self._set_status(summary, error=plan.blocked)
        self._buttons()

    def on_review_step_plan_failed(self, message: PlanFailed) -> None:
        self.query_one("#review-plan").loading = False
        self._set_status(f"Could not read the tenant: {describe_error(message.error)}", error=True)
        self._buttons()

    # applying

    def button_actions(self) -> Mapping[str, Callable[[], object]]:
        return {
            "review-apply": self.confirm_apply,
            "review-replan": self.make_plan,
            "review-progress": self.action_progress,
            "review-destroy": self.preview_destroy,
        }

    def confirm_apply(self) -> None:
        plan = self.plan
        if plan is None or plan.blocked or not plan.changes or self.applying:
            return
        if not self._prerequisites_confirmed():
            self.notify(
                "Prerequisites are not met: confirm them above Apply first.", severity="warning"
            )
            return
        text = (
            f"{plan_summary(plan)}\n\nadue reads the tenant once more, then writes these "
            f"changes to {self._tenant_label()} now. Every write is recorded in the session; "
            "if anything fails, applying again resumes."
        )
        if self._open:
            titles = ", ".join(words.split(": ", 1)[0] for _, words in self._open)
            text += f"\n\nYou confirmed applying although these are not met: {titles}."

        dialog = ConfirmDialog("Apply the plan?", text, "Apply", id="review-confirm")
        self.app.push_screen(dialog, self._confirmed)

    def _confirmed(self, confirmed: bool | None) -> None:
        if confirmed:
            self.apply()

    def apply(self) -> None:
        """Check the tenant, plan afresh and apply that plan, all in one worker: never the
        plan on screen, which may be stale (e.g. after a failed apply, writes were made)."""
        if self.applying:
            return
        self.applying = True
        self._buttons()
        self.query_one("#review-outcome", Vertical).remove_children()
        self._set_status("Reading the tenant again before applying…")
        self._apply()

    # The name is what the app's quit guard looks for ("Quit while applying?", tui/app.py).
    @step_worker("review-apply")
    def _apply(self) -> None:
        # Both callbacks run on the Graph thread. The first write waits until the fresh
        # plan is on screen (each row then follows its action); a closing app shows
        # nothing, and after SHOW_PLAN_SECONDS apply goes on: the journal records every write.
        def planned(plan: Plan) -> None:  # before the first write
            message = self.FreshPlan(plan)
            if self.post_answer(message):
                message.shown.wait(SHOW_PLAN_SECONDS)

        def progress(event: Progress) -> None:
            self.post_answer(self.ApplyProgress(event))

        self.answer(
            lambda: self.backend.apply_fresh(progress, planned), self.Applied, self.ApplyFailed
        )

    async def on_review_step_fresh_plan(self, message: FreshPlan) -> None:
        try:
            await self._show_fresh_plan(message.plan)
        finally:
            message.shown.set()

    async def _show_fresh_plan(self, plan: Plan) -> None:
        """The plan apply is about to carry out, so each row follows its own action."""
        self.plan = plan
        holder = self.query_one("#review-plan", Vertical)
        await holder.remove_children()
        await holder.mount(PlanView(plan, id="review-plan-view"))
        self._set_status("Applying… each action shows its progress below.")

    def on_review_step_apply_progress(self, message: ApplyProgress) -> None:
        event = message.event
        view = self._view()
        row = view.row(event.action_key) if view and event.action_key else None
        if row is None:
            if event.event == "retry":
                self._set_status(f"Applying… Graph is busy: {event.message}")
            return
        if event.event == "start":
            row.set_state("running")
        elif event.event == "retry":
            row.set_state("retrying", event.message)
        elif event.event == "done":
            row.set_state("done", request_id=event.request_id)
        elif event.event == "failed":
            row.set_state("failed", event.message, event.request_id)

    def on_review_step_applied(self, message: Applied) -> None:
        result = message.result
        self.applying = False
        view = self._view()
        if view is not None:
            for key in result.skipped:
                row = view.row(key)
                if row is not None:
                    row.set_state("skipped")
        self.post_message(self.SessionChanged())  # apply saved ids and statuses
        self._show_last_result()
        if result.ok:
            self._show_success(result)
            self.make_plan(after_apply=True)
        else:
            self._show_failure(result)
            self._buttons()

    def on_review_step_apply_failed(self, message: ApplyFailed) -> None:
        error = message.error
        self.applying = False
        self.post_message(self.SessionChanged())
        self._show_last_result()
        problems = getattr(error, "problems", None)
        if problems:  # ApplyRefused: the plan went stale and now has problems
            text = "Apply refused, nothing was written:\n" + "\n".join(f"✗ {p}" for p in problems)
        else:
            text = (
                f"Apply could not finish: {describe_error(error)}\n"
                "What was written so far is recorded in the session. Press Apply again to "
                "resume: adue re-reads the tenant first and creates nothing twice."
            )
        self._outcome([Static(safe_lines(text), classes="outcome-failed", markup=False)])
        self._set_status("Apply stopped.", error=True)
        self._buttons()

    # outcome

    def _show_success(self, result: ApplyResult) -> None:
        from tui.rollout.admin_links import admin_center_links

        writes = result.writes
        widgets: list[Any] = [
            Static(
                f"Applied: {writes} write{'' if writes == 1 else 's'}, all done. "
                "Open each object in the Intune admin center (enter opens a link, c copies "
                "its full address):",
                classes="outcome-ok",
                markup=False,
            )
        ]
        for index, link in enumerate(admin_center_links(self.session.data)):
            widgets.append(
                Static(
                    safe_text(f"{link.what}: {link.name}"), classes="outcome-object", markup=False
                )
            )
            # Short (the admin center's addresses run past 80 columns); over SSH, where a
            # browser may not open, c copies the full address.
            widgets.append(AddressLink(link.url, id=f"review-link-{index}"))
            widgets.append(Static(safe_text(link.where), classes="outcome-where", markup=False))
        widgets.append(Button("Rollout progress", id="review-progress"))
        self._outcome(widgets)
        self._set_status("Applied.")

    # progress (after an apply)

    def action_progress(self) -> None:
        """Read who has enrolled (off the UI thread) and show it in the Progress view."""
        from tui.progress.targets import progress_targets
        from tui.rollout.modes import session_mode, session_profile_name

        if self.applying or self.session.get(self.step_id, "last_result") != "ok":
            return
        if not self.backend_ready:
            return
        targets = progress_targets(self.session.data)
        self._set_status("Reading who has enrolled…")
        self._read_progress(
            targets,
            mode=session_mode(self.session.data),
            profile_name=session_profile_name(self.session.data),
        )

    @step_worker("review-progress")
    def _read_progress(self, targets: CheckTargets, *, mode: str, profile_name: str) -> None:
        self.answer(
            lambda: self.backend.read_progress(targets, mode=mode, profile_name=profile_name),
            self.ProgressRead,
            self.ProgressFailed,
        )

    def on_review_step_progress_read(self, message: ProgressRead) -> None:
        report = message.report
        from screens.dialogs.progress import ProgressDialog
        from tui.progress.text import report_lines

        self._set_status("Applied.")
        hint = (
            "The reminder list (CSV) and every user: adue progress --session "
            f"{self.session.path} --csv FILE (or --json)"
        )
        self.app.push_screen(ProgressDialog(report_lines(report), hint))

    def on_review_step_progress_failed(self, message: ProgressFailed) -> None:
        text = f"Could not read who has enrolled: {describe_error(message.error)}"
        self._set_status(text, error=True)

    def _show_failure(self, result: ApplyResult) -> None:
        failed = len(result.failed)
        skipped = len(result.skipped)
        lines = [
            f"Apply stopped: {failed} write{'' if failed == 1 else 's'} failed"
            + (f", {skipped} not tried" if skipped else "")
            + f"; {result.writes} done."
        ]
        titles = {a.key: a.title for a in result.plan.actions}
        for key, message in result.failed.items():
            lines.append(f"✗ {titles.get(key, key)}")
            lines.append(f"  What happened: {message}")
            request_id = result.request_ids.get(key)
            if request_id:
                lines.append(f"  Graph request-id: {request_id}")
        lines.append(
            "Everything written so far is recorded in the session. Fix the cause, then press "
            "Apply again: adue re-reads the tenant and resumes, creating nothing twice."
        )
        self._outcome(
            [Static(safe_lines("\n".join(lines)), classes="outcome-failed", markup=False)]
        )
        self._set_status("Apply stopped: see below.", error=True)

    def _outcome(self, widgets: list[Any]) -> None:
        holder = self.query_one("#review-outcome", Vertical)
        holder.remove_children()
        holder.mount_all(widgets)

    # undo (adue destroy), tui.rollout.destroy

    def _has_created(self) -> bool:
        return any(
            bool(self.session.get(table, key))
            for table, key in (
                ("sso_extension", "policy_id"),
                ("enrollment_profile", "profile_id"),
                ("web_clip", "app_id"),
                ("authenticator", "added_targets"),
            )
        )

    def preview_destroy(self) -> None:
        """Read what Undo would remove (off the UI thread), then ask, naming it all."""
        if self.applying or not self.backend_ready:
            return
        self.applying = True
        self._buttons()
        self._set_status("Reading what this session created…")
        self._preview_destroy()

    @step_worker("review-destroy-preview")
    def _preview_destroy(self) -> None:
        self.answer(self.backend.destroy_preview, self.DestroyPreviewed, self.DestroyFailed)

    def on_review_step_destroy_previewed(self, message: DestroyPreviewed) -> None:
        from tui.rollout.destroy_model import confirm_text

        destroy = message.destroy

        self.applying = False
        self._buttons()
        if not destroy.plan.changes:
            self._set_status("Nothing to undo: the tenant holds nothing this session created.")
            return
        self._set_status("Undo the rollout? Confirm in the dialog.")
        enrolled = destroy.needs_enrolled_confirmation
        label = "Undo, devices are enrolled" if enrolled else "Undo"
        dialog = ConfirmDialog(
            "Undo this rollout?",
            confirm_text(destroy, self._tenant_label()),
            label,
            id="review-destroy-confirm",
        )
        self.app.push_screen(dialog, lambda ok: self._destroy_confirmed(ok, enrolled))

    def _destroy_confirmed(self, confirmed: bool | None, enrolled: bool) -> None:
        if not confirmed:
            self._set_status("Nothing removed.")
            return
        self.applying = True
        self._buttons()
        self.query_one("#review-outcome", Vertical).remove_children()
        self._set_status("Reading the tenant again, then removing…")
        self._destroy(allow_enrolled=enrolled)

    @step_worker("review-destroy")
    def _destroy(self, *, allow_enrolled: bool) -> None:
        self.answer(
            lambda: self.backend.destroy_fresh(allow_enrolled=allow_enrolled),
            self.Destroyed,
            self.DestroyFailed,
        )

    def on_review_step_destroyed(self, message: Destroyed) -> None:
        result = message.result
        self.applying = False
        if result.ok:
            text = (
                f"Undone: {result.writes} write{'' if result.writes == 1 else 's'}. The session "
                "keeps its settings: Apply rolls it out again."
            )
            self._outcome([Static(text, classes="outcome-ok", markup=False)])
        else:
            lines = ["Undo stopped; what was removed is recorded. Press Undo again to finish."]
            lines += [f"✗ {key}: {message}" for key, message in result.failed.items()]
            self._outcome(
                [Static(safe_lines("\n".join(lines)), classes="outcome-failed", markup=False)]
            )
        self.make_plan()

    def on_review_step_destroy_failed(self, message: DestroyFailed) -> None:
        self.applying = False
        self._set_status(f"Could not undo: {describe_error(message.error)}", error=True)
        self._buttons()

    # small helpers

    def _tenant_label(self) -> str:
        """The signed-in tenant, "Name (id)"; the session's record before a sign-in."""
        target = self.backend.target
        if target is not None:
            return target.label
        tenant = self.session.table("tenant")
        name, tenant_id = tenant.get("organization") or "", tenant.get("tenant_id") or ""
        if name and tenant_id:
            return f"{name} ({tenant_id})"
        return str(name or tenant_id or "the signed-in tenant")

    def _view(self) -> PlanView | None:
        views = self.query(PlanView)
        return views.first() if views else None

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#review-status", Static)
        status.update(safe_lines(text))
        status.set_class(error, "-error")

    def _buttons(self, *, planning: bool = False) -> None:
        plan = self.plan
        can_apply = (
            not planning
            and not self.applying
            and plan is not None
            and not plan.blocked
            and bool(plan.changes)
            and self._prerequisites_confirmed()
        )
        self.query_one("#review-apply", Button).disabled = not can_apply
        self.query_one("#review-replan", Button).disabled = (
            planning or self.applying or not self.backend_ready
        )
        self.query_one("#review-destroy", Button).disabled = (
            planning or self.applying or not self.backend_ready or not self._has_created()
        )

    def _show_last_result(self) -> None:
        result = str(self.session.get(self.step_id, "last_result") or "")
        words = LAST_RESULT_WORDS.get(result, "")
        last = self.query_one("#review-last", Static)
        last.update(f"{words}: press Apply to resume where it stopped." if words else "")
        last.display = bool(words)
