"""Judge one answer to the well-known request the way the device would: pure functions, no I/O.

Apple: the device uses the FIRST item of `Servers` (which "needs to contain a single
item"); a malformed body or an HTTP error cancels enrollment. Microsoft: Content-Type
`application/json`, `Version` `mdm-byod`, Intune's BaseURL for the cloud with the
tenant's id (reference/graph.md, "Service discovery").
"""

from __future__ import annotations

import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tui.discovery.findings import failed, passed, warned
from tui.discovery.well_known import (
    MEDIA_TYPE,
    SERVER_VERSION,
    TEMPLATE_PLACEHOLDER,
    WELL_KNOWN_PATH,
    is_tenant_id,
)
from tui.findings import Finding
from tui.graph.clouds import CLOUDS, get_cloud

_BASE_PATH = "/EnrollmentServer/PostReportDeviceInfoForUEV2"


def generate_hint(cloud: str, tenant_id: str | None = None) -> str:
    tenant = tenant_id or "<GUID>"
    return f"`adue discovery generate --tenant-id {tenant} --cloud {cloud}` writes the exact file"


_SNIPPET = 120


@dataclass(frozen=True)
class Answer:
    """The final (non-redirect) HTTP answer: what the device would parse."""

    status: int
    content_type: str | None
    body: bytes
    truncated: bool = False  # the server sent more than the checker reads (MAX_BODY)

    @property
    def media_type(self) -> str | None:
        if self.content_type is None:
            return None
        return self.content_type.split(";", 1)[0].strip().lower()

    def summary(self) -> str:
        kind = snippet(self.content_type) if self.content_type else "no Content-Type"
        return f"HTTP {self.status}, {kind}, {len(self.body)} bytes"

    def comparable(self) -> tuple[int, str | None, Any]:
        """What must match between iPhone and iPad (JSON compared as data, not bytes).

        The data is compared in a canonical text form: comparing deeply nested values
        directly could exhaust Python's recursion limit."""
        data: Any = self.body  # not JSON (or not comparable as JSON): compare the bytes
        with contextlib.suppress(ValueError, RecursionError, TypeError):
            data = json.dumps(json.loads(self.body), sort_keys=True)
        return self.status, self.media_type, data


def snippet(data: bytes | str) -> str:
    """A short one-line excerpt of server text, control characters shown as escapes."""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = " ".join(text[: _SNIPPET * 4].split())
    short = text if len(text) <= _SNIPPET else text[:_SNIPPET] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in short)


def shown(value: Any) -> str:
    """A JSON value from the body as evidence: short, on one line, never a traceback."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError, TypeError):
        text = f"a deeply nested {type(value).__name__}"
    return snippet(text)


def status_fix(status: int, domain: str) -> str:
    where = f"https://{domain}{WELL_KNOWN_PATH}"
    if status in (404, 410):
        return (
            f"Publish the file at exactly {where} — folder `.well-known`, file name "
            "`com.apple.remotemanagement` without extension — see `adue discovery recipes`. "
            "(iOS/iPadOS 18.2+ may then ask Apple Business (formerly Apple Business Manager) "
            "instead, which needs the domain verified there.)"
        )
    if status in (401, 403):
        return (
            f"Allow anonymous GET on {where}: no sign-in, IP filter or WAF rule may block "
            "the device."
        )
    if status == 405:
        return f"Allow the GET method on {where}."
    if status >= 500:
        return f"Fix the server error behind {where}; check the web server's error log."
    return f"Serve the file at {where} with status 200."


def check_content_type(answer: Answer) -> Finding:
    if answer.media_type == MEDIA_TYPE:
        return passed("content_type", f"Content-Type: {answer.content_type}")
    header = "no Content-Type"
    if answer.content_type:
        header = f"Content-Type: {snippet(answer.content_type)}"
    return failed(
        "content_type",
        f"{header}; the device needs application/json",
        "Serve the file with `Content-Type: application/json` — an extension-less file "
        "needs an explicit MIME mapping (see `adue discovery recipes` for your server).",
    )


def parse_body(body: bytes) -> tuple[Finding, dict[str, Any] | None]:
    """The `json` finding and, when it passes, the parsed top-level object."""
    save_hint = "Save the file as UTF-8 without a byte-order mark, containing only the JSON."
    if not body.strip():
        return failed("json", "the body is empty", save_hint), None
    if body.startswith(b"\xef\xbb\xbf"):
        return failed(
            "json",
            "the body starts with a UTF-8 byte-order mark (bytes EF BB BF)",
            "Save the file as UTF-8 *without* BOM (Notepad: encoding 'UTF-8', not 'UTF-8 with "
            "BOM'; PowerShell 7: `Set-Content -Encoding utf8NoBOM`), or use "
            "`adue discovery generate -o`.",
        ), None
    if body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return failed("json", "the body is UTF-16 (it starts with a UTF-16 BOM)", save_hint), None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return failed("json", f"the body is not UTF-8 (byte {exc.start})", save_hint), None
    stripped = text.lstrip()
    if stripped.startswith("<"):
        title = re.search(r"<title>(.*?)</title>", stripped, re.IGNORECASE | re.DOTALL)
        what = f"an HTML page titled {snippet(title.group(1))!r}" if title else "HTML/XML"
        return failed(
            "json",
            f"the body is {what}, not JSON: {snippet(stripped)}",
            "The server answers a page instead of the file: check the path and file name, "
            "and exclude /.well-known/ from error pages, single-page-app fallbacks and rewrites.",
        ), None
    start = len(text) - len(stripped)
    try:
        data, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as exc:
        return failed(
            "json",
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}: {snippet(text)}",
            save_hint + " " + generate_hint("<cloud>") + ".",
        ), None
    except RecursionError:
        return failed(
            "json",
            f"the JSON is nested too deeply to read: {snippet(text)}",
            "Serve the file itself (one object with one Servers item); "
            + generate_hint("<cloud>")
            + ".",
        ), None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        return failed(
            "json",
            f"the JSON holds a value that cannot be read ({exc}): {snippet(text)}",
            save_hint + " " + generate_hint("<cloud>") + ".",
        ), None
    rest = text[end:]
    if rest.strip():
        offset = len(text[:end].encode("utf-8")) + (len(rest) - len(rest.lstrip()))
        return failed(
            "json",
            f"extra data after the JSON at byte {offset}: {snippet(rest.strip())!r}",
            "Remove everything after the closing brace (the device rejects trailing text); "
            "if a proxy or CMS appends it, serve the file as a static file.",
        ), None
    if not isinstance(data, dict):
        return failed(
            "json",
            f"the top level is a JSON {type(data).__name__}, not an object",
            save_hint + " " + generate_hint("<cloud>") + ".",
        ), None
    return passed("json", f"valid JSON, {len(body)} bytes"), data


def check_servers(doc: dict[str, Any]) -> tuple[Finding, dict[str, Any] | None]:
    """The `servers` finding and the item the device would use (the first), if any."""
    fix = 'Use exactly one item: `"Servers":[{"Version":"mdm-byod", "BaseURL":"…"}]`.'
    if "Servers" not in doc:
        near = [k for k in doc if k.lower() == "servers"]
        if near:
            evidence = f"no 'Servers' key, but {near[0]!r}: keys are case-sensitive"
        else:
            evidence = f"no 'Servers' key (keys: {snippet(', '.join(map(repr, doc))) or 'none'})"
        return failed("servers", evidence, fix), None
    servers = doc["Servers"]
    if not isinstance(servers, list):
        return failed("servers", f"'Servers' is a {type(servers).__name__}, not a list", fix), None
    if not servers:
        return failed("servers", "'Servers' is an empty list", fix), None
    first = servers[0]
    if not isinstance(first, dict):
        return failed(
            "servers", f"the first item is a {type(first).__name__}, not an object", fix
        ), None
    if len(servers) > 1:
        return failed(
            "servers",
            f"'Servers' has {len(servers)} items; Apple requires a single item and the device "
            "uses only the first",
            fix,
        ), first
    return passed("servers", "one item"), first


def check_version(item: dict[str, Any], cloud: str, tenant_id: str | None = None) -> Finding:
    value = item.get("Version")
    if value == SERVER_VERSION:
        return passed("version", f"Version: {value!r}")
    if value is None:
        near = [k for k in item if k.lower() == "version"]
        evidence = "no 'Version' key" + (
            f", but {near[0]!r} (keys are case-sensitive)" if near else ""
        )
    else:
        evidence = f"Version is {shown(value)}"
    return failed(
        "version",
        evidence,
        f'Set `"Version":"{SERVER_VERSION}"` (Intune\'s value for user enrollment); '
        + generate_hint(cloud, tenant_id)
        + ".",
    )


def _cloud_of_host(host: str) -> list[str]:
    return [c.label for c in CLOUDS.values() if c.discovery_host == host]


def check_base_url(
    item: dict[str, Any], cloud: str, tenant_id: str | None = None
) -> tuple[Finding, str | None]:
    """The `base_url` finding and the BaseURL string (for the tenant check) when usable."""
    target = get_cloud(cloud)
    expected = (
        f"https://{target.discovery_host}{_BASE_PATH}?aadTenantId={tenant_id or '<tenant id>'}"
    )
    fix = f"Set BaseURL to {expected}; " + generate_hint(cloud, tenant_id) + "."
    value = item.get("BaseURL")
    if not isinstance(value, str):
        near = [k for k in item if k.lower() == "baseurl" and k != "BaseURL"]
        if value is None:
            evidence = "no 'BaseURL' key" + (f", but {near[0]!r}" if near else "")
        else:
            evidence = f"BaseURL is a {type(value).__name__}, not a string"
        return failed("base_url", evidence, fix), None
    if value != value.strip():
        return failed("base_url", f"BaseURL has spaces around it: {shown(value)}", fix), None
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for a port that is not a number in range
    except ValueError as exc:
        return failed("base_url", f"BaseURL {shown(value)} is not a valid URL ({exc})", fix), None
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or host != target.discovery_host:
        others = _cloud_of_host(host)
        evidence = f"BaseURL host is {snippet(parts.scheme)}://{snippet(host) or '?'}"
        if others:
            evidence += f" — Intune for {' / '.join(others)}, not {target.label}"
        else:
            evidence += f", expected https://{target.discovery_host} ({target.label})"
        return failed("base_url", evidence, fix), value
    if parts.path.lower() != _BASE_PATH.lower() or port is not None:
        return failed(
            "base_url", f"BaseURL path is {shown(parts.path)}, expected {_BASE_PATH!r}", fix
        ), value
    return passed("base_url", f"{target.discovery_host}{_BASE_PATH} ({target.label})"), value


def check_tenant(base_url: str, tenant_id: str | None, cloud: str) -> Finding:
    fix = (
        "Put your directory (tenant) ID after `aadTenantId=` (Entra admin center > Overview > "
        "Tenant ID); " + generate_hint(cloud, tenant_id) + "."
    )
    values = parse_qs(urlsplit(base_url).query, keep_blank_values=True).get("aadTenantId", [])
    if not values:
        return failed("tenant", "BaseURL has no aadTenantId parameter", fix)
    found = values[0]
    if found == TEMPLATE_PLACEHOLDER:
        return failed(
            "tenant", f"aadTenantId is still the documentation's placeholder {found!r}", fix
        )
    if not is_tenant_id(found):
        return failed("tenant", f"aadTenantId {shown(found)} is not a tenant id (GUID)", fix)
    if tenant_id is None:
        return warned(
            "tenant",
            f"the file names tenant {found}; not compared (no tenant id given)",
            "Pass --tenant-id (or sign in first) so the check can compare it with your tenant.",
        )
    if found.lower() != tenant_id.lower():
        return failed("tenant", f"the file names tenant {found}, this tenant is {tenant_id}", fix)
    return passed("tenant", f"aadTenantId {found}")


def evaluate_document(answer: Answer, *, tenant_id: str | None, cloud: str) -> list[Finding]:
    """Findings for a 200 answer: content type, JSON, Servers, Version, BaseURL, tenant."""
    findings = [check_content_type(answer)]
    if answer.truncated:
        findings.append(
            failed(
                "json",
                f"the body is larger than {len(answer.body) // 1024} KiB (the file is about "
                f"200 bytes); it starts: {snippet(answer.body)}",
                "Serve only the file at this path (no page, archive or stream); "
                + generate_hint(cloud, tenant_id)
                + ".",
            )
        )
        return findings
    json_finding, doc = parse_body(answer.body)
    findings.append(json_finding)
    if doc is None:
        return findings
    servers_finding, item = check_servers(doc)
    findings.append(servers_finding)
    if item is None:
        return findings
    findings.append(check_version(item, cloud, tenant_id))
    base_finding, base_url = check_base_url(item, cloud, tenant_id)
    findings.append(base_finding)
    if base_url is not None:
        findings.append(check_tenant(base_url, tenant_id, cloud))
    return findings
