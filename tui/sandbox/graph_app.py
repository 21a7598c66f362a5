"""The ASGI app of the sandbox's Graph listener (plain HTTP on loopback).

Order per request, as a client sees it from Graph: faults (latency, 429/503, a dropped
connection), then the bearer token (401), then the route (400 for unknown segments,
403 for missing scopes, the handler's own 400/404), then the answer, unless a lost-answer
fault replaces it (503/504 or a dropped connection after the write was made). Every Graph
request is recorded. `/sandbox/...` control routes are not recorded and need the
sandbox's own admin token (`Authorization: Bearer <sb.admin_token>`): any local user
can reach a loopback port, and these routes mint tokens and read the tenant.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode

from tui.sandbox.batch import SubDispatch, SubRequest, run_batch
from tui.sandbox.errors import GraphError, error_body
from tui.sandbox.faults import Decision, FaultPlan
from tui.sandbox.recording import RequestRecord
from tui.sandbox.routing import VERSIONS, Ctx, Reply, Router
from tui.sandbox.tenant import Tenant
from tui.sandbox.tokens import ALL_SCOPES, TokenClaims, is_well_formed, parse_token

if TYPE_CHECKING:
    from tui.sandbox.server import RunningSandbox

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("adue.sandbox")

JSON_TYPE = (
    "application/json;odata.metadata=minimal;odata.streaming=true;"
    "IEEE754Compatible=false;charset=utf-8"
)
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/'
    'authorize", client_id="00000003-0000-0000-c000-000000000000"'
)


def _encode(body: Any) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _decode_body(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


class GraphApp:
    def __init__(self, sandbox: RunningSandbox, router: Router) -> None:
        self.sb = sandbox
        self.router = router
        self._token_uses: dict[str, int] = {}

    # ---- ASGI entry ------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if not message.get("more_body"):
                break
        path: str = scope["path"]
        method: str = scope["method"].upper()
        query_text = scope.get("query_string", b"").decode("latin-1")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if path.startswith("/sandbox/") or path == "/sandbox":
            if self._is_admin(headers):
                status, out = self._control(method, path, query_text, raw)
            else:
                status, out = (
                    401,
                    {
                        "error": "the sandbox control routes need the sandbox's admin token: "
                        "send 'Authorization: Bearer <token>' (adue sandbox writes it to the "
                        "file named by ADUE_SANDBOX_ADMIN_TOKEN_FILE)"
                    },
                )
            await self._send(send, status, {"Content-Type": "application/json"}, _encode(out))
            return
        await self._graph(send, method, path, query_text, headers, raw)

    async def _send(self, send: Send, status: int, headers: dict[str, str], body: bytes) -> None:
        pairs = [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()]
        if body:
            pairs.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": pairs})
        await send({"type": "http.response.body", "body": body})

    async def _drop(self, send: Send) -> None:
        """Close the connection without an answer, as a network fault would."""
        cycle = getattr(send, "__self__", None)
        transport = getattr(cycle, "transport", None)
        if transport is not None:
            cycle.disconnected = True  # type: ignore[union-attr]
            transport.abort()
            return
        # Not uvicorn's h11 cycle: start an answer and never finish it.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1000")],
            }
        )
        await send({"type": "http.response.body", "body": b"{", "more_body": True})

    # ---- Graph requests ----------------------------------------------------------------

    async def _graph(
        self,
        send: Send,
        method: str,
        path: str,
        query_text: str,
        headers: dict[str, str],
        raw: bytes,
    ) -> None:
        started = time.time()
        clock = time.perf_counter()
        request_id = str(uuid.uuid4())
        client_request_id = headers.get("client-request-id", "")
        query = dict(parse_qsl(query_text, keep_blank_values=True))
        body = _decode_body(raw)
        record = RequestRecord(
            seq=self.sb._next_seq(),
            method=method,
            path=path,
            query=query,
            body=body,
            status=0,
            time=started,
            request_id=request_id,
        )
        # Faults are per tenant in a fleet sandbox; they strike before Graph reads the token,
        # so the tenant is taken from the token's claims here (if it is valid at all).
        plan = self.sb.faults_for(self._tenant_hint(headers))
        decision: Decision = plan.decide(method, path, query_text)
        if decision.latency_ms:
            await asyncio.sleep(decision.latency_ms / 1000)
        record.fault = decision.label
        if decision.drop:
            record.duration_ms = (time.perf_counter() - clock) * 1000
            self.sb._record(record)
            await self._drop(send)
            return

        reply_headers = {
            "request-id": request_id,
            "client-request-id": client_request_id or request_id,
            "x-ms-ags-diagnostic": json.dumps(
                {"ServerInfo": {"DataCenter": "Sandbox", "Slice": "L", "Ring": "0"}}
            ),
        }
        try:
            if decision.status is not None:
                raise self._fault_error(decision.status, plan)
            claims, tenant = self._authenticate(headers, record, plan)
            record.upn = claims.upn or claims.app_id
            record.tenant_id = tenant.tenant_id
            version, sub_path = self._split_version(path)
            if raw and method in ("POST", "PATCH", "PUT") and not isinstance(body, dict | list):
                raise GraphError(
                    400,
                    "BadRequest",
                    "Unable to read JSON request payload. Please ensure Content-Type header "
                    "is set and payload is of valid JSON format.",
                )
            ctx = Ctx(
                tenant=tenant,
                version=version,
                method=method,
                path=sub_path,
                query=query,
                headers=headers,
                body=body,
                claims=claims,
                base_url=self.sb.graph_url,
                request_id=request_id,
            )
            if sub_path == "/$batch":
                if method != "POST":
                    raise GraphError(405, "Request_BadRequest", "$batch accepts POST only.")
                reply = run_batch(ctx, self._sub_dispatcher(claims, tenant, plan, request_id))
            else:
                reply = self._dispatch(ctx)
        except GraphError as error:
            reply = Reply(
                error.status,
                error_body(error.code, error.message, request_id, client_request_id),
                error.headers,
            )
        except Exception:  # a sandbox bug: answer like Graph's 500 and log it
            log.exception("sandbox handler failed for %s %s", method, path)
            reply = Reply(
                500,
                error_body(
                    "InternalServerError", "The sandbox failed.", request_id, client_request_id
                ),
            )
        if decision.lost == "drop":  # the write is made; the connection drops
            record.duration_ms = (time.perf_counter() - clock) * 1000
            self.sb._record(record)
            await self._drop(send)
            return
        if decision.lost is not None:  # the write is made; the answer is an error
            lost = self._fault_error(int(decision.lost), plan)
            reply = Reply(
                lost.status,
                error_body(lost.code, lost.message, request_id, client_request_id),
                lost.headers,
            )
        record.status = reply.status
        record.duration_ms = (time.perf_counter() - clock) * 1000
        self.sb._record(record)
        data = b"" if reply.body is None else _encode(reply.body)
        out_headers = {**reply_headers, **reply.headers}
        if data:
            out_headers["Content-Type"] = JSON_TYPE
        await self._send(send, reply.status, out_headers, data)

    def _fault_error(self, status: int, plan: FaultPlan) -> GraphError:
        retry = {"Retry-After": str(plan.retry_after)}
        if status == 429:
            return GraphError(
                429,
                "TooManyRequests",
                "Too many requests. Please retry after the time given in Retry-After.",
                retry,
            )
        if status == 503:
            return GraphError(
                503, "ServiceUnavailable", "The service is temporarily unavailable.", retry
            )
        return GraphError(status, "UnknownError", "The server failed to answer the request.")

    def _split_version(self, path: str) -> tuple[str, str]:
        segments = path.split("/", 2)
        version = segments[1] if len(segments) > 1 else ""
        if version not in VERSIONS:
            raise GraphError(
                400,
                "BadRequest",
                f"Invalid version: '{version}'. Graph paths start with /v1.0/ or /beta/.",
            )
        rest = "/" + segments[2] if len(segments) > 2 else "/"
        return version, rest.rstrip("/") or "/"

    def _tenant_hint(self, headers: dict[str, str]) -> str:
        """The `tid` of a valid sandbox token in `headers` ("" for none)."""
        if len(self.sb.tenants) == 1:
            return self.sb.tenant_id
        scheme, _, token = headers.get("authorization", "").partition(" ")
        claims = parse_token(token.strip(), self.sb.token_secret) if scheme else None
        return claims.tid if claims is not None else ""

    def _authenticate(
        self, headers: dict[str, str], record: RequestRecord, plan: FaultPlan
    ) -> tuple[TokenClaims, Tenant]:
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if not auth or scheme.lower() != "bearer" or not token.strip():
            record.fault = record.fault or "no-token"
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Access token is empty.",
                {"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        token = token.strip()
        if not is_well_formed(token):
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "IDX14100: JWT is not well formed, there are no dots (.).",
                {"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        claims = parse_token(token, self.sb.token_secret)
        if claims is None:
            # Graph validates the issuer's signature (Microsoft.IdentityModel, IDX10511 /
            # IDX10503 "Signature validation failed"): an unsigned (`alg: none`) or
            # wrongly signed token is 401, whatever its claims say.
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. Signature validation failed.",
                {"WWW-Authenticate": WWW_AUTHENTICATE + ', error="invalid_token"'},
            )
        # Graph answers for the tenant named by the token's `tid` claim: one endpoint for
        # every tenant, the token picks the directory (learn.microsoft.com/entra/identity-
        # platform/access-token-claims-reference, "tid"; learn.microsoft.com/graph/auth/
        # auth-concepts). A token for a tenant this sandbox does not serve is one no tenant
        # here issued: 401 InvalidAuthenticationToken, as Graph answers a token it cannot
        # validate (learn.microsoft.com/graph/errors, 401 Unauthorized).
        tenant = self.sb.tenants.get(claims.tid)
        if tenant is None:
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Access token validation failure. The token was issued for another tenant.",
                {"WWW-Authenticate": WWW_AUTHENTICATE},
            )
        limit = plan.expire_token_after
        uses = self._token_uses.get(claims.jti, 0) + 1
        self._token_uses[claims.jti] = uses
        expired_here = False
        for rule in plan.token_expiry_rules(record.path):
            # Per route: the token works `value` times on paths under the prefix.
            key = f"{claims.jti}@{rule.prefix}"
            here = self._token_uses.get(key, 0) + 1
            self._token_uses[key] = here
            expired_here = expired_here or here > rule.value
        if claims.expired() or expired_here or (limit is not None and uses > limit):
            record.fault = "expired-token"
            raise GraphError(
                401,
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
                {"WWW-Authenticate": WWW_AUTHENTICATE + ', error="invalid_token"'},
            )
        return claims, tenant

    def _dispatch(self, ctx: Ctx) -> Reply:
        with self.sb.lock:
            reply = self.router.dispatch(ctx)
            if ctx.method in ("POST", "PATCH", "PUT", "DELETE") and reply.status < 400:
                self.sb._tenant_changed(ctx.tenant.tenant_id)
        return reply

    def _sub_dispatcher(
        self, claims: TokenClaims, tenant: Tenant, plan: FaultPlan, batch_request_id: str
    ) -> SubDispatch:
        def dispatch(sub: SubRequest) -> tuple[int, dict[str, str], Any]:
            method, version, path, query = sub.method, sub.version, sub.path, sub.query
            clock = time.perf_counter()
            sub_id = str(uuid.uuid4())
            record = RequestRecord(
                seq=self.sb._next_seq(),
                method=method,
                path=f"/{version}{path}",
                query=query,
                body=sub.body,
                status=0,
                time=time.time(),
                request_id=sub_id,
                in_batch=True,
                batch_request_id=batch_request_id,
                batch_item_id=sub.item_id,
                upn=claims.upn or claims.app_id,
                tenant_id=tenant.tenant_id,
            )
            decision = plan.decide(method, f"/{version}{path}", urlencode(query), batch_item=True)
            record.fault = decision.label
            try:
                if decision.status is not None:
                    raise self._fault_error(decision.status, plan)
                if path == "/$batch":
                    raise GraphError(400, "BadRequest", "A $batch cannot contain another $batch.")
                ctx = Ctx(
                    tenant=tenant,
                    version=version,
                    method=method,
                    path=path.rstrip("/") or "/",
                    query=query,
                    headers=sub.headers,
                    body=sub.body,
                    claims=claims,
                    base_url=self.sb.graph_url,
                    request_id=sub_id,
                )
                reply = self._dispatch(ctx)
                if decision.lost is not None:  # made, then the item's answer is lost
                    raise self._fault_error(int(decision.lost), plan)
            except GraphError as error:
                reply = Reply(
                    error.status, error_body(error.code, error.message, sub_id, ""), error.headers
                )
            record.status = reply.status
            record.duration_ms = (time.perf_counter() - clock) * 1000
            self.sb._record(record)
            out_headers = {"request-id": sub_id, **reply.headers}
            if reply.body is not None:
                out_headers["Content-Type"] = "application/json"
            return reply.status, out_headers, reply.body

        return dispatch

    # ---- control routes (the sandbox's admin token) ------------------------------------

    def _is_admin(self, headers: dict[str, str]) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(token.strip().encode(), self.sb.admin_token.encode())

    def _control(self, method: str, path: str, query_text: str, raw: bytes) -> tuple[int, Any]:
        sb = self.sb
        query = dict(parse_qsl(query_text))
        body = _decode_body(raw)
        route = path.rstrip("/")
        wanted = query.get("tenant", "")  # a fleet sandbox: one tenant's id
        if wanted and wanted not in sb.tenants:
            return 404, {"error": f"this sandbox serves no tenant {wanted!r}"}
        handler = self._control_routes().get((method, route))
        if handler is not None:
            return handler(query, body, wanted)
        return 404, {
            "error": f"unknown sandbox control route {method} {path}",
            "routes": [
                "GET /sandbox/requests[?since=N][&tenant=ID]",
                "DELETE /sandbox/requests",
                "GET /sandbox/info",
                "GET /sandbox/state[?tenant=ID]",
                "POST /sandbox/token[?tenant=ID]",
                "GET|PUT /sandbox/discovery-variant",
            ],
        }

    def _control_routes(
        self,
    ) -> dict[tuple[str, str], Callable[[dict[str, str], Any, str], tuple[int, Any]]]:
        """(method, route) -> handler(query, body, tenant id asked for or "")."""
        return {
            ("GET", "/sandbox/requests"): self._requests,
            ("DELETE", "/sandbox/requests"): self._clear_requests,
            ("GET", "/sandbox/info"): lambda *_: (200, self.sb.info()),
            ("GET", "/sandbox/state"): self._state,
            ("POST", "/sandbox/token"): self._token,
            ("GET", "/sandbox/discovery-variant"): (
                lambda *_: (200, {"variant": self.sb.discovery_variant})
            ),
            ("PUT", "/sandbox/discovery-variant"): self._set_variant,
        }

    def _requests(self, query: dict[str, str], _body: Any, wanted: str) -> tuple[int, Any]:
        since = int(query.get("since", "0") or 0)
        return 200, {
            "value": [
                r.to_json()
                for r in self.sb.requests
                if r.seq > since and (not wanted or r.tenant_id == wanted)
            ]
        }

    def _clear_requests(self, _query: dict[str, str], _body: Any, _wanted: str) -> tuple[int, Any]:
        self.sb.clear_requests()
        return 200, {"cleared": True}

    def _state(self, _query: dict[str, str], _body: Any, wanted: str) -> tuple[int, Any]:
        with self.sb.lock:
            return 200, self.sb.tenants.get(wanted, self.sb.state).to_json()

    def _token(self, _query: dict[str, str], body: Any, wanted: str) -> tuple[int, Any]:
        options = body if isinstance(body, dict) else {}
        scopes = options.get("scopes", list(ALL_SCOPES))
        if isinstance(scopes, str):
            scopes = scopes.split()
        token = self.sb.mint_token(
            upn=str(options["upn"]) if "upn" in options else None,
            scopes=[str(s) for s in scopes],
            expires_in=int(options.get("expires_in", 3600)),
            tenant_id=wanted or None,
        )
        return 200, {"access_token": token, "token_type": "Bearer"}

    def _set_variant(self, _query: dict[str, str], body: Any, _wanted: str) -> tuple[int, Any]:
        variant = body.get("variant") if isinstance(body, dict) else None
        if not isinstance(variant, str):
            return 400, {"error": 'send {"variant": "<name>"}'}
        self.sb.discovery_variant = variant
        return 200, {"variant": variant}
