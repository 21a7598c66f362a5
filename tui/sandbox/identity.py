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
"""

from __future__ import annotations

import base64
import hmac
import html
import json
import secrets
import string
import time
import uuid
from typing import Any, Protocol
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tui.sandbox.device_flows import DeviceFlow, IdentityState, approve_user_code

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CODE_LIFETIME = 900  # seconds, as Entra ID
POLL_INTERVAL = 1  # seconds; Entra ID says 5, the sandbox keeps tests quick
# Each answer closes its connection: an idle keep-alive connection from MSAL's
# session would otherwise hold up the sandbox's shutdown.
CLOSE = {"Connection": "close"}
ACCESS_LIFETIME = 3600


class IdentitySandbox(Protocol):
    """What the identity emulator needs from the running sandbox."""

    https_url: str
    tenant_id: str
    admin_upn: str
    admin_token: str
    device_auto_approve_seconds: float | None
    identity: IdentityState

    def mint_token(self, *, upn: str, scopes: Any = ..., expires_in: int = ...) -> str: ...


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
    return JSONResponse(
        {
            "error": error,
            "error_description": description,
            "error_codes": [],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime()),
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        },
        status_code=status,
        headers=CLOSE,
    )


def routes(sb: IdentitySandbox) -> list[BaseRoute]:
    """The identity routes for one sandbox (state lives in this closure)."""
    state = sb.identity
    base = sb.https_url.rstrip("/")

    def issuer() -> str:
        return f"{base}/{sb.tenant_id}/v2.0"

    def oid_of(upn: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"adue-sandbox:{sb.tenant_id}:{upn}"))

    def id_token(upn: str, client_id: str) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer(),
            "aud": client_id,
            "tid": sb.tenant_id,
            "oid": oid_of(upn),
            "sub": oid_of(upn),
            "preferred_username": upn,
            "name": upn.split("@")[0],
            "iat": now,
            "nbf": now,
            "exp": now + ACCESS_LIFETIME,
            "ver": "2.0",
        }
        header = _b64url(json.dumps({"typ": "JWT", "alg": "none"}).encode())
        return f"{header}.{_b64url(json.dumps(claims).encode())}."

    def tokens(upn: str, client_id: str, scope: str) -> JSONResponse:
        refresh = secrets.token_urlsafe(32)
        with state.lock:
            state.refresh_tokens[refresh] = (upn, client_id)
        client_info = _b64url(json.dumps({"uid": oid_of(upn), "utid": sb.tenant_id}).encode())
        return JSONResponse(
            {
                "token_type": "Bearer",
                "scope": scope or "https://graph.microsoft.com/.default",
                "expires_in": ACCESS_LIFETIME,
                "ext_expires_in": ACCESS_LIFETIME,
                "access_token": sb.mint_token(upn=upn, expires_in=ACCESS_LIFETIME),
                "refresh_token": refresh,
                "id_token": id_token(upn, client_id),
                "client_info": client_info,
            },
            headers=CLOSE,
        )

    async def openid_configuration(request: Request) -> Response:
        tenant = request.path_params["tenant"]
        return JSONResponse(
            {
                "issuer": issuer(),
                "authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/{tenant}/oauth2/v2.0/token",
                "device_authorization_endpoint": f"{base}/{tenant}/oauth2/v2.0/devicecode",
                "end_session_endpoint": f"{base}/{tenant}/oauth2/v2.0/logout",
                "jwks_uri": f"{base}/{tenant}/discovery/v2.0/keys",
                "response_types_supported": ["code", "id_token", "code id_token"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "tenant_region_scope": "EU",
                "cloud_instance_name": "adue-sandbox",
            },
            headers=CLOSE,
        )

    async def devicecode(request: Request) -> Response:
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
        )
        with state.lock:
            state.flows[flow.device_code] = flow
        uri = f"{base}/device"
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
            headers=CLOSE,
        )

    def approved(flow: DeviceFlow) -> bool:
        delay = sb.device_auto_approve_seconds
        return flow.approved or (delay is not None and time.time() - flow.issued >= delay)

    async def token(request: Request) -> Response:
        form = await _form(request)
        grant = str(form.get("grant_type") or "")
        if grant == DEVICE_CODE_GRANT:
            code = str(form.get("device_code") or "")
            with state.lock:
                flow = state.flows.get(code)
                if flow is None or flow.redeemed:
                    return _error("invalid_grant", "AADSTS70000: the device code is not valid.")
                if time.time() - flow.issued > CODE_LIFETIME:
                    return _error("expired_token", "AADSTS70020: the device code expired.")
                if not approved(flow):
                    return _error(
                        "authorization_pending",
                        "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.",
                    )
                flow.redeemed = True
            return tokens(sb.admin_upn, flow.client_id, flow.scope)
        if grant == "refresh_token":
            with state.lock:
                found = state.refresh_tokens.pop(str(form.get("refresh_token") or ""), None)
            if found is None:
                return _error("invalid_grant", "AADSTS700082: the refresh token is not valid.")
            return tokens(found[0], found[1], str(form.get("scope") or ""))
        return _error("unsupported_grant_type", f"AADSTS70003: grant type {grant!r} unsupported.")

    def is_admin(given: str) -> bool:
        return hmac.compare_digest(given.strip().encode(), sb.admin_token.encode())

    def page(body: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(
            "<!doctype html><html><head><meta charset='utf-8'><title>adue sandbox sign-in"
            f"</title></head><body><h1>adue sandbox sign-in</h1>{body}</body></html>",
            status_code=status,
            headers=CLOSE,
        )

    form_html = (
        "<form method='post' action='/device'><p><label>Code <input name='user_code' "
        "autofocus></label></p><p><label>Sandbox admin token <input name='admin_token' "
        "type='password'></label></p><button type='submit'>Sign in as the sandbox admin"
        "</button></form>"
    )

    async def device(request: Request) -> Response:
        form = await _form(request) if request.method == "POST" else {}
        code = form.get("user_code", "")
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        given = form.get("admin_token", "") or (bearer if scheme.lower() == "bearer" else "")
        if not code:
            return page(f"<p>Enter the code adue shows.</p>{form_html}")
        if not is_admin(given):
            return page(
                "<p>That is not this sandbox's admin token (adue sandbox writes it to the file "
                f"named by ADUE_SANDBOX_ADMIN_TOKEN_FILE).</p>{form_html}",
                status=401,
            )
        if approve_user_code(state, code):
            who = html.escape(sb.admin_upn)
            return page(f"<p>Signed in as {who}. You can close this page and go back to adue.</p>")
        return page(f"<p>That code is unknown or already used.</p>{form_html}", status=400)

    return [
        Route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            openid_configuration,
            methods=["GET"],
        ),
        Route("/{tenant}/oauth2/v2.0/devicecode", devicecode, methods=["POST"]),
        Route("/{tenant}/oauth2/v2.0/token", token, methods=["POST"]),
        Route("/device", device, methods=["GET", "POST"]),
    ]
