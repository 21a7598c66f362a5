"""The body checks on their own: edge cases a test server would only repeat."""

from __future__ import annotations

import json

import pytest

from tui.discovery.evaluate import Answer, evaluate_document, parse_body
from tui.discovery.well_known import generate

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
GOOD = generate(TENANT).encode()


def _failing(body: bytes, content_type: str | None = "application/json") -> list[tuple[str, str]]:
    findings = evaluate_document(Answer(200, content_type, body), tenant_id=TENANT, cloud="global")
    return [(f.id, f.detail) for f in findings if f.status != "pass"]


def test_good_file_passes_with_charset_and_surrounding_whitespace() -> None:
    assert _failing(b"\n  " + GOOD + b"\r\n", "Application/JSON; charset=utf-8") == []


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"", "empty"),
        (b"\xff\xfe" + GOOD.decode().encode("utf-16-le"), "UTF-16"),
        (b"\x80" + GOOD, "not UTF-8"),
        (b'{"Servers":[{"Version":"mdm-byod",}]}', "not valid JSON"),
        (b"[1, 2]", "top level is a JSON list"),
        (b"<html><head><title>Just a moment...</title></head></html>", "'Just a moment...'"),
        (GOOD + b"}", "extra data after the JSON at byte"),
    ],
)
def test_body_problems_are_json_findings(body: bytes, words: str) -> None:
    finding, doc = parse_body(body)
    assert finding.status == "fail"
    assert finding.id == "json"
    assert words in finding.detail
    assert doc is None


def test_missing_content_type() -> None:
    assert _failing(GOOD, None) == [
        ("content_type", "no Content-Type; the device needs application/json")
    ]


def _with_server(**server: object) -> bytes:
    return json.dumps({"Servers": [server]}).encode()


BASE = f"https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId={TENANT}"


@pytest.mark.parametrize(
    ("body", "finding", "words"),
    [
        (json.dumps({"Servers": {"Version": "mdm-byod"}}).encode(), "servers", "not a list"),
        (json.dumps({"Servers": ["x"]}).encode(), "servers", "not an object"),
        (_with_server(version="mdm-byod", BaseURL=BASE), "version", "'version'"),
        (_with_server(Version="mdm-byod"), "base_url", "no 'BaseURL'"),
        (_with_server(Version="mdm-byod", BaseURL=" " + BASE), "base_url", "spaces"),
        (
            _with_server(Version="mdm-byod", BaseURL=BASE.replace("https", "http")),
            "base_url",
            "http://",
        ),
        (
            _with_server(
                Version="mdm-byod", BaseURL=BASE.replace("PostReportDeviceInfoForUEV2", "x")
            ),
            "base_url",
            "path",
        ),
        (
            _with_server(
                Version="mdm-byod",
                BaseURL=BASE.replace("manage.microsoft.com", "intune.contoso.com"),
            ),
            "base_url",
            "expected https://manage.microsoft.com",
        ),
        (_with_server(Version="mdm-byod", BaseURL=BASE.split("?")[0]), "tenant", "no aadTenantId"),
        (
            _with_server(Version="mdm-byod", BaseURL=BASE.replace(TENANT, "contoso")),
            "tenant",
            "not a tenant id",
        ),
    ],
)
def test_document_problems(body: bytes, finding: str, words: str) -> None:
    failing = _failing(body)
    assert [f for f, _ in failing] == [finding], failing
    assert words in failing[0][1]


def test_tenant_compared_case_insensitively() -> None:
    assert _failing(GOOD.replace(TENANT.encode(), TENANT.upper().encode())) == []


def test_the_fix_names_this_tenant_and_cloud() -> None:
    findings = evaluate_document(
        Answer(200, "application/json", generate(TENANT, "china").encode()),
        tenant_id=TENANT,
        cloud="usgov",
    )
    (bad,) = [f for f in findings if f.status == "fail"]
    assert bad.id == "base_url"
    assert "21Vianet" in bad.detail
    assert f"--tenant-id {TENANT} --cloud usgov" in bad.fix


def test_iphone_and_ipad_compare_json_as_data() -> None:
    spaced = json.dumps(json.loads(GOOD), indent=2).encode()
    assert (
        Answer(200, "application/json", GOOD).comparable()
        == Answer(200, "application/json; charset=utf-8", spaced).comparable()
    )
