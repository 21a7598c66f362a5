"""Request and response objects, the route table, and dispatch for the Graph emulator.

Handlers are plain functions `(ctx, params) -> Reply`, independent of ASGI, so `$batch`
runs its sub-requests through the same dispatch as top-level requests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from tui.sandbox import odata
from tui.sandbox.errors import GraphError, bad_request, unknown_segment
from tui.sandbox.tenant import Tenant
from tui.sandbox.tokens import TokenClaims

VERSIONS = ("v1.0", "beta")


@dataclass
class Ctx:
    tenant: Tenant
    version: str
    method: str
    path: str  # below the version, e.g. "/groups/<id>"
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON or None
    claims: TokenClaims
    base_url: str  # "http://127.0.0.1:port", for @odata.nextLink and contexts
    request_id: str

    @property
    def eventual(self) -> bool:
        return self.headers.get("consistencylevel", "").strip().lower() == "eventual"

    def context_url(self, fragment: str) -> str:
        return f"{self.base_url}/{self.version}/$metadata#{fragment}"


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Ctx, dict[str, str]], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    scopes: tuple[str, ...]  # any one of these is enough
    beta_only: bool = False
    segments: tuple[str, ...] = ()  # the template's segments ("" = a parameter)

    def known_depth(self, segments: Sequence[str]) -> int:
        """How many leading `segments` this route's template accepts."""
        depth = 0
        for mine, theirs in zip(self.segments, segments, strict=False):
            if mine and mine != theirs:
                break
            depth += 1
        return depth


_PARAM = re.compile(r"\{(\w+)\}")


def route(
    method: str, template: str, handler: Handler, scopes: Sequence[str], *, beta_only: bool = False
) -> Route:
    """`/groups/{id}/members` -> a route; `{name}` matches one path segment."""
    parts = re.split(r"(\{\w+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if _PARAM.fullmatch(part) else re.escape(part) for part in parts
    )
    segments = tuple("" if _PARAM.fullmatch(s) else s for s in template.split("/") if s)
    return Route(method, re.compile(f"^{regex}$"), handler, tuple(scopes), beta_only, segments)


def entity_set(
    template: str,
    list_all: Handler,
    get_one: Handler,
    scopes: Sequence[str],
    *,
    beta_only: bool = False,
) -> list[Route]:
    """GET `template` (the collection) and GET `template/{id}` (one of its members): Graph
    reads both with the same permissions."""
    return [
        route("GET", template, list_all, scopes, beta_only=beta_only),
        route("GET", f"{template}/{{id}}", get_one, scopes, beta_only=beta_only),
    ]


def forbidden(ctx: Ctx, scopes: Sequence[str]) -> GraphError:
    needed = ", ".join(scopes)
    granted = ", ".join(sorted(ctx.claims.permissions)) or "none"
    if ctx.path.startswith(("/deviceManagement", "/deviceAppManagement")):
        # Intune's own answer: 403 code "Forbidden" with "Application is not authorized
        # to perform this operation. Application must have one of the following scopes:
        # ..." (as reported from Graph in e.g. github.com/jseerden/IntuneBackupAndRestore
        # issue 55); the directory's is Authorization_RequestDenied below.
        return GraphError(
            403,
            "Forbidden",
            "Application is not authorized to perform this operation. Application must have "
            f"one of the following scopes: {needed} - Operation ID (for customer support): "
            f"{ctx.request_id}",
        )
    return GraphError(
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation. This operation requires one of "
        f"the following permissions: {needed}. Scopes on the request: {granted}.",
    )


class Router:
    def __init__(self, routes: Sequence[Route]) -> None:
        self.routes = list(routes)

    def dispatch(self, ctx: Ctx) -> Reply:
        allowed: list[str] = []
        for candidate in self.routes:
            match = candidate.pattern.match(ctx.path)
            if not match:
                continue
            if candidate.beta_only and ctx.version != "beta":
                continue
            if candidate.method != ctx.method:
                allowed.append(candidate.method)
                continue
            # An app-only token's roles count where a delegated token's scopes do (Graph's
            # permission reference lists the same names for both kinds).
            if candidate.scopes and not (ctx.claims.permissions & set(candidate.scopes)):
                raise forbidden(ctx, candidate.scopes)
            return candidate.handler(ctx, match.groupdict())
        if allowed:
            raise GraphError(
                405,
                "Request_BadRequest",
                f"The HTTP method '{ctx.method}' is not allowed for this resource "
                f"(allowed: {', '.join(sorted(set(allowed)))}).",
            )
        raise unknown_segment(self._unknown_segment(ctx))

    def _unknown_segment(self, ctx: Ctx) -> str:
        """The first segment of the path that no route (for this version) knows."""
        segments = [s for s in ctx.path.split("/") if s]
        if not segments:
            return ""
        depth = max(
            (
                r.known_depth(segments)
                for r in self.routes
                if ctx.version == "beta" or not r.beta_only
            ),
            default=0,
        )
        return segments[min(depth, len(segments) - 1)]


# ---- collection responses -------------------------------------------------------------


def next_link(ctx: Ctx, offset: int) -> str:
    params = {k: v for k, v in ctx.query.items() if k != "$skiptoken"}
    params["$skiptoken"] = odata.encode_skiptoken(offset)
    text = urlencode(params, quote_via=quote, safe="$'(),:")
    return f"{ctx.base_url}/{ctx.version}{ctx.path}?{text}"


def paging(ctx: Ctx, *, page_size: int, max_top: int) -> tuple[int, int]:
    """(offset, page length) from `$skiptoken` and `$top`."""
    top = odata.parse_top(ctx.query.get("$top"), maximum=max_top) or page_size
    offset = odata.decode_skiptoken(ctx.query["$skiptoken"]) if "$skiptoken" in ctx.query else 0
    return offset, top


def page_reply(
    ctx: Ctx,
    page: Sequence[dict[str, Any]],
    total: int,
    offset: int,
    top: int,
    context: str,
    *,
    shape: Callable[[dict[str, Any]], dict[str, Any]] = lambda o: o,
    count: bool = False,
) -> Reply:
    """One page of a collection of `total` items, with `$select`, `$count` and nextLink."""
    select = odata.parse_select(ctx.query.get("$select"))
    body: dict[str, Any] = {"@odata.context": ctx.context_url(context)}
    if count:
        body["@odata.count"] = total
    if offset + top < total:
        body["@odata.nextLink"] = next_link(ctx, offset + top)
    body["value"] = [odata.apply_select(shape(item), select) for item in page]
    return Reply(200, body)


def collection(
    ctx: Ctx,
    items: Sequence[dict[str, Any]],
    context: str,
    *,
    page_size: int,
    max_top: int,
    shape: Callable[[dict[str, Any]], dict[str, Any]] = lambda o: o,
    count: bool = False,
) -> Reply:
    """A page of `items` with `$top`, `$skiptoken`, `$select`, `$count` and nextLink."""
    offset, top = paging(ctx, page_size=page_size, max_top=max_top)
    page = items[offset : offset + top]
    return page_reply(ctx, page, len(items), offset, top, context, shape=shape, count=count)


def wants_count(ctx: Ctx) -> bool:
    raw = ctx.query.get("$count", "").lower()
    if raw not in ("", "true", "false"):
        raise bad_request(f"Invalid value '{raw}' for $count: use true or false.")
    return raw == "true"


def require_body(ctx: Ctx) -> dict[str, Any]:
    if not isinstance(ctx.body, dict):
        raise bad_request("The request body must be a JSON object.", code="BadRequest")
    return ctx.body
