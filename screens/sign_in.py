"""Wizard step 1: sign in — cloud, tenant, method, client id; the device code inside the TUI."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from screens.widgets.deferred_select import DeferredSelect
from screens.widgets.field_check import PlainInput
from screens.widgets.literal import literal
from screens.widgets.prestyled_button import PrestyledButton
from screens.widgets.step_panel import StepPanel, step_worker
from tui.backend import SandboxInfo, missing_scopes
from tui.error_text import describe_error
from tui.text import safe_lines, safe_text

if TYPE_CHECKING:
    from tui.graph.models import Organization
    from tui.graph.sign_in_models import DeviceCodePrompt, SignedIn, TokenCacheChoice

AUTH_LABELS = {
    "device-code": "Device code (works over SSH)",
    "browser": "Browser on this machine",
    "secret": "App with client secret",
    "certificate": "App with certificate",
    "azure-cli": "Azure CLI's sign-in",
    "token": "Access token from $ADUE_ACCESS_TOKEN",
}

# The command line's words in a settings message, and the form's words for them: the
# same checks serve `adue check` (flags) and this step (fields), e.g. "--auth secret
# needs ... give --tenant" becomes "Sign-in method “App with client secret” needs ...".
FLAG_WORDS = (
    *((f"--auth {value}", f"Sign-in method “{label}”") for value, label in AUTH_LABELS.items()),
    ("--auth / [tenant] auth", "Sign-in method"),
    ("use --auth token", f"choose “{AUTH_LABELS['token']}”"),
    (
        "give --tenant <tenant id or verified domain> (or [tenant] tenant_id)",
        "fill in Tenant (a directory id or verified domain)",
    ),
    ("give --client-id", "fill in App (client) id with"),
    ("--certificate-path PEM", "a certificate path ([tenant] certificate_path)"),
    ("--certificate-path", "The certificate path"),
    ("--cloud / [tenant] cloud", "Cloud"),
    ("--tenant", "Tenant"),
    ("--client-id", "App (client) id"),
    ("--auth", "Sign-in method"),
)


def form_words(text: str) -> str:
    """`text` with the command-line flags it names replaced by this step's field names."""
    for flag, words in FLAG_WORDS:
        text = text.replace(flag, words)
    return text


# [sign_in] token_cache: where an interactive sign-in is kept between runs.
TOKEN_CACHE_LABELS = {
    "keyring": "OS keyring, encrypted (else not kept)",
    "file": "OS keyring, else a file only you can read",
    "memory": "Not kept: sign in at every run",
}
TOKEN_CACHE_HELP = (
    "Kept, the next run needs no new sign-in. The OS keyring encrypts it; without one "
    "(over SSH, on servers) it is not kept, or kept unencrypted in a file only you can read."
)


def token_cache_text(cache: TokenCacheChoice) -> str:
    """Where the sign-in went, in the admin's words (the CLI's notice names flags)."""
    no_keyring = ""
    if cache.problem:
        no_keyring = f"{cache.problem[0].upper()}{cache.problem[1:]}. "
    if cache.where == "keyring":
        return "Your sign-in is kept encrypted in the OS keyring: the next run signs in by itself."
    if cache.where == "file":
        return (
            f"{no_keyring}As chosen, your sign-in is kept unencrypted in a file only your user "
            "can read (~/.IdentityService/): the next run signs in by itself."
        )
    if not cache.problem:
        return "As chosen, your sign-in is not kept: the next run asks you to sign in again."
    return (
        f"{no_keyring}So your sign-in is kept only until adue quits. To keep it, choose "
        f"“{TOKEN_CACHE_LABELS['file']}” under “Keep my sign-in” and sign in again."
    )


class TenantValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        from tui.validators import domain_problem, is_guid

        text = value.strip()
        if not text or is_guid(text) or not domain_problem(text):
            return self.success()
        return self.failure(
            "Tenant: type the directory (tenant) id, a GUID, or a verified domain such as "
            "contoso.com — or leave it empty to pick at sign-in"
        )


class ClientIdValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        from tui.validators import guid_problem

        text = value.strip()
        if not text or not guid_problem(text):
            return self.success()
        return self.failure(
            "App (client) id: a GUID from your app registration, or empty for "
            "Microsoft Graph Command Line Tools"
        )


def _choice(label: str, choices: Mapping[str, str], value: str, *, id: str) -> list[Widget]:
    """A field's label and its drop-down of `choices` (value -> words), never blank."""
    options = [(words, choice) for choice, words in choices.items()]
    return [
        Static(label, classes="field-label"),  # a Static: Label adds only CSS to apply
        DeferredSelect(options, value=value, allow_blank=False, id=id),
    ]


# The form's text fields, by widget id: their [tenant] key, label, placeholder and check.
TEXT_FIELDS: dict[str, tuple[str, str, str, type[Validator]]] = {
    "sign-in-tenant": (
        "tenant_id",
        "Tenant (directory id or verified domain)",
        "e.g. contoso.com (empty: choose at sign-in)",
        TenantValidator,
    ),
    "sign-in-client-id": (
        "client_id",
        "App (client) id",
        "empty: Microsoft Graph Command Line Tools",
        ClientIdValidator,
    ),
}


def _text_label(field_id: str) -> Static:
    """A text field's label (TEXT_FIELDS)."""
    return Static(TEXT_FIELDS[field_id][1], classes="field-label")


def _text_input(field_id: str, tenant: dict[str, str]) -> PlainInput:
    """A text field's box (TEXT_FIELDS), checked as it is typed."""
    key, _, placeholder, check = TEXT_FIELDS[field_id]
    return PlainInput(
        value=tenant.get(key, ""), placeholder=placeholder, validators=[check()], id=field_id
    )


class SignInStep(StepPanel):
    DEFAULT_CSS = """
    .sandbox-note {
        height: auto;
        border: round $warning;
        padding: 0 1;
    }
    #sign-in-form {
        height: auto;
    }
    #sign-in-cloud, #sign-in-tenant, #sign-in-auth, #sign-in-client-id, #sign-in-token-cache {
        width: 100%;
        max-width: 70;
    }
    #sign-in-token-cache-help {
        height: auto;
        color: $text-muted;
    }
    """

    step_id = "sign_in"
    _interactive = True
    _problem = ""  # what the problem line under the fields says

    class DeviceCode(Message, bubble=False):
        """The identity platform's device code, to show (the sign-in waits for it)."""

        def __init__(self, prompt: DeviceCodePrompt, cancel: threading.Event) -> None:
            super().__init__()
            self.prompt = prompt
            self.cancel = cancel

    class Done(Message, bubble=False):
        def __init__(self, signed_in: SignedIn, organization: Organization) -> None:
            super().__init__()
            self.signed_in = signed_in
            self.organization = organization

    class SignInFailed(StepPanel.Failed, bubble=False):
        """The sign-in could not start or did not finish."""

    def compose_body(self) -> ComposeResult:
        if self.backend.sandbox_mode:
            # The sandbox fixes cloud, tenant and method: no form to fill in.
            yield Static(
                "SANDBOX: a built-in Contoso tenant, no Microsoft account needed. The "
                "device code below is approved by the sandbox itself after a few seconds.",
                id="sign-in-sandbox",
                classes="sandbox-note",
            )
        else:
            yield from self._compose_form(self.session.table("tenant"))

    def lower_can_wait(self) -> bool:
        # The form's first screenful is its fields; the sandbox's note is short, and its
        # sign-in starts at once and reports under the button.
        return not self.backend.sandbox_mode

    # Below the form, with their margins: the app id's box (3), the token-cache label
    # (2) and drop-down (3), its help's first line (1; it wraps to more on narrower
    # screens), the Sign in button (4), the result line (2) and Back/Next (4). The
    # problem line is empty (0 rows) until a field's check fails.
    lower_rows = 19

    def compose_lower(self) -> list[Widget]:
        lower: list[Widget] = []
        if not self.backend.sandbox_mode:
            lower += [
                _text_input("sign-in-client-id", self.session.table("tenant")),
                Static("", id="sign-in-problem", classes="field-problem", markup=False),
            ]
            # Where the token goes, before it goes there (a root that is not a cloud's).
            # Worked out once the first frame is up: it reads the sign-in's settings
            # (tui.graph.auth), which the form's first frame needs nothing else of.
            notice = Static("", id="sign-in-graph-root", classes="field-problem", markup=False)
            notice.display = False
            lower += [notice, *self._token_cache()]
        lower.append(
            Horizontal(
                PrestyledButton("Sign in", id="sign-in-button", variant="success"),
                classes="actions",
            )
        )
        # Account, organisation and error text come from the tenant: plain text only.
        lower.append(
            Static(self._summary_text(), id="sign-in-result", classes="step-status", markup=False)
        )
        if self.backend.sandbox_mode:  # below the button: the sandbox needs no choices
            lower += self._token_cache()
        return lower

    def lower_mounted(self) -> None:
        if not self.backend.sandbox_mode:
            self._show_problem(self._problem)
            self._show_graph_root_notice()

    def _show_graph_root_notice(self) -> None:
        text = self.backend.graph_root_notice()
        if text:
            # It may quote a session's graph_url: controls and markup shown, not acted on.
            notice = self.query_one("#sign-in-graph-root", Static)
            notice.update(literal(text, lines=True))
            notice.display = True

    def _token_cache(self) -> list[Widget]:
        cache = self.session.get("sign_in", "token_cache") or "keyring"
        return [
            *_choice("Keep my sign-in", TOKEN_CACHE_LABELS, cache, id="sign-in-token-cache"),
            Static(TOKEN_CACHE_HELP, id="sign-in-token-cache-help", classes="field-help"),
        ]

    def _compose_form(self, tenant: dict[str, str]) -> ComposeResult:
        # Imported here: the sandbox's first frame shows no form and needs neither.
        from tui.graph.clouds import CLOUDS

        clouds = {name: cloud.label for name, cloud in CLOUDS.items()}
        # One group, so that the first label's margin adds to the summary's (as it did).
        with Vertical(id="sign-in-form"):
            yield from _choice("Cloud", clouds, tenant.get("cloud") or "global", id="sign-in-cloud")
            yield _text_label("sign-in-tenant")
            yield _text_input("sign-in-tenant", tenant)
            auth = tenant.get("auth") or "device-code"
            yield from _choice("Sign-in method", AUTH_LABELS, auth, id="sign-in-auth")
            yield _text_label("sign-in-client-id")  # its box is in the lower part (at 80x24)

    # the form

    @on(Input.Changed, "#sign-in-tenant")
    @on(Input.Changed, "#sign-in-client-id")
    def _typed(self, event: Input.Changed) -> None:
        """Store a text field's value in [tenant] once it passes its check."""
        key = TEXT_FIELDS[event.input.id or ""][0]
        result = event.validation_result
        if result is not None and not result.is_valid:
            self._show_problem(safe_lines(result.failure_descriptions[0]))
            return
        self._show_problem("")
        self._store_tenant(key, event.value.strip())

    def _show_problem(self, text: str) -> None:
        # The tenant box's first check comes as it mounts, maybe before the lower part
        # with the problem line: that shows it once it mounts (lower_mounted).
        self._problem = text
        for problem in self.query("#sign-in-problem").results(Static):
            problem.update(text)

    @on(Select.Changed, "#sign-in-cloud")
    def _cloud_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._store_tenant("cloud", event.value)

    @on(Select.Changed, "#sign-in-auth")
    def _auth_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str):
            self._store_tenant("auth", event.value)

    @on(Select.Changed, "#sign-in-token-cache")
    def _token_cache_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and self.session.get("sign_in", "token_cache") != (
            event.value
        ):
            self.session.set("sign_in", "token_cache", event.value)
            self.post_message(self.SessionChanged())

    def _store_tenant(self, key: str, value: str) -> None:
        if self.session.get("tenant", key) == value:
            return
        self.session.set("tenant", key, value)
        self.post_message(self.SessionChanged())

    # signing in

    def button_actions(self) -> Mapping[str, Callable[[], object]]:
        return {"sign-in-button": self.start_sign_in}

    def start_sign_in(self, *, interactive: bool = True) -> None:
        """Sign in in a thread worker; the device code appears in a dialog.

        interactive=False (resuming a session) never prompts: without a cached
        sign-in it quietly leaves the Sign in button to the person.
        """
        self._interactive = interactive
        for field in self.query(Input):
            if not field.is_valid:
                self.query_one("#sign-in-problem", Static).update(
                    "Fix the highlighted field before signing in."
                )
                field.focus()
                return
        self.query_one("#sign-in-button", Button).disabled = True
        self.query_one("#sign-in-result", Static).update("Signing in…")
        self._sign_in(threading.Event(), interactive=interactive)

    @step_worker("sign-in")
    def _sign_in(self, cancel: threading.Event, *, interactive: bool) -> None:
        def prompt(device_code: DeviceCodePrompt) -> None:
            # Called by azure-identity in this worker thread.
            self.post_answer(self.DeviceCode(device_code, cancel))

        try:
            if self.backend.sandbox_mode:
                self.backend.start_sandbox()  # idempotent; usually already up
            signed_in = self.backend.sign_in(prompt, cancel, interactive=interactive)
            organization = self.backend.organization()
        except Exception as exc:  # shown to the person, never raised into Textual
            self.post_answer(self.SignInFailed(exc))
        else:
            self.post_answer(self.Done(signed_in, organization))

    def on_sign_in_step_device_code(self, message: DeviceCode) -> None:
        from screens.dialogs.device_code import DeviceCodeDialog

        device_code, cancel = message.prompt, message.cancel

        note = ""
        info = getattr(self.app, "sandbox_info", None)
        if isinstance(info, SandboxInfo) and info.auto_approve_seconds:
            note = f"Sandbox: approved automatically in {info.auto_approve_seconds:.0f} s."
        self.app.push_screen(DeviceCodeDialog(device_code, cancel, note))

    def _close_device_code(self) -> None:
        from screens.dialogs.device_code import DeviceCodeDialog

        if isinstance(self.app.screen, DeviceCodeDialog):
            self.app.pop_screen()

    def on_sign_in_step_done(self, message: Done) -> None:
        signed_in, organization = message.signed_in, message.organization
        self._close_device_code()
        self.query_one("#sign-in-button", Button).disabled = False
        settings = self.backend.settings()
        with self.session.saving():
            tenant = settings.to_tenant_table()
            if self.backend.sandbox_mode:
                tenant["graph_url"] = ""  # the sandbox's port changes every run
            tenant.update(
                account=signed_in.account,
                tenant_id=organization.id or signed_in.tenant_id,
                organization=organization.display_name,
            )
            if not self.session.get("tenant", "sign_in_domain"):
                tenant["sign_in_domain"] = organization.default_domain
            self.session.update("tenant", tenant)
            self.session.set("sign_in", "scopes", list(signed_in.scopes))
            self.session.set("sign_in", "status", "done")
        self.query_one("#sign-in-result", Static).update(self._summary_text(signed_in))
        self.post_message(self.SignedIn())

    def on_sign_in_step_sign_in_failed(self, message: SignInFailed) -> None:
        from tui.graph.errors import SignInCancelled, SignInRequired

        error = message.error

        self._close_device_code()
        self.query_one("#sign-in-button", Button).disabled = False
        if isinstance(error, SignInRequired) and not self._interactive:
            self.query_one("#sign-in-result", Static).update(self._summary_text())
            return
        if isinstance(error, SignInCancelled):
            self.query_one("#sign-in-result", Static).update("Sign-in cancelled.")
            return
        text = form_words(str(getattr(error, "message", None) or error))
        if not text.lower().startswith("sign-in failed"):
            text = f"Sign-in failed: {text}"  # said once, whoever raised it
        self.query_one("#sign-in-result", Static).update(safe_lines(text))
        self.notify(
            form_words(describe_error(error)),
            title="Something went wrong",
            severity="error",
            markup=False,
        )

    def _summary_text(self, signed_in: SignedIn | None = None) -> str:
        tenant = self.session.table("tenant")
        if signed_in is None:
            account = tenant.get("account")
            if account and self.session.get("sign_in", "status") == "done":
                return (
                    f"Last signed in as {safe_text(account)}. Sign in again to continue "
                    "(a cached sign-in is used when there is one)."
                )
            return "Not signed in yet."
        missing = missing_scopes(signed_in.scopes)
        lines = [
            f"Signed in as {safe_text(signed_in.account)}",
            safe_text(f"Tenant: {tenant.get('organization', '')} ({tenant.get('tenant_id', '')})"),
            "Granted: " + safe_text(", ".join(signed_in.scopes) or "(none listed)"),
        ]
        if missing:
            from tui.graph.errors import ADMIN_CONSENT_HOWTO

            lines.append("Missing: " + ", ".join(missing))
            lines.append(f"How to grant: {ADMIN_CONSENT_HOWTO}")
        else:
            lines.append("Every permission adue needs is granted.")
        if signed_in.cache is not None:
            lines.append(safe_lines(token_cache_text(signed_in.cache)))
        return "\n".join(lines)
