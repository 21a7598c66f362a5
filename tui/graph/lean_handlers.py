"""Two of the Graph SDK's middleware handlers, doing per request only what changes per
request (GraphClient's chain: tui.graph.client). Same requests on the wire.

- msgraph-core's GraphTelemetryHandler asks at each request whether the URL is one of
  Graph's national clouds: it builds the set of their roots from an Enum and parses the
  URL with urllib3 (~2.5% of a fleet apply's CPU). The answer depends on the URL's
  scheme, host and port only: kept per origin.
- kiota's UrlReplaceHandler parses every request's URL again (httpx.URL of its text) to
  replace `/users/me-token-to-replace` by `/me`: a URL without that text goes on as it
  is, which is what the replacement would have made of it.
Imported lazily: it pulls in kiota and msgraph-core.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from kiota_http.middleware import BaseMiddleware
from kiota_http.middleware import UrlReplaceHandler as KiotaUrlReplaceHandler
from msgraph_core.middleware import GraphTelemetryHandler

_GRAPH_ORIGINS: dict[tuple[str, bytes, int | None], bool] = {}


def graph_telemetry(options: Any) -> Any:
    """msgraph-core's GraphTelemetryHandler, its `is_graph_url` answered once an origin."""
    handler = GraphTelemetryHandler(options=options)
    handler.is_graph_url = _per_origin(handler.is_graph_url)
    return handler


def _per_origin(is_graph_url: Callable[[httpx.URL], Any]) -> Callable[[httpx.URL], bool]:
    def known(url: httpx.URL) -> bool:
        origin = (url.scheme, url.raw_host, url.port)
        answer = _GRAPH_ORIGINS.get(origin)
        if answer is None:
            answer = _GRAPH_ORIGINS[origin] = bool(is_graph_url(url))
        return answer

    return known


class UrlReplaceHandler(KiotaUrlReplaceHandler):
    """kiota's, by its name (the chain is kiota's handlers: tests/graph)."""

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        options = self._get_current_options(request)
        pairs = options.replacement_pairs if options.is_enabled else {}
        url = str(request.url)
        if not any(old in url for old in pairs or {}):
            return await BaseMiddleware.send(self, request, transport)
        return await super().send(request, transport)
