"""What the sandbox's discovery host answers: the correct file, or one broken variant.

Each broken variant reproduces one misconfiguration `discovery check` detects, so an
admin can rehearse what a mistake looks like (`adue sandbox --discovery-variant ...`)
and the tests can prove each one is named by its own finding.

The sandbox routes these paths here (everything else is its own business):
`/.well-known/...` (the file, and the `.json` variant) and `REDIRECT_TARGET_PATH`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from tui.discovery.well_known import MEDIA_TYPE, TEMPLATE_PLACEHOLDER, WELL_KNOWN_PATH, generate
from tui.graph.clouds import CLOUDS, get_cloud

# Where the redirect variants send the device (a path on the same host).
REDIRECT_TARGET_PATH = "/adue-discovery/com.apple.remotemanagement"
JSON_EXTENSION_PATH = WELL_KNOWN_PATH + ".json"
SANDBOX_PATHS = (WELL_KNOWN_PATH, JSON_EXTENSION_PATH, REDIRECT_TARGET_PATH)

# A tenant that is not the sandbox's, for the "wrong tenant" variants.
OTHER_TENANT_ID = "0f0e0d0c-0b0a-4909-8807-060504030201"


@dataclass(frozen=True)
class Variant:
    name: str
    finding: str  # the finding id `check` reports for it ("" for ok)
    status: str  # that finding's status: pass, warn or fail
    description: str


_VARIANTS: tuple[Variant, ...] = (
    Variant("ok", "", "pass", "the correct file"),
    Variant("redirect", "redirects", "warn", "a redirect to another path that serves the file"),
    Variant(
        "redirect-query",
        "redirects",
        "fail",
        "a redirect to an endpoint that needs the query parameters the device drops",
    ),
    Variant("redirect-loop", "redirects", "fail", "two paths redirecting to each other"),
    Variant("http-404", "http_status", "fail", "404 Not Found"),
    Variant("json-extension", "extension", "fail", "the file only exists with a .json extension"),
    Variant("content-type", "content_type", "fail", "served as application/octet-stream"),
    Variant("json-bom", "json", "fail", "the JSON starts with a UTF-8 byte-order mark"),
    Variant("json-html", "json", "fail", "an HTML error page instead of JSON"),
    Variant("json-trailing", "json", "fail", "extra text after the JSON"),
    Variant("servers-missing", "servers", "fail", "'servers' in lower case: no 'Servers' key"),
    Variant("servers-empty", "servers", "fail", "an empty 'Servers' list"),
    Variant("servers-two", "servers", "fail", "two items in 'Servers'"),
    Variant("version", "version", "fail", "'Version' is 'mdm' instead of 'mdm-byod'"),
    Variant("base-url", "base_url", "fail", "another cloud's Intune BaseURL"),
    Variant("tenant", "tenant", "fail", "another tenant's id in the BaseURL"),
    Variant("placeholder", "tenant", "fail", "the documentation's placeholder left in"),
    Variant("model-family", "model_family", "fail", "iPad gets 404 while iPhone gets the file"),
)

VARIANTS: tuple[str, ...] = tuple(v.name for v in _VARIANTS)
VARIANT_INFO: dict[str, Variant] = {v.name: v for v in _VARIANTS}

Response = tuple[int, dict[str, str], bytes]

_NOT_FOUND_HTML = (
    b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
    b"<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p>"
    b"</body></html>\n"
)


def _json(body: bytes, status: int = 200) -> Response:
    return status, {"Content-Type": MEDIA_TYPE}, body


def _not_found() -> Response:
    return 404, {"Content-Type": "text/html; charset=utf-8"}, _NOT_FOUND_HTML


def _redirect(location: str, status: int = 301) -> Response:
    return status, {"Location": location, "Content-Type": "text/plain"}, b""


def _other_cloud(cloud: str) -> str:
    """A cloud whose Intune host differs from `cloud`'s (for the wrong-BaseURL variant)."""
    host = get_cloud(cloud).discovery_host
    return next(name for name, c in CLOUDS.items() if c.discovery_host != host)


def _document(variant: str, tenant_id: str, cloud: str) -> bytes:
    """The body the well-known path serves for the content variants."""
    good = generate(tenant_id, cloud)
    server = json.loads(good)["Servers"][0]
    bodies: dict[str, Callable[[], bytes]] = {
        "json-bom": lambda: b"\xef\xbb\xbf" + good.encode(),
        "json-html": lambda: (
            b"<!DOCTYPE html>\n<html><body><h1>500 Internal Server Error</h1></body></html>\n"
        ),
        "json-trailing": lambda: good.encode() + b"\n<!-- served by cache-node-7 -->\n",
        "servers-missing": lambda: json.dumps({"servers": [server]}).encode(),
        "servers-empty": lambda: json.dumps({"Servers": []}).encode(),
        "servers-two": lambda: json.dumps({"Servers": [server, server]}).encode(),
        "version": lambda: json.dumps({"Servers": [{**server, "Version": "mdm"}]}).encode(),
        "base-url": lambda: generate(tenant_id, _other_cloud(cloud)).encode(),
        "tenant": lambda: generate(OTHER_TENANT_ID, cloud).encode(),
        "placeholder": lambda: good.replace(tenant_id.lower(), TEMPLATE_PLACEHOLDER).encode(),
    }
    body = bodies.get(variant)
    return body() if body else good.encode()


def sandbox_response(
    variant: str, tenant_id: str, cloud: str, path: str, query: dict[str, str]
) -> Response:
    """(status, headers, body) the sandbox's discovery host answers for GET `path`.

    `path` is the request path without the query string; `query` its parameters.
    Raises ValueError for an unknown variant (the message lists the choices).
    """
    if variant not in VARIANT_INFO:
        raise ValueError(
            f"unknown discovery variant {variant!r}: choose one of {', '.join(VARIANTS)}"
        )
    path = path.rstrip("/") or "/"
    good = generate(tenant_id, cloud).encode()

    if path == JSON_EXTENSION_PATH:
        return _json(good) if variant == "json-extension" else _not_found()
    if path == REDIRECT_TARGET_PATH:
        return _redirect_target(variant, good, query)
    if path != WELL_KNOWN_PATH:
        return _not_found()
    return _well_known(variant, tenant_id, cloud, query)


def _redirect_target(variant: str, good: bytes, query: dict[str, str]) -> Response:
    """Where the redirect variants send the device."""
    if variant == "redirect":
        return _json(good)
    if variant == "redirect-loop":
        return _redirect(WELL_KNOWN_PATH, 302)
    if variant == "redirect-query":
        if query.get("user-identifier"):
            return _json(good)
        return _json(b'{"error":"user-identifier is required"}', 400)
    return _not_found()


def _well_known(variant: str, tenant_id: str, cloud: str, query: dict[str, str]) -> Response:
    """The well-known path itself."""
    good = generate(tenant_id, cloud).encode()
    if variant in ("redirect", "redirect-loop", "redirect-query"):
        return _redirect(REDIRECT_TARGET_PATH, 302 if variant != "redirect" else 301)
    if variant in ("http-404", "json-extension"):
        return _not_found()
    if variant == "model-family" and query.get("model-family") == "iPad":
        return _not_found()
    if variant == "content-type":
        return 200, {"Content-Type": "application/octet-stream"}, good
    return _json(_document(variant, tenant_id, cloud))
