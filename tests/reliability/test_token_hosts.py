"""The token goes only where it belongs (issue 14): a Graph root from a session file is
used only when it is a cloud's own root or loopback; any other root must be given on
the command line (or $ADUE_GRAPH_URL) and is shown before sign-in; kiota's allowed
hosts hold exactly the host in use, so a nextLink elsewhere never gets the token.

The "attacker" is a real HTTPS server with its own CA (tui/sandbox/tls.py) under a
name that is not loopback (resolved to 127.0.0.1 by tests/reliability/fault_hooks),
trusted by the adue subprocess through SSL_CERT_FILE — so a request would arrive."""

from __future__ import annotations

import argparse
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.plan.helpers import ROOT, example_session
from tui.graph import operations as ops
from tui.graph.auth import ConnectionSettings, SettingsError, StaticTokenCredential
from tui.graph.client import build_graph_client
from tui.graph.clouds import CLOUDS, is_known_root
from tui.graph.errors import GraphError
from tui.sandbox.tls import make_tls_files

HOOKS = Path(__file__).resolve().parent / "fault_hooks"
EVIL = "graph.attacker.test"
TOKEN = "token-for-microsoft-graph-only"


@dataclass
class Listener:
    url: str
    connections: list[str] = field(default_factory=list)
    authorization: list[str] = field(default_factory=list)


@pytest.fixture
def attacker(tmp_path: Path) -> Iterator[tuple[Listener, Path]]:
    """An HTTPS server for EVIL that records every connection and Authorization header."""
    tls = make_tls_files(tmp_path / "attacker-tls", hostnames=(EVIL,))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert_path, tls.key_path)
    seen = Listener("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.authorization.append(self.headers.get("Authorization", ""))
            body = json.dumps({"value": []}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET  # $batch

        def log_message(self, *args: Any) -> None:
            pass

    class Server(http.server.ThreadingHTTPServer):
        def get_request(self) -> tuple[socket.socket, Any]:
            sock, address = self.socket.accept()
            seen.connections.append(str(address))
            return context.wrap_socket(sock, server_side=True), address

        def handle_error(self, request: Any, _client_address: Any) -> None:
            pass  # a client that drops the TLS handshake

    server = Server(("127.0.0.1", 0), Handler)
    seen.url = f"https://{EVIL}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield seen, tls.ca_path
    server.shutdown()
    server.server_close()


def adue(cwd: Path, ca: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    full = dict(
        os.environ,
        PYTHONPATH=f"{HOOKS}{os.pathsep}{ROOT}",
        ADUE_TEST_RESOLVE=EVIL,
        SSL_CERT_FILE=str(ca),
        ADUE_ACCESS_TOKEN=TOKEN,
        **(env or {}),
    )
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=full,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _with_graph_url(path: Path, url: str) -> int:
    """Put `graph_url = url` at the top of [tenant]; returns its line number."""
    text = path.read_text(encoding="utf-8")
    assert "[tenant]\n" in text
    text = text.replace("[tenant]\n", f'[tenant]\ngraph_url = "{url}"\n', 1)
    path.write_text(text, encoding="utf-8")
    return text.splitlines().index(f'graph_url = "{url}"') + 1


def test_a_session_graph_url_to_another_host_gets_no_request_at_all(
    attacker: tuple[Listener, Path], tmp_path: Path
) -> None:
    listener, ca = attacker
    session = example_session(tmp_path)
    line = _with_graph_url(session, listener.url)
    before = session.read_bytes()

    for command in (["plan"], ["status"], ["apply", "--yes"], ["check"]):
        result = adue(tmp_path, ca, *command, "--session", str(session))
        said = result.stdout + result.stderr  # status reports on stdout
        assert result.returncode == 1, (command, said)
        assert "Traceback" not in said
        assert f"[tenant] graph_url (line {line})" in said, said
        assert f"--graph-url {listener.url}" in said
        assert "Remove that line" in said
    assert listener.connections == []
    assert listener.authorization == []
    assert session.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attacker-tls", "rollout.toml"]


def test_the_same_root_given_explicitly_is_used_and_shown_first(
    attacker: tuple[Listener, Path], tmp_path: Path
) -> None:
    # The control for the test above: the fake host, its CA and the resolver work, so
    # "no request" there means refused, not unreachable.
    listener, ca = attacker
    session = example_session(tmp_path)
    for given in (["--graph-url", listener.url], []):
        env = {} if given else {"ADUE_GRAPH_URL": listener.url}
        result = adue(tmp_path, ca, "plan", "--session", str(session), *given, env=env)
        netloc = listener.url.removeprefix("https://")
        assert result.stderr.splitlines()[0] == (
            f"adue: Graph root {listener.url} (from --graph-url or $ADUE_GRAPH_URL) is not a "
            f"Microsoft cloud's: the access token will be sent to {netloc}."
        )
    assert listener.authorization
    assert set(listener.authorization) == {f"Bearer {TOKEN}"}


@pytest.mark.parametrize(
    "root",
    [
        *(cloud.graph_root for cloud in CLOUDS.values()),
        "http://127.0.0.1:8080",
        "http://localhost:1234",
        "http://[::1]:9",
        "https://127.0.0.1",
    ],
)
def test_cloud_roots_and_loopback_are_accepted_from_a_session(root: str) -> None:
    settings = ConnectionSettings.from_args_and_session(
        argparse.Namespace(),
        {"graph_url": root, "auth": "token"},
        environ={"ADUE_ACCESS_TOKEN": "t"},
    )
    assert settings.graph_root == root
    assert settings.graph_root_notice == ""


@pytest.mark.parametrize(
    "root",
    [
        "https://graph.microsoft.com.attacker.test",
        "https://graph.microsoft.com@attacker.test",
        "https://attacker.test/graph.microsoft.com",
        "https://127.0.0.1.attacker.test",
        "https://localhost.attacker.test",
        "https://10.0.0.5",
    ],
)
def test_other_roots_are_refused_from_a_session(root: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ConnectionSettings.from_args_and_session(
            argparse.Namespace(),
            {"graph_url": root, "auth": "token"},
            environ={"ADUE_ACCESS_TOKEN": "t"},
            where=lambda key: f"[tenant] {key} (line 9)",
        )
    assert str(caught.value).startswith("[tenant] graph_url (line 9) = ")
    assert not is_known_root(root)


# --- a nextLink to another host ----------------------------------------------------------


@pytest.fixture
def two_hosts() -> Iterator[tuple[str, str, list[dict[str, str]]]]:
    """Graph at 127.0.0.1 whose first page links to `localhost` (another host name), and
    the requests that other host received."""
    other: list[dict[str, str]] = []
    ports: dict[str, int] = {}

    async def graph(request: Request) -> JSONResponse:
        if request.url.hostname == "localhost":
            other.append(dict(request.headers))
            return JSONResponse({"value": [{"id": "from-elsewhere"}]})
        link = f"http://localhost:{ports['port']}/v1.0/deviceAppManagement/vppTokens?page=2"
        return JSONResponse({"value": [], "@odata.nextLink": link})

    app = Starlette(routes=[Route("/{rest:path}", graph, methods=["GET"])])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    ports["port"] = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    yield f"http://127.0.0.1:{ports['port']}", f"http://localhost:{ports['port']}", other
    server.should_exit = True
    thread.join(5)


async def test_a_next_link_to_another_host_is_not_followed(
    two_hosts: tuple[str, str, list[dict[str, str]]],
) -> None:
    root, _elsewhere, other = two_hosts
    client = build_graph_client(StaticTokenCredential(TOKEN), graph_root=root, scopes=["x"])
    try:
        with pytest.raises(GraphError, match="outside"):
            await ops.list_vpp_tokens(client)
    finally:
        await client.aclose()
    assert other == []


async def test_kiota_sends_no_token_to_another_host_even_when_asked(
    two_hosts: tuple[str, str, list[dict[str, str]]],
) -> None:
    # Below get_url's own check: the adapter's allowed hosts are exactly the root's host.
    root, elsewhere, other = two_hosts
    client = build_graph_client(StaticTokenCredential(TOKEN), graph_root=root, scopes=["x"])
    try:
        info = client.request_information("GET", "organization")
        info.url = f"{elsewhere}/v1.0/organization"
        await client.send(info, what="read")
        assert client.adapter._authentication_provider  # the provider is there ...
        hosts = client.adapter._authentication_provider.access_token_provider
        assert hosts.get_allowed_hosts_validator().get_allowed_hosts() == ["127.0.0.1"]
    finally:
        await client.aclose()
    assert len(other) == 1
    assert "authorization" not in other[0]  # ... and sent nothing there


# --- the wizard: shown on the Sign in step, before signing in ----------------------------


async def _sign_in_notice(session_path: Path, args: argparse.Namespace) -> str:
    from textual.widgets import Static

    from tui.app import AdueApp
    from tui.backend import Backend
    from tui.commands.wizard import wizard_options
    from tui.session import Session

    session = Session.open(session_path)
    try:
        app = AdueApp(session, backend=Backend(session, wizard_options(args)))
        async with app.run_test(size=(100, 40)) as pilot:
            await pilot.pause()
            notice = app.query_one("#sign-in-graph-root", Static)
            return str(notice.render()) if notice.display else ""  # shown, or not at all
    finally:
        session.close()


async def test_the_sign_in_step_shows_no_root_notice_for_a_clouds_root(tmp_path: Path) -> None:
    assert await _sign_in_notice(tmp_path / "s.toml", argparse.Namespace()) == ""


async def test_the_wizard_shows_an_explicit_root_on_the_sign_in_step(tmp_path: Path) -> None:
    shown = await _sign_in_notice(
        tmp_path / "s.toml", argparse.Namespace(graph_url="https://graph.proxy.example/v1.0")
    )
    assert shown == (
        "Graph root https://graph.proxy.example (from --graph-url or $ADUE_GRAPH_URL) is not "
        "a Microsoft cloud's: the access token will be sent to graph.proxy.example."
    )


async def test_the_wizard_says_why_a_session_root_is_refused(tmp_path: Path) -> None:
    path = example_session(tmp_path)
    line = _with_graph_url(path, "https://graph.attacker.test")
    before = path.read_bytes()
    shown = await _sign_in_notice(path, argparse.Namespace())
    assert shown.startswith(f"[tenant] graph_url (line {line}) = 'https://graph.attacker.test'")
    assert "--graph-url https://graph.attacker.test" in shown
    assert path.read_bytes() == before
