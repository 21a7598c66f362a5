"""The client factory: User-Agent, v1.0 and beta on one adapter, throttling, expiry, no network."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.graph.conftest import make_client
from tui import __version__
from tui.findings import Status
from tui.graph import operations as ops
from tui.graph.auth import StaticTokenCredential
from tui.graph.checks import run_checks
from tui.graph.client import USER_AGENT, build_graph_client
from tui.graph.errors import NetworkDown, SignInRequired, Throttled
from tui.graph.retry import RetryNotice, RetryPolicy
from tui.sandbox.server import start_sandbox


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    """A loopback server that echoes request headers, to see what the pipeline sends."""

    async def headers(request: Request) -> JSONResponse:
        return JSONResponse({"path": request.url.path, "headers": dict(request.headers)})

    app = Starlette(routes=[Route("/{rest:path}", headers, methods=["GET", "POST"])])
    with serving(app) as (root, _server):
        yield root


@contextmanager
def serving(app: Starlette) -> Iterator[tuple[str, uvicorn.Server]]:
    """`app` on a loopback port, in a thread: its root URL and the uvicorn server."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", server
    finally:
        server.should_exit = True
        thread.join(5)


async def test_user_agent_token_and_versions_through_one_adapter(echo: str) -> None:
    client = build_graph_client(
        StaticTokenCredential("opaque-token"), graph_root=echo, scopes=["x/.default"]
    )
    try:
        v1 = (await client.request("GET", "organization", what="read")).json()
        beta = (await client.request("GET", "x", version="beta", what="read")).json()
    finally:
        await client.aclose()
    assert f"adue/{__version__}" == USER_AGENT
    for answer in (v1, beta):
        assert answer["headers"]["user-agent"].startswith(USER_AGENT)
        assert answer["headers"]["authorization"] == "Bearer opaque-token"
    assert (v1["path"], beta["path"]) == ("/v1.0/organization", "/beta/x")
    # One kiota/msgraph-core pipeline, with our throttling observer right after the retry.
    chain = []
    middleware = client.http._transport.pipeline._first_middleware  # type: ignore[attr-defined]
    while middleware is not None:
        chain.append(type(middleware).__name__)
        middleware = middleware.next
    assert chain[:3] == ["RedirectHandler", "RetryHandler", "RetryObserver"]
    assert chain[-1] == "GraphTelemetryHandler"


async def test_the_chain_is_the_handlers_adue_relies_on(echo: str) -> None:
    """kiota's default chain less its two inspection handlers (they fill options adue never
    passes): redirects, retries and the retry observer, `$` in query names, msgraph's /me,
    kiota's User-Agent and Graph's telemetry headers, in kiota's order."""
    client = build_graph_client(StaticTokenCredential("t"), graph_root=echo, scopes=["x"])
    try:
        chain = []
        middleware = client.http._transport.pipeline._first_middleware  # type: ignore[attr-defined]
        while middleware is not None:
            chain.append(type(middleware).__name__)
            middleware = middleware.next
        me = (await client.request("GET", "me", what="read me")).json()
        listed = (
            await client.request("GET", "groups", query={"$top": "1"}, what="list groups")
        ).json()
    finally:
        await client.aclose()
    assert chain == [
        "RedirectHandler",
        "RetryHandler",
        "RetryObserver",
        "ParametersNameDecodingHandler",
        "UrlReplaceHandler",
        "UserAgentHandler",
        "GraphTelemetryHandler",
    ]
    assert me["path"] == "/v1.0/me"  # msgraph-sdk's builder wrote /users/me-token-to-replace
    assert listed["path"] == "/v1.0/groups"
    assert "kiota-python" in listed["headers"]["user-agent"]


async def test_token_never_sent_to_another_host(echo: str) -> None:
    # The allowed host is the Graph root's: a nextLink elsewhere is refused outright.
    client = build_graph_client(StaticTokenCredential("t"), graph_root=echo, scopes=["x"])
    try:
        with pytest.raises(Exception, match="outside"):
            await client.get_url("http://127.0.0.2:1/v1.0/groups", what="follow a link")
    finally:
        await client.aclose()


async def test_network_down_is_reported() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    client = build_graph_client(
        StaticTokenCredential("t"), graph_root=f"http://127.0.0.1:{port}", scopes=["x"]
    )
    try:
        with pytest.raises(NetworkDown) as info:
            await ops.get_organization(client)
    finally:
        await client.aclose()
    assert "no answer from Microsoft Graph" in str(info.value)


async def test_429_storm_is_retried_and_reported() -> None:
    with start_sandbox(seed="demo", faults=["429:0.5"], fault_seed=7) as sb:
        client = make_client(sb)
        notices: list[RetryNotice] = []
        client.add_retry_listener(notices.append)
        try:
            org = await ops.get_organization(client)
            report = await run_checks(client)
        finally:
            await client.aclose()
        assert org.id == sb.tenant_id
        assert [r.status for r in report.results] == [Status.PASS] * len(report.results)
        faulted = [r for r in sb.requests if r.fault == "429"]
    assert faulted, "the storm should have throttled something"
    assert notices
    assert all(n.status == 429 for n in notices)
    assert any(n.will_retry for n in notices)
    assert "throttled by Graph; retrying" in notices[0].describe()


async def test_throttling_that_never_ends_gives_up_with_a_clear_error() -> None:
    with start_sandbox(seed="demo", faults=["429:1@/v1.0/deviceAppManagement/vppTokens"]) as sb:
        client = build_graph_client(
            StaticTokenCredential(sb.token),
            graph_root=sb.graph_url,
            scopes=["x"],
            retry=RetryPolicy(max_retries=1, base_delay=0),
        )
        notices: list[RetryNotice] = []
        client.add_retry_listener(notices.append)
        try:
            with pytest.raises(Throttled) as info:
                await ops.list_vpp_tokens(client)
        finally:
            await client.aclose()
    assert [n.will_retry for n in notices] == [True, False]
    assert info.value.request_id
    assert "wait a few minutes" in info.value.fix


async def test_expired_token_says_sign_in_again() -> None:
    with start_sandbox(seed="demo", expire_token_after=2) as sb:
        client = make_client(sb)
        try:
            await ops.get_organization(client)
            await ops.list_vpp_tokens(client)
            with pytest.raises(SignInRequired) as info:
                await ops.list_vpp_tokens(client)
        finally:
            await client.aclose()
    assert "sign in again" in info.value.fix


async def test_expired_static_token_is_refused_before_sending() -> None:
    with start_sandbox(seed="demo") as sb:
        client = make_client(sb, token=sb.mint_token(expires_in=-10))
        sb.clear_requests()
        try:
            with pytest.raises(Exception, match="expired"):
                await ops.get_organization(client)
        finally:
            await client.aclose()
        assert sb.requests == []


def test_batch_payload_uses_graphs_field_names() -> None:
    # dependsOn (Graph) not depends_on (msgraph-core's serialiser), relative URLs.
    import asyncio

    from tui.graph.batch import _post_batch
    from tui.graph.models import BatchRead

    sent: list[dict[str, object]] = []

    async def go() -> None:
        with start_sandbox(seed="demo") as sb:
            remove = sb.on_request(lambda r: sent.append({"path": r.path, "body": r.body}))
            client = make_client(sb)
            try:
                await _post_batch(client, [BatchRead("a", "organization")], "beta")
            finally:
                remove()
                await client.aclose()

    asyncio.run(go())
    batch = next(s for s in sent if str(s["path"]).endswith("$batch"))
    assert batch["path"] == "/beta/$batch"
    (item,) = batch["body"]["requests"]  # type: ignore[index]
    assert item["url"] == "/organization"
    assert "depends_on" not in item
    assert json.dumps(item)


@pytest.fixture
def organization_server() -> Iterator[tuple[str, uvicorn.Server]]:
    """A loopback server answering every GET with an empty list, to watch connections."""

    async def organization(_request: Request) -> JSONResponse:
        return JSONResponse({"value": []})

    app = Starlette(routes=[Route("/{rest:path}", organization, methods=["GET"])])
    with serving(app) as served:
        yield served


async def test_aclose_closes_the_clients_connections(
    organization_server: tuple[str, uvicorn.Server],
) -> None:
    """msgraph-core's middleware transport drops httpx's aclose, so closing the client
    once left its keep-alive connections open (until garbage collection): a fleet of
    tenants, or a wizard signing in again, piled them up. The server sees them go."""
    import asyncio

    root, server = organization_server
    client = build_graph_client(
        StaticTokenCredential("opaque-token"), graph_root=root, scopes=["x/.default"]
    )
    await client.request("GET", "organization", what="read")
    assert len(server.server_state.connections) == 1  # kept alive after the answer
    await client.aclose()
    for _ in range(200):
        if not server.server_state.connections:
            break
        await asyncio.sleep(0.01)
    assert not server.server_state.connections
