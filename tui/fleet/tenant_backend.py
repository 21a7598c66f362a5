"""The wizard's Backend for one tenant of a fleet, signed in through the fleet's sign-in.

Opened from the fleet table (tui.fleet.board): the partner admin (gdap) or the fleet's
app already signed in once for every tenant, so the tenant's wizard gets its token from
that sign-in (`credential_for` the tenant) instead of a second device code. Everything
else is the ordinary wizard Backend: the same client, the tenant checked before use
(tui.graph.target.confirm_target: a token for another tenant is refused).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.backend import Backend
from tui.fleet.file import AUTH_FOR_MODE, Fleet, FleetTenant
from tui.session import Session

if TYPE_CHECKING:
    from tui.fleet.connect import SignInConnector
    from tui.graph.auth import ConnectionSettings
    from tui.graph.sign_in_models import DeviceCodePrompt, SignedIn


class FleetTenantBackend(Backend):
    def __init__(
        self, session: Session, fleet: Fleet, tenant: FleetTenant, connector: SignInConnector
    ) -> None:
        super().__init__(session)
        self.fleet = fleet
        self.fleet_tenant = tenant
        self.connector = connector

    def settings(self) -> ConnectionSettings:
        """The fleet's connection for this tenant (what the Sign in step records)."""
        from tui.choices import AuthMethod

        tenant_id = str(self.session.table("tenant").get("tenant_id") or self.fleet_tenant.id)
        auth = AuthMethod(AUTH_FOR_MODE[self.fleet.mode])
        return self.connector.settings.connection(tenant_id, auth)

    def graph_root_notice(self) -> str:
        return ""  # the fleet file's [sign_in] decided the root (loopback only if not a cloud's)

    def resume_mode(self) -> str:
        return "silent"  # the fleet signed in already: no person needed

    def sign_in(
        self,
        _prompt: Callable[[DeviceCodePrompt], None],
        _cancel: threading.Event,
        *,
        interactive: bool = True,  # noqa: ARG002 - Backend.sign_in's keyword; signed in already
    ) -> SignedIn:
        from tui.graph.client import sign_in_error
        from tui.graph.jwt import decode_access_token
        from tui.graph.sign_in_models import SignedIn

        credential = self.connector.credential_for(self.fleet_tenant)
        scopes = list(self.connector.scopes_for(self.fleet_tenant))
        try:
            token = credential.get_token(*scopes, enable_cae=True)
        except Exception as exc:
            from azure.core.exceptions import ClientAuthenticationError

            if isinstance(exc, ClientAuthenticationError):
                raise sign_in_error(exc) from exc
            raise
        client = self._build_client(
            credential, graph_root=self.connector.graph_root_for(self.fleet_tenant), scopes=scopes
        )
        self.target = self._call(self._confirm_target(client))
        self._use_client(client)
        granted = decode_access_token(token.token)
        self.signed_in = SignedIn(
            account=granted.account or self.connector.fleet_sign_in.account,
            tenant_id=self.target.id,
            scopes=tuple(sorted(granted.scopes | granted.roles)),
            expires_on=dt.datetime.fromtimestamp(token.expires_on, dt.UTC),
            cache_notice="Signed in through the fleet's sign-in.",
        )
        return self.signed_in
