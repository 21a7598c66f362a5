"""Word from the pipeline that a request is on the wire, for work that can be done while
its answer is on the way (tui.import_ahead).

`OnSent(callback)` is a kiota request option (GraphClient.send adds it). The client's
httpx request hook (`hand_to_connection`, one of httpx's event hooks, run before the
middleware chain) gives it to httpcore as the request's `trace` extension (httpx's
per-request hook into the connection), and httpcore calls it once the request's body
is written. Once per option: a retried request does not call back again; one that is
never written (no connection) never calls back. Imported lazily: it pulls in kiota.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from kiota_abstractions.request_option import RequestOption
from kiota_http.middleware.middleware import REQUEST_OPTIONS_KEY

TRACE = "trace"  # httpx's extension name for httpcore's connection events
WRITTEN = ".send_request_body.complete"  # the event's name after its "http11" prefix


class OnSent(RequestOption):
    KEY = "adue_on_sent"

    def __init__(self, callback: Callable[[], None]) -> None:
        self.callback: Callable[[], None] | None = callback

    @staticmethod
    def get_key() -> str:
        return OnSent.KEY

    async def trace(self, event: str, _info: dict[str, Any]) -> None:
        if self.callback is not None and event.endswith(WRITTEN):
            callback, self.callback = self.callback, None
            callback()


async def hand_to_connection(request: httpx.Request) -> None:
    """The request's OnSent, if it has one, as its `trace` extension."""
    options = request.extensions.get(REQUEST_OPTIONS_KEY) or {}
    on_sent = options.get(OnSent.KEY)
    if isinstance(on_sent, OnSent) and TRACE not in request.extensions:
        request.extensions[TRACE] = on_sent.trace
