"""tui.graph.identity_transport: one transport for many credentials, a session per thread.

Real requests to the demo sandbox's identity emulator (its openid-configuration) over
loopback https. Which requests.Session sent an answer is its adapter (requests hands
each response the adapter of the session that sent it).
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from azure.core.pipeline.transport import HttpRequest

from tui.graph.identity_transport import ThreadLocalTransport
from tui.sandbox.server import RunningSandbox


def discovery(sb: RunningSandbox) -> HttpRequest:
    return HttpRequest(
        "GET", f"{sb.https_url}/{sb.tenant_id}/v2.0/.well-known/openid-configuration"
    )


def sender(transport: ThreadLocalTransport, sb: RunningSandbox) -> Any:
    """The adapter (so: the requests.Session) that sent a request from this thread."""
    response = transport.send(discovery(sb))
    assert response.status_code == 200
    return response.internal_response.connection


def test_a_thread_keeps_its_session_and_each_thread_has_its_own(
    demo_sandbox_shared: RunningSandbox,
) -> None:
    sb = demo_sandbox_shared
    transport = ThreadLocalTransport(connection_verify=str(sb.ca_path))
    try:
        first = sender(transport, sb)
        assert sender(transport, sb) is first  # the same thread: the same session

        others: list[Any] = []
        threads = [
            threading.Thread(target=lambda: others.append(sender(transport, sb))) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({id(first), *(id(o) for o in others)}) == 3  # never a session shared
    finally:
        transport.close_all()


def test_a_credential_closing_it_leaves_it_to_the_others_until_close_all(
    demo_sandbox_shared: RunningSandbox,
) -> None:
    sb = demo_sandbox_shared
    transport = ThreadLocalTransport(connection_verify=str(sb.ca_path))
    first = sender(transport, sb)
    # What azure-identity does when a credential sharing it is closed.
    with transport:
        pass
    transport.close()
    assert sender(transport, sb) is first

    transport.close_all()
    with pytest.raises(ValueError, match="closed"):
        transport.send(discovery(sb))
    refused: list[BaseException] = []  # a thread that never sent through it: closed too

    def send() -> None:
        try:
            transport.send(discovery(sb))
        except ValueError as exc:
            refused.append(exc)

    thread = threading.Thread(target=send)
    thread.start()
    thread.join()
    assert len(refused) == 1
    assert "closed" in str(refused[0])


def test_it_checks_the_identity_platform_s_certificate(
    demo_sandbox_shared: RunningSandbox,
) -> None:
    from azure.core.exceptions import ServiceRequestError

    transport = ThreadLocalTransport()  # the system's trust store: not the sandbox's CA
    try:
        with pytest.raises(ServiceRequestError):
            transport.send(discovery(demo_sandbox_shared))
    finally:
        transport.close_all()
