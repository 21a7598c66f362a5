"""Wizard step 6: the order of Apple enrollment profiles, and who wins for a user.

Lists every Apple enrollment-type profile in the tenant with its groups, plus
ours ("new: <name>" until apply creates it). The admin moves profiles with
shift+up/down or by clicking one and using the buttons; each move is saved to
`[priority] order` at once. "Who wins" reads a user's groups (transitively) and
says which profile applies and why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widgets import Button, Input, Static

from screens.widgets.field_check import PlainInput
from screens.widgets.priority_list import PriorityList
from screens.widgets.step_panel import StepPanel, step_worker
from tui.error_text import describe_error
from tui.graph.models import Group
from tui.rollout.priority import (
    OURS,
    PriorityEntry,
    Verdict,
    arrange,
    order_keys,
    outranking_warnings,
    who_wins,
)
from tui.text import safe_lines, safe_text

if TYPE_CHECKING:
    from tui.backend import ProfilesInTenant

_UPN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


class UserNameValidator(Validator):
    """A user principal name (name@domain) or an object id."""

    def validate(self, value: str) -> ValidationResult:
        text = value.strip()
        if not text or _UPN.match(text) or _GUID.match(text):
            return self.success()
        return self.failure(
            "User: type the user's sign-in name, e.g. AdeleV@contoso.com (or their object id)"
        )


class PriorityStep(StepPanel):
    DEFAULT_CSS = """
    #priority-list {
        height: auto;
        max-height: 14;
        margin-top: 1;
        border-left: outer $primary;
    }
    """

    step_id = "priority"
    needs_graph = True

    class ProfilesRead(Message, bubble=False):
        def __init__(self, tenant: ProfilesInTenant) -> None:
            super().__init__()
            self.tenant = tenant

    class ProfilesFailed(StepPanel.Failed, bubble=False):
        """The profiles could not be read."""

    class UserGroupsRead(Message, bubble=False):
        def __init__(self, user: str, groups: tuple[Group, ...]) -> None:
            super().__init__()
            self.user = user
            self.groups = groups

    class UserGroupsFailed(Message, bubble=False):
        def __init__(self, user: str, error: BaseException) -> None:
            super().__init__()
            self.user = user
            self.error = error

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tenant: ProfilesInTenant | None = None  # what the tenant has, once read
        self._load_error = False  # the last read failed: showing the step again retries
        self._user: tuple[str, tuple[Group, ...]] | None = None  # who-wins: UPN and groups

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Highest first: when several profiles target a user, the higher one applies. "
            "shift+↑/↓ or the buttons move the selected profile.",
            classes="step-help",
        )
        yield Static("", id="priority-status", classes="step-status", markup=False)
        yield PriorityList(id="priority-list")
        with Horizontal(classes="actions"):
            yield Button("Move up", id="priority-up", compact=True)
            yield Button("Move down", id="priority-down", compact=True)
        warnings = Static("", id="priority-warnings", classes="field-problem", markup=False)
        warnings.display = False
        yield warnings
        yield Static("Who wins for a user?", classes="field-label")
        with Horizontal(id="priority-who", classes="field-row"):
            yield PlainInput(
                placeholder="e.g. user@contoso.com",
                id="priority-user",
                validators=[UserNameValidator()],
                compact=True,
            )
            yield Button("Check", id="priority-check", compact=True)
        problem = Static("", id="priority-user-problem", classes="field-problem", markup=False)
        problem.display = False
        yield problem
        yield Static("", id="priority-verdict", classes="step-status", markup=False)

    # loading

    def on_signed_in(self) -> None:
        self.load()

    def load(self) -> None:
        """Read the tenant's profiles, their assignments and group names (thread worker)."""
        self._load_error = False
        self._status("Reading the Apple enrollment profiles…")
        self.query_one(PriorityList).loading = True
        self._read_profiles()

    @step_worker("priority-load")
    def _read_profiles(self) -> None:
        self.answer(self.backend.read_profiles, self.ProfilesRead, self.ProfilesFailed)

    def on_priority_step_profiles_read(self, message: ProfilesRead) -> None:
        self.query_one(PriorityList).loading = False
        tenant = self._tenant = message.tenant
        count = len(tenant.profiles)
        ours_new = any(e.is_new for e in self._tenant_entries())
        self._status(
            f"{count} Apple enrollment profile{'' if count == 1 else 's'} in the tenant"
            + (", plus ours (created by apply)." if ours_new else ", ours included.")
        )
        self.call_later(self._show_list)
        self.set_status("done")  # the order shown is what apply sets: done once gone through

    def on_priority_step_profiles_failed(self, message: ProfilesFailed) -> None:
        self.query_one(PriorityList).loading = False
        self._load_error = True
        self._status(describe_error(message.error), error=True)

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#priority-status", Static)
        status.update(safe_lines(text))
        status.set_class(error, "-error")

    def _tenant_entries(self) -> list[PriorityEntry]:
        from tui.rollout.modes import facts
        from tui.rollout.priority import entries

        assert self._tenant is not None
        profile = self.session.table("enrollment_profile")
        mode = str(self.session.get("enrollment_profile", "mode"))
        return entries(
            self._tenant,
            str(profile.get("profile_id", "")),
            str(profile.get("name") or self.session.get("enrollment_profile", "name")),
            list(profile.get("groups") or []),
            bool(profile.get("all_users", False)),
            facts(mode).enrollment_type,
        )

    def _arranged(self) -> list[PriorityEntry]:
        return arrange(
            self._tenant_entries(),
            list(self.session.get(self.step_id, "order") or []),
            str(self.session.get("enrollment_profile", "profile_id") or ""),
        )

    async def _show_list(self) -> None:
        listing = self.query_one(PriorityList)
        current = listing.highlighted_child
        keep = getattr(current, "entry", None)
        await listing.show(self._arranged(), highlight=keep.key if keep else OURS)
        if self.app.focused is self:  # land on the list, so shift+↑/↓ work at once
            listing.focus(scroll_visible=False)
        self._show_warnings()
        self._show_verdict()

    def _show_warnings(self) -> None:
        lines = outranking_warnings(self.query_one(PriorityList).entries())
        box = self.query_one("#priority-warnings", Static)
        # Profile and group names come from the tenant: shown, never acted on.
        box.update(safe_lines("\n".join(f"Warning: {line}" for line in lines)))
        box.display = bool(lines)

    def on_show(self) -> None:
        # Our profile's name and groups may have changed in step 5 meanwhile; a read
        # that failed earlier (network, permissions) is tried again.
        if self._tenant is not None:
            self.call_later(self._show_list)
        elif self._load_error and self.backend_ready:
            self.load()

    def refresh_from_session(self) -> None:
        if self._tenant is not None:
            self.call_later(self._show_list)

    # moving

    def on_priority_list_moved(self, message: PriorityList.Moved) -> None:
        self.save("order", order_keys(message.entries))
        self.set_status("done")
        self._show_warnings()
        self._show_verdict()

    def button_actions(self) -> Mapping[str, Callable[[], object]]:
        return {
            "priority-up": lambda: self.query_one(PriorityList).move_highlighted(-1),
            "priority-down": lambda: self.query_one(PriorityList).move_highlighted(1),
            "priority-check": self.check_user,
        }

    # who wins

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "priority-user":
            return
        result = event.validation_result
        problem = "" if result is None or result.is_valid else result.failure_descriptions[0]
        self._problem(problem)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "priority-user":
            event.stop()
            self.check_user()

    def check_user(self) -> None:
        field = self.query_one("#priority-user", Input)
        user = field.value.strip()
        if not user:
            self._problem("User: type the user's sign-in name, e.g. AdeleV@contoso.com")
            field.focus()
            return
        result = field.validate(user)
        if result is not None and not result.is_valid:
            self._problem(result.failure_descriptions[0])
            return
        if not self.backend_ready:
            self._problem("Sign in first (step 1): adue reads the user's groups from the tenant.")
            return
        self._problem("")
        verdict = self.query_one("#priority-verdict", Static)
        verdict.update(f"Reading the groups of {safe_text(user)}…")
        verdict.loading = True
        self._read_user_groups(user)

    @step_worker("priority-who")
    def _read_user_groups(self, user: str) -> None:
        self.answer(
            lambda: self.backend.user_groups(user),
            lambda groups: self.UserGroupsRead(user, groups),
            lambda exc: self.UserGroupsFailed(user, exc),
        )

    def _problem(self, text: str) -> None:
        problem = self.query_one("#priority-user-problem", Static)
        problem.update(safe_lines(text))
        problem.display = bool(text)

    def on_priority_step_user_groups_read(self, message: UserGroupsRead) -> None:
        self.query_one("#priority-verdict", Static).loading = False
        self._user = (message.user, message.groups)
        self._show_verdict()

    def on_priority_step_user_groups_failed(self, message: UserGroupsFailed) -> None:
        self.query_one("#priority-verdict", Static).loading = False
        error = message.error
        self._user = None
        status = getattr(error, "status", None)
        user = self.query_one("#priority-user", Input).value.strip()
        if status == 404:
            text = f"No user {user} in this tenant: check the spelling of the sign-in name."
        else:
            text = f"Could not read the groups of {user}: {describe_error(error)}"
        self.query_one("#priority-verdict", Static).update(safe_lines(text))

    def _show_verdict(self) -> None:
        if self._user is None or not self.is_mounted:
            return
        user, groups = self._user
        entries = self.query_one(PriorityList).entries()
        verdict = who_wins(entries, [g.id for g in groups], [g.display_name for g in groups])
        # Names of profiles, groups and the typed user: shown, never acted on.
        self.query_one("#priority-verdict", Static).update(safe_lines(verdict_text(user, verdict)))


def verdict_text(user: str, verdict: Verdict) -> str:
    """Which profile applies to `user`, why, and what loses to it."""
    winner = verdict.winner
    lines: list[str] = []
    if winner is None:
        lines.append(
            f"No enrollment profile targets {user}: they cannot enroll with account-driven "
            "User Enrollment until a profile is assigned to one of their groups (step 5)."
        )
    else:
        lines.append(
            f"{user} gets “{winner.entry.label}” (place {winner.position}), "
            f"through {', '.join(winner.via)}."
        )
        for match in verdict.matches[1:]:
            lines.append(
                f"Also targets them, but lower: “{match.entry.label}” (place {match.position}, "
                f"through {', '.join(match.via)})."
            )
        ours_loses = any(m.entry.is_ours for m in verdict.matches[1:])
        if ours_loses:
            lines.append(
                "Move ours above the winner for this user to get account-driven User Enrollment."
            )
    for match in verdict.excluded:
        lines.append(f"“{match.entry.label}” excludes them (group {', '.join(match.via)}).")
    return "\n".join(lines)
