"""`incompatible`: demo plus iOS profiles and apps that User Enrollment does not support
(and look-alikes it does support), assigned to the example session's groups or not.

Unsupported and reaching the rollout (BYOD pilot, All iOS users, or everyone): a
device-wide VPN, a per-app VPN with Safari domains, a SCEP profile with the serial
number as subject, an App Store app, a VPP app with device licensing. Supported or not
reaching it: a per-app VPN, a SCEP profile with the UPN, a device-wide VPN for Finance
only, a user-licensed VPP app, an LOB app, an App Store app assigned as uninstall.
What is supported: Microsoft's "Overview of Apple User Enrollment in Microsoft Intune"
(tui/graph/audit.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tui.sandbox.tenant import Tenant, iso, stable_id


def _group(tenant: Tenant, name: str) -> str:
    return str(next(g["id"] for g in tenant.groups.values() if g["displayName"] == name))


def _target(group_id: str | None) -> dict[str, Any]:
    if group_id is None:
        return {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}
    return {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group_id}


def _config(
    tenant: Tenant, key: str, kind: str, name: str, groups: list[str | None], **fields: Any
) -> None:
    cid = stable_id(tenant.tenant_id, "incompatible-config", key)
    stamp = iso(dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    tenant.device_configurations[cid] = {
        "@odata.type": f"#microsoft.graph.{kind}",
        "id": cid,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "displayName": name,
        "description": "",
        "version": 1,
        **fields,
    }
    tenant.config_assignments[cid] = [
        {
            "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "id": f"{cid}_{g or 'all'}",
            "target": _target(g),
        }
        for g in groups
    ]


def _app(
    tenant: Tenant,
    key: str,
    kind: str,
    name: str,
    assignments: list[tuple[str | None, str, bool]],  # group (None: all users), intent, device
    **fields: Any,
) -> None:
    aid = stable_id(tenant.tenant_id, "incompatible-app", key)
    tenant.mobile_apps[aid] = {
        "@odata.type": f"#microsoft.graph.{kind}",
        "id": aid,
        "displayName": name,
        "description": name,
        "publisher": "Contoso",
        "isFeatured": False,
        "publishingState": "published",
        "bundleId": f"com.contoso.{key}",
        **fields,
    }
    items = []
    for group, intent, device_licensing in assignments:
        item: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.mobileAppAssignment",
            "id": f"{aid}_{group or 'all'}_{intent}",
            "intent": intent,
            "target": _target(group),
            "source": "direct",
            "sourceId": None,
        }
        if kind == "iosVppApp":
            item["settings"] = {
                "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
                "useDeviceLicensing": device_licensing,
                "vpnConfigurationId": None,
            }
        items.append(item)
    tenant.app_assignments[aid] = items


def _vpn(**fields: Any) -> dict[str, Any]:
    return {
        "connectionName": "Contoso VPN",
        "connectionType": "ciscoAnyConnectV2",
        "server": {"address": "vpn.contoso.com", "description": "Contoso", "isDefaultServer": True},
        "authenticationMethod": "certificate",
        "enableSplitTunneling": False,
        "safariDomains": [],
        **fields,
    }


def add_incompatible(tenant: Tenant, now: dt.datetime) -> None:
    pilot, ios, finance = (_group(tenant, n) for n in ("BYOD pilot", "All iOS users", "Finance"))
    # Unsupported, reaching the rollout.
    _config(
        tenant,
        "vpn-device",
        "iosVpnConfiguration",
        "iOS – Always-on corporate VPN",
        [pilot],
        **_vpn(enablePerApp=False),
    )
    _config(
        tenant,
        "vpn-safari",
        "iosVpnConfiguration",
        "iOS – Per-app VPN with Safari",
        [ios],
        **_vpn(enablePerApp=True, safariDomains=["intranet.contoso.com"]),
    )
    _config(
        tenant,
        "scep-serial",
        "iosScepCertificateProfile",
        "iOS – Wi-Fi certificate (serial)",
        [None],
        subjectNameFormat="commonNameAsSerialNumber",
        subjectNameFormatString=None,
        scepServerUrls=["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
    )
    _app(
        tenant,
        "notes-store",
        "iosStoreApp",
        "Contoso Notes (App Store)",
        [(pilot, "required", False)],
        appStoreUrl="https://apps.apple.com/us/app/id1",
    )
    _app(
        tenant,
        "zoom-device",
        "iosVppApp",
        "Zoom (device licence)",
        [(ios, "required", True)],
        licensingType={"supportsUserLicensing": True, "supportsDeviceLicensing": True},
    )
    # Supported, or not reaching the rollout.
    _config(
        tenant,
        "vpn-per-app",
        "iosVpnConfiguration",
        "iOS – Per-app VPN (Teams)",
        [pilot],
        **_vpn(enablePerApp=True),
    )
    _config(
        tenant,
        "scep-upn",
        "iosScepCertificateProfile",
        "iOS – User certificate (UPN)",
        [pilot],
        subjectNameFormat="custom",
        subjectNameFormatString="CN={{UserPrincipalName}}",
        scepServerUrls=["https://ndes.contoso.com/certsrv/mscep/mscep.dll"],
    )
    _config(
        tenant,
        "vpn-finance",
        "iosVpnConfiguration",
        "iOS – Finance device VPN",
        [finance],
        **_vpn(enablePerApp=False),
    )
    _app(
        tenant,
        "slack-user",
        "iosVppApp",
        "Slack (user licence)",
        [(pilot, "required", False)],
        licensingType={"supportsUserLicensing": True, "supportsDeviceLicensing": True},
    )
    _app(tenant, "expenses-lob", "iosLobApp", "Contoso Expenses (LOB)", [(ios, "required", False)])
    _app(
        tenant,
        "old-store",
        "iosStoreApp",
        "Old Survey (App Store)",
        [(pilot, "uninstall", False)],
        appStoreUrl="https://apps.apple.com/us/app/id2",
    )
