"""Graph's error shape: `{"error": {"code", "message", "innerError": {...}}}`.

Handlers raise `GraphError`; the app turns it into the body Graph sends, with the
request id in `innerError` and in the `request-id` header.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


class GraphError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def utc_now_text() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")


def error_body(code: str, message: str, request_id: str, client_request_id: str) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": utc_now_text(),
                "request-id": request_id,
                "client-request-id": client_request_id or request_id,
            },
        }
    }


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    return GraphError(400, code, message)


def not_found(message: str, code: str = "ResourceNotFound") -> GraphError:
    return GraphError(404, code, message)


def unknown_segment(segment: str) -> GraphError:
    """What Graph answers for a path segment its metadata does not know (e.g. beta-only on v1.0)."""
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")
