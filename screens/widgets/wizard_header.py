"""The top bar: product, tenant, cloud, and a SANDBOX badge that cannot be missed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static


class WizardHeader(Horizontal):
    tenant: reactive[str] = reactive("not signed in")
    cloud: reactive[str] = reactive("global")

    def __init__(self, *, sandbox: bool) -> None:
        super().__init__(id="header")
        self.sandbox = sandbox

    def compose(self) -> ComposeResult:
        yield Static("adue", id="header-title")
        yield Static(id="header-tenant")
        yield Static(id="header-cloud")
        if self.sandbox:
            yield Static(" SANDBOX ", id="sandbox-badge")

    def watch_tenant(self, tenant: str) -> None:
        self.query_one("#header-tenant", Static).update(f"Tenant: {tenant}")

    def watch_cloud(self, cloud: str) -> None:
        self.query_one("#header-cloud", Static).update(f"Cloud: {cloud}")
