"""Every misconfiguration the sandbox can serve is named by its own finding, and only that.

Real HTTPS over loopback: httpx -> TLS (the test CA) -> uvicorn -> sandbox_response.
"""

from __future__ import annotations

import json

import pytest

from tests.discovery.servers import TENANT, Listener, Seen, domain_for
from tui.discovery.check import check_domain, check_domains
from tui.discovery.findings import DEVICE_ERROR, DEVICE_ERROR_IDS, FINDING_IDS, DiscoveryReport
from tui.discovery.well_known import WELL_KNOWN_PATH
from tui.graph.clouds import CLOUDS
from tui.sandbox.discovery_variants import VARIANT_INFO, VARIANTS
from tui.sandbox.tls import TlsFiles

BROKEN = [v for v in VARIANTS if v != "ok"]


async def _check(
    variant: str, host: Listener, tls: TlsFiles, cloud: str = "global", **kw: object
) -> DiscoveryReport:
    return await check_domain(
        domain_for(variant, cloud),
        tenant_id=kw.pop("tenant_id", TENANT),  # type: ignore[arg-type]
        cloud=cloud,
        verify=str(tls.ca_path),
        connect_to=host.connect_to,
        timeout=5,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("cloud", sorted(CLOUDS))
async def test_correct_file_passes_for_each_cloud(
    cloud: str, discovery_host: Listener, tls_files: TlsFiles
) -> None:
    report = await _check("ok", discovery_host, tls_files, cloud)
    assert report.status == "pass", [f for f in report.findings if f.status != "pass"]
    assert [f.id for f in report.findings] == list(FINDING_IDS)  # every check ran, in order
    assert all(f.fix == "" for f in report.findings)
    base = report.finding("base_url")
    assert base is not None
    assert CLOUDS[cloud].discovery_host in base.detail


async def test_the_right_file_for_the_wrong_cloud_fails_base_url(
    discovery_host: Listener, tls_files: TlsFiles
) -> None:
    # The server publishes the global file; the tenant lives in US Government.
    report = await check_domain(
        domain_for("ok", "global"),
        tenant_id=TENANT,
        cloud="usgov",
        verify=str(tls_files.ca_path),
        connect_to=discovery_host.connect_to,
        timeout=5,
    )
    assert [f.id for f in report.failures] == ["base_url"]
    assert "manage.microsoft.com" in report.failures[0].detail
    assert "manage.microsoft.us" in report.failures[0].fix


@pytest.mark.parametrize("variant", BROKEN)
async def test_each_misconfiguration_gets_its_own_finding_and_no_other(
    variant: str, discovery_host: Listener, tls_files: TlsFiles
) -> None:
    info = VARIANT_INFO[variant]
    report = await _check(variant, discovery_host, tls_files)
    not_passing = [(f.id, f.status) for f in report.findings if f.status != "pass"]
    assert not_passing == [(info.finding, info.status)], report.findings
    finding = report.finding(info.finding)
    assert finding is not None
    assert finding.detail
    assert finding.fix
    assert report.status == info.status
    json.dumps(report.to_dict())  # serialisable


@pytest.mark.parametrize("variant", BROKEN)
async def test_each_failure_that_stops_the_device_names_its_on_device_error(
    variant: str, discovery_host: Listener, tls_files: TlsFiles
) -> None:
    # Microsoft documents what the device then shows (enrollment-facts.md); a wrong
    # BaseURL or tenant is a usable answer and fails later, with other words.
    report = await _check(variant, discovery_host, tls_files)
    for finding in report.failures:
        assert (DEVICE_ERROR in finding.fix) == (finding.id in DEVICE_ERROR_IDS), finding
        assert "Your Apple ID does not support the expected services on this device" in (
            DEVICE_ERROR
        )


async def test_device_request_shape_and_redirect_drops_query(
    discovery_host: Listener, tls_files: TlsFiles, seen_requests: list[Seen]
) -> None:
    seen = seen_requests
    user = f"alex@{domain_for('redirect')}"
    report = await _check("redirect", discovery_host, tls_files, user_identifier=user)
    assert report.status == "warn"
    first, second = seen[0], seen[1]
    # What an iPhone sends: the sign-in domain as Host (and SNI), the well-known path, both
    # query parameters...
    assert first.host == domain_for("redirect")
    assert first.path == WELL_KNOWN_PATH
    assert first.query == {"user-identifier": user, "model-family": "iPhone"}
    # ...and after a redirect, the target WITHOUT the query, as the device does.
    assert second.path != WELL_KNOWN_PATH
    assert second.query == {}
    assert {s.query.get("model-family") for s in seen} >= {"iPhone", "iPad"}
    hops = report.requests["iPhone"]
    assert hops[0].status == 301
    assert hops[0].location
    assert hops[0].location.endswith(second.path)
    assert hops[1].status == 200
    assert hops[1].location is None
    warning = report.finding("redirects")
    assert warning is not None
    assert "does not carry" in warning.detail


async def test_without_tenant_id_the_tenant_is_not_compared(
    discovery_host: Listener, tls_files: TlsFiles
) -> None:
    report = await _check("tenant", discovery_host, tls_files, tenant_id=None)
    assert [(f.id, f.status) for f in report.findings if f.status != "pass"] == [("tenant", "warn")]


async def test_report_json_shape(discovery_host: Listener, tls_files: TlsFiles) -> None:
    report = await _check("http-404", discovery_host, tls_files)
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) >= {
        "schema",
        "domain",
        "url",
        "cloud",
        "tenant_id",
        "user_identifier",
        "connect_to",
        "checked_at",
        "status",
        "findings",
        "requests",
    }
    assert data["schema"] == 1
    assert data["status"] == "fail"
    assert data["connect_to"] == f"127.0.0.1:{discovery_host.port}"
    for finding in data["findings"]:
        assert set(finding) == {"id", "status", "title", "evidence", "fix"}
        assert finding["status"] in ("pass", "warn", "fail")
    hop = data["requests"]["iPhone"][0]
    assert set(hop) == {"url", "status", "content_type", "location", "error"}
    assert hop["status"] == 404


async def test_several_domains_at_once(discovery_host: Listener, tls_files: TlsFiles) -> None:
    domains = [domain_for("ok"), domain_for("version"), domain_for("ok").upper()]
    reports = await check_domains(
        domains,
        tenant_id=TENANT,
        verify=str(tls_files.ca_path),
        connect_to=discovery_host.connect_to,
        timeout=5,
    )
    assert list(reports) == [domain_for("ok"), domain_for("version")]  # normalised, deduped
    assert reports[domain_for("ok")].status == "pass"
    assert [f.id for f in reports[domain_for("version")].failures] == ["version"]
