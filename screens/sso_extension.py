"""Wizard step 3: the Microsoft Entra ID single sign-on app extension policy.

The admin names the policy, lists the non-Microsoft apps that should use the
extension, sees the two keys exactly as they will be sent, and chooses who gets
it (all users or groups, plus exclusions). Every valid change is saved at once;
invalid input is shown with its fix and never reaches the session.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, RadioSet, Select, Static, Switch

from screens.widgets.bundle_id_editor import BundleIdEditor
from screens.widgets.field_check import (
    PlainInput,
    checked_field,
    show_problem,
)
from screens.widgets.group_picker import GroupPicker
from screens.widgets.step_panel import StepPanel
from screens.widgets.toggles import StateRadioButton, StateSwitch
from tui.graph import sso_keys
from tui.session.document import Session
from tui.steps import StepStatus
from tui.validators import bundle_ids_problems, display_name_problem

STEP = "sso_extension"
VALUE_TYPES = {  # @odata.type of a configuration pair -> the word shown
    "#microsoft.graph.keyStringValuePair": "string",
    "#microsoft.graph.keyIntegerValuePair": "integer",
    "#microsoft.graph.keyBooleanValuePair": "boolean",
    "#microsoft.graph.keyRealValuePair": "real",
}


def name_problem(value: str) -> str:
    return display_name_problem(value, "policy name")


def sso_problems(table: Mapping[str, Any]) -> list[str]:
    """Why the step is not done yet ([] = its inputs are complete and valid)."""
    problems = []
    problem = name_problem(str(table.get("name", "")))
    if problem:
        problems.append(problem)
    problems += bundle_ids_problems([str(b) for b in table.get("bundle_ids") or []])
    if not table.get("all_users", True) and not table.get("groups"):
        problems.append(
            "nobody would get the SSO extension: choose All users, or add at least one group"
        )
    return problems


def sso_audience(session: Session) -> str:
    """Who gets the SSO policy, in words (shown by the Authenticator step too)."""
    table = session.table(STEP)
    groups = [g.get("name") or g.get("id", "") for g in table.get("groups") or []]
    excluded = [g.get("name") or g.get("id", "") for g in table.get("exclude_groups") or []]
    if table.get("all_users", True):
        text = "all users"
    elif groups:
        text = ", ".join(groups)
    else:
        text = "nobody yet (no group chosen)"
    if excluded:
        text += f", except {', '.join(excluded)}"
    return text


def configuration_lines(browser_sso: bool, extra: Mapping[str, Any] | None = None) -> Text:
    """The extension's key/value pairs, rendered from the very body Graph receives.

    Values are shown as JSON (a string in quotes, an integer bare), followed by
    Graph's value type, so what is on screen is what is sent.
    """
    from tui.backend import sso_configurations

    keys = tuple((k, v) for k, v in (extra or {}).items() if not sso_keys.value_problem(k, v))
    lines = []
    for pair in sso_configurations(browser_sso=browser_sso, extra_keys=keys):
        kind = VALUE_TYPES.get(pair["@odata.type"], pair["@odata.type"])
        lines.append(
            Text.assemble(
                (f"{pair['key']} = ", "bold"),
                (json.dumps(pair["value"]), "bold green"),
                (f" ({kind})", "dim"),
            )
        )
    if not browser_sso:
        lines.append(Text.assemble(("browser_sso_interaction_enabled", "bold"), " not sent"))
    return Text("\n").join(lines)


class SsoExtensionStep(StepPanel):
    DEFAULT_CSS = """
    .sso-keys {
        height: auto;
        padding: 0 0 0 1;
        border-left: outer $primary;
    }
    """

    step_id = STEP
    needs_graph = False  # inputs work offline; only the group search needs sign-in

    def compose_body(self) -> ComposeResult:
        table = self.session.table(STEP)
        yield from checked_field(
            "Policy name", str(table.get("name", "")), name_problem, id="sso-name"
        )

        yield Static("Apps that use the extension", classes="section-title")
        yield Static(
            "Non-Microsoft apps only: Microsoft's apps are covered already. "
            "Enter or click an app to edit it; delete removes it.",
            classes="field-hint",
        )
        yield BundleIdEditor(table.get("bundle_ids") or [], id="sso-bundles")

        yield Static("Keys sent with the extension", classes="section-title")
        yield Static(
            configuration_lines(
                bool(table.get("browser_sso_interaction_enabled", True)),
                table.get("extra_keys") or {},
            ),
            id="sso-keys",
            classes="sso-keys",
        )
        with Horizontal(classes="switch-row"):
            yield StateSwitch(
                bool(table.get("browser_sso_interaction_enabled", True)), id="sso-browser-sso"
            )
            yield Static(
                "Send browser_sso_interaction_enabled = 1: Safari and apps without "
                "Microsoft's sign-in library (MSAL) can then sign in first",
                classes="switch-label",
            )
        yield Static("Optional keys of the SSO plug-in", classes="field-label")
        # The optional-key row: picker, value and Set on one line.
        with Horizontal(id="sso-extra-row", classes="field-row"):
            yield Select(
                [(name, name) for name in sso_keys.EXTRA_KEYS],
                prompt="documented key",
                id="sso-extra-key",
                compact=True,
            )
            yield PlainInput(placeholder="value", id="sso-extra-value", compact=True)
            yield Button("Set", id="sso-extra-set", compact=True)
        yield Static(
            "Pick a key Microsoft documents and type its value; Set with an empty value "
            "removes it. Keys other admins added to the policy are kept either way.",
            id="sso-extra-message",
            classes="field-message",
            markup=False,
        )

        yield Static("Who gets the policy", classes="section-title")
        all_users = bool(table.get("all_users", True))
        with RadioSet(id="sso-target"):
            yield StateRadioButton("All users", all_users, id="sso-all-users")
            yield StateRadioButton("Selected groups", not all_users, id="sso-some-groups")
        picker = GroupPicker(
            self.backend, groups=table.get("groups") or [], label="Include groups", id="sso-groups"
        )
        picker.display = not all_users
        yield picker
        yield GroupPicker(
            self.backend,
            groups=table.get("exclude_groups") or [],
            label="Exclude groups (optional)",
            id="sso-exclude",
        )
        yield Static("", id="sso-assign-message", classes="field-message")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#sso-name", Input).validate(self.query_one("#sso-name", Input).value)
        self._show_name_problem(self.query_one("#sso-name", Input).value)
        self._show_assignment_problem()
        if self.session.get(STEP, "status") != "todo":
            self.update_status()

    # -- status ---------------------------------------------------------------------------

    def update_status(self) -> None:
        """Done when every input is valid and somebody gets the policy."""
        typed = name_problem(self.query_one("#sso-name", Input).value)  # not saved when bad
        problems = sso_problems(self.session.table(STEP))
        status: StepStatus = "in_progress" if problems or typed else "done"
        if self.session.get(STEP, "status") != status:
            self.set_status(status)

    def _save(self, key: str, value: Any) -> None:
        if self.session.get(STEP, key) == value:
            return  # e.g. a widget announcing the value it was built with
        self.save(key, value)
        self.update_status()

    # -- the name ---------------------------------------------------------------------------

    def _show_name_problem(self, value: str) -> str:
        problem = name_problem(value)
        show_problem(
            self.query_one("#sso-name-message", Static),
            f"Policy name: {problem}" if problem else "",
            "The name admins see in Intune > Devices > Configuration.",
        )
        return problem

    @on(Input.Changed, "#sso-name")
    def _name_changed(self, event: Input.Changed) -> None:
        if not self._show_name_problem(event.value):
            self._save("name", event.value.strip())
        else:
            self.update_status()

    # -- apps and keys --------------------------------------------------------------------

    @on(BundleIdEditor.Changed)
    def _bundles_changed(self, event: BundleIdEditor.Changed) -> None:
        self._save("bundle_ids", event.bundle_ids)

    @on(Switch.Changed, "#sso-browser-sso")
    def _browser_sso_changed(self, event: Switch.Changed) -> None:
        extra = self.session.get(STEP, "extra_keys") or {}
        self.query_one("#sso-keys", Static).update(configuration_lines(event.value, extra))
        self._save("browser_sso_interaction_enabled", event.value)

    # -- optional plug-in keys ---------------------------------------------------------------

    def _kinds(self, name: str) -> str:
        return " or ".join(sso_keys.TYPE_WORDS[k] for k in sso_keys.EXTRA_KEYS[name].kinds)

    @on(Select.Changed, "#sso-extra-key")
    def _extra_key_picked(self, event: Select.Changed) -> None:
        name = event.value if isinstance(event.value, str) else ""
        spec = sso_keys.EXTRA_KEYS.get(name)
        if spec is None:
            return
        current = (self.session.get(STEP, "extra_keys") or {}).get(name)
        field = self.query_one("#sso-extra-value", Input)
        field.placeholder = self._kinds(name)
        if isinstance(current, bool):
            field.value = str(current).lower()
        else:
            field.value = "" if current is None else str(current)
        hint = f"{name}: {spec.meaning} ({self._kinds(name)})."
        show_problem(self.query_one("#sso-extra-message", Static), "", hint)

    @on(Button.Pressed, "#sso-extra-set")
    @on(Input.Submitted, "#sso-extra-value")
    def _extra_key_set(self, event: Button.Pressed | Input.Submitted) -> None:
        event.stop()
        message = self.query_one("#sso-extra-message", Static)
        choice = self.query_one("#sso-extra-key", Select).value
        name = choice if isinstance(choice, str) else ""
        if not name:
            show_problem(message, "Optional key: pick a key first, then type its value.")
            return
        text = self.query_one("#sso-extra-value", Input).value
        extra = dict(self.session.get(STEP, "extra_keys") or {})
        if not text.strip():
            extra.pop(name, None)
            hint = f"{name} removed (adue stops managing it)."
        else:
            value = sso_keys.parse_value(name, text)
            if value is None:
                problem = f"{name} must be {self._kinds(name)}, not {text.strip()!r}"
                show_problem(message, f"Optional key: {problem}.")
                return
            extra[name] = value
            hint = f"{name} will be sent as shown above."
        self._save("extra_keys", extra)
        browser = bool(self.session.get(STEP, "browser_sso_interaction_enabled"))
        self.query_one("#sso-keys", Static).update(configuration_lines(browser, extra))
        show_problem(message, "", hint)

    # -- assignment ---------------------------------------------------------------------------

    @on(RadioSet.Changed, "#sso-target")
    def _target_changed(self, event: RadioSet.Changed) -> None:
        all_users = event.pressed.id == "sso-all-users"
        self.query_one("#sso-groups", GroupPicker).display = not all_users
        self._save("all_users", all_users)
        self._show_assignment_problem()

    @on(GroupPicker.Changed, "#sso-groups")
    @on(GroupPicker.Changed, "#sso-exclude")
    def _groups_changed(self, event: GroupPicker.Changed) -> None:
        key = "groups" if event.picker.id == "sso-groups" else "exclude_groups"
        self._save(key, event.groups)
        self._show_assignment_problem()

    def _show_assignment_problem(self) -> None:
        table = self.session.table(STEP)
        message = self.query_one("#sso-assign-message", Static)
        if not table.get("all_users", True) and not table.get("groups"):
            show_problem(
                message,
                "Assignment: nobody would get the policy. Add an include group, "
                "or choose All users.",
            )
            return
        included = {g.get("id") for g in table.get("groups") or []} - {""}
        both = [
            g.get("name") or g.get("id", "")
            for g in table.get("exclude_groups") or []
            if g.get("id") in included
        ]
        hint = f"Gets the policy: {sso_audience(self.session)}."
        if both:
            hint += f" {', '.join(both)}: both included and excluded — exclusion wins."
        show_problem(message, "", hint)

    def refresh_from_session(self) -> None:
        table = self.session.table(STEP)
        self.query_one("#sso-groups", GroupPicker).set_groups(table.get("groups") or [])
        self.query_one("#sso-exclude", GroupPicker).set_groups(table.get("exclude_groups") or [])
        self._show_assignment_problem()
