"""F1: what the current step does, its keys, the Microsoft page behind it; then adue's keys."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Markdown, Static

from screens.widgets.address_link import AddressLink
from screens.widgets.literal import literal
from tui.steps import get_step, step_index

LEARN = "https://learn.microsoft.com"
ACCOUNT_DRIVEN = f"{LEARN}/intune/device-enrollment/apple/setup-account-driven-user"


@dataclass(frozen=True)
class StepHelp:
    what: str  # what the step does and why, in the admin's words
    keys: tuple[tuple[str, str], ...]  # the step's own keys: (key, what it does)
    page: tuple[str, str]  # (title, address) of the Microsoft page behind the step


STEP_HELP: dict[str, StepHelp] = {
    "sign_in": StepHelp(
        "Choose the cloud, the tenant (its domain or id) and how to sign in. Device code "
        "works over SSH: open the address on any device, type the code, sign in as an "
        "Intune administrator. adue asks only for the Graph permissions it needs.",
        (("enter", "sign in (on the Sign in button)"), ("tab", "next field")),
        ("Microsoft Graph permissions reference", f"{LEARN}/graph/permissions-reference"),
    ),
    "prerequisites": StepHelp(
        "Reads what account-driven User Enrollment needs before anything is written: the "
        "Intune licence, the Apple MDM push certificate, the VPP (Apps and Books) token, "
        "Microsoft Authenticator as a user-licensed app, restrictions on personal iOS "
        "devices, Managed Apple Accounts or federation, and the service-discovery file "
        "fetched the way an iPhone does. Each check says why it matters and how to fix it.",
        (("space", "tick a confirmation"), ("enter", "run the checks again (Check again)")),
        ("Set up account driven Apple User Enrollment: prerequisites", ACCOUNT_DRIVEN),
    ),
    "sso_extension": StepHelp(
        "The single sign-on app extension policy (Microsoft Entra ID type): the two keys "
        "just-in-time registration needs, the non-Microsoft apps that sign in through it, "
        "and who gets it. Microsoft's own apps and Authenticator are covered already.",
        (
            ("enter", "add the typed bundle id"),
            ("delete", "remove the highlighted bundle id"),
            ("space", "switch a key on or off"),
        ),
        (
            "Set up just in time registration",
            f"{LEARN}/intune/device-enrollment/apple/setup-just-in-time-registration",
        ),
    ),
    "authenticator": StepHelp(
        "Microsoft Authenticator must reach the device as a required, user-licensed VPP "
        "app: it carries the SSO extension. adue finds it in your Apps and Books token and "
        "shows the free licences.",
        (("space", "tick or untick 'same users'"), ("↑/↓", "choose the app's token")),
        (
            "Manage Apple volume-purchased apps",
            f"{LEARN}/intune/app-management/deployment/manage-vpp-apple",
        ),
    ),
    "enrollment_profile": StepHelp(
        "The enrollment profile with the enrollment type 'Account driven user "
        "enrollment', for user groups or all users. Device groups are not supported.",
        (("enter", "search groups / pick the highlighted one"), ("delete", "remove a group")),
        ("Create an enrollment profile", ACCOUNT_DRIVEN),
    ),
    "priority": StepHelp(
        "When a user is targeted by several Apple enrollment profiles, the highest one "
        "applies. Put ours where it should win; type a user to see which profile they get.",
        (("shift+↑ / shift+↓", "move the highlighted profile"), ("↑/↓", "highlight a profile")),
        ("Set up account driven Apple User Enrollment", ACCOUNT_DRIVEN),
    ),
    "review": StepHelp(
        "Every change adue will make, read fresh from the tenant, then applied with live "
        "progress. Each write is journalled first, so a stop anywhere resumes without "
        "creating anything twice.",
        (("enter", "apply (on the Apply button, after the confirmation)"),),
        ("Set up account driven Apple User Enrollment", ACCOUNT_DRIVEN),
    ),
    "guide": StepHelp(
        "The onboarding guide for employees: organisation, sign-in domain, support "
        "contact and languages, previewed live and exported as Markdown, HTML or PDF.",
        (("enter", "export (on the Export button)"), ("space", "tick a language or format")),
        (
            "Overview of Apple User Enrollment (what employees get)",
            f"{LEARN}/intune/device-enrollment/apple/user-enrollment-methods-ios",
        ),
    ),
}

GENERAL = """\
## Keys everywhere

| key | does |
|---|---|
| `ctrl+n` | next step (a complete step becomes done) |
| `escape` | previous step |
| `tab` / `shift+tab` | move between fields |
| `ctrl+p` | command palette (adue's commands first: jump to any step) |
| `F1` | this help |
| `ctrl+q` | save and quit |

Every change is saved to the session file at once: quit at any time and start adue
again on the same session file (quitting prints the command) to continue exactly
where you stopped. The step
list on the left is clickable, and `enter` on a step opens it.
"""


def help_markdown(step_id: str) -> str:
    """The help page for `step_id`: that step first, then what holds everywhere."""
    step = get_step(step_id)
    info = STEP_HELP[step_id]
    keys = "\n".join(f"| `{key}` | {does} |" for key, does in info.keys)
    title, address = info.page
    return (
        f"# Step {step_index(step_id) + 1}: {step.title}\n\n{info.what}\n\n"
        f"| key | in this step |\n|---|---|\n{keys}\n\n"
        f"Microsoft's page: [{title}]({address}) (below: `enter` opens it, `c` copies"
        " its full address)\n\n"
        f"{GENERAL}"
    )


class HelpDialog(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpDialog {
        align: center middle;
    }
    #help-body {
        width: 80%;
        max-width: 90;
        height: 80%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    #help-session {
        padding: 0 2; /* in line with the Markdown's paragraphs above */
        margin-bottom: 1;
    }
    """

    BINDINGS = [
        Binding("escape,f1", "dismiss", "Close", id="close-help"),
        Binding("c", "copy_address", "Copy address", id="help-copy-address"),
    ]

    def __init__(self, session_path: str, step_id: str = "sign_in") -> None:
        super().__init__(id="help-dialog")
        self.session_path = session_path
        self.step_id = step_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Markdown(help_markdown(self.step_id))
            yield AddressLink(STEP_HELP[self.step_id].page[1], id="help-page-link")
            # Not in the Markdown: a path is the person's text (a backtick in a folder name
            # would end a code span, and what follows would be read as Markdown).
            yield Static(literal(f"Session file: {self.session_path}"), id="help-session")
            yield Button("Close", id="help-close", variant="primary")

    def action_copy_address(self) -> None:
        link = self.query_one("#help-page-link", AddressLink)
        link.action_copy_address()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss()
