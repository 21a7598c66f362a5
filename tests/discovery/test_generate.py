"""The generated file is Microsoft's template byte for byte, for every cloud."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tui.discovery.save import save
from tui.discovery.well_known import clipboard_text, generate, validate_tenant_id

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"

# Copied verbatim from Microsoft Learn, "Set up account driven Apple User Enrollment"
# (MicrosoftDocs/memdocs: memdocs/intune/enrollment/apple-account-driven-user-enrollment.md,
# commit 01e3d23f, ms.date 11/13/2024) — the three JSON samples, placeholder included.
MICROSOFT_TEMPLATES = {
    "global": '{"Servers":[{"Version":"mdm-byod", "BaseURL":"https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=YourAADTenantID"}]}',
    "usgov": '{"Servers":[{"Version":"mdm-byod", "BaseURL":"https://manage.microsoft.us/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=YourAADTenantID"}]}',
    "usgov-dod": '{"Servers":[{"Version":"mdm-byod", "BaseURL":"https://manage.microsoft.us/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=YourAADTenantID"}]}',
    "china": '{"Servers":[{"Version":"mdm-byod", "BaseURL":"https://manage.microsoft.cn/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=YourAADTenantID"}]}',
}


@pytest.mark.parametrize("cloud", sorted(MICROSOFT_TEMPLATES))
def test_generate_is_microsofts_template_byte_for_byte(cloud: str) -> None:
    expected = MICROSOFT_TEMPLATES[cloud].replace("YourAADTenantID", TENANT)
    text = generate(TENANT, cloud)
    assert text.encode("utf-8") == expected.encode("utf-8")
    assert json.loads(text)["Servers"][0]["Version"] == "mdm-byod"
    assert clipboard_text(TENANT, cloud) == text


def test_generate_normalises_case_and_braces() -> None:
    assert generate("{" + TENANT.upper() + "}") == generate(TENANT)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("contoso.com", "looks like a domain"),
        ("YourAADTenantID", "placeholder"),
        ("1234", "is not a tenant id"),
        ("", "is not a tenant id"),
    ],
)
def test_bad_tenant_id_names_the_field_and_the_fix(value: str, words: str) -> None:
    with pytest.raises(ValueError, match=r"^--tenant-id:") as info:
        validate_tenant_id(value, field="--tenant-id")
    message = str(info.value)
    assert words in message
    assert "Tenant ID" in message  # where to find the right value


def test_unknown_cloud_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown cloud 'mars'"):
        generate(TENANT, "mars")


def test_save_writes_0644_atomically(tmp_path: Path) -> None:
    target = tmp_path / "com.apple.remotemanagement"
    target.write_text("old")
    target.chmod(0o600)
    save(target, TENANT, "usgov")
    assert target.read_bytes() == generate(TENANT, "usgov").encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # published on a web server
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temp file left
