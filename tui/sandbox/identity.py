"""The Microsoft identity platform endpoints the device-code flow uses, emulated.

Mounted on the sandbox's HTTPS listener (MSAL insists on an https authority), so
the REAL azure-identity `DeviceCodeCredential` signs in end to end:

  GET  /{tenant}/v2.0/.well-known/openid-configuration
  POST /{tenant}/oauth2/v2.0/devicecode   -> device_code, user_code, verification_uri, ...
  POST /{tenant}/oauth2/v2.0/token        -> device_code grant (authorization_pending until
                                             approved) and refresh_token grant
  GET  /device                            -> the "approve" page (verification_uri)
  POST /device                            -> approve a user code

Approving is signing in as the tenant's admin, so, as Entra ID asks for a password, the
page asks for the sandbox's admin token (form field `admin_token`, or an
`Authorization: Bearer` header): any local user can reach a loopback port. The
in-process owner approves with `approve_user_code(sb.identity, code)`. A code also
approves itself `device_auto_approve_seconds` after it was issued (None = never; an
explicit choice for a sandbox nobody else on the machine can reach). Access tokens
come from `sb.mint_token`, so the Graph emulator accepts them; the id_token is
unsigned (MSAL reads, it does not verify) and `client_info` is base64url JSON
{uid, utid} as Entra ID sends it.

A fleet sandbox (tui/sandbox/fleet.py) serves several tenants, and the `{tenant}` of
each route picks one (its id or a verified domain; unknown: AADSTS90002). Its partner
admin signs in once by device code at the partner tenant; a refresh_token grant at a
customer's `/{customer}/oauth2/v2.0/token` then returns a token for that customer (GDAP:
refresh tokens are bound to user and client, not to a tenant; learn.microsoft.com/entra/
identity-platform/refresh-tokens), or AADSTS50020 where the partner has no GDAP
relationship. Its multi-tenant app gets app-only tokens by the client_credentials
grant with its secret or a certificate's client assertion (roles, no scp), or
AADSTS700016 where it is not consented.
"""

from __future__ import annotations

import asyncio
import base64
import hmac
import html
import json
import secrets
import string
import time
import uuid
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tui.sandbox.client_assertion import assertion_problem
from tui.sandbox.device_flows import DeviceFlow, IdentityState, approve_user_code

if TYPE_CHECKING:
    from tui.sandbox.fleet import FleetAccess
    from tui.sandbox.tenant import Tenant

# "Microsoft Graph Command Line Tools" (tui/graph/auth.py DEFAULT_CLIENT_ID), named in errors.
GRAPH_CLI = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CODE_LIFETIME = 900  # seconds, as Entra ID
POLL_INTERVAL = 1  # seconds; Entra ID says 5, the sandbox keeps tests quick
# Each answer closes its connection: an idle keep-alive connection from MSAL's
# session would otherwise hold up the sandbox's shutdown. Unless the sandbox keeps them
# open as Entra ID does (sb.identity_keep_alive: a bench whose client exits first).
CLOSE = {"Connection": "close"}
ACCESS_LIFETIME = 3600


CLIENT_CREDENTIALS_GRANT = "client_credentials"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ANY_TENANT = frozenset({"organizations", "common"})


class IdentitySandbox(Protocol):
    """What the identity emulator needs from the running sandbox."""

    https_url: str
    tenant_id: str
    admin_upn: str
    admin_token: str
    device_auto_approve_seconds: float | None
    identity_latency_ms: float
    identity_keep_alive: bool
    identity: IdentityState
    tenants: dict[str, Tenant]
    fleet_access: FleetAccess | None

    def mint_token(
        self, *, upn: str, scopes: Any = ..., expires_in: int = ..., tenant_id: str | None = ...
    ) -> str: ...

    def mint_app_token(self, *, tenant_id: str, roles: Any, expires_in: int = ...) -> str: ...


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _user_code() -> str:
    alphabet = string.ascii_uppercase.replace("O", "").replace("I", "") + "23456789"
    return "".join(secrets.choice(alphabet) for _ in range(9))


async def _form(request: Request) -> dict[str, str]:
    # application/x-www-form-urlencoded, parsed here: starlette's form parser needs
    # python-multipart, which adue does not otherwise depend on.
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace")))


def _error(error: str, description: str, status: int = 400) -> JSONResponse:
    # Entra ID's error body: the AADSTS number is also in error_codes (MSAL reads both).
    code = description.removeprefix("AADSTS").split(":", 1)[0]
    return JSONResponse(
        {
            "error": error,
            "error_description": description,
            "error_codes": [int(code)] if code.isdigit() else [],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        },
        status_code=status,
        headers=CLOSE,
    )


FORM_HTML = (
    "<form method='post' action='/device'><p><label>Code <input name='user_code' "
    "autofocus></label></p><p><label>Sandbox admin token <input name='admin_token' "
    "type='password'></label></p><button type='submit'>Sign in as the sandbox admin"
    "</button></form>"
)


class _Identity:
    """The identity routes' handlers for one sandbox, and the helpers they share."""

    def __init__(self, sb: IdentitySandbox) -> None:
        self.sb = sb
        self.state = sb.identity
        self.base = sb.https_url.rstrip("/")

    @property
    def closing(self) -> dict[str, str]:
        """A good answer's headers: none when the sandbox keeps connections open."""
        return {} if self.sb.identity_keep_alive else CLOSE

    async def far_away(self) -> None:
        """The round trip to the identity platform (sb.identity_latency_ms; 0: none)."""
        if self.sb.identity_latency_ms:
            await asyncio.sleep(self.sb.identity_latency_ms / 1000)

    def issuer(self, tenant_id: str = "") -> str:
        return f"{self.base}/{tenant_id or self.sb.tenant_id}/v2.0"

    def resolve(self, given: str) -> str | None:
        """The served tenant an authority's `{tenant}` names (its id or a verified domain);
        organizations/common: the home tenant. One tenant served: always that one."""
        if len(self.sb.tenants) == 1 or given.lower() in ANY_TENANT:
            return self.sb.tenant_id
        folded = given.lower()
        for tid, tenant in self.sb.tenants.items():
            if tid == folded or any(
                str(d.get("name", "")).lower() == folded
                for d in tenant.organization.get("verifiedDomains", [])
            ):
                return tid
        return None

    def no_tenant(self, given: str) -> JSONResponse:
        # Entra ID for a tenant it does not know (learn.microsoft.com/entra/identity-
        # platform/reference-error-codes, AADSTS90002).
        return _error(
            "invalid_request",
            f"AADSTS90002: Tenant '{given}' not found. Check to make sure you have the correct "
            "tenant ID and are signing into the correct cloud.",
        )

    async def tenant_of(self, request: Request) -> str | JSONResponse:
        """For an authority's endpoint, once the round trip to it is over: the id of the
        tenant its `{tenant}` names, or the answer for one that does not exist."""
        await self.far_away()
        given = request.path_params["tenant"]
        return self.resolve(given) or self.no_tenant(given)

    def oid_of(self, upn: str, home: str = "") -> str:
        return str(
            uuid.uuid5(uuid.NAMESPACE_URL, f"adue-sandbox:{home or self.sb.tenant_id}:{upn}")
        )

    def id_token(self, upn: str, client_id: str, tenant_id: str = "", home: str = "") -> str:
        now = int(time.time())
        tenant_id = tenant_id or self.sb.tenant_id
        claims = {
            "iss": self.issuer(tenant_id),
            "aud": client_id,
            "tid": tenant_id,
            "oid": self.oid_of(upn, home),
            "sub": self.oid_of(upn, home),
            "preferred_username": upn,
            "name": upn.split("@")[0],
            "iat": now,
            "nbf": now,
            "exp": now + ACCESS_LIFETIME,
            "ver": "2.0",
        }
        header = _b64url(json.dumps({"typ": "JWT", "alg": "none"}).encode())
        return f"{header}.{_b64url(json.dumps(claims).encode())}."

    def tokens(
        self, upn: str, client_id: str, scope: str, tenant_id: str = "", home: str = ""
    ) -> JSONResponse:
        """Tokens for `upn` (whose home tenant is `home`) in `tenant_id`: a partner admin's
        in a customer tenant keeps the home account (client_info) and gets that tenant's
        id token and access token, as MSAL expects from a cross-tenant refresh."""
        tenant_id = tenant_id or self.sb.tenant_id
        home = home or self.sb.tenant_id
        refresh = secrets.token_urlsafe(32)
        with self.state.lock:
            self.state.refresh_tokens[refresh] = (upn, client_id, home)
        client_info = _b64url(json.dumps({"uid": self.oid_of(upn, home), "utid": home}).encode())
        access = self.sb.fleet_access
        if access is None:
            token = self.sb.mint_token(upn=upn, expires_in=ACCESS_LIFETIME)
        else:
            token = self.sb.mint_token(
                upn=upn,
                scopes=access.scopes[tenant_id],
                expires_in=ACCESS_LIFETIME,
                tenant_id=tenant_id,
            )
        return JSONResponse(
            {
                "token_type": "Bearer",
                "scope": scope or "https://graph.microsoft.com/.default",
                "expires_in": ACCESS_LIFETIME,
                "ext_expires_in": ACCESS_LIFETIME,
                "access_token": token,
                "refresh_token": refresh,
                "id_token": self.id_token(upn, client_id, tenant_id, home),
                "client_info": client_info,
            },
            headers=self.closing,
        )

    def delegated(
        self, upn: str, client_id: str, scope: str, tenant_id: str, home: str
    ) -> JSONResponse:
        """A user's tokens in `tenant_id`; another tenant than the user's home only through
        a GDAP relationship of the fleet's partner."""
        access = self.sb.fleet_access
        if tenant_id != home and (access is None or not access.serves_gdap(tenant_id)):
            # What Entra ID answers a user with no access to the tenant, as a partner
            # admin without a GDAP relationship there (reference-error-codes, AADSTS50020).
            name = self.sb.tenants[tenant_id].organization.get("displayName", tenant_id)
            app = "Microsoft Graph Command Line Tools" if client_id == GRAPH_CLI else client_id
            return _error(
                "invalid_grant",
                f"AADSTS50020: User account '{upn}' from identity provider "
                f"'https://sts.windows.net/{home}/' does not exist in tenant '{name}' and "
                f"cannot access the application '{client_id}'({app}) in that tenant. The "
                "account needs to be added as an external user in the tenant first. Sign out "
                "and sign in again with a different Azure Active Directory user account.",
            )
        return self.tokens(upn, client_id, scope, tenant_id, home)

    def app_only(self, form: dict[str, str], tenant_id: str, endpoint: str) -> JSONResponse:
        """The client_credentials grant of the fleet's multi-tenant app (learn.microsoft.com/
        entra/identity-platform/v2-oauth2-client-creds-grant-flow)."""
        access = self.sb.fleet_access
        client_id = str(form.get("client_id") or "")
        scope = str(form.get("scope") or "")
        if not client_id:
            return _error("invalid_request", "AADSTS900144: 'client_id' is missing.")
        if access is None or client_id != access.client_id or not access.consented(tenant_id):
            return _error(
                "unauthorized_client",
                f"AADSTS700016: Application with identifier '{client_id}' was not found in the "
                f"directory '{tenant_id}'. This can happen if the application has not been "
                "installed by the administrator of the tenant or consented to by any user in "
                "the tenant. You may have sent your authentication request to the wrong tenant.",
            )
        problem = self.client_problem(form, access, endpoint)
        if problem is not None:
            return problem
        if not scope.endswith("/.default"):
            return _error(
                "invalid_scope",
                f"AADSTS1002012: The provided value for scope {scope} is not valid. Client "
                "credential flows must have a scope value with /.default suffixed to the "
                "resource identifier (application ID URI).",
            )
        return JSONResponse(
            {
                "token_type": "Bearer",
                "expires_in": ACCESS_LIFETIME,
                "ext_expires_in": ACCESS_LIFETIME,
                "access_token": self.sb.mint_app_token(
                    tenant_id=tenant_id, roles=access.roles[tenant_id], expires_in=ACCESS_LIFETIME
                ),
            },
            headers=self.closing,
        )

    def client_problem(
        self, form: dict[str, str], access: FleetAccess, endpoint: str
    ) -> JSONResponse | None:
        """The app's secret or client assertion, checked as Entra ID does (401)."""
        secret = str(form.get("client_secret") or "")
        assertion = str(form.get("client_assertion") or "")
        if secret:
            if hmac.compare_digest(secret.encode(), access.client_secret.encode()):
                return None
            return _error(
                "invalid_client",
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in "
                "the request is the client secret value, not the client secret ID, for a "
                f"secret added to app '{access.client_id}'.",
                status=401,
            )
        if assertion and form.get("client_assertion_type") == JWT_BEARER:
            reason = assertion_problem(assertion, access, endpoint)
            if reason is None:
                return None
            return _error("invalid_client", reason, status=401)
        return _error(
            "invalid_client",
            "AADSTS7000218: The request body must contain the following parameter: "
            "'client_assertion' or 'client_secret'.",
            status=401,
        )

    async def openid_configuration(self, request: Request) -> Response:
        tenant_id = await self.tenant_of(request)
        if not isinstance(tenant_id, str):
            return tenant_id
        tenant = request.path_params["tenant"]
        return JSONResponse(
            {
                "issuer": self.issuer(tenant_id),
                "authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{self.base}/{tenant}/oauth2/v2.0/logout",
                "jwks_uri": f"{self.base}/{tenant}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "tenant_region_scope": "EU",
                "cloud_instance_name": "adue-sandbox",
            },
            headers=self.closing,
        )

    async def devicecode(self, request: Request) -> Response:
        tenant_id = await self.tenant_of(request)
        if not isinstance(tenant_id, str):
            return tenant_id
        form = await _form(request)
        client_id = str(form.get("client_id") or "")
        if not client_id:
            return _error("invalid_request", "AADSTS900144: 'client_id' is missing.")
        flow = DeviceFlow(
            device_code=secrets.token_urlsafe(32),
            user_code=_user_code(),
            client_id=client_id,
            scope=str(form.get("scope") or ""),
            issued=time.time(),
            tenant_id=tenant_id,
        )
        with self.state.lock:
            self.state.flows[flow.device_code] = flow
        uri = f"{self.base}/device"
        return JSONResponse(
            {
                "device_code": flow.device_code,
                "user_code": flow.user_code,
                "verification_uri": uri,
                "expires_in": CODE_LIFETIME,
                "interval": POLL_INTERVAL,
                "message": f"To sign in to the adue sandbox, open {uri} and enter the code"
                f" {flow.user_code}.",
            },
            headers=self.closing,
        )

    def approved(self, flow: DeviceFlow) -> bool:
        delay = self.sb.device_auto_approve_seconds
        return flow.approved or (delay is not None and time.time() - flow.issued >= delay)

    async def token(self, request: Request) -> Response:
        tenant_id = await self.tenant_of(request)
        if not isinstance(tenant_id, str):
            return tenant_id
        given = request.path_params["tenant"]
        form = await _form(request)
        grant = str(form.get("grant_type") or "")
        if grant == CLIENT_CREDENTIALS_GRANT:
            if given.lower() in ANY_TENANT:
                # Entra ID: an app-only token is for one tenant (reference-error-codes).
                return _error(
                    "invalid_request",
                    "AADSTS50059: No tenant-identifying information found in either the request "
                    "or implied by any provided credentials.",
                )
            return self.app_only(form, tenant_id, f"{self.base}{request.url.path}")
        if grant == DEVICE_CODE_GRANT:
            return self.device_code_grant(str(form.get("device_code") or ""))
        if grant == "refresh_token":
            return self.refresh_grant(form, tenant_id)
        return _error("unsupported_grant_type", f"AADSTS70003: grant type {grant!r} unsupported.")

    def device_code_grant(self, code: str) -> JSONResponse:
        """The admin's tokens once the device code is approved (each code redeems once)."""
        with self.state.lock:
            flow = self.state.flows.get(code)
            if flow is None or flow.redeemed:
                return _error("invalid_grant", "AADSTS70000: the device code is not valid.")
            if time.time() - flow.issued > CODE_LIFETIME:
                return _error("expired_token", "AADSTS70020: the device code expired.")
            if not self.approved(flow):
                return _error(
                    "authorization_pending",
                    "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.",
                )
            flow.redeemed = True
        home = self.sb.tenant_id
        return self.delegated(self.sb.admin_upn, flow.client_id, flow.scope, flow.tenant_id, home)

    def refresh_grant(self, form: dict[str, str], tenant_id: str) -> JSONResponse:
        # A used refresh token stays valid: "The Microsoft identity platform doesn't
        # revoke old refresh tokens when used to fetch new access tokens", and it is
        # "not tied to a resource or tenant" (learn.microsoft.com/entra/identity-
        # platform/refresh-tokens). MSAL refreshes several tenants with one at once.
        with self.state.lock:
            found = self.state.refresh_tokens.get(str(form.get("refresh_token") or ""))
        if found is None:
            return _error("invalid_grant", "AADSTS700082: the refresh token is not valid.")
        upn, client_id, home = found
        scope = str(form.get("scope") or "")
        return self.delegated(upn, client_id, scope, tenant_id, home)

    def is_admin(self, given: str) -> bool:
        return hmac.compare_digest(given.strip().encode(), self.sb.admin_token.encode())

    def page(self, body: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html><head><meta charset='utf-8'><title>adue sandbox sign-in"
            f"</title></head><body><h1>adue sandbox sign-in</h1>{body}</body></html>",
            status_code=status,
            headers=self.closing,
        )

    async def device(self, request: Request) -> Response:
        form = await _form(request) if request.method == "POST" else {}
        code = form.get("user_code", "")
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        given = form.get("admin_token", "") or (bearer if scheme.lower() == "bearer" else "")
        if not code:
            return self.page(f"<p>Enter the code adue shows.</p>{FORM_HTML}")
        if not self.is_admin(given):
            return self.page(
                "<p>That is not this sandbox's admin token (adue sandbox writes it to the file "
                f"named by ADUE_SANDBOX_ADMIN_TOKEN_FILE).</p>{FORM_HTML}",
                status=401,
            )
        if approve_user_code(self.state, code):
            who = html.escape(self.sb.admin_upn)
            return self.page(
                f"<p>Signed in as {who}. You can close this page and go back to adue.</p>"
            )
        return self.page(f"<p>That code is unknown or already used.</p>{FORM_HTML}", status=400)


def routes(sb: IdentitySandbox) -> list[BaseRoute]:
    """The identity routes for one sandbox (its state lives in one _Identity)."""
    identity = _Identity(sb)
    return [
        Route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            identity.openid_configuration,
            methods=["GET"],
        ),
        Route("/{tenant}/oauth2/v2.0/devicecode", identity.devicecode, methods=["POST"]),
        Route("/{tenant}/oauth2/v2.0/token", identity.token, methods=["POST"]),
        Route("/device", identity.device, methods=["GET", "POST"]),
    ]
