"""A kiota ResponseHandler that hands back the raw httpx response (status, headers, body).

With it the adapter still runs the whole middleware pipeline, but adue maps
errors itself (tui.graph.errors) and keeps Graph's request-id of successful
writes for the journal. Imported lazily: it pulls in kiota.
"""

from __future__ import annotations

from typing import Any

from kiota_abstractions.response_handler import ResponseHandler


class CaptureResponse(ResponseHandler):
    async def handle_response_async(self, response: Any, _error_map: Any) -> Any:
        return response
