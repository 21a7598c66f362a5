"""Transport problems: DNS, refused, timeout, plain HTTP, untrusted or wrong certificate.

All traffic stays on 127.0.0.1; the DNS case uses a `.invalid` name (RFC 6761), which
the checker answers itself without asking any resolver.
"""

from __future__ import annotations

import re
import socket
import ssl
import time
from pathlib import Path

import pytest

from tests.discovery.servers import TENANT, Listener, domain_for
from tui.discovery.check import check_domain, check_domain_sync
from tui.discovery.findings import DiscoveryReport
from tui.discovery.http import classify, trust_context
from tui.sandbox.tls import TlsFiles


def _only_failure(report: DiscoveryReport) -> str:
    """The id of the single non-passing finding (the test fails if there are more)."""
    not_passing = [f for f in report.findings if f.status != "pass"]
    assert len(not_passing) == 1, not_passing
    assert not_passing[0].status == "fail"
    assert not_passing[0].detail
    assert not_passing[0].fix
    return not_passing[0].id


async def test_dns_failure_is_could_not_check() -> None:
    report = await check_domain("nosuch.invalid", tenant_id=TENANT, timeout=2)
    assert _only_failure(report) == "dns"
    assert report.status == "error"
    assert report.requests == {}  # no HTTP request was attempted


async def test_dns_failure_of_the_connect_to_host() -> None:
    report = await check_domain(
        "contoso.test", tenant_id=TENANT, connect_to=("staging.invalid", 443), timeout=2
    )
    assert _only_failure(report) == "dns"
    assert "staging.invalid" in report.findings[0].detail


async def test_connection_refused(closed_port: int, tls_files: TlsFiles) -> None:
    report = await check_domain(
        domain_for("ok"),
        tenant_id=TENANT,
        verify=str(tls_files.ca_path),
        connect_to=("127.0.0.1", closed_port),
        timeout=2,
    )
    assert _only_failure(report) == "connect"
    assert report.status == "error"
    assert report.requests["iPhone"][0].error


async def test_timeout_when_the_server_never_answers(
    silent_host: Listener, tls_files: TlsFiles
) -> None:
    started = time.monotonic()
    report = await check_domain(
        domain_for("ok"),
        tenant_id=TENANT,
        verify=str(tls_files.ca_path),
        connect_to=silent_host.connect_to,
        timeout=0.5,
    )
    assert time.monotonic() - started < 5
    assert _only_failure(report) == "timeout"
    assert report.status == "error"


async def test_plain_http_is_not_https(plain_http_host: Listener, tls_files: TlsFiles) -> None:
    report = await check_domain(
        domain_for("ok"),
        tenant_id=TENANT,
        verify=str(tls_files.ca_path),
        connect_to=plain_http_host.connect_to,
        timeout=2,
    )
    assert _only_failure(report) == "https"
    assert "plain HTTP" in report.failures[0].detail
    assert report.status == "fail"


async def test_redirect_to_plain_http_is_not_https(
    discovery_host: Listener, tls_files: TlsFiles
) -> None:
    report = await check_domain(
        domain_for("redirect-http"),
        tenant_id=TENANT,
        verify=str(tls_files.ca_path),
        connect_to=discovery_host.connect_to,
        timeout=2,
    )
    assert _only_failure(report) == "https"
    assert "http://" in report.failures[0].detail
    assert len(report.requests["iPhone"]) == 1  # the http:// target is never fetched


async def test_certificate_from_an_untrusted_ca(discovery_host: Listener, other_ca: Path) -> None:
    report = await check_domain(
        domain_for("ok"),
        tenant_id=TENANT,
        verify=str(other_ca),
        connect_to=discovery_host.connect_to,
        timeout=2,
    )
    assert _only_failure(report) == "certificate"
    assert "not trusted" in report.failures[0].detail
    assert report.status == "fail"


async def test_certificate_for_another_name(discovery_host: Listener, tls_files: TlsFiles) -> None:
    # The server's certificate does not name this domain (SNI and Host are the domain's).
    report = await check_domain(
        "intranet.fabrikam.test",
        tenant_id=TENANT,
        verify=str(tls_files.ca_path),
        connect_to=discovery_host.connect_to,
        timeout=2,
    )
    assert _only_failure(report) == "certificate"
    assert "intranet.fabrikam.test" in report.failures[0].detail


async def test_ssl_cert_file_is_honoured(
    discovery_host: Listener, tls_files: TlsFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files.ca_path))
    report = await check_domain(
        domain_for("ok"), tenant_id=TENANT, connect_to=discovery_host.connect_to, timeout=2
    )
    assert report.status == "pass"


async def test_system_trust_store_does_not_trust_the_test_ca(
    discovery_host: Listener, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    report = await check_domain(
        domain_for("ok"), tenant_id=TENANT, connect_to=discovery_host.connect_to, timeout=2
    )
    assert _only_failure(report) == "certificate"


async def test_verification_off_warns(discovery_host: Listener) -> None:
    report = await check_domain(
        domain_for("ok"),
        tenant_id=TENANT,
        verify=False,
        connect_to=discovery_host.connect_to,
        timeout=2,
    )
    assert [(f.id, f.status) for f in report.findings if f.status != "pass"] == [
        ("certificate", "warn")
    ]


def test_an_ssl_context_is_used_as_given(discovery_host: Listener, tls_files: TlsFiles) -> None:
    context = ssl.create_default_context(cafile=str(tls_files.ca_path))
    assert trust_context(context) is context
    report = check_domain_sync(
        domain_for("ok"),
        tenant_id=TENANT,
        verify=context,
        connect_to=discovery_host.connect_to,
        timeout=2,
    )
    assert report.status == "pass"
    certificate = report.finding("certificate")
    assert certificate is not None
    assert "adue sandbox CA" in certificate.detail


def test_a_bad_ca_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ValueError, match=r"CA file: .*ca\.pem is not a readable PEM"):
        trust_context(str(bad))


def test_resolver_errors_are_dns_findings() -> None:
    # What getaddrinfo raises for an unknown name, as httpx would wrap it.
    import httpx

    try:
        raise httpx.ConnectError("failed") from socket.gaierror(
            socket.EAI_NONAME, "Name or service not known"
        )
    except httpx.ConnectError as exc:
        finding = classify(exc, "https://contoso.com/x", "contoso.com:443", 5)
    assert finding.id == "dns"
    assert "contoso.com does not resolve" in finding.detail


@pytest.mark.parametrize(
    ("domain", "user", "words"),
    [
        ("not a domain", None, "domain: 'not a domain' is not a domain name"),
        ("contoso.com", "alex@fabrikam.com", "user: 'alex@fabrikam.com' signs in with"),
        ("contoso.com", "alex", "user: 'alex' is not a sign-in name"),
    ],
)
async def test_bad_input_names_the_field(domain: str, user: str | None, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        await check_domain(domain, tenant_id=TENANT, user_identifier=user)
