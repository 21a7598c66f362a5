"""v1.0 requests built by msgraph-sdk's request builders (their URL templates and query
parameter classes); beta has no SDK here and keeps kiota RequestInformation with its URL.

A v1.0 path as adue names it (graph.md: "groups/{id}/transitiveMembers/microsoft.graph.user")
is walked down the SDK's fluent API from the GraphServiceClient: a segment is the
builder's property of that name in snake_case ("transitiveMembers" -> transitive_members,
a type cast "microsoft.graph.user" -> graph_user), an id is passed to the builder's one
`by_..._id` method. The query ($select, $filter, $top, ...) fills the builder's own
GetQueryParameters dataclass, and the builder's `to_get_request_information` makes the
request: its URI template expands and encodes the path and the query. A path or a query
option the SDK does not know is a programming error (ValueError), never a silent
hand-built URL. An @odata.nextLink is the exception: sent as Graph gave it.

Cost, measured with -X importtime and perf_counter on this machine (2 cores): each
request builder module is imported on first use, 3-6 ms each (organization 3.2 ms, groups
4.9, mobileApps 2.8, vppTokens 5.5, users 4.6, subscribedSkus 4.1, deviceManagement 2.8);
a headless `adue plan` walks 4 of them. Building a request once imported: ~40 us.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from kiota_abstractions.request_information import RequestInformation
    from msgraph.graph_service_client import GraphServiceClient

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
_CAST = "microsoft.graph."
# OData system query options -> the SDK's query parameter field and how its value is read.
_LISTS = frozenset({"select", "expand", "orderby"})
_NUMBERS = frozenset({"top", "skip"})


def _attribute(segment: str) -> str:
    if segment.startswith(_CAST):
        return "graph_" + _CAMEL.sub("_", segment[len(_CAST) :]).lower()
    return _CAMEL.sub("_", segment).lower()


def _by_id(builder: Any, value: str) -> Any:
    """The builder of one item: the builder's one `by_..._id` method, given the id."""
    methods = [n for n in dir(type(builder)) if n.startswith("by_") and n.endswith("_id")]
    if len(methods) != 1:
        raise ValueError(f"msgraph-sdk has no item builder under {type(builder).__name__}")
    return getattr(builder, methods[0])(unquote(value))


def request_builder(sdk: GraphServiceClient, path: str) -> Any:
    """The SDK's request builder for a v1.0 `path`; ValueError when the SDK has none."""
    builder: Any = sdk
    for segment in path.strip("/").split("/"):
        name = _attribute(segment)
        if not segment:
            raise ValueError(f"an empty segment in the Graph path {path!r}")
        if name.isidentifier() and isinstance(getattr(type(builder), name, None), property):
            builder = getattr(builder, name)
        else:
            builder = _by_id(builder, segment)
    return builder


def _query_parameters(builder: Any, query: Mapping[str, str]) -> Any:
    kind = next(
        (
            value
            for name, value in vars(type(builder)).items()
            if name.endswith("GetQueryParameters")
        ),
        None,
    )
    if kind is None:
        if query:
            raise ValueError(f"{type(builder).__name__} takes no query options")
        return None
    fields: dict[str, Any] = {}
    for option, value in query.items():
        name = option.removeprefix("$").lower()
        if not option.startswith("$") or name not in kind.__dataclass_fields__:
            raise ValueError(f"{type(builder).__name__} has no query option {option!r}")
        if name in _LISTS:
            fields[name] = value.split(",")
        elif name in _NUMBERS:
            fields[name] = int(value)
        elif name == "count":
            fields[name] = value.lower() == "true"
        else:
            fields[name] = value
    return kind(**fields)


def v1_get(
    sdk: GraphServiceClient, base_url: str, path: str, query: Mapping[str, str] | None
) -> RequestInformation:
    """The GET of `path` (relative to v1.0) with `query`, as the SDK builds it."""
    from kiota_abstractions.base_request_configuration import RequestConfiguration

    builder = request_builder(sdk, path)
    parameters = _query_parameters(builder, query or {})
    info: RequestInformation = builder.to_get_request_information(
        RequestConfiguration(query_parameters=parameters) if parameters is not None else None
    )
    # A type cast's template uses OData's short alias (`/graph.user`), which Graph accepts;
    # adue sends the full name that graph.md, Graph's docs and the request logs use.
    info.url_template = (info.url_template or "").replace("/graph.", "/microsoft.graph.")
    # The adapter sets it when it sends; a $batch item needs its URL before that.
    info.path_parameters["baseurl"] = base_url
    return info


# Built requests by (base URL, path, query), at most _KEPT: a fleet's tenants send the
# same list reads (the same path and query under the same root), and expanding kiota's
# URL template costs ~0.2 ms of CPU each (std-uritemplate quotes character by character),
# a tenth of a no-op fleet re-run's CPU (bench/fleet_apply.py, py-spy --gil). What is
# kept is the builder's template and parameters with the URL it expanded to, under
# kiota's raw-URL key (what its `with_url` builders set; `url` answers it first). A
# path with object ids (GUIDs: each tenant's groups) is kept by its shape, each id a
# stand-in (_shape), and the ids are put back in the copy (_with_ids): a GUID is
# unreserved characters only, so the template expands it to itself, wherever it is.
_KEPT = 512
_built: dict[tuple[str, str, tuple[tuple[str, str], ...]], tuple[str, dict[str, Any]]] = {}
_built_lock = threading.Lock()  # the wizard's Graph thread and a fleet's loop both build
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_STAND_IN = "5add1e00-0000-4000-8000-{:012d}"  # the n-th id of a path, while it is built
_STAND_INS = re.compile(r"5add1e00-0000-4000-8000-[0-9]{12}")


def _shape(path: str) -> tuple[str, dict[str, str]]:
    """`path` with each GUID segment a stand-in, and the GUID of each stand-in."""
    segments = path.split("/")
    ids: dict[str, str] = {}
    for index, segment in enumerate(segments):
        if _GUID.fullmatch(segment):
            stand_in = _STAND_IN.format(len(ids))
            ids[stand_in] = segment
            segments[index] = stand_in
    return "/".join(segments), ids


def _with_ids(value: Any, ids: Mapping[str, str]) -> Any:
    """A kept parameter with the stand-ins replaced by their ids (in one pass, so an id
    that looks like another stand-in is left as it is)."""
    if not ids or not isinstance(value, str):
        return value
    return _STAND_INS.sub(lambda found: ids.get(found.group(0), found.group(0)), value)


def _build(
    sdk: GraphServiceClient, base_url: str, path: str, query: Mapping[str, str] | None
) -> tuple[str, dict[str, Any]]:
    from kiota_abstractions.request_information import RequestInformation

    info = v1_get(sdk, base_url, path, query)  # ValueError: a path the SDK lacks
    raw = {RequestInformation.RAW_URL_KEY: info.url}
    return info.url_template or "", {**info.path_parameters, **raw}


def v1_request(
    sdk: GraphServiceClient, base_url: str, path: str, query: Mapping[str, str] | None
) -> RequestInformation:
    """v1_get's request, its URL expanded once: the SDK's builder makes it the first
    time; the same request again (in any client, with other object ids) is a copy of
    what it made."""
    from kiota_abstractions.method import Method
    from kiota_abstractions.request_information import RequestInformation

    query_items = tuple((query or {}).items())
    shape, ids = _shape(path)
    if any(_STAND_INS.search(f"{name}={value}") for name, value in query_items):
        shape, ids = path, {}  # a stand-in in the query would be taken for an id
    key = (base_url, shape, query_items)
    with _built_lock:
        built = _built.get(key)
    if built is None:
        built = _build(sdk, base_url, shape, query)
        url = str(built[1][RequestInformation.RAW_URL_KEY])
        if any(url.count(stand_in) != 1 for stand_in in ids):
            # Not each id once in the URL: build this one as it is, and keep nothing.
            template, parameters = _build(sdk, base_url, path, query)
            return RequestInformation(Method.GET, template, parameters)
        with _built_lock:
            if len(_built) >= _KEPT:
                del _built[next(iter(_built))]
            _built[key] = built
    template, parameters = built
    # A new dict each time: the builder's and the kept one are shared.
    return RequestInformation(
        Method.GET, template, {name: _with_ids(v, ids) for name, v in parameters.items()}
    )
