"""The well-known service-discovery file: its exact text and the tenant id check (no I/O;
tui.discovery.save writes it).

Microsoft's template, from "Set up account driven Apple User Enrollment"
(learn.microsoft.com/mem/intune/enrollment/apple-account-driven-user-enrollment;
source MicrosoftDocs/memdocs, memdocs/intune/enrollment/apple-account-driven-user-enrollment.md,
commit 01e3d23f, ms.date 11/13/2024), for Intune, Intune for US Government and 21Vianet:

    {"Servers":[{"Version":"mdm-byod", "BaseURL":"https://manage.microsoft.com/EnrollmentServer/PostReportDeviceInfoForUEV2?aadTenantId=YourAADTenantID"}]}

Note the single space after the comma before "BaseURL" and no trailing newline: we
reproduce it byte for byte so admins can diff our file against the documentation.
"""

from __future__ import annotations

import re

from tui.graph.clouds import get_cloud

# Where the device looks (Apple): https://<domain>/.well-known/com.apple.remotemanagement
WELL_KNOWN_PATH = "/.well-known/com.apple.remotemanagement"
FILE_NAME = "com.apple.remotemanagement"
MEDIA_TYPE = "application/json"
SERVER_VERSION = "mdm-byod"

# The documentation's placeholder; seeing it in a published file means nobody replaced it.
TEMPLATE_PLACEHOLDER = "YourAADTenantID"
_TEMPLATE = '{{"Servers":[{{"Version":"{version}", "BaseURL":"{base_url}"}}]}}'

_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}\Z")


def is_tenant_id(value: str) -> bool:
    """True for a directory (tenant) GUID in its usual 8-4-4-4-12 form."""
    return bool(_GUID.match(value.strip()))


def validate_tenant_id(value: str, *, field: str = "tenant id") -> str:
    """The tenant GUID in lower case, or ValueError naming `field` and how to fix it."""
    text = value.strip().strip("{}")
    if _GUID.match(text):
        return text.lower()
    if "." in text and " " not in text:
        hint = f"{text!r} looks like a domain; the file needs the directory (tenant) ID, a GUID"
    elif text == TEMPLATE_PLACEHOLDER:
        hint = f"{text!r} is the documentation's placeholder, not a tenant id"
    else:
        hint = f"{text!r} is not a tenant id"
    raise ValueError(
        f"{field}: {hint}. Use a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47 — "
        "Microsoft Entra admin center > Overview > Tenant ID."
    )


def generate(tenant_id: str, cloud: str = "global") -> str:
    """The exact JSON text of the well-known file for this tenant and cloud.

    Raises ValueError for a malformed tenant id or an unknown cloud.
    """
    tenant = validate_tenant_id(tenant_id)
    base_url = get_cloud(cloud).discovery_base_url(tenant)
    return _TEMPLATE.format(version=SERVER_VERSION, base_url=base_url)


def clipboard_text(tenant_id: str, cloud: str = "global") -> str:
    """What the wizard copies (OSC 52): exactly the file's content."""
    return generate(tenant_id, cloud)
