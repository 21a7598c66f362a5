"""Wizard step 2: prerequisites — every check with pass/warn/fail, why and the fix.

Plus the two things Graph cannot tell: the Managed Apple Account / federation
checklist item, and the service-discovery file, checked live on the sign-in
domain the way an iPhone asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Label, Select, Static

from screens.widgets.address_link import AddressLink
from screens.widgets.step_panel import StepPanel, step_worker
from screens.widgets.toggles import StateCheckbox
from tui.text import safe_lines, safe_text, short_addresses

if TYPE_CHECKING:
    from tui.backend import CheckReport
    from tui.discovery.findings import DiscoveryReport
    from tui.graph.models import CheckTargets

ICONS = {
    "pass": ("✔ pass", "green"),
    "warn": ("! warn", "yellow"),
    "fail": ("✘ fail", "red"),
    "error": ("? could not check", "red"),
}


class CheckRow(Static):
    """One check: its verdict in a narrow column, then title, why and fix wrapping
    beside it (a hanging indent, readable at 80 columns)."""

    def __init__(
        self, status: str, title: str, detail: str, fix: str, *, id: str | None = None
    ) -> None:
        # Titles, details and fixes quote the tenant (names, domains): plain text only.
        title, detail, fix = safe_text(title), safe_lines(detail), safe_lines(fix)
        shown_fix = fix if fix and status != "pass" else ""
        # The plain words, for anyone (tests, screen readers' logs) reading the row.
        self.text = "\n".join(part for part in (title, detail, shown_fix and f"Fix: {fix}") if part)
        body = Text.assemble((title, "bold"), "\n", detail)
        if shown_fix:
            body.append_text(Text.assemble("\n", ("Fix:", "italic"), " ", shown_fix))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=len("? could not check") if status == "error" else 6)
        grid.add_column(ratio=1)
        icon = ICONS.get(status, (safe_text(status), ""))
        grid.add_row(Text(icon[0], style=icon[1]), body)
        super().__init__(grid, id=id, classes=f"check-row check-{status}")


def check_rows(
    status: str, title: str, detail: str, fix: str, *, id: str | None = None
) -> list[Widget]:
    """A check's row with each long address in it shortened, then a link per address
    (enter opens it, c copies it whole): at 80x24 no address is cut or folded."""
    detail, in_detail = short_addresses(detail)
    fix, in_fix = short_addresses(fix)
    urls = list(dict.fromkeys(in_detail + (in_fix if status != "pass" else [])))
    links: list[Widget] = [
        AddressLink(url, id=f"{id}-link-{i}" if id else None) for i, url in enumerate(urls)
    ]
    return [CheckRow(status, title, detail, fix, id=id), *links]


class PrerequisitesStep(StepPanel):
    DEFAULT_CSS = """
    #prereq-results, #discovery-results {
        height: auto;
        min-height: 1;
    }
    .check-row {
        height: auto;
        margin-bottom: 0;
    }
    #discovery-domain {
        width: 100%;
        max-width: 70;
    }
    """

    step_id = "prerequisites"
    needs_graph = True

    class ChecksRead(Message, bubble=False):
        def __init__(self, report: CheckReport) -> None:
            super().__init__()
            self.report = report

    class ChecksFailed(StepPanel.Failed, bubble=False):
        """The Graph checks could not run (a notification says why)."""

        box: ClassVar[str] = "#prereq-results"  # where the checks show: no longer loading

    class DomainsRead(Message, bubble=False):
        """The tenant's verified domains as (label, domain) choices."""

        def __init__(self, choices: list[tuple[str, str]]) -> None:
            super().__init__()
            self.choices = choices

    class DiscoveryChecked(Message, bubble=False):
        def __init__(self, report: DiscoveryReport) -> None:
            super().__init__()
            self.report = report

    class DiscoveryFailed(StepPanel.Failed, bubble=False):
        """The discovery file could not be checked (a notification says why)."""

        box: ClassVar[str] = "#discovery-results"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.report: CheckReport | None = None
        self.discovery: DiscoveryReport | None = None
        self._discovery_started = False

    def compose_body(self) -> ComposeResult:
        with Horizontal(classes="actions"):
            yield Button("Run checks", id="prereq-run", variant="primary")
        yield Vertical(id="prereq-results")
        yield StateCheckbox(
            "I accept the warnings above",
            id="prereq-ack",
            value=bool(self.session.get("prerequisites", "acknowledged_warnings")),
        )
        yield Static(
            "Web-based device enrollment (step 5) needs neither Managed Apple Accounts nor "
            "the service-discovery file: employees enroll in Safari with their work account.",
            id="prereq-web-note",
            classes="field-help",
        )
        for widget in self._compose_account_driven():
            widget.add_class("account-driven-only")
            yield widget
        yield Static("", id="prereq-verdict", classes="step-status")

    def _compose_account_driven(self) -> list[Widget]:
        """What only account-driven User Enrollment needs (hidden in web-based mode)."""
        return [
            Label("Apple side (adue cannot read it)", classes="field-label"),
            Static(
                "Users need Managed Apple Accounts, or Apple Business (formerly Apple Business "
                "Manager) federated with Microsoft Entra ID so that they sign in with their "
                "work account.",
                classes="field-help",
            ),
            StateCheckbox(
                "Managed Apple Accounts / federation in place",
                id="prereq-federation",
                value=bool(self.session.get("prerequisites", "federation_confirmed")),
            ),
            Label(
                "Service discovery file (the domain employees sign in with)",
                classes="field-label",
            ),
            Select[str]([], prompt="Sign-in domain", id="discovery-domain"),
            Horizontal(
                Button("Check", id="discovery-check"),
                Button("File & how to publish", id="discovery-show"),
                classes="actions",
            ),
            Vertical(id="discovery-results"),
        ]

    def _account_driven(self) -> bool:
        return bool(self.session.get("enrollment_profile", "mode") != "web-based")

    def _show_mode(self) -> None:
        account_driven = self._account_driven()
        self.query(".account-driven-only").set(display=account_driven)
        self.query_one("#prereq-web-note").display = not account_driven

    def on_mount(self) -> None:
        super().on_mount()
        self._show_mode()

    def on_show(self) -> None:
        # Step 5 may have changed the enrollment type since this step was last shown.
        self._show_mode()
        if self.report is not None:
            self._update_verdict()

    def on_signed_in(self) -> None:
        self._fill_domains()
        self.run_checks()

    def button_actions(self) -> Mapping[str, Callable[[], object]]:
        return {
            "prereq-run": self.run_checks,
            "discovery-check": self.check_discovery,
            "discovery-show": self.show_file,
        }

    # the Graph checks

    def run_checks(self) -> None:
        if not self.backend_ready:
            self.notify("Sign in first (step 1).", severity="warning")
            return
        from tui.rollout.desired import check_targets

        targets = check_targets(self.session.data)  # the groups chosen so far, if any
        self.query_one("#prereq-results").loading = True
        self._read_checks(targets)

    @step_worker("prerequisite-checks")
    def _read_checks(self, targets: CheckTargets) -> None:
        self.answer(lambda: self.backend.run_checks(targets), self.ChecksRead, self.ChecksFailed)

    @on(ChecksFailed)
    @on(DiscoveryFailed)
    def _read_failed(self, message: ChecksFailed | DiscoveryFailed) -> None:
        """The checks or the discovery file could not be read: the box that waited for
        them stops loading, and a notification says why."""
        self.query_one(message.box).loading = False
        self.show_error(message.error)

    def on_prerequisites_step_checks_read(self, message: ChecksRead) -> None:
        self.query_one("#prereq-results").loading = False
        report = self.report = message.report
        self._replace_rows(
            "#prereq-results",
            [
                row
                for r in report.results
                for row in check_rows(r.status.value, r.title, r.detail, r.fix, id=f"check-{r.id}")
            ],
        )
        warnings = [r.id for r in report.results if r.status.value == "warn"]
        acknowledged = set(self.session.get("prerequisites", "acknowledged_warnings"))
        self.query_one("#prereq-ack", Checkbox).value = (
            bool(warnings) and set(warnings) <= acknowledged
        )
        self.query_one("#prereq-ack").display = bool(warnings)
        self.session.set("prerequisites", "last_checked", report.checked_at.replace(microsecond=0))
        self.post_message(self.SessionChanged())
        self._update_verdict()
        self._check_discovery_once()

    def _replace_rows(self, selector: str, rows: list[Widget]) -> None:
        """Put `rows` in place of a box's children once the old ones are gone: rows keep
        their ids (check-…), and mounting before the removal finished raised DuplicateIds,
        which ended the wizard when "Run checks" was pressed a second time."""
        box = self.query_one(selector, Vertical)

        async def replace() -> None:
            await box.remove_children()
            await box.mount_all(rows)

        self.call_later(replace)

    def _check_discovery_once(self) -> None:
        """The first check runs by itself, whichever arrives last: the domains or the report
        (not in web-based mode, which needs no discovery file)."""
        if not self._account_driven():
            return
        if self.discovery is None and self._domain() and not self._discovery_started:
            self.check_discovery()

    @on(Checkbox.Changed, "#prereq-ack")
    def _ack_changed(self, event: Checkbox.Changed) -> None:
        warnings = (
            [r.id for r in self.report.results if r.status.value == "warn"] if self.report else []
        )
        self.save("acknowledged_warnings", warnings if event.value else [])
        self._update_verdict()

    @on(Checkbox.Changed, "#prereq-federation")
    def _federation_changed(self, event: Checkbox.Changed) -> None:
        self.save("federation_confirmed", event.value)
        self._update_verdict()

    # the discovery file

    def _fill_domains(self) -> None:
        if self.backend.signed_in is None:
            return
        self._read_domains()

    @step_worker("discovery-domains")
    def _read_domains(self) -> None:
        self.answer(self._domain_choices, self.DomainsRead, self.Failed)

    def _domain_choices(self) -> list[tuple[str, str]]:
        from tui.discovery.domains import sign_in_domains

        org = self.backend.organization()
        choices = sign_in_domains(
            {"name": d.name, "isDefault": d.is_default} for d in org.verified_domains
        )
        return [(f"{c.name} ({c.note})" if c.note else c.name, c.name) for c in choices]

    def on_prerequisites_step_domains_read(self, message: DomainsRead) -> None:
        # Domain names come from the tenant: shown as plain text (a Text prompt is not markup).
        options = [(Text(safe_text(label)), value) for label, value in message.choices]
        select = self.query_one("#discovery-domain", Select)
        select.set_options(options)
        chosen = self.session.get("tenant", "sign_in_domain")
        if chosen and chosen in {value for _, value in options}:
            select.value = chosen
        elif options:
            select.value = options[0][1]
        self._check_discovery_once()

    def _domain(self) -> str:
        value = self.query_one("#discovery-domain", Select).value
        return value if isinstance(value, str) else ""

    @on(Select.Changed, "#discovery-domain")
    def _domain_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, str) and event.value != self.session.get(
            "tenant", "sign_in_domain"
        ):
            self.session.set("tenant", "sign_in_domain", event.value)
            self.post_message(self.SessionChanged())
            self.discovery = None
            self.check_discovery()

    def check_discovery(self) -> None:
        domain = self._domain()
        if not domain:
            self.notify("Pick the sign-in domain first.", severity="warning")
            return
        tenant = self.session.table("tenant")
        cloud = tenant.get("cloud") or "global"
        tenant_id = tenant.get("tenant_id") or None
        self._discovery_started = True
        self.query_one("#discovery-results").loading = True
        self._check_discovery(domain, tenant_id, cloud)

    @step_worker("discovery-check")
    def _check_discovery(self, domain: str, tenant_id: str | None, cloud: str) -> None:
        self.answer(
            lambda: self.backend.check_discovery(domain, tenant_id=tenant_id, cloud=cloud),
            self.DiscoveryChecked,
            self.DiscoveryFailed,
        )

    def on_prerequisites_step_discovery_checked(self, message: DiscoveryChecked) -> None:
        self.query_one("#discovery-results").loading = False
        report = self.discovery = message.report
        shown = [f for f in report.findings if f.status != "pass"] or report.findings
        if report.status == "pass":
            self._replace_rows(
                "#discovery-results",
                [
                    Static(
                        Text.assemble(
                            ("✔ pass", "green"),
                            "  ",
                            (safe_text(report.domain), "bold"),
                            " serves the right file for iPhone and iPad.",
                        ),
                        id="discovery-verdict",
                    )
                ],
            )
            self._update_verdict()
            return
        rows = [
            row
            for i, f in enumerate(shown)
            for row in check_rows(f.status, f.title, f.detail, f.fix, id=f"discovery-finding-{i}")
        ]
        self._replace_rows("#discovery-results", rows)
        self._update_verdict()

    def show_file(self) -> None:
        from screens.dialogs.discovery import DiscoveryDialog

        tenant = self.session.table("tenant")
        tenant_id = tenant.get("tenant_id", "")
        if not tenant_id:
            self.notify("Sign in first: the file names your tenant id.", severity="warning")
            return
        self.app.push_screen(
            DiscoveryDialog(
                tenant_id, tenant.get("cloud") or "global", self.session.path.parent, self.backend
            )
        )

    # done?

    def _update_verdict(self) -> None:
        problems: list[str] = []
        if self.report is None:
            problems.append("run the checks")
        else:
            failing = [
                safe_text(r.title)
                for r in self.report.results
                if r.status.value in ("fail", "error")
            ]
            if failing:
                problems.append("fix: " + ", ".join(failing))
            warnings = {r.id for r in self.report.results if r.status.value == "warn"}
            acknowledged = set(self.session.get("prerequisites", "acknowledged_warnings"))
            if warnings - acknowledged:
                problems.append("accept the warnings")
        if self._account_driven():
            if not self.session.get("prerequisites", "federation_confirmed"):
                problems.append("confirm Managed Apple Accounts or federation")
            if self.discovery is None:
                problems.append("check the service discovery file")
            elif self.discovery.status != "pass":
                problems.append("fix the service discovery file")
        verdict = self.query_one("#prereq-verdict", Static)
        if problems:
            verdict.update(Text("To finish this step: " + "; ".join(problems) + "."))
            if self.session.get("prerequisites", "status") == "done":
                self.set_status("in_progress")
        else:
            verdict.update(Text("All prerequisites are met.", style="green"))
            if self.session.get("prerequisites", "status") != "done":
                self.set_status("done")
