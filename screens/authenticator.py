"""Wizard step 4: Microsoft Authenticator as a required, user-licensed VPP app.

Shows the `iosVppApp` of Microsoft Authenticator the tenant has (its VPP token
and licences) or the reason it cannot be used, with the fix; then who it is
required for: by default the SSO extension policy's users, else chosen groups
(device groups refused: user licences go to users).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Checkbox, RadioSet, Static

from screens.sso_extension import sso_audience
from screens.widgets.field_check import show_problem
from screens.widgets.group_picker import GroupPicker
from screens.widgets.step_panel import StepPanel, step_worker
from screens.widgets.toggles import StateCheckbox, StateRadioButton
from tui.steps import StepStatus
from tui.text import safe_lines, safe_text

if TYPE_CHECKING:  # the Graph layer loads after the first frame
    from tui.backend import AuthenticatorFinding
    from tui.graph.models import VppApp, VppToken

STEP = "authenticator"


def token_state(app: VppApp, tokens: tuple[VppToken, ...]) -> str:
    """The state of the VPP token an app came from (matched by its Apple ID)."""
    for token in tokens:
        if app.vpp_token_apple_id and token.apple_id.lower() == app.vpp_token_apple_id.lower():
            return token.state
    return "unknown"


def describe_app(app: VppApp, tokens: tuple[VppToken, ...]) -> Text:
    # Names from the tenant (app, token organisation, Apple ID): plain, safe text.
    token = safe_text(app.vpp_token_organization or "?")
    if app.vpp_token_apple_id:
        token += f" ({safe_text(app.vpp_token_apple_id)})"
    return Text.assemble(
        (safe_text(app.display_name), "bold"),
        f" ({safe_text(app.bundle_id)})\nVPP app with user licensing\n",
        ("Token: ", "bold"),
        f"{token}, {safe_text(token_state(app, tokens))}\n",
        ("Licences: ", "bold"),
        f"{app.total_licenses} total, {app.used_licenses} used, ",
        (f"{app.free_licenses} free", "bold green" if app.free_licenses else "bold red"),
    )


def groups_problem(table: Mapping[str, Any], sso_table: Mapping[str, Any]) -> str:
    if table.get("same_groups_as_sso", True):
        if not sso_table.get("all_users", True) and not sso_table.get("groups"):
            return (
                "the SSO extension policy has nobody assigned yet: assign it in step 3, "
                "or untick “Same users” and pick groups here"
            )
        return ""
    if not table.get("groups"):
        return "no group chosen: add the groups that must get Microsoft Authenticator"
    return ""


class AuthenticatorStep(StepPanel):
    DEFAULT_CSS = """
    .vpp-app {
        height: auto;
        min-height: 3;
        padding: 0 1;
        border-left: outer $primary;
    }
    .vpp-app.-unusable {
        border-left: outer $error;
    }
    """

    step_id = STEP
    needs_graph = True

    class Found(Message, bubble=False):
        def __init__(self, finding: AuthenticatorFinding) -> None:
            super().__init__()
            self.finding = finding

    class LookupFailed(StepPanel.Failed, bubble=False):
        """The apps could not be read (the app's box says why)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.finding: AuthenticatorFinding | None = None

    def compose_body(self) -> ComposeResult:
        table = self.session.table(STEP)
        yield Static("Microsoft Authenticator in Intune", classes="section-title")
        yield Static(
            "Not looked up yet." if not self.backend_ready else "Looking it up…",
            id="auth-app",
            classes="vpp-app",
            markup=False,
        )
        yield RadioSet(id="auth-app-choice")
        with Horizontal(classes="step-nav"):
            yield Button("Check again", id="auth-recheck")

        yield Static("Required for", classes="section-title")
        same = bool(table.get("same_groups_as_sso", True))
        yield StateCheckbox("Same users as the SSO extension policy", same, id="auth-same-groups")
        yield Static("", id="auth-sso-audience", classes="field-hint", markup=False)
        picker = GroupPicker(
            self.backend,
            groups=table.get("groups") or [],
            refuse_devices=True,
            label="Required for these user groups",
            id="auth-groups",
        )
        picker.display = not same
        yield picker
        yield Static("", id="auth-groups-message", classes="field-message")

        # The Company Portal web clip ([web_clip]): a section here, not a step of its own.
        yield Static("Company Portal on the home screen", classes="section-title")
        clip = self.session.table("web_clip")
        yield StateCheckbox(
            "Add the Company Portal web clip for the same users",
            bool(clip.get("enabled", True)) if clip else False,
            id="auth-web-clip",
        )
        yield Static(
            "Microsoft recommends it for user enrollment: an icon that opens the Company "
            "Portal website, where employees see their device and get help. adue uses the "
            "tenant's Company Portal web app if it has one, or creates it, and makes it "
            "required; other assignments of it stay as they are.",
            classes="field-hint",
            markup=False,
        )

    def on_mount(self) -> None:
        self.query_one("#auth-app-choice", RadioSet).display = False
        super().on_mount()
        self._show_groups()

    def on_show(self) -> None:
        # The SSO step may have changed who gets the policy since this one was built.
        self._show_groups()

    def on_hide(self) -> None:
        self.update_status()

    # -- the app ---------------------------------------------------------------------------

    def on_signed_in(self) -> None:
        self.look_up()

    def look_up(self) -> None:
        box = self.query_one("#auth-app", Static)
        box.update("Looking for Microsoft Authenticator in Intune…")
        box.loading = True
        self._read_apps()

    @step_worker("auth-app")
    def _read_apps(self) -> None:
        self.answer(self.backend.authenticator_state, self.Found, self.LookupFailed)

    def on_authenticator_step_lookup_failed(self, message: LookupFailed) -> None:
        from tui.error_text import describe_error

        box = self.query_one("#auth-app", Static)
        box.loading = False
        box.add_class("-unusable")
        box.update(f"Could not read the apps: {describe_error(message.error, layout='line')}")

    def on_authenticator_step_found(self, message: Found) -> None:
        self.query_one("#auth-app", Static).loading = False
        self._show_finding(message.finding)

    def _show_finding(self, finding: AuthenticatorFinding) -> None:
        self.finding = finding
        box = self.query_one("#auth-app", Static)
        chosen = self._chosen_app()
        text = Text()
        if chosen is not None:
            text.append_text(describe_app(chosen, finding.tokens))
        if finding.problem:
            if text:
                text.append("\n")
            text.append("Cannot be used: ", "bold red")
            text.append(safe_lines(finding.problem))
            if finding.fix:
                text.append("\nFix: ", "bold")
                text.append(safe_lines(finding.fix))
        box.update(text)
        box.set_class(not finding.usable, "-unusable")
        choice = self.query_one("#auth-app-choice", RadioSet)
        if len(finding.candidates) > 1 and not choice.children:
            for app in finding.candidates:
                # A Content label: the organisation's name is never read as markup.
                label = Content(
                    f"{safe_text(app.vpp_token_organization or app.id)}: {app.free_licenses} free"
                )
                choice.mount(
                    StateRadioButton(
                        label, app.id == chosen.id if chosen else False, id=f"app-{app.id}"
                    )
                )
        choice.display = len(finding.candidates) > 1
        if finding.usable and chosen is not None:
            self._save("app_id", chosen.id, by_admin=False)  # found, not chosen: still todo
        self.update_status()

    def _chosen_app(self) -> VppApp | None:
        """The saved app when it is still a candidate, else the one with most free licences."""
        if self.finding is None or not self.finding.candidates:
            return None
        saved = self.session.get(STEP, "app_id") or ""
        for app in self.finding.candidates:
            if app.id == saved:
                return app
        return self.finding.candidates[0]

    @on(RadioSet.Changed, "#auth-app-choice")
    def _app_chosen(self, event: RadioSet.Changed) -> None:
        if event.pressed.id and self.finding is not None:
            self._save("app_id", event.pressed.id.removeprefix("app-"))
            self._show_finding(self.finding)

    def button_actions(self) -> Mapping[str, Callable[[], object]]:
        return {"auth-recheck": self.recheck}

    def recheck(self) -> None:
        if self.backend_ready:
            self.look_up()
        else:
            self.notify("Sign in first (step 1).", severity="warning")

    # -- who gets it -------------------------------------------------------------------------

    @on(Checkbox.Changed, "#auth-same-groups")
    @on(GroupPicker.Changed, "#auth-groups")
    def _audience_changed(self, event: Checkbox.Changed | GroupPicker.Changed) -> None:
        key = "same_groups_as_sso" if isinstance(event, Checkbox.Changed) else "groups"
        self._save(key, event.value)
        self._show_groups()

    @on(Checkbox.Changed, "#auth-web-clip")
    def _web_clip_changed(self, event: Checkbox.Changed) -> None:
        if self.session.get("web_clip", "enabled") == event.value:
            return
        self.session.set("web_clip", "enabled", event.value)
        if self.session.get(STEP, "status") == "todo":
            self.session.set(STEP, "status", "in_progress")
        self.post_message(self.SessionChanged())

    def _show_groups(self) -> None:
        table = self.session.table(STEP)
        same = bool(table.get("same_groups_as_sso", True))
        self.query_one("#auth-groups", GroupPicker).display = not same
        audience = self.query_one("#auth-sso-audience", Static)
        audience.update(f"The SSO policy goes to: {safe_text(sso_audience(self.session))}.")
        audience.display = same
        problem = groups_problem(table, self.session.table("sso_extension"))
        show_problem(
            self.query_one("#auth-groups-message", Static),
            f"Required for: {problem}" if problem else "",
            "Assigned as required, with user licensing (one licence per user).",
        )
        self.update_status()

    # -- status ---------------------------------------------------------------------------------

    def update_status(self) -> None:
        """Done when a usable app is known and somebody must get it."""
        if self.session.get(STEP, "status") == "todo" and self.finding is None:
            return  # nothing looked at or chosen yet
        table = self.session.table(STEP)
        done = (
            self.finding is not None
            and self.finding.usable
            and bool(table.get("app_id"))
            and not groups_problem(table, self.session.table("sso_extension"))
        )
        status: StepStatus = "done" if done else "in_progress"
        if self.session.get(STEP, "status") != status:
            self.set_status(status)

    def _save(self, key: str, value: Any, *, by_admin: bool = True) -> None:
        if self.session.get(STEP, key) == value:
            return
        self.save(key, value, by_admin=by_admin)
