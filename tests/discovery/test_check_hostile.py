"""Hostile and broken servers: the check ends in time and turns every answer into findings.

All against the real local HTTPS server (servers.py): a body trickling one byte every
2 s, bodies of every shape (deeply nested, arrays, numbers, huge, not UTF-8, control
characters), a BaseURL that is not a URL, malformed Location headers, and redirects to
loopback/private addresses, which an iPhone on the internet cannot follow.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.discovery.servers import (
    HOSTILE_BODIES,
    HOSTILE_REDIRECTS,
    TENANT,
    TRICKLE_SECONDS,
    Listener,
    domain_for,
)
from tests.discovery.test_cli import adue
from tui.discovery.check import check_domain
from tui.discovery.findings import FINDING_IDS, DiscoveryReport
from tui.sandbox.tls import TlsFiles

MARGIN_S = 1.5  # what "the timeout plus a small margin" allows


async def _check(host: Listener, tls: TlsFiles, domain: str, limit_s: float = 5) -> DiscoveryReport:
    return await check_domain(
        domain,
        tenant_id=TENANT,
        verify=str(tls.ca_path),
        connect_to=host.connect_to,
        timeout=limit_s,
    )


def _failing(report: DiscoveryReport) -> list[str]:
    return [f.id for f in report.findings if f.status == "fail"]


def _assert_findings_are_clean(report: DiscoveryReport) -> None:
    """Every finding is a known id with one-line printable evidence of modest size."""
    for finding in report.findings:
        assert finding.id in FINDING_IDS
        assert finding.detail.isprintable(), finding
        assert len(finding.detail) < 1000, finding
        assert finding.status == "pass" or finding.fix


async def test_a_trickling_body_cannot_hold_the_check(
    discovery_host: Listener, tls_files: TlsFiles
) -> None:
    # One byte every 2 s: each read is within a 3 s per-read timeout, so only a
    # deadline for the whole check stops it.
    assert TRICKLE_SECONDS < 3
    started = time.monotonic()
    report = await _check(discovery_host, tls_files, domain_for("trickle"), limit_s=3)
    took = time.monotonic() - started
    assert took < 3 + MARGIN_S, took
    assert _failing(report) == ["timeout"]
    timeout = report.finding("timeout")
    assert timeout is not None
    assert "3 s limit" in timeout.detail
    assert report.status == "error"


def test_cli_timeout_bounds_the_whole_check(discovery_host: Listener, tls_files: TlsFiles) -> None:
    started = time.monotonic()
    result = adue(
        "discovery",
        "check",
        domain_for("trickle"),
        "--tenant-id",
        TENANT,
        "--connect-to",
        f"127.0.0.1:{discovery_host.port}",
        "--ca-file",
        str(tls_files.ca_path),
        "--timeout",
        "3",
        "--json",
    )
    took = time.monotonic() - started
    # The process also starts Python and imports httpx: allow for that on a busy machine.
    assert took < 3 + MARGIN_S + 3, took
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert [f["id"] for f in json.loads(result.stdout)["findings"] if f["status"] == "fail"] == [
        "timeout"
    ]


@pytest.mark.parametrize("variant", sorted(HOSTILE_BODIES))
async def test_every_body_shape_gives_findings(
    variant: str, discovery_host: Listener, tls_files: TlsFiles
) -> None:
    report = await _check(discovery_host, tls_files, domain_for(variant))
    _assert_findings_are_clean(report)
    assert report.status == ("pass" if variant == "body-extra-fields" else "fail"), report.findings
    json.dumps(report.to_dict())  # the --json report can always be written


@pytest.mark.parametrize(
    ("variant", "failing", "words"),
    [
        ("body-deep-array", "json", "nested too deeply"),
        ("body-deep-object", "json", "nested too deeply"),
        ("body-deep-version", "json", "nested too deeply"),
        ("body-huge-int", "json", "cannot be read"),
        ("body-huge", "json", "larger than 64 KiB"),
        ("body-not-utf8", "json", "not UTF-8"),
        ("body-array", "json", "JSON list"),
        ("body-number", "json", "JSON float"),
        ("body-null", "json", "JSON NoneType"),
        ("body-servers-null", "servers", "NoneType"),
        ("body-item-number", "servers", "int"),
        ("body-nested-values", "version", '{"a": [1, {"b": null}]}'),
        ("body-bracket-base-url", "base_url", "not a valid URL"),
        ("body-bad-port-base-url", "base_url", "not a valid URL"),
        ("body-control-chars", "version", "\\u001b]0;pwned\\u0007"),
    ],
)
async def test_body_findings_name_the_problem(
    variant: str, failing: str, words: str, discovery_host: Listener, tls_files: TlsFiles
) -> None:
    report = await _check(discovery_host, tls_files, domain_for(variant))
    assert failing in _failing(report), report.findings
    finding = report.finding(failing)
    assert finding is not None, finding
    assert words in finding.detail, finding


def test_a_base_url_with_a_bracket_is_a_finding_not_a_usage_error(
    discovery_host: Listener, tls_files: TlsFiles
) -> None:
    result = adue(
        "discovery",
        "check",
        domain_for("body-bracket-base-url"),
        "--tenant-id",
        TENANT,
        "--connect-to",
        f"127.0.0.1:{discovery_host.port}",
        "--ca-file",
        str(tls_files.ca_path),
        "--timeout",
        "5",
    )
    assert result.returncode == 2, result.stdout + result.stderr
    assert "FAIL  BaseURL is Intune's for this cloud: BaseURL" in result.stdout
    assert "not a valid URL" in result.stdout
    assert "Traceback" not in result.stderr
    assert "usage" not in result.stderr


@pytest.mark.parametrize(
    ("variant", "address"),
    [
        ("redirect-loopback", "127.0.0.1"),
        ("redirect-private10", "10.20.30.40"),
        ("redirect-private172", "172.20.1.1"),
        ("redirect-private192", "192.168.1.10"),
        ("redirect-linklocal", "169.254.169.254"),
        ("redirect-ipv6-loopback", "::1"),
        ("redirect-ipv6-ula", "fd12:3456::1"),
        ("redirect-ipv6-linklocal", "fe80::1"),
        ("redirect-mapped", "::ffff:10.0.0.1"),
        ("redirect-localhost", "localhost"),  # the name resolves to loopback
        ("redirect-other-localhost", "files.localhost"),
    ],
)
async def test_a_redirect_to_a_private_address_is_a_finding(
    variant: str, address: str, discovery_host: Listener, tls_files: TlsFiles
) -> None:
    report = await _check(discovery_host, tls_files, domain_for(variant))
    assert _failing(report) == ["redirects"], report.findings
    finding = report.finding("redirects")
    assert finding is not None
    assert address in finding.detail
    assert "cannot reach" in finding.detail
    assert HOSTILE_REDIRECTS[variant].split("/.well-known")[0] in finding.detail
    # The checker did not follow it: one hop, the redirect itself.
    assert [hop.status for hop in report.requests["iPhone"]] == [302]


async def test_a_loopback_domain_may_redirect_within_the_machine(
    discovery_host: Listener, tls_files: TlsFiles
) -> None:
    # The checked domain is loopback itself (like the sandbox): a redirect to another
    # loopback name is followed, and that target serves the file.
    report = await check_domain(
        "redirect-other-localhost.localhost",
        tenant_id=TENANT,
        verify=str(tls_files.ca_path),
        connect_to=discovery_host.connect_to,
        timeout=5,
    )
    assert [hop.status for hop in report.requests["iPhone"]] == [302, 200]
    assert report.status == "warn", report.findings
    redirects = report.finding("redirects")
    assert redirects is not None
    assert redirects.status == "warn"
    assert "cannot reach" not in redirects.detail


@pytest.mark.parametrize("variant", ["redirect-bracket", "redirect-bad-port"])
async def test_a_malformed_location_is_a_finding(
    variant: str, discovery_host: Listener, tls_files: TlsFiles
) -> None:
    report = await _check(discovery_host, tls_files, domain_for(variant))
    _assert_findings_are_clean(report)
    assert _failing(report) == ["redirects"], report.findings
    finding = report.finding("redirects")
    assert finding is not None
    assert "not a valid URL" in finding.detail


def test_a_location_with_control_characters_is_not_followed() -> None:
    # h11 refuses to send such a header, so this one is checked without a server.
    from tui.discovery.check import _redirect_target

    base = "https://contoso.test/.well-known/com.apple.remotemanagement"
    assert _redirect_target(base, "/next\x1b[31m") is None
    assert _redirect_target(base, "https://[::1/") is None
    assert _redirect_target(base, "/next") == "https://contoso.test/next"
