"""tui.graph.lean_handlers answers as the SDK's handlers do: the telemetry handler's
per-origin answer is msgraph-core's for each URL, in any order, and a URL without the
`me` token reaches the wire as it was (with it: tests/graph/test_client_pipeline)."""

from __future__ import annotations

import httpx
import pytest
from kiota_http.middleware.options import UrlReplaceHandlerOption
from msgraph_core.middleware import GraphTelemetryHandler
from msgraph_core.middleware.options import GraphTelemetryHandlerOption

from tui.graph import lean_handlers
from tui.graph.lean_handlers import UrlReplaceHandler, graph_telemetry

URLS = [
    "https://graph.microsoft.com/v1.0/organization",
    "https://GRAPH.Microsoft.com/beta/x",
    "https://graph.microsoft.com:443/v1.0/x",
    "https://graph.microsoft.com:8443/v1.0/x",
    "http://graph.microsoft.com/v1.0/x",
    "https://user:secret@graph.microsoft.com/v1.0/x",
    "https://graph.microsoft.us/v1.0/x",
    "https://dod-graph.microsoft.us/v1.0/x",
    "https://microsoftgraph.chinacloudapi.cn/v1.0/x",
    "https://graph.microsoft.com.example/v1.0/x",
    "http://127.0.0.1:8123/v1.0/x",
    "https://xn--bcher-kva.example/v1.0/x",
]


@pytest.mark.parametrize("order", [1, -1])
def test_graph_urls_as_msgraph_core_tells_them(monkeypatch: pytest.MonkeyPatch, order: int) -> None:
    monkeypatch.setattr(lean_handlers, "_GRAPH_ORIGINS", {})
    reference = GraphTelemetryHandler()
    handler = graph_telemetry(GraphTelemetryHandlerOption())
    assert isinstance(handler, GraphTelemetryHandler)
    expected = {url: bool(reference.is_graph_url(httpx.URL(url))) for url in URLS}
    assert any(expected.values())
    assert not all(expected.values())
    for _ in range(2):  # asked again: from what it kept
        for url in URLS[::order]:
            assert handler.is_graph_url(httpx.URL(url)) is expected[url], url


async def test_a_url_without_the_token_goes_on_as_it_was() -> None:
    seen: list[httpx.URL] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(204)

    handler = UrlReplaceHandler(
        UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        )
    )
    for url in [
        "https://graph.microsoft.com/v1.0/groups?$top=1",
        "https://h/v1.0/users/me-token-to-replace/x",
    ]:
        request = httpx.Request("GET", url)
        await handler.send(request, httpx.MockTransport(answer))
    assert [str(url) for url in seen] == [
        "https://graph.microsoft.com/v1.0/groups?$top=1",
        "https://h/v1.0/me/x",
    ]
