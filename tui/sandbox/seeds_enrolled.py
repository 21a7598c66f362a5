"""Enrollments for the sandbox: managed devices, as Intune lists them (beta shape).

`enrolled` (demo plus devices) is small enough to know by heart: of the users the example
session targets (BYOD pilot, with IT Administrators nested, and All iOS users: 9 people),
4 have an iPhone or iPad enrolled through account-driven User Enrollment over the last
days; AlexW (corporate Automated Device Enrollment, and a personal iPhone enrolled with
the Company Portal app and a Company Portal profile), IsaiahL (the old profile-based User
Enrollment), LeeG (a Windows laptop, and an iPhone enrolled with the Company Portal app
without any enrollment-type profile) and PattiF (web-based device enrollment) have only
other enrollments, which an account-driven rollout must not count; admin has none. A
web-based rollout with the same groups counts PattiF only: Graph reports web-based and
Company Portal device enrollments alike as `userEnrollment` of a personal device, told
apart by the profile name (tui/graph/devices.py). Two users nobody targets have
account-driven enrollments too. `enrolled-large` puts
50,000 more people into "All iOS users", 40% of them enrolled over 30 days, 5% with a
corporate device, plus 5,000 enrolled users outside the rollout: the progress bench.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tui.sandbox.tenant import Tenant, iso, stable_id

ENROLLED = "appleAccountDrivenUserEnrollment"


def device(
    tenant: Tenant,
    key: str,
    user: dict[str, Any] | None,
    *,
    name: str,
    os: str = "iOS",
    version: str = "18.5",
    model: str = "iPhone 15",
    kind: str = ENROLLED,
    owner: str = "personal",
    enrolled: dt.datetime,
    synced: dt.datetime,
    compliance: str = "compliant",
    profile: str = "",
) -> dict[str, Any]:
    """One managedDevice with the fields of the beta resource page adue reads (and a few
    more), stored under a stable id."""
    did = stable_id(tenant.tenant_id, "managed-device", key)
    found = {
        "id": did,
        "userId": user["id"] if user else None,
        "deviceName": name,
        "managedDeviceName": name,
        "ownerType": owner,
        "managedDeviceOwnerType": owner,
        "managementState": "managed",
        "enrolledDateTime": iso(enrolled),
        "lastSyncDateTime": iso(synced),
        "operatingSystem": os,
        "osVersion": version,
        "complianceState": compliance,
        "managementAgent": "mdm",
        "deviceEnrollmentType": kind,
        "emailAddress": (user or {}).get("mail") or "",
        "userPrincipalName": (user or {}).get("userPrincipalName") or "",
        "userDisplayName": (user or {}).get("displayName") or "",
        "model": model,
        "manufacturer": "Apple" if os in ("iOS", "iPadOS") else "Contoso",
        "isSupervised": kind in ("appleBulkWithUser", "appleBulkWithoutUser"),
        "enrollmentProfileName": profile,
        "hardwareInformation": {"serialNumber": "" if kind == ENROLLED else key.upper()},
        "udid": None if kind == ENROLLED else stable_id("udid", key),
        "physicalMemoryInBytes": 0,
    }
    tenant.managed_devices[did] = found
    return found


def _user(tenant: Tenant, alias: str) -> dict[str, Any]:
    return next(u for u in tenant.users.values() if u["userPrincipalName"].startswith(alias + "@"))


PROFILE = "iOS – account-driven user enrollment"
WEB_PROFILE = "iOS – web-based device enrollment"  # tui.rollout.modes' default name
COMPANY_PORTAL_PROFILE = "iOS – device enrollment with Company Portal"
DEVICE_ENROLLMENT = "userEnrollment"  # web-based and Company Portal alike (devices.py)


def add_enrollments(tenant: Tenant, now: dt.datetime) -> None:
    """`enrolled`: the demo tenant with the devices described above."""

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    u = {a: _user(tenant, a) for a in ("AdeleV", "MeganB", "PradeepG", "JohannaL", "AlexW")}
    u |= {a: _user(tenant, a) for a in ("IsaiahL", "LeeG", "DiegoS", "GradyA", "PattiF")}
    # Targeted, enrolled through account-driven User Enrollment.
    device(
        tenant,
        "adele-iphone",
        u["AdeleV"],
        name="Adele's iPhone",
        enrolled=ago(5),
        synced=ago(0.1),
        profile=PROFILE,
    )
    device(
        tenant,
        "megan-iphone",
        u["MeganB"],
        name="Megan's iPhone",
        enrolled=ago(3),
        synced=ago(0.2),
        profile=PROFILE,
    )
    device(
        tenant,
        "megan-ipad",
        u["MeganB"],
        name="Megan's iPad",
        os="iPadOS",
        model="iPad Air (5th generation)",
        enrolled=ago(3.1),
        synced=ago(1),
        profile=PROFILE,
    )
    device(
        tenant,
        "pradeep-ipad",
        u["PradeepG"],
        name="iPad",
        os="iPadOS",
        version="17.6",
        model="iPad (10th generation)",
        enrolled=ago(1),
        synced=ago(0.5),
        compliance="noncompliant",
        profile=PROFILE,
    )
    device(
        tenant,
        "johanna-iphone",
        u["JohannaL"],
        name="Johanna's iPhone",
        enrolled=ago(1.2),
        synced=ago(0.3),
        profile=PROFILE,
    )
    # Targeted, other enrollments only: must not count.
    device(
        tenant,
        "alex-corporate",
        u["AlexW"],
        name="CONTOSO-IPHONE-117",
        kind="appleBulkWithUser",
        owner="company",
        enrolled=ago(200),
        synced=ago(0.4),
    )
    device(
        tenant,
        "isaiah-legacy-ue",
        u["IsaiahL"],
        name="Isaiah's iPhone",
        version="16.7",
        kind="appleUserEnrollment",
        enrolled=ago(400),
        synced=ago(40),
    )
    device(
        tenant,
        "lee-laptop",
        u["LeeG"],
        name="LEE-SURFACE",
        os="Windows",
        version="10.0.26100",
        model="Surface Laptop 7",
        kind="windowsAzureADJoin",
        owner="company",
        enrolled=ago(90),
        synced=ago(0.2),
    )
    # Targeted, user-initiated device enrollments of personal devices: web-based with the
    # web-based profile (PattiF); through the Company Portal app with a Company Portal
    # profile (AlexW) and without an enrollment-type profile (LeeG: enrollmentProfileName
    # empty, "no enrollment profile was assigned", beta managedDevice resource page).
    device(
        tenant,
        "patti-iphone-web",
        u["PattiF"],
        name="Patti's iPhone",
        version="18.3",
        kind=DEVICE_ENROLLMENT,
        enrolled=ago(2),
        synced=ago(0.2),
        profile=WEB_PROFILE,
    )
    device(
        tenant,
        "alex-iphone-portal",
        u["AlexW"],
        name="Alex's iPhone",
        version="17.5",
        kind=DEVICE_ENROLLMENT,
        enrolled=ago(30),
        synced=ago(1),
        profile=COMPANY_PORTAL_PROFILE,
    )
    device(
        tenant,
        "lee-iphone-portal",
        u["LeeG"],
        name="Lee's iPhone",
        version="17.7",
        model="iPhone 13",
        kind=DEVICE_ENROLLMENT,
        enrolled=ago(6),
        synced=ago(0.5),
    )
    # Not targeted by the rollout, enrolled anyway (another profile): must not count.
    device(
        tenant, "diego-iphone", u["DiegoS"], name="Diego's iPhone", enrolled=ago(2), synced=ago(0.1)
    )
    device(
        tenant,
        "grady-ipad",
        u["GradyA"],
        name="Grady's iPad",
        os="iPadOS",
        enrolled=ago(4),
        synced=ago(2),
    )
    # Shared kiosks: no user at all.
    device(
        tenant,
        "kiosk-1",
        None,
        name="LOBBY-IPHONE-01",
        kind="appleBulkWithoutUser",
        owner="company",
        enrolled=ago(300),
        synced=ago(0.1),
    )


LARGE_TARGETED = 50_000
LARGE_OUTSIDE = 5_000


def add_many_enrollments(tenant: Tenant, now: dt.datetime) -> None:
    """`enrolled-large`: 50,000 more members of "All iOS users" (40% enrolled over 30 days,
    5% with a corporate iPhone), and 5,000 enrolled users nobody targets."""
    add_enrollments(tenant, now)
    group = next(g for g in tenant.groups.values() if g["displayName"] == "All iOS users")
    members = tenant.members.setdefault(group["id"], [])
    domain = tenant.sign_in_domain
    for i in range(LARGE_TARGETED + LARGE_OUTSIDE):
        uid = stable_id(tenant.tenant_id, "rollout-user", str(i))
        upn = f"user{i:05d}@{domain}"
        user: dict[str, Any] = {
            "id": uid,
            "businessPhones": [],
            "displayName": f"Rollout User {i:05d}",
            "givenName": "Rollout",
            "jobTitle": None,
            "mail": upn,
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": "en-US",
            "surname": f"User {i:05d}",
            "userPrincipalName": upn,
        }
        tenant.users[uid] = user
        outside = i >= LARGE_TARGETED
        if not outside:
            members.append(uid)
        when = now - dt.timedelta(days=(i * 7919) % 30, hours=i % 24)
        if outside or i % 10 < 4:
            device(
                tenant,
                f"large-{i}",
                user,
                name=f"iPhone {i}",
                enrolled=when,
                synced=now,
                profile=PROFILE,
            )
        elif i % 20 == 4:
            device(
                tenant,
                f"large-corp-{i}",
                user,
                name=f"CORP-{i}",
                kind="appleBulkWithUser",
                owner="company",
                enrolled=when,
                synced=now,
            )
    tenant.directory_changed()
