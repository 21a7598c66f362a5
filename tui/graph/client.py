"""The ONE factory for msgraph-sdk's GraphServiceClient, and the request helper on top of it.

v1.0 and beta go through the same `GraphRequestAdapter` and middleware (auth,
retry honouring Retry-After, redirects, telemetry). A v1.0 read is the request
msgraph-sdk's request builder makes (tui.graph.builders: its URL template and query
parameter class); a beta call (no beta SDK is installed) is a kiota
`RequestInformation` with the full URL, sent by that adapter. Responses are handed over
as JSON bytes and decoded into our own dataclasses (tui.graph.parse.decode) — screens
and the plan engine never see msgraph models or raw dicts.

msgraph-sdk's models are not used to parse answers, measured: every Graph entity model
(Organization, Group, User, LicenseDetails, VppToken ...) needs
msgraph.generated.models.entity, whose first use imports 1,204 model modules: 1.6 s of
CPU on this machine when idle (6.9 s at load 10), once per process. Organization is
on every headless command's critical path (the tenant check), groups on the group
search's (bench target 300 ms), users on the checks'. Non-entity types alone
(VerifiedDomain, ServicePlanInfo) are cheap but come only inside entities.

Heavy imports (msgraph, kiota, httpx) happen inside functions only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urlsplit

from tui import __version__
from tui.graph.errors import GraphError, SignInRequired, error_from_response, sign_in_failed
from tui.graph.errors import network_error as _network_error
from tui.graph.retry import RetryNotice, RetryPolicy
from tui.values import Frozen

if TYPE_CHECKING:
    import ssl
    from types import ModuleType

    import httpx
    from azure.core.credentials import TokenCredential
    from kiota_abstractions.request_information import RequestInformation
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph.graph_service_client import GraphServiceClient

USER_AGENT = f"adue/{__version__}"
API_VERSIONS = ("v1.0", "beta")
JSON = "application/json"


class Timeouts(Frozen):
    """Explicit HTTP timeouts (seconds); kiota's default read timeout is 100 s."""

    connect: float = 10.0
    read: float = 60.0
    write: float = 30.0
    pool: float = 10.0


class GraphResponse(Frozen):
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def request_id(self) -> str:
        lowered = {k.lower(): v for k, v in self.headers.items()}
        return str(lowered.get("request-id") or lowered.get("client-request-id") or "")

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (a bare value comes as {"value": ...}); GraphError
        when it is not JSON (an HTML page from a proxy, bytes cut off, nested too deep)."""
        if not self.body:
            return {}
        try:
            value = json.loads(self.body)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
            start = self.body[:80].decode("utf-8", "replace")
            shown = "".join(c if c.isprintable() else " " for c in start)
            raise GraphError(
                f"Graph answered HTTP {self.status} with a body that is not JSON "
                f"({type(exc).__name__}): {shown!r}",
                fix="Try again; if it persists, the Graph endpoint (or a proxy in front of "
                "it) is not answering like Microsoft Graph.",
                status=self.status,
                request_id=self.request_id,
            ) from None
        return value if isinstance(value, dict) else {"value": value}


def build_url(
    graph_root: str, path: str, version: str = "v1.0", query: Mapping[str, str] | None = None
) -> str:
    """`{root}/{version}/{path}?{query}`; query values are percent-encoded (spaces as %20)."""
    if version not in API_VERSIONS:
        raise ValueError(f"unknown Graph API version {version!r}: use v1.0 or beta")
    url = f"{graph_root.rstrip('/')}/{version}/{path.lstrip('/')}"
    if query:
        url += "?" + urlencode(dict(query), quote_via=quote, safe="$,()'*:")
    return url


class GraphClient:
    """msgraph-sdk's client plus a typed-free request helper over the same adapter.

    `sdk` is the `GraphServiceClient` (fluent v1.0 API, `$batch`); `request`
    sends any v1.0 or beta request through the same pipeline and maps failures
    to tui.graph.errors.
    """

    def __init__(
        self,
        *,
        sdk: GraphServiceClient,
        adapter: GraphRequestAdapter,
        http: httpx.AsyncClient,
        graph_root: str,
        credential: TokenCredential,
        scopes: Sequence[str],
        retry: RetryPolicy,
        retry_listeners: list[Callable[[RetryNotice], None]],
        pool: httpx.AsyncBaseTransport,
        owns_pool: bool = True,
    ) -> None:
        self.sdk = sdk
        self.adapter = adapter
        self.http = http
        self.graph_root = graph_root
        self.credential = credential
        self.scopes = tuple(scopes)
        self.retry = retry
        self._retry_listeners = retry_listeners
        self._pool = pool  # the connections under the middleware
        self._owns_pool = owns_pool  # else shared with other clients: its maker closes it

    # -- throttling notices -------------------------------------------------
    def add_retry_listener(self, listener: Callable[[RetryNotice], None]) -> Callable[[], None]:
        """Call `listener` for every throttled/unavailable answer; returns the remover."""
        self._retry_listeners.append(listener)

        def remove() -> None:
            if listener in self._retry_listeners:
                self._retry_listeners.remove(listener)

        return remove

    def notify_retry(self, notice: RetryNotice) -> None:
        for listener in list(self._retry_listeners):
            listener(notice)

    # -- requests -----------------------------------------------------------
    def url(self, path: str, version: str = "v1.0", query: Mapping[str, str] | None = None) -> str:
        return build_url(self.graph_root, path, version, query)

    def relative_url(self, url: str) -> str:
        """The part after `/v1.0` or `/beta` (what a `$batch` item's url wants)."""
        parts = urlsplit(url)
        path = parts.path
        for version in API_VERSIONS:
            prefix = urlsplit(f"{self.graph_root}/{version}").path
            if path.startswith(prefix + "/"):
                path = path[len(prefix) :]
                break
        return path + (f"?{parts.query}" if parts.query else "")

    def request_information(
        self,
        method: str,
        path: str,
        *,
        version: str = "v1.0",
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        as_given: bool = False,
    ) -> RequestInformation:
        """A v1.0 GET is built by msgraph-sdk's request builder for `path`
        (tui.graph.builders); beta (no SDK here) and a path and query Graph handed out
        (`as_given`: an @odata.nextLink) keep the URL as it is written."""
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation

        if version == "v1.0" and method.upper() == "GET" and not as_given:
            from tui.graph.builders import v1_request

            info = v1_request(self.sdk, f"{self.graph_root}/v1.0", path, query)
        else:
            info = RequestInformation(Method[method.upper()])
            info.url = self.url(path, version, query)
        info.headers.try_add("Accept", JSON)
        for name, value in (headers or {}).items():
            info.headers.try_add(name, value)
        if body is not None:
            # Content-Type must be JSON (not octet-stream) so kiota's retry handler
            # considers the body replayable and retries throttled writes too.
            info.headers.try_add("Content-Type", JSON)
            info.content = json.dumps(body).encode()
        return info

    async def send(
        self,
        info: RequestInformation,
        *,
        what: str,
        required_scopes: Sequence[str] = (),
        ok_statuses: frozenset[int] = frozenset(),
        on_sent: Callable[[], None] | None = None,
    ) -> GraphResponse:
        """Send through the adapter; raise an actionable GraphError on failure.

        `ok_statuses` lists error statuses the caller handles itself (e.g. 404 for
        "not there"), returned instead of raised. `on_sent` is called once the request
        is written to the connection (tui.graph.request_sent), while its answer is on
        the way.
        """
        import httpx
        from azure.core.exceptions import ClientAuthenticationError
        from kiota_http.middleware.options.response_handler_option import ResponseHandlerOption

        from tui.graph.response_capture import CaptureResponse

        info.add_request_options([ResponseHandlerOption(CaptureResponse())])
        if on_sent is not None:
            from tui.graph.request_sent import OnSent

            info.add_request_options([OnSent(on_sent)])
        try:
            raw = await self.adapter.send_primitive_async(info, "bytes", None)
        except ClientAuthenticationError as exc:
            raise sign_in_error(exc) from exc
        except httpx.TransportError as exc:
            raise _network_error(what, exc) from exc
        if not isinstance(raw, httpx.Response):  # pragma: no cover - handler contract
            raise GraphError(f"Could not {what}: no response from the HTTP pipeline")
        response = GraphResponse(raw.status_code, dict(raw.headers), raw.content)
        if response.status >= 400 and response.status not in ok_statuses:
            raise error_from_response(
                response.status,
                response.headers,
                response.body,
                what=what,
                required_scopes=required_scopes,
            )
        return response

    async def request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        version: str = "v1.0",
        query: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        required_scopes: Sequence[str] = (),
        ok_statuses: frozenset[int] = frozenset(),
        idempotent: bool = True,
    ) -> GraphResponse:
        """`idempotent=False` marks a request that creates an object: the pipeline never
        sends it twice (kiota's RetryHandler retries 429/503/504 for every method, and a
        503/504 can come after Graph made the object, graph.md). The caller decides what
        to do after a failure: look the object up before creating again
        (tui.rollout.converge)."""
        info = self.request_information(
            method, path, version=version, query=query, body=body, headers=headers
        )
        if not idempotent:
            from kiota_http.middleware.options import RetryHandlerOption

            info.add_request_options([RetryHandlerOption(max_retries=0, should_retry=False)])
        return await self.send(
            info, what=what, required_scopes=required_scopes, ok_statuses=ok_statuses
        )

    async def get_url(
        self, url: str, *, what: str, headers: Mapping[str, str] | None = None
    ) -> GraphResponse:
        """GET an absolute URL Graph handed out (an `@odata.nextLink`), same pipeline."""
        from kiota_abstractions.method import Method
        from kiota_abstractions.request_information import RequestInformation

        if not url.startswith(self.graph_root + "/"):
            raise GraphError(f"Could not {what}: Graph returned a link outside {self.graph_root}")
        info = RequestInformation(Method.GET)
        info.url = url
        info.headers.try_add("Accept", JSON)
        for name, value in (headers or {}).items():
            info.headers.try_add(name, value)
        return await self.send(info, what=what)

    def access_token(self) -> str:
        """The current access token (from the credential's cache; may refresh it)."""
        from azure.core.exceptions import ClientAuthenticationError

        try:
            return self.credential.get_token(*self.scopes, enable_cae=True).token
        except ClientAuthenticationError as exc:
            raise sign_in_error(exc) from exc

    async def aclose(self) -> None:
        """Close the client and its connections: msgraph-core's middleware transport does
        not pass httpx's aclose on to the transport it wraps, so the pool is closed here."""
        await self.http.aclose()
        if self._owns_pool:
            await self._pool.aclose()


def sign_in_error(exc: Exception) -> GraphError:
    from tui.graph.auth import needs_interactive_sign_in

    if needs_interactive_sign_in(exc):
        return SignInRequired(
            "Signing in is needed again (no valid token in the cache)",
            fix="sign in again with the device code (or your chosen method)",
        )
    return sign_in_failed(exc, service="(Microsoft Entra ID)")


def _no_repeated_sniffio_import() -> None:
    """httpcore runs `import sniffio` for every request to learn which async library runs
    it, and takes asyncio when that fails. Without sniffio installed, each failed import
    searches the whole sys.path again (~0.2 ms of CPU a request: seconds for a fleet).
    Marking it absent in sys.modules (Python's documented way) makes the import fail at
    once, with the same outcome."""
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def _no_httpx_command_line() -> None:
    """`import httpx` also imports its command-line client (httpx._main: click, rich.progress,
    pygments) whenever those are installed, as they are beside Textual: 70 ms of a headless
    command's start-up measured with -X importtime. httpx falls back to a stub `main` when
    that import fails, so it is marked absent, as above; adue never runs httpx's CLI."""
    import sys

    if "httpx" not in sys.modules:
        sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]


def _no_unused_http2() -> None:
    """httpcore imports h2 (for its HTTP/2 connections) whenever h2 is installed, as it is
    (kiota-http depends on httpx[http2]): 50 M of the 1,445 M instructions of a headless
    `adue plan` (valgrind), ~8 ms. adue's connections speak HTTP/1.1 (the pool below is
    made without http2=True; Graph answers either), and httpcore puts a stub in place of
    its HTTP/2 connection when the import fails, so h2 is marked absent, as above. Once
    httpcore is imported (h2 with it) this changes nothing."""
    import sys

    if "httpcore" not in sys.modules:
        sys.modules.setdefault("h2", None)  # type: ignore[arg-type]


def lean_httpx() -> ModuleType:
    """httpx, imported without what adue never uses (its command line, HTTP/2): the way
    to import it first, as a fleet does for its one TLS context before any client."""
    _no_httpx_command_line()
    _no_unused_http2()
    import httpx

    return httpx


def build_graph_client(
    credential: TokenCredential,
    *,
    graph_root: str,
    scopes: Sequence[str],
    timeouts: Timeouts | None = None,
    retry: RetryPolicy | None = None,
    verify: str | bool | ssl.SSLContext = True,
    pool: httpx.AsyncHTTPTransport | None = None,
) -> GraphClient:
    """Build msgraph-sdk's GraphServiceClient for `graph_root` (a cloud's or a custom root).

    The token is only ever sent to `graph_root`'s host (kiota's allowed hosts);
    plain http only to loopback (a sandbox), which kiota also enforces.

    `pool`: connections shared with other clients (a fleet's tenants: Graph is one host
    for all of them, and each request carries its own client's token), made with the
    same `verify`; the client sends through it and leaves it open for its maker to
    close. None: a pool of its own, closed with the client.
    """
    import gc

    # The first build imports msgraph, kiota and httpx: objects that live as long as the
    # process. The collector is paused while they are made (scanning them as they come
    # cost 50 ms of a headless command), then they are frozen out of its sight: later
    # collections stay short, and the interpreter's last collection at exit skips them
    # (90 ms). Where the collector is off already (the wizard's start-up,
    # tui.startup_gc), that owner decides.
    pause = "msgraph.graph_request_adapter" not in sys.modules and gc.isenabled()
    if pause:
        gc.disable()
    try:
        return _build(credential, graph_root, scopes, timeouts, retry, verify, shared=pool)
    finally:
        if pause:
            gc.freeze()
            gc.enable()


def _build(
    credential: TokenCredential,
    graph_root: str,
    scopes: Sequence[str],
    timeouts: Timeouts | None,
    retry: RetryPolicy | None,
    verify: str | bool | ssl.SSLContext,
    *,
    shared: httpx.AsyncHTTPTransport | None,
) -> GraphClient:
    lean_httpx()  # the first import of httpx, if it is
    import httpx
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from kiota_http.middleware import (
        ParametersNameDecodingHandler,
        RedirectHandler,
        RetryHandler,
        UserAgentHandler,
    )
    from kiota_http.middleware.options import RetryHandlerOption, UrlReplaceHandlerOption
    from msgraph._version import VERSION as MSGRAPH_VERSION
    from msgraph.graph_request_adapter import GraphRequestAdapter
    from msgraph.graph_service_client import GraphServiceClient
    from msgraph_core import APIVersion, GraphClientFactory
    from msgraph_core.middleware.options import GraphTelemetryHandlerOption

    from tui.graph.lean_handlers import UrlReplaceHandler, graph_telemetry
    from tui.graph.middleware import RetryObserver
    from tui.graph.request_sent import hand_to_connection

    _no_repeated_sniffio_import()
    timeouts = timeouts or Timeouts()
    retry = retry or RetryPolicy()
    if isinstance(verify, str):  # a CA bundle path (httpx wants an SSLContext for that)
        import ssl

        verify = ssl.create_default_context(cafile=verify)
    elif verify is True and graph_root.startswith("http://"):
        # A plain-http root (a sandbox on loopback) never does TLS: loading the system's CA
        # certificates (60 ms) is skipped. A TLS context that trusts no one stays in place,
        # so anything redirected to https fails closed.
        import ssl

        verify = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    host = urlsplit(graph_root).hostname or ""
    # The pool is made here, not by httpx.AsyncClient, so that aclose can reach it.
    pool = shared or httpx.AsyncHTTPTransport(verify=verify)
    http = httpx.AsyncClient(
        timeout=httpx.Timeout(
            timeouts.read, connect=timeouts.connect, write=timeouts.write, pool=timeouts.pool
        ),
        headers={"User-Agent": USER_AGENT},
        transport=pool,
        verify=verify,  # for the proxies httpx mounts from the environment, as before
        follow_redirects=False,  # kiota's RedirectHandler decides (and drops auth across hosts)
        event_hooks={"request": [hand_to_connection]},  # GraphClient.send's on_sent
    )
    listeners: list[Callable[[RetryNotice], None]] = []
    # kiota's default chain (KiotaClientFactory.get_default_middleware), in its order, less
    # its HeadersInspectionHandler and BodyInspectionHandler: they only copy headers and
    # bodies into the options a caller passes to read them, which adue never does, and
    # cost two more handlers (a span each) on every request of a fleet.
    middleware = [
        RedirectHandler(),  # follows redirects (httpx's own is off), no token to other hosts
        RetryHandler(RetryHandlerOption(delay=retry.base_delay, max_retries=retry.max_retries)),
        RetryObserver(retry.max_retries, listeners),  # sees each attempt the retry makes
        ParametersNameDecodingHandler(),  # "%24select" -> "$select" in query names
        # msgraph-sdk's `me` builder writes /users/me-token-to-replace (a v1.0 GET of "me"
        # is built by it: tui.graph.builders); this puts /me back, as msgraph does.
        UrlReplaceHandler(  # kiota's, made lean: tui.graph.lean_handlers
            UrlReplaceHandlerOption(
                enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
            )
        ),
        UserAgentHandler(),  # kiota's product name after adue's own User-Agent
        graph_telemetry(  # SdkVersion, client-request-id: to Graph's own hosts
            options=GraphTelemetryHandlerOption(
                api_version=APIVersion.v1, sdk_version=MSGRAPH_VERSION
            )
        ),
    ]
    http = GraphClientFactory.create_with_custom_middleware(middleware, client=http)
    auth = AzureIdentityAuthenticationProvider(
        credential, scopes=list(scopes), allowed_hosts=[host.lower()]
    )
    adapter = GraphRequestAdapter(auth, client=http)
    adapter.base_url = f"{graph_root}/v1.0"
    sdk = GraphServiceClient(request_adapter=adapter)
    return GraphClient(
        sdk=sdk,
        adapter=adapter,
        http=http,
        graph_root=graph_root,
        credential=credential,
        scopes=scopes,
        retry=retry,
        retry_listeners=listeners,
        pool=pool,
        owns_pool=shared is None,
    )
