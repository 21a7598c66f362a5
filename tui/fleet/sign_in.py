"""One sign-in for a whole fleet, and a token credential per customer tenant from it.

The ways partners sign in to their customers' tenants (docs/fleet.md, "Sign-in"):

- `gdap`: the partner admin signs in once, by device code, at the partner tenant. Each
  customer's token comes from that sign-in: azure-identity asks the customer tenant's
  token endpoint with the same refresh token (`get_token(..., tenant_id=customer)`,
  allowed by `additionally_allowed_tenants`); Entra ID answers where a granular
  delegated admin privileges (GDAP) relationship gives the admin a role there.
- `app-secret` / `app-certificate`: one multi-tenant app, consented in every customer
  tenant, signs in to each with its client secret or certificate (client credentials).
  The secret comes from $AZURE_CLIENT_SECRET or a masked prompt and is never stored.

A fleet file may come from anyone: its `graph_url`, `authority` and `ca_file` are only
taken for a loopback sandbox (or the cloud's own root), as a session's graph_url
(tui.graph.clouds.session_graph_root). Everything here blocks; fleet-core calls
`credential_for(...).get_token` from several threads at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from tui.choices import AuthMethod
from tui.fleet.file import SIGN_IN_KEYS
from tui.graph.auth import (
    CERT_PASSWORD_ENV,
    DEFAULT_CLIENT_ID,
    MULTI_TENANT,
    SECRET_ENV,
    ConnectionSettings,
    Credential,
    PromptFn,
    SecretPromptFn,
    SettingsError,
    build_credential,
    sign_in,
)
from tui.graph.clouds import get_cloud, is_loopback_host, resolve_graph_root, session_graph_root
from tui.graph.errors import GraphError, SignInFailed, SignInRequired, sign_in_failed

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken, TokenCredential

    from tui.graph.identity_transport import ThreadLocalTransport

MODES = ("gdap", "app-secret", "app-certificate")
REFRESH_MARGIN = 300  # seconds: a cached token this close to expiry is fetched again

# Entra ID's answers that mean "this tenant does not let this admin or app in"
# (learn.microsoft.com/entra/identity-platform/reference-error-codes).
NO_GDAP = ("AADSTS50020", "AADSTS50034", "AADSTS50177", "AADSTS90072")
NOT_CONSENTED = ("AADSTS700016", "AADSTS7000229", "AADSTS65001", "AADSTS650052")


@dataclass(frozen=True)
class FleetSignInSettings:
    """The fleet file's [sign_in] table, checked."""

    mode: str  # "gdap" | "app-secret" | "app-certificate"
    partner_tenant: str
    client_id: str
    cloud: str = "global"
    certificate_path: str = ""
    graph_url: str = ""  # "" = the cloud's root
    authority: str = ""  # "" = the cloud's login authority
    ca_file: str = ""

    @classmethod
    def from_table(
        cls, table: Mapping[str, Any], *, where: Callable[[str], str]
    ) -> FleetSignInSettings:
        """Raises SettingsError naming `where(key)` (the fleet file, table.key, line) and
        the fix."""
        unknown = sorted(set(table) - set(SIGN_IN_KEYS))
        if unknown:
            raise SettingsError(
                f"{where(unknown[0])}: unknown key {unknown[0]!r} in [sign_in]; the known "
                f"ones are {', '.join(SIGN_IN_KEYS)}"
            )

        def text(key: str) -> str:
            value = table.get(key, "")
            if not isinstance(value, str):
                raise SettingsError(f"{where(key)}: must be a string (in quotes)")
            return value.strip()

        mode = text("mode")
        if mode not in MODES:
            raise SettingsError(
                f"{where('mode')}: {mode!r} is no fleet sign-in; choose one of {', '.join(MODES)}"
                if mode
                else f"{where('mode')}: missing; choose one of {', '.join(MODES)}"
            )
        try:
            cloud = get_cloud(text("cloud") or None)
        except ValueError as exc:
            raise SettingsError(f"{where('cloud')}: {exc}") from None
        partner = _partner_tenant(text("partner_tenant"), where)
        client_id = _client_id(mode, text("client_id"), where)
        certificate = _certificate_path(mode, text("certificate_path"), where)
        graph_url = text("graph_url")
        if graph_url:
            try:
                graph_url = session_graph_root(graph_url, where=where("graph_url"))
            except ValueError as exc:
                raise SettingsError(str(exc)) from None
        authority = _authority(text("authority"), cloud.authority_url, where)
        ca_file = _ca_file(text("ca_file"), authority, where)
        return cls(
            mode=mode,
            partner_tenant=partner,
            client_id=client_id,
            cloud=cloud.name,
            certificate_path=certificate,
            graph_url=graph_url,
            authority=authority,
            ca_file=ca_file,
        )

    @property
    def graph_root(self) -> str:
        return resolve_graph_root(get_cloud(self.cloud), self.graph_url)

    @property
    def scopes(self) -> list[str]:
        """The `.default` scope of the cloud's Graph (what every tenant's token is for)."""
        return [get_cloud(self.cloud).scope]

    @property
    def authority_url(self) -> str:
        return self.authority or get_cloud(self.cloud).authority_url

    def connection(self, tenant: str, auth: AuthMethod) -> ConnectionSettings:
        """tui.graph.auth's settings for one tenant of the fleet."""
        cloud = get_cloud(self.cloud)
        return ConnectionSettings(
            cloud=cloud,
            tenant=tenant,
            client_id=self.client_id,
            graph_root=self.graph_root,
            auth=auth,
            certificate_path=self.certificate_path,
            # Kept in the OS keyring when there is one (else memory), as a single-tenant
            # sign-in: the next fleet command resumes without a device code. A sandbox's
            # is kept too (its authority's port names it), and is useless once it stops.
            token_cache="keyring",
            authority=self.authority,
            connection_verify=self.ca_file or None,
        )


def _partner_tenant(value: str, where: Callable[[str], str]) -> str:
    from tui.validators import tenant_value_problem

    if not value or value.lower() in MULTI_TENANT:
        raise SettingsError(
            f"{where('partner_tenant')}: give the partner's own tenant (its directory id or a "
            "verified domain), where the admin or the multi-tenant app lives"
        )
    problem = tenant_value_problem(value)
    if problem:
        raise SettingsError(f"{where('partner_tenant')}: {problem}")
    return value


def _client_id(mode: str, value: str, where: Callable[[str], str]) -> str:
    from tui.validators import is_guid

    if mode == "gdap":
        value = value or DEFAULT_CLIENT_ID
    elif not value:
        raise SettingsError(
            f"{where('client_id')}: mode {mode} needs the multi-tenant app's application "
            "(client) id, a GUID from Microsoft Entra admin center > App registrations"
        )
    if not is_guid(value):
        raise SettingsError(
            f"{where('client_id')}: {value!r} is not an application (client) id: give a GUID "
            "like 00000000-0000-0000-0000-000000000000"
            + (', or "" for Microsoft Graph Command Line Tools' if mode == "gdap" else "")
        )
    return value


def _certificate_path(mode: str, value: str, where: Callable[[str], str]) -> str:
    if mode != "app-certificate":
        if value:
            raise SettingsError(
                f"{where('certificate_path')}: only mode app-certificate uses a certificate; "
                'remove the line or set mode = "app-certificate"'
            )
        return ""
    if not value:
        raise SettingsError(
            f"{where('certificate_path')}: mode app-certificate needs the path of a PEM file "
            "with the app's certificate and its private key"
        )
    path = Path(value).expanduser()
    try:
        content = path.read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise SettingsError(
            f"{where('certificate_path')}: cannot read {value!r} ({exc.strerror}): give the PEM "
            "file with the app's certificate and its private key"
        ) from None
    if "PRIVATE KEY-----" not in content or "BEGIN CERTIFICATE-----" not in content:
        raise SettingsError(
            f"{where('certificate_path')}: {value!r} must hold the certificate and its private "
            "key, both in PEM (-----BEGIN CERTIFICATE----- and -----BEGIN PRIVATE KEY-----)"
        )
    return str(path)


def _authority(value: str, cloud_authority: str, where: Callable[[str], str]) -> str:
    if not value:
        return ""
    text = value.rstrip("/")
    if text.lower() == cloud_authority.lower():
        return ""
    parts = urlsplit(text)
    if parts.scheme != "https" or not is_loopback_host(parts.hostname or ""):
        raise SettingsError(
            f"{where('authority')} = {value!r}: a fleet file may name only a loopback sandbox's "
            "https identity emulator (https://127.0.0.1:PORT), since sign-ins and secrets go "
            "there; remove the line to sign in at the cloud's own authority"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SettingsError(
            f"{where('authority')}: give only https://HOST:PORT, without a path ({value!r})"
        )
    return text


def _ca_file(value: str, authority: str, where: Callable[[str], str]) -> str:
    if not value:
        return ""
    if not authority:
        raise SettingsError(
            f"{where('ca_file')}: a CA bundle is only for a sandbox's identity emulator "
            "(authority); the cloud's sign-in is checked against the system's trust store. "
            "Remove the line"
        )
    path = Path(value).expanduser()
    if not path.is_file():
        raise SettingsError(
            f"{where('ca_file')}: {value!r} is not a readable file: give the sandbox's CA "
            "certificate (adue sandbox --tenants writes it beside the fleet file)"
        )
    return str(path)


# ---- signing in -----------------------------------------------------------------------------


def _first_sentence(text: str) -> str:
    """Entra ID's descriptions go on with advice adue words itself: keep the first
    sentence (its code and what was refused)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    end = line.find(". ")
    return line[: end + 1] if end > 0 else line


def _description(exc: BaseException) -> str:
    """Entra ID's error_description behind an azure-identity error, else its message."""
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            body = json.loads(response.text())
            described = str(body.get("error_description") or "").strip()
            if described:
                return _first_sentence(described)
        except (ValueError, AttributeError, TypeError):
            pass
    # MSAL wraps some answers (a tenant's OIDC discovery refused with AADSTS90002) in an
    # error of its own: the identity platform's words are further down the chain.
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        text = str(getattr(seen, "message", None) or seen)
        marker = text.find("AADSTS")
        if marker >= 0:
            return _first_sentence(text[marker:].split('"', 1)[0])
        seen = seen.__cause__ or seen.__context__
    message = str(getattr(exc, "message", None) or exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__


class _TenantCredential:
    """A TokenCredential for one customer tenant (thread-safe; tokens kept until near
    their expiry, so concurrent requests of one tenant fetch once)."""

    def __init__(self, owner: FleetSignIn, tenant: str) -> None:
        self._owner = owner
        self.tenant = tenant
        self._lock = threading.Lock()
        self._tokens: dict[tuple[str, ...], AccessToken] = {}

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        key = tuple(scopes)
        # A claims challenge (Graph's continuous access evaluation after a revocation)
        # needs a new token whatever is cached.
        claims = kwargs.get("claims") or None
        with self._lock:
            cached = self._tokens.get(key)
            fresh = cached is not None and cached.expires_on - time.time() > REFRESH_MARGIN
            if fresh and claims is None and cached is not None:
                return cached
            token = self._owner._fetch(self.tenant, scopes, claims=claims)
            self._tokens[key] = token
            return token

    def close(self) -> None:
        return None


class FleetSignIn:
    """The fleet's one sign-in (`sign_in`, once, blocking) and a credential per tenant."""

    def __init__(
        self,
        settings: FleetSignInSettings,
        *,
        prompt: PromptFn | None,
        ask_secret: SecretPromptFn | None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        import os

        self.settings = settings
        self._prompt = prompt
        self._ask_secret = ask_secret
        self._environ = os.environ if environ is None else environ
        self._lock = threading.Lock()
        self._partner: Credential | None = None  # gdap: the partner admin's sign-in
        self._secret = ""  # app-secret: in memory for this run only
        self._apps: dict[str, Credential] = {}  # app-*: one client-credentials per tenant
        self._tenants: dict[str, _TenantCredential] = {}
        self._transport: ThreadLocalTransport | None = None  # every credential's, made once
        self.account = ""  # who signed in (the partner admin, or the app)

    @property
    def scopes(self) -> list[str]:
        return [get_cloud(self.settings.cloud).scope]

    def _identity_transport(self) -> ThreadLocalTransport:
        """The one transport of every credential here: each tenant's first token reuses
        a connection to the identity platform instead of a handshake of its own."""
        from tui.graph.identity_transport import ThreadLocalTransport

        if self._transport is None:
            options = {"connection_verify": self.settings.ca_file} if self.settings.ca_file else {}
            self._transport = ThreadLocalTransport(**options)
        return self._transport

    def sign_in(self) -> None:
        """Sign in once for every tenant: the partner admin's device code (gdap; a kept
        sign-in resumes without one), or the app's first token in the partner tenant
        (app-*: the secret or certificate is checked here). Raises SettingsError,
        GraphError (SignInFailed, SignInRequired) or SignInCancelled."""
        mode = self.settings.mode
        if mode == "gdap":
            interactive = self._prompt is not None
            credential = build_credential(
                self.settings.connection(self.settings.partner_tenant, AuthMethod.DEVICE_CODE),
                prompt=self._prompt or _no_prompt,
                environ=self._environ,
                allowed_tenants=["*"],
                transport=self._identity_transport(),
            )
            signed = sign_in(credential, interactive=interactive)
            self.account = signed.account
            self._partner = credential
        else:
            if mode == "app-secret":
                self._secret = self._environ.get(SECRET_ENV, "")
                if not self._secret and self._ask_secret is not None:
                    self._secret = self._ask_secret(
                        f"Client secret of the fleet app {self.settings.client_id}: "
                    )
                if not self._secret:
                    raise SettingsError(
                        f"[sign_in] mode app-secret needs the app's client secret in "
                        f"${SECRET_ENV} or typed at the prompt (it is never stored)"
                    )
            self._fetch(self.settings.partner_tenant, tuple(self.scopes))
            self.account = self.settings.client_id

    def credential_for(self, tenant: str) -> TokenCredential:
        """A TokenCredential whose tokens are for `tenant` (a GUID or verified domain)."""
        with self._lock:
            found = self._tenants.get(tenant.lower())
            if found is None:
                found = self._tenants[tenant.lower()] = _TenantCredential(self, tenant)
        return found

    def close(self) -> None:
        with self._lock:
            credentials = [c for c in (self._partner, *self._apps.values()) if c is not None]
            self._apps.clear()
            self._tenants.clear()
            self._partner = None
            self._secret = ""
            transport, self._transport = self._transport, None
        for credential in credentials:
            closer = getattr(credential.credential, "close", None)
            if closer is not None:
                closer()
        if transport is not None:
            transport.close_all()

    # ---- one tenant's token -----------------------------------------------------------------

    def _fetch(
        self, tenant: str, scopes: tuple[str, ...], *, claims: str | None = None
    ) -> AccessToken:
        from azure.core.credentials import AccessToken
        from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

        credential, extra = self._credential(tenant)
        if claims:
            extra = {**extra, "claims": claims}
        try:
            token = credential.credential.get_token(*scopes, enable_cae=True, **extra)
        except (ClientAuthenticationError, ServiceRequestError) as exc:
            raise self._refused(tenant, exc) from exc
        return AccessToken(token.token, token.expires_on)

    def _credential(self, tenant: str) -> tuple[Credential, dict[str, Any]]:
        mode = self.settings.mode
        if mode == "gdap":
            if self._partner is None:
                raise SignInRequired(
                    "The fleet is not signed in yet", fix="call FleetSignIn.sign_in() first"
                )
            return self._partner, {"tenant_id": tenant}
        with self._lock:
            found = self._apps.get(tenant.lower())
            if found is None:
                auth = AuthMethod.SECRET if mode == "app-secret" else AuthMethod.CERTIFICATE
                try:
                    found = build_credential(
                        self.settings.connection(tenant, auth),
                        environ={**self._environ, SECRET_ENV: self._secret},
                        transport=self._identity_transport(),
                    )
                except (ValueError, TypeError) as exc:
                    if isinstance(exc, SettingsError):
                        raise
                    # azure-identity reads the PEM here: a key it cannot load (encrypted
                    # without $AZURE_CLIENT_CERTIFICATE_PASSWORD, not RSA, damaged).
                    raise SettingsError(
                        f"[sign_in] certificate_path {self.settings.certificate_path!r}: the "
                        f"certificate or its key cannot be used ({exc}); give a PEM with the "
                        f"certificate and its RSA key, and ${CERT_PASSWORD_ENV} if the key "
                        "is encrypted"
                    ) from None
                self._apps[tenant.lower()] = found
        return found, {}

    def _refused(self, tenant: str, exc: BaseException) -> GraphError:
        """The tenant's refusal in the admin's words: which tenant, why, what to do."""
        from tui.graph.errors import network_problem

        settings = self.settings
        if network_problem(exc) is not None:
            failed = sign_in_failed(exc, service=settings.authority_url)
            return SignInFailed(f"Tenant {tenant}: {failed.message}", fix=failed.fix)
        reason = _description(exc)
        if settings.mode == "gdap" and any(code in reason for code in NO_GDAP):
            return SignInFailed(
                f"Tenant {tenant} refused the partner admin {self.account or ''}: no GDAP "
                f"relationship gives this admin a role there ({reason})",
                fix="in Partner Center, ask this customer to approve a GDAP relationship whose "
                "roles include Intune Administrator, and assign it to a security group the "
                "partner admin is in; or remove the tenant from the fleet file",
            )
        if settings.mode != "gdap" and any(code in reason for code in NOT_CONSENTED):
            consent = (
                f"{settings.authority_url}/{tenant}/adminconsent?client_id={settings.client_id}"
            )
            return SignInFailed(
                f"Tenant {tenant} refused the fleet app {settings.client_id}: it is not "
                f"consented there ({reason})",
                fix=f"have a Global Administrator of that tenant grant admin consent: {consent}"
                " (or remove the tenant from the fleet file)",
            )
        if "AADSTS7000215" in reason or "AADSTS700027" in reason:
            what = "client secret" if settings.mode == "app-secret" else "certificate"
            return SignInFailed(
                f"Tenant {tenant}: the fleet app's {what} was refused ({reason})",
                fix=f"give the app's current {what}"
                + (f" in ${SECRET_ENV}" if settings.mode == "app-secret" else ""),
            )
        return SignInFailed(
            f"Tenant {tenant}: sign-in failed ({reason})",
            fix="check the tenant id in the fleet file and the [sign_in] table, then run again",
        )


def _no_prompt(_prompt: Any) -> None:
    raise SignInRequired(
        "The fleet needs its sign-in again (no kept sign-in of the partner admin)",
        fix="run the fleet command once on a terminal to sign in by device code",
    )
