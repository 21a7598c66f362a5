"""Local servers for the discovery check, all on 127.0.0.1 (the fixtures are in conftest.py).

- `discovery_host`: a real HTTPS server (uvicorn + starlette, its own throw-away CA)
  answering `sandbox_response(...)`; the variant and cloud come from the Host name
  `<variant>.<cloud>.contoso.test`, so one server serves every misconfiguration.
- `plain_http_host`: the same app without TLS (the "not HTTPS" case).
- `silent_host`: a socket that accepts connections and never answers (timeouts).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tui.sandbox.discovery_variants import sandbox_response
from tui.sandbox.tls import TlsFiles

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
DOMAIN_SUFFIX = "contoso.test"  # RFC 6761 reserved: never a real domain


@dataclass(frozen=True)
class Seen:
    """One request as the test server received it."""

    host: str
    path: str
    query: dict[str, str]
    user_agent: str


SEEN: list[Seen] = []  # every request the discovery host got, in order


def domain_for(variant: str, cloud: str = "global") -> str:
    return f"{variant}.{cloud}.{DOMAIN_SUFFIX}"


async def _answer(request: Request) -> Response:
    host = (request.headers.get("host") or "").split(":", 1)[0]
    SEEN.append(
        Seen(
            host,
            request.url.path,
            dict(request.query_params),
            request.headers.get("user-agent", ""),
        )
    )
    labels = host.split(".")
    if host.endswith("." + DOMAIN_SUFFIX) and len(labels) == 4:
        variant, cloud = labels[0], labels[1]
    else:
        variant, cloud = "ok", "global"
    if variant == "redirect-http":  # not a sandbox variant: needs the host name
        return Response(status_code=301, headers={"Location": f"http://{host}/plain"})
    status, headers, body = sandbox_response(
        variant, TENANT, cloud, request.url.path, dict(request.query_params)
    )
    # Starlette would add its own Content-Type when none is given; the variants always set it.
    return Response(body, status_code=status, headers=headers)


APP = Starlette(routes=[Route("/{path:path}", _answer, methods=["GET"])])


@dataclass(frozen=True)
class Listener:
    host: str
    port: int
    tls: TlsFiles | None

    @property
    def connect_to(self) -> tuple[str, int]:
        return (self.host, self.port)


def serve(tls: TlsFiles | None) -> Iterator[Listener]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        APP,
        log_level="warning",
        lifespan="off",
        access_log=False,
        ssl_certfile=str(tls.cert_path) if tls else None,
        ssl_keyfile=str(tls.key_path) if tls else None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test discovery server did not start")
        time.sleep(0.01)
    try:
        yield Listener("127.0.0.1", sock.getsockname()[1], tls)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
