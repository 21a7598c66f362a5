"""Local servers for the discovery check, all on 127.0.0.1 (the fixtures are in conftest.py).

- `discovery_host`: a real HTTPS server (uvicorn + starlette, its own throw-away CA)
  answering `sandbox_response(...)`; the variant and cloud come from the Host name
  `<variant>.<cloud>.contoso.test`, so one server serves every misconfiguration.
- `plain_http_host`: the same app without TLS (the "not HTTPS" case).
- `silent_host`: a socket that accepts connections and never answers (timeouts).

Beyond the sandbox's variants the discovery host serves HOSTILE answers (bodies of odd
shapes, a trickling body, redirects to private addresses or malformed Locations), for
the check's robustness tests; `<name>.localhost` hosts are the "checked domain is
loopback itself" case (RFC 6761: *.localhost is loopback).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from tui.sandbox.discovery_variants import VARIANTS, sandbox_response
from tui.sandbox.tls import TlsFiles

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
DOMAIN_SUFFIX = "contoso.test"  # RFC 6761 reserved: never a real domain


@dataclass(frozen=True)
class Seen:
    """One request as the test server received it."""

    host: str
    path: str
    query: dict[str, str]


SEEN: list[Seen] = []  # every request the discovery host got, in order


def domain_for(variant: str, cloud: str = "global") -> str:
    return f"{variant}.{cloud}.{DOMAIN_SUFFIX}"


TRICKLE_SECONDS = 2.0  # the "trickle" answer sends one body byte this often
_PATH = "/.well-known/com.apple.remotemanagement"
_GOOD_ITEM = (
    '{"Version":"mdm-byod","BaseURL":"https://manage.microsoft.com/EnrollmentServer/'
    f'PostReportDeviceInfoForUEV2?aadTenantId={TENANT}"}}'
)
# Bodies a broken or hostile server may send with 200 application/json.
HOSTILE_BODIES: dict[str, bytes] = {
    "body-deep-array": b"[" * 30_000 + b"]" * 30_000,
    "body-deep-object": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "body-deep-version": (
        b'{"Servers":[{"Version":' + b"[" * 5_000 + b"]" * 5_000 + b',"BaseURL":"x"}]}'
    ),
    "body-nested-values": (
        b'{"Servers":[{"Version":{"a":[1,{"b":null}]},"BaseURL":{"https":[1,2]}}],'
        b'"extra":[[[[{"x":1}]]]]}'
    ),
    "body-array": b'[{"Servers":[]}]',
    "body-number": b"1e999",
    "body-huge-int": b'{"Servers":[{"Version":' + b"9" * 10_000 + b"}]}",
    "body-null": b"null",
    "body-servers-null": b'{"Servers":null}',
    "body-servers-string": b'{"Servers":"mdm-byod"}',
    "body-item-number": b'{"Servers":[42]}',
    "body-huge": b'{"Servers":[' + b"1," * 2_000_000 + b"1]}",
    "body-not-utf8": b'{"Servers":[{"Version":"mdm-byod\xff","BaseURL":"\xfe"}]}',
    "body-latin1": '{"Servers":[{"Version":"mdm-byöd"}]}'.encode("latin-1"),
    "body-bracket-base-url": (
        b'{"Servers":[{"Version":"mdm-byod","BaseURL":"https://[manage.microsoft.com/'
        b"EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=" + TENANT.encode() + b'"}]}'
    ),
    "body-bad-port-base-url": (
        b'{"Servers":[{"Version":"mdm-byod","BaseURL":"https://manage.microsoft.com:99x/'
        b'EnrollmentServer/PostReportDeviceInfoForUEV2"}]}'
    ),
    "body-control-chars": (
        rb'{"Servers":[{"Version":"\u001b]0;pwned\u0007\u001b[31m","BaseURL":"\u0000"}]}'
    ),
    "body-extra-fields": (
        b'{"Servers":[' + _GOOD_ITEM.encode()[:-1] + b',"Extra":[1,2,{"x":null}]}],"More":{"y":[]}}'
    ),
}
# Where the redirect answers send the device (Location header as sent).
HOSTILE_REDIRECTS: dict[str, str] = {
    "redirect-loopback": f"https://127.0.0.1{_PATH}",
    "redirect-private10": f"https://10.20.30.40{_PATH}",
    "redirect-private172": f"https://172.20.1.1:8443{_PATH}",
    "redirect-private192": f"https://192.168.1.10{_PATH}",
    "redirect-linklocal": f"https://169.254.169.254{_PATH}",
    "redirect-ipv6-loopback": f"https://[::1]:8443{_PATH}",
    "redirect-ipv6-ula": f"https://[fd12:3456::1]{_PATH}",
    "redirect-ipv6-linklocal": f"https://[fe80::1]{_PATH}",
    "redirect-mapped": f"https://[::ffff:10.0.0.1]{_PATH}",
    "redirect-localhost": f"https://localhost{_PATH}",
    "redirect-other-localhost": f"https://files.localhost{_PATH}",
    "redirect-bracket": "https://[oops/.well-known/x",
    "redirect-bad-port": f"https://files.contoso.test:99999{_PATH}",
}
HOSTILE_VARIANTS: tuple[str, ...] = ("trickle", *HOSTILE_BODIES, *HOSTILE_REDIRECTS)
LOOPBACK_DOMAINS = ("redirect-other-localhost.localhost", "files.localhost")


async def _trickle() -> AsyncIterator[bytes]:
    yield b"{"
    while True:  # until the client gives up (uvicorn stops us when it disconnects)
        await asyncio.sleep(TRICKLE_SECONDS)
        yield b" "


def _hostile(variant: str, path: str) -> Response | None:
    if variant == "trickle":
        return StreamingResponse(_trickle(), media_type="application/json")
    if variant in HOSTILE_BODIES:
        return Response(HOSTILE_BODIES[variant], headers={"Content-Type": "application/json"})
    if variant in HOSTILE_REDIRECTS and path == _PATH:
        return Response(status_code=302, headers={"Location": HOSTILE_REDIRECTS[variant]})
    return None


async def _answer(request: Request) -> Response:
    host = (request.headers.get("host") or "").split(":", 1)[0]
    SEEN.append(
        Seen(
            host,
            request.url.path,
            dict(request.query_params),
        )
    )
    labels = host.split(".")
    if host.endswith("." + DOMAIN_SUFFIX) and len(labels) == 4:
        variant, cloud = labels[0], labels[1]
    elif host.endswith(".localhost"):
        variant, cloud = labels[0], "global"
    else:
        variant, cloud = "ok", "global"
    hostile = _hostile(variant, request.url.path)
    if hostile is not None:
        return hostile
    if variant not in (*VARIANTS, "redirect-http"):
        variant = "ok"  # e.g. files.localhost: a redirect target that serves the file
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
