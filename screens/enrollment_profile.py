"""Wizard step 5: the enrollment profile, its enrollment type and its user groups.

The enrollment type is account-driven User Enrollment (adue's default) or web-based
device enrollment; name and description are checked as you type; groups come from the
group picker with device groups refused (both types target users). The step reminds
the admin of the iOS/iPadOS minimum.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, RadioSet, Static, Switch

from screens.widgets.field_check import (
    PlainInput,
    ProblemValidator,
    checked_field,
    show_problem,
)
from screens.widgets.group_picker import GroupPicker
from screens.widgets.step_panel import StepPanel
from screens.widgets.toggles import StateRadioButton, StateSwitch
from tui.steps import StepStatus
from tui.validators import display_name_problem, guid_problem

STEP = "enrollment_profile"
DESCRIPTION_MAX = 1000  # generous; the admin center shows a few lines

MODE_CHOICES = (
    ("account-driven", "mode-account-driven", "Account driven user enrollment (recommended)"),
    ("web-based", "mode-web-based", "Web based device enrollment (in Safari)"),
)


def mode_facts_text(mode: str) -> str:
    """What the chosen enrollment type means, for the line under the choice."""
    from tui.rollout.modes import facts

    return facts(mode).difference


# Intune's minimum is iOS/iPadOS 17, and user enrollment with Company Portal is gone
# for new enrollments (enrollment-facts.md): older devices have no other way in.
OLD_IOS_NOTE = (
    "Needs iOS/iPadOS 17 or later: devices on older versions cannot enroll until they are updated."
)


def name_problem(value: str) -> str:
    return display_name_problem(value, "profile name")


def description_problem(value: str) -> str:
    if len(value.strip()) > DESCRIPTION_MAX:
        return f"the description is longer than {DESCRIPTION_MAX} characters: shorten it"
    if any(ord(c) < 32 for c in value):
        return "the description contains control characters (a tab or line break): remove them"
    return ""


def filter_problem(value: str) -> str:
    """An assignment filter id: empty (none) or a GUID."""
    text = value.strip()
    return guid_problem(text, "filter id") if text else ""


# The typed fields: input id -> (session key, the field's name in its problem line,
# its check, the hint shown while it is fine). Each has a message line, "#{id}-message".
TEXT_FIELDS: dict[str, tuple[str, str, Callable[[str], str], str]] = {
    "profile-name": (
        "name",
        "Profile name",
        name_problem,
        "Shown in Intune > Devices > By platform > iOS/iPadOS > Device onboarding >"
        " Enrollment > Enrollment types.",
    ),
    "profile-description": ("description", "Description", description_problem, ""),
    "profile-filter": (
        "filter_id",
        "Assignment filter",
        filter_problem,
        "The filter goes on every target of the profile; plan checks that it exists.",
    ),
}


def profile_problems(table: Mapping[str, Any]) -> list[str]:
    """Why the step is not done yet ([] = complete and valid)."""
    problems = [
        p
        for p in (
            name_problem(str(table.get("name", ""))),
            description_problem(str(table.get("description", ""))),
        )
        if p
    ]
    problems += [p for p in (filter_problem(str(table.get("filter_id", ""))),) if p]
    if not table.get("groups") and not table.get("all_users"):
        problems.append(
            "no user group chosen: add the groups whose users may enroll, or choose All users"
        )
    return problems


class EnrollmentProfileStep(StepPanel):
    DEFAULT_CSS = """
    .profile-facts, .profile-note {
        height: auto;
        padding: 0 1;
        border-left: outer $primary;
    }
    .profile-note {
        border-left: outer $warning;
    }
    """

    step_id = STEP
    needs_graph = False  # inputs work offline; only the group search needs sign-in

    def compose_body(self) -> ComposeResult:
        table = self.session.table(STEP)
        mode = str(self.session.get(STEP, "mode"))
        yield Static(OLD_IOS_NOTE, id="profile-old-ios", classes="profile-note")
        yield from checked_field(
            "Profile name", str(table.get("name", "")), name_problem, id="profile-name"
        )
        yield from checked_field(
            "Description (optional)",
            str(table.get("description", "")),
            description_problem,
            id="profile-description",
            placeholder="e.g. Personal iPhones and iPads",
        )
        yield GroupPicker(
            self.backend,
            groups=table.get("groups") or [],
            refuse_devices=True,
            label="User groups that may enroll (device groups are not supported)",
            id="profile-groups",
        )
        yield Static("", id="profile-groups-message", classes="field-message")
        with Horizontal(classes="switch-row"):
            yield StateSwitch(bool(table.get("all_users", False)), id="profile-all-users")
            yield Static(
                "All users: every licensed user may enroll (as well as the groups above)",
                classes="switch-label",
            )
        yield Static(
            "Assignment filter (optional; Tenant administration > Filters)", classes="field-label"
        )
        yield PlainInput(
            str(table.get("filter_id", "")),
            id="profile-filter",
            placeholder="e.g. the id of an iOS/iPadOS filter",
            validators=[ProblemValidator(filter_problem)],
            validate_on=["changed"],
        )
        include = str(table.get("filter_type", "include")) != "exclude"
        with RadioSet(id="profile-filter-type"):
            yield StateRadioButton(
                "Include: devices the filter matches", include, id="filter-include"
            )
            yield StateRadioButton(
                "Exclude: devices the filter matches", not include, id="filter-exclude"
            )
        yield Static("", id="profile-filter-message", classes="field-message")
        yield Static("Enrollment type (personal devices)", classes="field-label")
        with RadioSet(id="profile-mode"):
            for value, button_id, label in MODE_CHOICES:
                yield StateRadioButton(label, mode == value, id=button_id)
        yield Static(mode_facts_text(mode), id="profile-mode-facts", classes="profile-facts")

    def on_mount(self) -> None:
        super().on_mount()
        for field_id in TEXT_FIELDS:
            field = self.query_one(f"#{field_id}", Input)
            field.validate(field.value)
        # The filter's line stays empty until it is typed in (it has no hint of its own yet).
        for field_id in ("profile-name", "profile-description"):
            self._show_problem(field_id, self.query_one(f"#{field_id}", Input).value)
        self._show_groups_problem()
        if self.session.get(STEP, "status") != "todo":
            self.update_status()

    # -- status ------------------------------------------------------------------------------

    def update_status(self) -> None:
        """Done when name and description are valid and at least one user group is chosen."""
        typed = (
            name_problem(self.query_one("#profile-name", Input).value)
            or description_problem(self.query_one("#profile-description", Input).value)
            or filter_problem(self.query_one("#profile-filter", Input).value)
        )  # bad input is never saved, yet the step is not done while it is on screen
        problems = profile_problems(self.session.table(STEP))
        status: StepStatus = "in_progress" if problems or typed else "done"
        if self.session.get(STEP, "status") != status:
            self.set_status(status)

    def on_hide(self) -> None:
        if self.session.get(STEP, "status") != "todo":
            self.update_status()

    def _save(self, key: str, value: Any) -> None:
        if self.session.get(STEP, key) == value:
            return
        self.save(key, value)
        self.update_status()

    # -- fields ---------------------------------------------------------------------------------

    def _show_problem(self, field_id: str, value: str) -> str:
        """The typed field's problem (or hint) on its message line; "" when it is fine."""
        _, label, problem_of, hint = TEXT_FIELDS[field_id]
        problem = problem_of(value)
        show_problem(
            self.query_one(f"#{field_id}-message", Static),
            f"{label}: {problem}" if problem else "",
            hint,
        )
        return problem

    @on(Input.Changed, "#profile-name")
    @on(Input.Changed, "#profile-description")
    @on(Input.Changed, "#profile-filter")
    def _typed(self, event: Input.Changed) -> None:
        field_id = event.input.id or ""
        if self._show_problem(field_id, event.value):
            self.update_status()  # bad input is never saved
        else:
            self._save(TEXT_FIELDS[field_id][0], event.value.strip())

    @on(RadioSet.Changed, "#profile-mode")
    def _mode_changed(self, event: RadioSet.Changed) -> None:
        from tui.rollout.modes import FACTS

        mode = next(v for v, button_id, _ in MODE_CHOICES if button_id == event.pressed.id)
        previous = str(self.session.get(STEP, "mode"))
        self.query_one("#profile-mode-facts", Static).update(mode_facts_text(mode))
        if mode == previous:
            return
        self._save("mode", mode)
        # A name still at the other type's default follows the type; one the admin typed stays.
        name = self.query_one("#profile-name", Input)
        if name.value.strip() == FACTS[previous].default_profile_name:
            name.value = FACTS[mode].default_profile_name

    @on(RadioSet.Changed, "#profile-filter-type")
    def _filter_type_changed(self, event: RadioSet.Changed) -> None:
        self._save("filter_type", "exclude" if event.pressed.id == "filter-exclude" else "include")

    @on(Switch.Changed, "#profile-all-users")
    @on(GroupPicker.Changed, "#profile-groups")
    def _audience_changed(self, event: Switch.Changed | GroupPicker.Changed) -> None:
        self._save("all_users" if isinstance(event, Switch.Changed) else "groups", event.value)
        self._show_groups_problem()

    def _show_groups_problem(self) -> None:
        groups = self.session.get(STEP, "groups") or []
        everyone = bool(self.session.get(STEP, "all_users"))
        hint = "" if groups or everyone else "Add a user group, or choose All users."
        show_problem(self.query_one("#profile-groups-message", Static), "", hint)

    def refresh_from_session(self) -> None:
        table = self.session.table(STEP)
        self.query_one("#profile-groups", GroupPicker).set_groups(table.get("groups") or [])
        self._show_groups_problem()
