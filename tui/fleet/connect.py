"""The fleet's one sign-in as the runner's Connector: each tenant's token and Graph root.

tui.fleet.sign_in (docs/fleet.md, "Sign-in") signs in once (GDAP: the partner admin's
device code; app-only: one multi-tenant app) and hands out a credential per customer
tenant; this adapts it to tui.fleet.run.Connector. `make_connector` is the one place the
fleet commands get theirs: tests put a connector of their own there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

from tui.fleet.file import Fleet, FleetTenant

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from tui.graph.sign_in_models import DeviceCodePrompt


class FleetConnector(Protocol):
    """tui.fleet.run.Connector, plus the once-for-all sign-in and closing."""

    def sign_in(self) -> None: ...

    def credential_for(self, tenant: FleetTenant) -> TokenCredential: ...

    def graph_root_for(self, tenant: FleetTenant) -> str: ...

    def scopes_for(self, tenant: FleetTenant) -> Sequence[str]: ...

    def close(self) -> None: ...


class SignInConnector:
    """tui.fleet.sign_in.FleetSignIn for the runner. `interactive`: a person can see a
    device code and type a secret (a terminal); otherwise only a kept sign-in, an app's
    secret from $AZURE_CLIENT_SECRET or its certificate are used, never a wait."""

    def __init__(self, fleet: Fleet, *, interactive: bool) -> None:
        from tui.commands.connect import ask_secret, show_device_code
        from tui.fleet.sign_in import FleetSignIn, FleetSignInSettings

        def show(prompt: DeviceCodePrompt) -> None:
            show_device_code(prompt, "sign in for the whole fleet")

        self.settings = FleetSignInSettings.from_table(
            fleet.sign_in_paths(), where=fleet.where_sign_in
        )
        self.fleet_sign_in = FleetSignIn(
            self.settings,
            prompt=show if interactive else None,
            ask_secret=ask_secret if interactive else None,
        )

    def sign_in(self) -> None:
        self.fleet_sign_in.sign_in()

    def credential_for(self, tenant: FleetTenant) -> TokenCredential:
        return self.fleet_sign_in.credential_for(tenant.id)

    def graph_root_for(self, _tenant: FleetTenant) -> str:
        return self.settings.graph_root

    def scopes_for(self, _tenant: FleetTenant) -> Sequence[str]:
        return self.fleet_sign_in.scopes

    def close(self) -> None:
        self.fleet_sign_in.close()


ConnectorFactory = Callable[[Fleet, bool], FleetConnector]


def _default_factory(fleet: Fleet, interactive: bool) -> FleetConnector:
    return SignInConnector(fleet, interactive=interactive)


_factory: list[ConnectorFactory] = [_default_factory]


def make_connector(fleet: Fleet, *, interactive: bool) -> FleetConnector:
    """The connector for `fleet` (raises SettingsError naming the [sign_in] key to fix)."""
    return _factory[-1](fleet, interactive)


def use_connector(factory: ConnectorFactory) -> Callable[[], None]:
    """From now on make_connector uses `factory` (tests: their own tenants and tokens);
    returns the function that puts the previous one back."""
    _factory.append(factory)

    def restore() -> None:
        if factory in _factory:
            _factory.remove(factory)

    return restore
