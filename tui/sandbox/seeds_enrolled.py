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


# The `enrolled` seed's devices, in the order Intune lists them: key, user (None: a shared
# device), device name, days since enrollment, days since the last sync, and what differs
# from device()'s defaults (an iPhone 15 on iOS 18.5, personal, compliant).
IPAD = {"os": "iPadOS"}
ENROLLED_DEVICES: tuple[tuple[str, str | None, str, float, float, dict[str, str]], ...] = (
    # Targeted, enrolled through account-driven User Enrollment.
    ("adele-iphone", "AdeleV", "Adele's iPhone", 5, 0.1, {"profile": PROFILE}),
    ("megan-iphone", "MeganB", "Megan's iPhone", 3, 0.2, {"profile": PROFILE}),
    (
        "megan-ipad",
        "MeganB",
        "Megan's iPad",
        3.1,
        1,
        {**IPAD, "model": "iPad Air (5th generation)", "profile": PROFILE},
    ),
    (
        "pradeep-ipad",
        "PradeepG",
        "iPad",
        1,
        0.5,
        {
            **IPAD,
            "version": "17.6",
            "model": "iPad (10th generation)",
            "compliance": "noncompliant",
            "profile": PROFILE,
        },
    ),
    ("johanna-iphone", "JohannaL", "Johanna's iPhone", 1.2, 0.3, {"profile": PROFILE}),
    # Targeted, other enrollments only: must not count.
    (
        "alex-corporate",
        "AlexW",
        "CONTOSO-IPHONE-117",
        200,
        0.4,
        {"kind": "appleBulkWithUser", "owner": "company"},
    ),
    (
        "isaiah-legacy-ue",
        "IsaiahL",
        "Isaiah's iPhone",
        400,
        40,
        {"version": "16.7", "kind": "appleUserEnrollment"},
    ),
    (
        "lee-laptop",
        "LeeG",
        "LEE-SURFACE",
        90,
        0.2,
        {
            "os": "Windows",
            "version": "10.0.26100",
            "model": "Surface Laptop 7",
            "kind": "windowsAzureADJoin",
            "owner": "company",
        },
    ),
    # Targeted, user-initiated device enrollments of personal devices: web-based with the
    # web-based profile (PattiF); through the Company Portal app with a Company Portal
    # profile (AlexW) and without an enrollment-type profile (LeeG: enrollmentProfileName
    # empty, "no enrollment profile was assigned", beta managedDevice resource page).
    (
        "patti-iphone-web",
        "PattiF",
        "Patti's iPhone",
        2,
        0.2,
        {"version": "18.3", "kind": DEVICE_ENROLLMENT, "profile": WEB_PROFILE},
    ),
    (
        "alex-iphone-portal",
        "AlexW",
        "Alex's iPhone",
        30,
        1,
        {"version": "17.5", "kind": DEVICE_ENROLLMENT, "profile": COMPANY_PORTAL_PROFILE},
    ),
    (
        "lee-iphone-portal",
        "LeeG",
        "Lee's iPhone",
        6,
        0.5,
        {"version": "17.7", "model": "iPhone 13", "kind": DEVICE_ENROLLMENT},
    ),
    # Not targeted by the rollout, enrolled anyway (another profile): must not count.
    ("diego-iphone", "DiegoS", "Diego's iPhone", 2, 0.1, {}),
    ("grady-ipad", "GradyA", "Grady's iPad", 4, 2, IPAD),
    # Shared kiosks: no user at all.
    (
        "kiosk-1",
        None,
        "LOBBY-IPHONE-01",
        300,
        0.1,
        {"kind": "appleBulkWithoutUser", "owner": "company"},
    ),
)


def add_enrollments(tenant: Tenant, now: dt.datetime) -> None:
    """`enrolled`: the demo tenant with the devices described above (ENROLLED_DEVICES)."""
    for key, alias, name, enrolled, synced, other in ENROLLED_DEVICES:
        device(
            tenant,
            key,
            _user(tenant, alias) if alias else None,
            name=name,
            enrolled=now - dt.timedelta(days=enrolled),
            synced=now - dt.timedelta(days=synced),
            **other,
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
