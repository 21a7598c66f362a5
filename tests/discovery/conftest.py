"""Fixtures for the discovery tests: local HTTPS/HTTP servers and CAs (see servers.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.discovery.servers import (
    HOSTILE_VARIANTS,
    LOOPBACK_DOMAINS,
    SEEN,
    Listener,
    Seen,
    domain_for,
    serve,
)
from tui.graph.clouds import CLOUDS
from tui.sandbox.discovery_variants import VARIANTS
from tui.sandbox.tls import TlsFiles, make_tls_files


@pytest.fixture
def seen_requests() -> list[Seen]:
    """The requests the discovery host receives from now on (the list is emptied first)."""
    SEEN.clear()
    return SEEN


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    names = tuple(domain_for(v, c) for v in (*VARIANTS, "redirect-http") for c in CLOUDS)
    names += tuple(domain_for(v) for v in HOSTILE_VARIANTS) + LOOPBACK_DOMAINS
    return make_tls_files(tmp_path_factory.mktemp("discovery-tls"), names)


@pytest.fixture(scope="session")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CA that did NOT sign the test server's certificate."""
    return make_tls_files(tmp_path_factory.mktemp("other-ca")).ca_path


@pytest.fixture(scope="session")
def discovery_host(tls_files: TlsFiles) -> Iterator[Listener]:
    yield from serve(tls_files)


@pytest.fixture(scope="session")
def plain_http_host() -> Iterator[Listener]:
    yield from serve(None)


@pytest.fixture(scope="session")
def silent_host() -> Iterator[Listener]:
    """Accepts TCP connections (the kernel completes the handshake) and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield Listener("127.0.0.1", sock.getsockname()[1], None)
    finally:
        sock.close()


@pytest.fixture(scope="session")
def closed_port() -> int:
    """A loopback port nobody listens on (connection refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    sock.close()
    return port
