"""The fleet's one sign-in as the runner's Connector: each tenant's token and Graph root.

tui.fleet.sign_in (docs/fleet.md, "Sign-in") signs in once (GDAP: the partner admin's
device code; app-only: one multi-tenant app) and hands out a credential per customer
tenant; this adapts it to tui.fleet.run.Connector. `make_connector` is the one place the
fleet commands get theirs: tests put a connector of their own there.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from tui.fleet.file import Fleet, FleetTenant

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from tui.graph.auth import DeviceCodePrompt


class FleetConnector(Protocol):
    """tui.fleet.run.Connector, plus the once-for-all sign-in and closing."""

    def sign_in(self) -> None: ...

    def credential_for(self, tenant: FleetTenant) -> TokenCredential: ...

    def graph_root_for(self, tenant: FleetTenant) -> str: ...

    def scopes_for(self, tenant: FleetTenant) -> Sequence[str]: ...

    def close(self) -> None: ...


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _show_device_code(prompt: DeviceCodePrompt) -> None:
    minutes = max(1, prompt.seconds_left() // 60)
    _say(
        f"To sign in for the whole fleet, open {prompt.verification_uri} on any device and"
        f" enter the code {prompt.user_code} (valid for about {minutes} min)."
    )


def _ask_secret(label: str) -> str:
    import getpass

    return getpass.getpass(label, stream=sys.stderr)


class SignInConnector:
    """tui.fleet.sign_in.FleetSignIn for the runner."""

    def __init__(self, fleet: Fleet, *, interactive: bool) -> None:
        from tui.graph.clouds import CLOUDS

        # Imported by name: tui.fleet.sign_in is the fleet sign-in's own module.
        module: Any = importlib.import_module("tui.fleet.sign_in")
        self.settings = module.FleetSignInSettings.from_table(
            fleet.sign_in, where=fleet.where_sign_in
        )
        self.fleet_sign_in = module.FleetSignIn(
            self.settings,
            prompt=_show_device_code,
            ask_secret=_ask_secret if interactive else None,
        )
        self.scopes = [CLOUDS[str(self.settings.cloud)].scope]

    def sign_in(self) -> None:
        self.fleet_sign_in.sign_in()

    def credential_for(self, tenant: FleetTenant) -> TokenCredential:
        credential: TokenCredential = self.fleet_sign_in.credential_for(tenant.id)
        return credential

    def graph_root_for(self, tenant: FleetTenant) -> str:
        return str(self.settings.graph_root)

    def scopes_for(self, tenant: FleetTenant) -> Sequence[str]:
        return self.scopes

    def close(self) -> None:
        self.fleet_sign_in.close()


ConnectorFactory = Callable[[Fleet, bool], FleetConnector]


def _default_factory(fleet: Fleet, interactive: bool) -> FleetConnector:
    from tui.graph.auth import SettingsError

    try:
        return SignInConnector(fleet, interactive=interactive)
    except ImportError:
        raise SettingsError(
            "this adue has no fleet sign-in yet (tui.fleet.sign_in is missing): update adue"
        ) from None


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
