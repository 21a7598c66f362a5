"""msgraph-sdk clients for the sandbox tests: the real SDK pipeline over real HTTP.

v1.0 through `GraphServiceClient`'s typed request builders; beta (no typed models in
msgraph-sdk) through `RequestInformation` sent by the same `GraphRequestAdapter`, so
auth, retry and throttling middleware are the SDK's own.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from azure.core.credentials import AccessToken
from kiota_abstractions.method import Method
from kiota_abstractions.request_information import RequestInformation
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

from tui.sandbox.server import RunningSandbox

ERRORS: dict[str, Any] = {"XXX": ODataError}


class StaticTokenCredential:
    """An azure-core TokenCredential that hands out one fixed sandbox token."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *_scopes: str, **_kwargs: Any) -> AccessToken:
        return AccessToken(self.token, int(time.time()) + 3600)


def make_adapter(
    sb: RunningSandbox, token: str | None = None, version: str = "v1.0"
) -> GraphRequestAdapter:
    credential = StaticTokenCredential(token if token is not None else sb.token)
    auth = AzureIdentityAuthenticationProvider(
        credential,
        scopes=["https://graph.microsoft.com/.default"],
        allowed_hosts=["127.0.0.1"],
    )
    http = GraphClientFactory.create_with_default_middleware(
        client=httpx.AsyncClient(timeout=httpx.Timeout(10.0))
    )
    adapter = GraphRequestAdapter(auth, http)
    adapter.base_url = f"{sb.graph_url}/{version}"
    GraphServiceClient(request_adapter=adapter)  # registers the JSON (de)serialisers
    return adapter


def make_client(sb: RunningSandbox, token: str | None = None) -> GraphServiceClient:
    return GraphServiceClient(request_adapter=make_adapter(sb, token))


async def send_json(
    adapter: GraphRequestAdapter,
    method: str,
    url: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send a request through the SDK adapter; the parsed JSON answer (None for 204).

    Graph errors raise `ODataError` (the SDK's own error mapping)."""
    info = RequestInformation()
    info.http_method = Method[method]
    info.url = url
    info.headers.try_add("Accept", "application/json")
    for name, value in (headers or {}).items():
        info.headers.try_add(name, value)
    if body is not None:
        info.set_stream_content(json.dumps(body).encode(), "application/json")
    raw = await adapter.send_primitive_async(info, "bytes", ERRORS)
    return json.loads(raw) if raw else None
