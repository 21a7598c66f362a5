"""JSON batching: `POST /{version}/$batch` with up to 20 requests and `dependsOn`.

Sub-requests run through the same dispatch as top-level requests, in an order that
honours `dependsOn` (a dependency must be listed earlier, as Graph requires); a request
whose dependency failed answers 424. Graph's key is `dependsOn`: msgraph-core 1.5.2
writes `depends_on`, which Graph ignores, and so does the sandbox. Injected 429/503
faults also hit sub-requests one by one (inside a 200 answer), as Graph throttles them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tui.sandbox.errors import GraphError, bad_request, error_body
from tui.sandbox.routing import Ctx, Reply

MAX_REQUESTS = 20


@dataclass(frozen=True)
class SubRequest:
    """One request of a batch, as the dispatch runs it (path: without the version)."""

    method: str
    version: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    item_id: str


# A sub-request -> (status, headers, body)
SubDispatch = Callable[[SubRequest], tuple[int, dict[str, str], Any]]

_VERSION_PREFIX = re.compile(r"^/(v1\.0|beta)(?=/|$)")


def _relative(url: str) -> tuple[str, dict[str, str]]:
    """The path and query of a batch item's url, which Graph wants relative to the version
    root ("/groups?$top=1"). Like Graph, an absolute url or one that repeats the version
    ("/v1.0/groups") is refused: msgraph-core 1.5.2 sends both unless the caller fixes them."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        raise bad_request(
            f"Invalid batch request url '{url}': batch urls are relative to the version root, "
            "e.g. /groups?$top=1."
        )
    path = parts.path if parts.path.startswith("/") else "/" + parts.path
    match = _VERSION_PREFIX.match(path)
    if match:
        raise bad_request(f"Resource not found for the segment '{match.group(1)}'.")
    return path, dict(parse_qsl(parts.query, keep_blank_values=True))


def run_batch(ctx: Ctx, dispatch: SubDispatch) -> Reply:
    body = ctx.body
    if not isinstance(body, dict) or not isinstance(body.get("requests"), list):
        raise bad_request("The batch body must be a JSON object with a 'requests' array.")
    requests: list[Any] = body["requests"]
    if not requests:
        raise bad_request("The batch contains no requests.")
    if len(requests) > MAX_REQUESTS:
        raise bad_request(
            f"The batch has {len(requests)} requests; the limit is {MAX_REQUESTS}.",
            code="BadRequest",
        )
    seen: set[str] = set()
    for item in requests:
        if not isinstance(item, dict):
            raise bad_request("Each batch request must be a JSON object.")
        for key in ("id", "method", "url"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise bad_request(f"A batch request is missing its '{key}'.")
        if item["id"] in seen:
            raise bad_request(f"The batch request id '{item['id']}' is used more than once.")
        depends = item.get("dependsOn") or []
        if not isinstance(depends, list) or any(d not in seen for d in depends):
            raise bad_request(
                f"Invalid dependency for request Id '{item['id']}': dependsOn must name "
                "requests listed earlier in the batch."
            )
        seen.add(item["id"])

    statuses: dict[str, int] = {}
    responses: list[dict[str, Any]] = []
    for item in requests:
        item_id: str = item["id"]
        depends = item.get("dependsOn") or []
        failed = [d for d in depends if statuses.get(d, 500) >= 400]
        if failed:
            status, headers, out = (
                424,
                {"Content-Type": "application/json"},
                error_body(
                    "FailedDependency",
                    f"The dependency '{failed[0]}' failed.",
                    ctx.request_id,
                    "",
                ),
            )
        else:
            try:
                path, query = _relative(item["url"])
                sub_headers = {
                    str(k).lower(): str(v) for k, v in (item.get("headers") or {}).items()
                }
                sub_body = item.get("body")
                if isinstance(sub_body, str) and sub_headers.get("content-type", "").startswith(
                    "application/json"
                ):
                    sub_body = _maybe_base64_json(sub_body)
                status, headers, out = dispatch(
                    SubRequest(
                        item["method"].upper(),
                        ctx.version,
                        path,
                        query,
                        sub_headers,
                        sub_body,
                        item_id,
                    )
                )
            except GraphError as error:
                status, headers = error.status, {"Content-Type": "application/json"}
                out = error_body(error.code, error.message, ctx.request_id, "")
        statuses[item_id] = status
        response: dict[str, Any] = {"id": item_id, "status": status, "headers": headers}
        if out is not None:
            response["body"] = out
        responses.append(response)
    return Reply(200, {"responses": responses})


def _maybe_base64_json(text: str) -> Any:
    """Graph accepts a base64-encoded JSON body in a batch item; decode it when it is one."""
    import base64
    import binascii

    try:
        return json.loads(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        return text
