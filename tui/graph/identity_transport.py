"""One azure-core transport for many azure-identity credentials: a connection per thread.

azure-identity gives each credential its own RequestsTransport (a requests.Session and
its connection pool) unless it is handed one (`transport=`). A fleet signs in to each
customer tenant with a credential of its own, so each tenant's first token opened a new
connection to the identity platform: a TCP and TLS handshake apiece, most of a no-op
tenant's CPU time. Handed this transport, the credentials share connections. A
RequestsTransport is not thread-safe (one Session) and the fleet fetches tokens from
several threads at once, so each thread sends through a RequestsTransport of its own,
made on its first request and kept for its next ones.

Imported only where credentials are built (it imports azure-core's pipeline, as
azure.identity does).
"""

from __future__ import annotations

import threading
from typing import Any

from azure.core.pipeline.transport import (
    HttpRequest,
    HttpResponse,
    HttpTransport,
    RequestsTransport,
)


class ThreadLocalTransport(HttpTransport):  # type: ignore[type-arg]
    """azure-core's HttpTransport over one RequestsTransport per thread.

    `transport_options` are RequestsTransport's (connection_verify: the CA bundle). Every
    credential given it may close it (azure-identity closes its transport with itself):
    that does nothing, as the others still send through it; its owner calls `close_all`.
    """

    def __init__(self, **transport_options: Any) -> None:
        self._options = transport_options
        self._local = threading.local()
        self._lock = threading.Lock()
        self._made: list[RequestsTransport] = []
        self._closed = False

    def _own(self) -> RequestsTransport:
        mine: RequestsTransport | None = getattr(self._local, "transport", None)
        if mine is None:
            mine = RequestsTransport(**self._options)
            with self._lock:
                if self._closed:
                    raise ValueError("the identity transport is closed")
                self._made.append(mine)
            self._local.transport = mine
        return mine

    def send(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = self._own().send(request, **kwargs)
        return response

    def open(self) -> None:
        return None  # each thread's transport opens on its first request

    def close(self) -> None:
        return None  # shared: close_all, by its owner

    def __exit__(self, *_args: object) -> None:
        return None  # a credential closing (Pipeline.__exit__): the others go on

    def close_all(self) -> None:
        """Close every thread's connections; the transport cannot be used again."""
        with self._lock:
            made, self._made, self._closed = self._made, [], True
        for transport in made:
            transport.close()
