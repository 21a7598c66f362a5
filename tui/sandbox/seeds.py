"""Seed tenants: `demo` (Contoso, small and believable), `large` (for speed) and one broken
variant of `demo` per prerequisite failure, each with exactly one thing wrong.

Ids derive from the seed's base name, so a seed gives the same ids on every run (stable
snapshots, sessions written against `demo` keep working) and every broken seed shares
`demo`'s ids.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from tui.sandbox.seeds_enrolled import add_enrollments, add_many_enrollments
from tui.sandbox.seeds_incompatible import add_incompatible
from tui.sandbox.tenant import Tenant, iso, stable_id, utc_now

INTUNE_A = "c1ec4a95-1f05-45b3-a911-aa3fa01094f5"
AUTHENTICATOR_BUNDLE_ID = "com.microsoft.azureauthenticator"
AUTHENTICATOR_STORE_URL = "https://apps.apple.com/us/app/microsoft-authenticator/id983156458"
PERSONAL_RULE = '(device.deviceOwnership -eq "Personal")'
CORPORATE_RULE = '(device.deviceOwnership -eq "Corporate")'

# Properties every group has; stored groups only keep what differs (the large seed has
# 100,000 of them) and routes merge these back in when serving.
GROUP_DEFAULTS: dict[str, Any] = {
    "deletedDateTime": None,
    "classification": None,
    "creationOptions": [],
    "expirationDateTime": None,
    "isAssignableToRole": None,
    "mail": None,
    "membershipRule": None,
    "membershipRuleProcessingState": None,
    "onPremisesDomainName": None,
    "onPremisesLastSyncDateTime": None,
    "onPremisesNetBiosName": None,
    "onPremisesSamAccountName": None,
    "onPremisesSecurityIdentifier": None,
    "onPremisesSyncEnabled": None,
    "preferredDataLocation": None,
    "preferredLanguage": None,
    "proxyAddresses": [],
    "resourceBehaviorOptions": [],
    "resourceProvisioningOptions": [],
    "theme": None,
    "visibility": None,
    "onPremisesProvisioningErrors": [],
    "serviceProvisioningErrors": [],
}

DEMO_GROUPS: tuple[tuple[str, str, str], ...] = (
    # key, display name, description
    ("all-employees", "All employees", "Every member account (dynamic)"),
    ("all-ios-users", "All iOS users", "People who use an iPhone or iPad for work"),
    ("finance", "Finance", "Finance department"),
    ("sales", "Sales", "Sales and account management"),
    ("marketing", "Marketing", "Marketing and communications"),
    ("hr", "Human Resources", "People and culture"),
    ("engineering", "Engineering", "Product engineering"),
    ("it-admins", "IT Administrators", "Intune and Entra ID administrators"),
    ("executives", "Executives", "Leadership team"),
    ("byod-pilot", "BYOD pilot", "First wave of personal-device enrollment"),
    ("legal", "Legal", "Legal and compliance"),
    ("support", "Customer Support", "Support desk"),
)
UNIFIED_GROUPS = ("finance", "sales", "marketing")

DEMO_USERS: tuple[tuple[str, str, str, str, str], ...] = (
    # alias, given name, surname, job title, department
    ("admin", "MOD", "Administrator", "Global administrator", "IT"),
    ("AdeleV", "Adele", "Vance", "Retail Manager", "Sales"),
    ("AlexW", "Alex", "Wilber", "Marketing Assistant", "Marketing"),
    ("DiegoS", "Diego", "Siciliani", "HR Manager", "Human Resources"),
    ("GradyA", "Grady", "Archie", "Designer", "Engineering"),
    ("IsaiahL", "Isaiah", "Langer", "Sales Rep", "Sales"),
    ("JohannaL", "Johanna", "Lorenz", "Senior Engineer", "Engineering"),
    ("LeeG", "Lee", "Gu", "Director", "Executives"),
    ("MeganB", "Megan", "Bowen", "Marketing Manager", "Marketing"),
    ("NestorW", "Nestor", "Wilke", "Director", "Operations"),
    ("PattiF", "Patti", "Fernandez", "President", "Executives"),
    ("PradeepG", "Pradeep", "Gupta", "Accountant", "Finance"),
)

DEMO_MEMBERSHIPS: dict[str, tuple[str, ...]] = {
    "all-ios-users": ("AdeleV", "AlexW", "IsaiahL", "LeeG", "MeganB", "PattiF", "PradeepG"),
    "finance": ("PradeepG", "NestorW"),
    "sales": ("AdeleV", "IsaiahL"),
    "marketing": ("AlexW", "MeganB"),
    "hr": ("DiegoS",),
    "engineering": ("GradyA", "JohannaL"),
    "it-admins": ("admin", "JohannaL"),
    "executives": ("LeeG", "PattiF"),
    "byod-pilot": ("AdeleV", "MeganB", "PradeepG", "group:it-admins"),
    "legal": ("NestorW",),
    "support": ("IsaiahL", "AlexW"),
}

DEMO_DEVICES: tuple[tuple[str, str, str, str], ...] = (
    # key, display name, model, os
    ("ipad-1", "CONTOSO-IPAD-001", "iPad Air (5th generation)", "iPadOS"),
    ("ipad-2", "CONTOSO-IPAD-002", "iPad (10th generation)", "iPadOS"),
    ("ipad-3", "CONTOSO-IPAD-003", "iPad Pro 11-inch", "iPadOS"),
    ("kiosk-1", "LOBBY-IPHONE-01", "iPhone 15", "iOS"),
    ("kiosk-2", "LOBBY-IPHONE-02", "iPhone 15", "iOS"),
)


def _license_detail(user_id: str, sku: dict[str, Any]) -> dict[str, Any]:
    """One licenseDetails item (api-reference/v1.0/api/user-list-licensedetails.md)."""
    return {
        "id": f"{user_id[:8]}{sku['skuId'][:8]}",
        "skuId": sku["skuId"],
        "skuPartNumber": sku["skuPartNumber"],
        "servicePlans": [
            {
                "servicePlanId": plan["servicePlanId"],
                "servicePlanName": plan["servicePlanName"],
                "provisioningStatus": plan["provisioningStatus"],
                "appliesTo": plan["appliesTo"],
            }
            for plan in sku["servicePlans"]
        ],
    }


class _Builder:
    """Builds one tenant; `base` keys the ids so broken seeds share demo's ids."""

    def __init__(self, seed: str, base: str, now: dt.datetime) -> None:
        self.base = base
        self.now = now
        self.tid = stable_id(base, "tenant")
        self.tenant = Tenant(seed=seed, tenant_id=self.tid, organization={})

    def id(self, *parts: str) -> str:
        return stable_id(self.base, *parts)

    def ago(self, days: float) -> str:
        return iso(self.now - dt.timedelta(days=days))

    def ahead(self, days: float) -> str:
        return iso(self.now + dt.timedelta(days=days))


def _directory(b: _Builder, domain: str, org_name: str) -> None:
    t = b.tenant
    initial = f"{domain.split('.')[0]}.onmicrosoft.com"
    t.organization = {
        "id": b.tid,
        "deletedDateTime": None,
        "businessPhones": ["+1 425 555 0100"],
        "city": "Redmond",
        "country": None,
        "countryLetterCode": "US",
        "createdDateTime": b.ago(1460),
        "defaultUsageLocation": "US",
        "displayName": org_name,
        "marketingNotificationEmails": [],
        "mobileDeviceManagementAuthority": "intune",
        "onPremisesLastSyncDateTime": None,
        "onPremisesSyncEnabled": None,
        "partnerTenantType": None,
        "postalCode": "98052",
        "preferredLanguage": "en",
        "securityComplianceNotificationMails": [],
        "securityComplianceNotificationPhones": [],
        "state": "WA",
        "street": "1 Contoso Way",
        "technicalNotificationMails": [f"admin@{domain}"],
        "tenantType": "AAD",
        "assignedPlans": [],
        "provisionedPlans": [],
        "privacyProfile": None,
        "verifiedDomains": [
            {
                "capabilities": "Email, OfficeCommunicationsOnline, Intune",
                "isDefault": True,
                "isInitial": False,
                "name": domain,
                "type": "Managed",
            },
            {
                "capabilities": "Email, OfficeCommunicationsOnline",
                "isDefault": False,
                "isInitial": True,
                "name": initial,
                "type": "Managed",
            },
        ],
    }
    t.domains = [
        {
            "id": name,
            "authenticationType": "Managed",
            "availabilityStatus": None,
            "isAdminManaged": True,
            "isDefault": name == domain,
            "isInitial": name == initial,
            "isRoot": True,
            "isVerified": True,
            "passwordNotificationWindowInDays": 14,
            "passwordValidityPeriodInDays": 2147483647,
            "supportedServices": ["Email", "OfficeCommunicationsOnline"]
            + (["Intune"] if name == domain else []),
            "state": None,
        }
        for name in (domain, initial)
    ]

    def sku(part: str, sku_id: str, units: int, used: int, plans: list[tuple[str, str]]) -> None:
        t.subscribed_skus.append(
            {
                "id": f"{b.tid}_{sku_id}",
                "accountId": b.tid,
                "accountName": org_name,
                "appliesTo": "User",
                "capabilityStatus": "Enabled",
                "consumedUnits": used,
                "prepaidUnits": {"enabled": units, "lockedOut": 0, "suspended": 0, "warning": 0},
                "servicePlans": [
                    {
                        "servicePlanId": plan_id,
                        "servicePlanName": plan_name,
                        "provisioningStatus": "Success",
                        "appliesTo": "User",
                    }
                    for plan_name, plan_id in plans
                ],
                "skuId": sku_id,
                "skuPartNumber": part,
                "subscriptionIds": [b.id("subscription", part)],
            }
        )

    sku(
        "ENTERPRISEPACK",
        "6fd2c87f-b296-42f0-b197-1e91e994b900",
        25,
        12,
        [
            ("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0"),
            ("SHAREPOINTENTERPRISE", "5dbe027f-2339-4123-9542-606e4d348a72"),
            ("TEAMS1", "57ff2da0-773e-42df-b2af-ffb7a2317929"),
        ],
    )
    sku(
        "EMS",
        "efccb6f7-5641-4e0e-bd10-b4976e1bf68e",
        25,
        12,
        [
            ("INTUNE_A", INTUNE_A),
            ("AAD_PREMIUM", "41781fb2-bc02-4b7c-bd55-b576c07bb09d"),
            ("MFA_PREMIUM", "8a256a2b-b617-496d-b51b-e76466e88db0"),
        ],
    )

    licensed = [
        sku for sku in t.subscribed_skus if sku["skuPartNumber"] in ("ENTERPRISEPACK", "EMS")
    ]
    for alias, given, surname, title, department in DEMO_USERS:
        uid = b.id("user", alias)
        t.license_details[uid] = [_license_detail(uid, sku) for sku in licensed]
        upn = f"{alias.lower() if alias == 'admin' else alias}@{domain}"
        t.users[uid] = {
            "id": uid,
            "businessPhones": [],
            "displayName": f"{given} {surname}",
            "givenName": given,
            "jobTitle": title,
            "mail": upn,
            "mobilePhone": None,
            "officeLocation": None,
            "preferredLanguage": "en-US",
            "surname": surname,
            "userPrincipalName": upn,
            "accountEnabled": True,
            "department": department,
            "userType": "Member",
        }

    for key, name, description in DEMO_GROUPS:
        gid = b.id("group", key)
        unified = key in UNIFIED_GROUPS
        group: dict[str, Any] = {
            "id": gid,
            "createdDateTime": b.ago(900),
            "description": description,
            "displayName": name,
            "groupTypes": ["Unified"] if unified else [],
            "mailEnabled": unified,
            "mailNickname": key.replace("-", ""),
            "renewedDateTime": b.ago(900),
            "securityEnabled": True,
            "securityIdentifier": f"S-1-12-1-{int(gid[:8], 16)}-{int(gid[9:13], 16)}",
        }
        if unified:
            group["mail"] = f"{key}@{domain}"
            group["visibility"] = "Private"
        if key == "all-employees":
            group["groupTypes"] = ["DynamicMembership"]
            group["membershipRule"] = (
                '(user.userType -eq "Member") and (user.accountEnabled -eq true)'
            )
            group["membershipRuleProcessingState"] = "On"
        t.groups[gid] = group
    t.members[b.id("group", "all-employees")] = [b.id("user", u[0]) for u in DEMO_USERS]
    for key, aliases in DEMO_MEMBERSHIPS.items():
        t.members[b.id("group", key)] = [
            b.id("group", a[6:]) if a.startswith("group:") else b.id("user", a) for a in aliases
        ]

    for key, name, model, os_name in DEMO_DEVICES:
        did = b.id("device", key)
        t.devices[did] = {
            "id": did,
            "deviceId": b.id("device-id", key),
            "displayName": name,
            "accountEnabled": True,
            "approximateLastSignInDateTime": b.ago(1),
            "deviceOwnership": "Company",
            "isCompliant": True,
            "isManaged": True,
            "manufacturer": "Apple",
            "model": model,
            "operatingSystem": os_name,
            "operatingSystemVersion": "17.5",
            "registrationDateTime": b.ago(200),
            "trustType": "Workplace",
        }
    ipads = b.id("group", "corporate-ipads")
    t.groups[ipads] = {
        "id": ipads,
        "createdDateTime": b.ago(700),
        "description": "Company-owned iPads (dynamic device group)",
        "displayName": "Corporate iPads",
        "groupTypes": ["DynamicMembership"],
        "mailEnabled": False,
        "mailNickname": "corporateipads",
        "membershipRule": (
            '(device.deviceModel -startsWith "iPad") and (device.deviceOwnership -eq "Company")'
        ),
        "membershipRuleProcessingState": "On",
        "renewedDateTime": b.ago(700),
        "securityEnabled": True,
    }
    t.members[ipads] = [b.id("device", k) for k in ("ipad-1", "ipad-2", "ipad-3")]
    kiosks = b.id("group", "kiosk-iphones")
    t.groups[kiosks] = {
        "id": kiosks,
        "createdDateTime": b.ago(500),
        "description": "Shared lobby iPhones (assigned device group)",
        "displayName": "Kiosk iPhones",
        "groupTypes": [],
        "mailEnabled": False,
        "mailNickname": "kioskiphones",
        "renewedDateTime": b.ago(500),
        "securityEnabled": True,
    }
    t.members[kiosks] = [b.id("device", "kiosk-1"), b.id("device", "kiosk-2")]


def _intune(b: _Builder, domain: str) -> None:
    t = b.tenant
    t.apns_certificate = {
        "id": b.id("apns"),
        "appleIdentifier": f"mdm-push@{domain}",
        "topicIdentifier": f"com.apple.mgmt.External.{b.id('apns-topic')}",
        "lastModifiedDateTime": b.ago(165),
        "expirationDateTime": b.ahead(200),
        "certificateUploadStatus": "Success",
        "certificateUploadFailureReason": None,
        "certificateSerialNumber": "5C1A7E3B9D0F2468",
        "certificate": None,
    }
    token_id = b.id("vpp-token")
    t.vpp_tokens[token_id] = {
        "id": token_id,
        "organizationName": "Contoso Ltd",
        "vppTokenAccountType": "business",
        "appleId": f"abm-admin@{domain}",
        "expirationDateTime": b.ahead(240),
        "lastSyncDateTime": b.ago(0.125),
        "token": None,
        "lastModifiedDateTime": b.ago(125),
        "state": "valid",
        "lastSyncStatus": "completed",
        "automaticallyUpdateApps": True,
        "countryOrRegion": "us",
    }

    def vpp_app(key: str, name: str, bundle: str, store_id: str, total: int, used: int) -> str:
        aid = b.id("app", key)
        t.mobile_apps[aid] = {
            "@odata.type": "#microsoft.graph.iosVppApp",
            "id": aid,
            "displayName": name,
            "description": name,
            "publisher": "Microsoft Corporation",
            "largeIcon": None,
            "createdDateTime": b.ago(300),
            "lastModifiedDateTime": b.ago(2),
            "isFeatured": False,
            "privacyInformationUrl": "https://privacy.microsoft.com/privacystatement",
            "informationUrl": None,
            "owner": None,
            "developer": None,
            "notes": None,
            "publishingState": "published",
            "usedLicenseCount": used,
            "totalLicenseCount": total,
            "releaseDateTime": None,
            "appStoreUrl": f"https://apps.apple.com/us/app/id{store_id}",
            "licensingType": {"supportsUserLicensing": True, "supportsDeviceLicensing": True},
            "applicableDeviceType": {"iPad": True, "iPhoneAndIPod": True},
            "vppTokenOrganizationName": "Contoso Ltd",
            "vppTokenAccountType": "business",
            "vppTokenAppleId": f"abm-admin@{domain}",
            "bundleId": bundle,
        }
        t.app_assignments[aid] = []
        return aid

    authenticator = vpp_app(
        "authenticator-vpp",
        "Microsoft Authenticator",
        AUTHENTICATOR_BUNDLE_ID,
        "983156458",
        250,
        37,
    )
    t.mobile_apps[authenticator]["appStoreUrl"] = AUTHENTICATOR_STORE_URL
    teams = vpp_app("teams", "Microsoft Teams", "com.microsoft.skype.teams", "1113153706", 250, 121)
    outlook = vpp_app(
        "outlook", "Microsoft Outlook", "com.microsoft.Office.Outlook", "951937596", 250, 118
    )
    vpp_app(
        "company-portal",
        "Intune Company Portal",
        "com.microsoft.CompanyPortal",
        "719171358",
        250,
        40,
    )
    store = b.id("app", "authenticator-store")
    t.mobile_apps[store] = {
        "@odata.type": "#microsoft.graph.iosStoreApp",
        "id": store,
        "displayName": "Microsoft Authenticator",
        "description": "Microsoft Authenticator (App Store)",
        "publisher": "Microsoft Corporation",
        "largeIcon": None,
        "createdDateTime": b.ago(600),
        "lastModifiedDateTime": b.ago(600),
        "isFeatured": False,
        "privacyInformationUrl": None,
        "informationUrl": None,
        "owner": None,
        "developer": None,
        "notes": None,
        "publishingState": "published",
        "bundleId": AUTHENTICATOR_BUNDLE_ID,
        "appStoreUrl": AUTHENTICATOR_STORE_URL,
        "applicableDeviceType": {"iPad": True, "iPhoneAndIPod": True},
        "minimumSupportedOperatingSystem": {
            "v8_0": False,
            "v9_0": False,
            "v10_0": False,
            "v11_0": False,
            "v12_0": False,
            "v13_0": False,
            "v14_0": False,
            "v15_0": True,
        },
    }
    t.app_assignments[store] = []
    portal = b.id("app", "portal-web")
    t.mobile_apps[portal] = {
        "@odata.type": "#microsoft.graph.webApp",
        "id": portal,
        "displayName": "Company Portal website",
        "description": "Home-screen link to the Company Portal website",
        "publisher": "Contoso IT",
        "createdDateTime": b.ago(400),
        "lastModifiedDateTime": b.ago(400),
        "isFeatured": True,
        "publishingState": "published",
        "appUrl": "https://portal.manage.microsoft.com/",
        "useManagedBrowser": False,
    }
    t.app_assignments[portal] = []
    ios_users = b.id("group", "all-ios-users")
    for app_id in (teams, outlook):
        t.app_assignments[app_id] = [
            {
                "@odata.type": "#microsoft.graph.mobileAppAssignment",
                "id": f"{ios_users}_0_0",
                "intent": "required",
                "target": {
                    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                    "groupId": ios_users,
                },
                "settings": {
                    "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
                    "useDeviceLicensing": False,
                    "vpnConfigurationId": None,
                },
            }
        ]

    passcode = b.id("config", "passcode")
    t.device_configurations[passcode] = {
        "@odata.type": "#microsoft.graph.iosGeneralDeviceConfiguration",
        "id": passcode,
        "createdDateTime": b.ago(500),
        "lastModifiedDateTime": b.ago(30),
        "displayName": "iOS – Passcode baseline",
        "description": "Six-digit passcode on every managed iPhone and iPad",
        "version": 3,
        "passcodeRequired": True,
        "passcodeMinimumLength": 6,
        "passcodeBlockSimple": True,
        "passcodeMinutesOfInactivityBeforeLock": 5,
    }
    t.config_assignments[passcode] = [
        {
            "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "id": f"{passcode}_{ios_users}",
            "target": {
                "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                "groupId": ios_users,
            },
        }
    ]
    features = b.id("config", "home-screen")
    ipads = b.id("group", "corporate-ipads")
    t.device_configurations[features] = {
        "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
        "id": features,
        "createdDateTime": b.ago(420),
        "lastModifiedDateTime": b.ago(60),
        "displayName": "iOS – Lock screen message (corporate iPads)",
        "description": "",
        "version": 2,
        "assetTagTemplate": None,
        "lockScreenFootnote": "Property of Contoso Ltd. If found call +1 425 555 0100",
        "homeScreenDockIcons": [],
        "homeScreenPages": [],
        "notificationSettings": [],
    }
    t.config_assignments[features] = [
        {
            "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "id": f"{features}_{ipads}",
            "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": ipads},
        }
    ]

    restriction_id = f"{b.id('enrollment-restriction')}_DefaultPlatformRestrictions"

    def platform(blocked: bool = False, personal_blocked: bool = False) -> dict[str, Any]:
        return {
            "platformBlocked": blocked,
            "personalDeviceEnrollmentBlocked": personal_blocked,
            "osMinimumVersion": None,
            "osMaximumVersion": None,
        }

    t.enrollment_configurations[restriction_id] = {
        "@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration",
        "id": restriction_id,
        "displayName": "All users and all devices",
        "description": "This is the default Device Type Restriction applied with the lowest "
        "priority to all users regardless of group membership.",
        "priority": 0,
        "createdDateTime": b.ago(1400),
        "lastModifiedDateTime": b.ago(90),
        "version": 4,
        "iosRestriction": platform(),
        "windowsRestriction": platform(),
        "windowsMobileRestriction": platform(blocked=True),
        "androidRestriction": platform(),
        "macOSRestriction": platform(),
    }
    limit_id = f"{b.id('enrollment-limit')}_DefaultLimit"
    t.enrollment_configurations[limit_id] = {
        "@odata.type": "#microsoft.graph.deviceEnrollmentLimitConfiguration",
        "id": limit_id,
        "displayName": "All users and all devices",
        "description": "This is the default Device Limit Restriction applied with the lowest "
        "priority to all users regardless of group membership.",
        "priority": 0,
        "createdDateTime": b.ago(1400),
        "lastModifiedDateTime": b.ago(1400),
        "version": 1,
        "limit": 5,
    }
    hello_id = f"{b.id('enrollment-hello')}_DefaultWindowsHelloForBusiness"
    t.enrollment_configurations[hello_id] = {
        "@odata.type": "#microsoft.graph.deviceEnrollmentWindowsHelloForBusinessConfiguration",
        "id": hello_id,
        "displayName": "All users and all devices",
        "description": "This is the default Windows Hello for Business configuration applied "
        "with the lowest priority to all users regardless of group membership.",
        "priority": 0,
        "createdDateTime": b.ago(1400),
        "lastModifiedDateTime": b.ago(1400),
        "version": 1,
        "state": "notConfigured",
    }

    def profile(
        key: str, name: str, priority: int, default: str, options: list[Any], platform: str = "iOS"
    ) -> str:
        pid = b.id("profile", key)
        t.enrollment_profiles[pid] = {
            "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
            "id": pid,
            "displayName": name,
            "description": "",
            "priority": priority,
            "platform": platform,
            "defaultEnrollmentType": default,
            "availableEnrollmentTypeOptions": options,
            "createdDateTime": b.ago(365 - priority),
            "lastModifiedDateTime": b.ago(40),
        }
        t.profile_assignments[pid] = []
        return pid

    def option(owner: str, kind: str) -> dict[str, str]:
        return {
            "@odata.type": "#microsoft.graph.appleOwnerTypeEnrollmentType",
            "ownerType": owner,
            "enrollmentType": kind,
        }

    choice = profile(
        "user-choice",
        "iOS – Determine based on user choice",
        0,
        "unknown",
        [option("personal", "user"), option("company", "device")],
    )
    web = profile("web-device", "iOS – Web-based device enrollment", 1, "webDeviceEnrollment", [])
    # Each platform numbers its own priorities: this one is first among macOS profiles and
    # must never be moved or counted by adue's iOS ordering.
    profile("macos-device", "macOS – Device enrollment", 0, "device", [], platform="macOS")
    for key, name, filter_platform, rule in (
        ("ios-personal", "iOS – personal devices", "iOS", PERSONAL_RULE),
        ("windows-corp", "Windows – corporate", "windows10AndLater", CORPORATE_RULE),
    ):
        fid = b.id("filter", key)
        t.assignment_filters[fid] = {
            "@odata.type": "#microsoft.graph.deviceAndAppManagementAssignmentFilter",
            "id": fid,
            "displayName": name,
            "description": "",
            "platform": filter_platform,
            "rule": rule,
            "assignmentFilterManagementType": "devices",
            "createdDateTime": b.ago(200),
            "lastModifiedDateTime": b.ago(20),
            "roleScopeTags": ["0"],
        }
    for pid, key in ((choice, "sales"), (web, "executives")):
        gid = b.id("group", key)
        t.profile_assignments[pid] = [
            {
                "@odata.type": "#microsoft.graph.appleEnrollmentProfileAssignment",
                "id": f"{pid}_{gid}",
                "target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": gid},
            }
        ]


def _catalog_setting(definition: str, value: Any, children: list[Any] | None = None) -> Any:
    """A Settings Catalog setting instance (simple string, or a group with children)."""
    if children is not None:
        return {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationSetting",
            "id": "0",
            "settingInstance": {
                "@odata.type": "#microsoft.graph."
                "deviceManagementConfigurationGroupSettingCollectionInstance",
                "settingDefinitionId": definition,
                "groupSettingCollectionValue": [{"children": children}],
            },
        }
    return {
        "@odata.type": "#microsoft.graph.deviceManagementConfigurationSimpleSettingInstance",
        "settingDefinitionId": definition,
        "simpleSettingValue": {
            "@odata.type": "#microsoft.graph.deviceManagementConfigurationStringSettingValue",
            "value": value,
        },
    }


def catalog_policy(
    t: Tenant,
    pid: str,
    name: str,
    platforms: str,
    settings: list[Any],
    *,
    targets: list[dict[str, Any]],
    when: str,
) -> None:
    """A Settings Catalog policy (deviceManagementConfigurationPolicy, beta)."""
    t.configuration_policies[pid] = {
        "id": pid,
        "name": name,
        "description": "",
        "platforms": platforms,
        "technologies": "mdm,appleRemoteManagement" if platforms == "macOS" else "mdm",
        "createdDateTime": when,
        "lastModifiedDateTime": when,
        "settingCount": len(settings),
        "creationSource": None,
        "roleScopeTagIds": ["0"],
        "isAssigned": bool(targets),
        "templateReference": {"templateId": "", "templateFamily": "none"},
    }
    t.configuration_policy_settings[pid] = settings
    t.configuration_policy_assignments[pid] = [
        {
            "id": f"{pid}_{i}",
            "source": "direct",
            "sourceId": pid,
            "target": target,
        }
        for i, target in enumerate(targets)
    ]


def _group_target(gid: str) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": gid}


SSO_GROUP_SETTING = "com.apple.extensiblesso_com.apple.extensiblesso"


def _settings_catalog(b: _Builder) -> None:
    """Two Settings Catalog policies no rollout conflicts with: an iOS restriction, and a
    macOS Platform SSO payload (com.apple.extensiblesso, but for Macs)."""
    t = b.tenant
    catalog_policy(
        t,
        b.id("catalog", "ios-restrictions"),
        "iOS – Restrictions (settings catalog)",
        "iOS",
        [_catalog_setting("com.apple.applicationaccess_allowscreenshot", "false")],
        targets=[_group_target(b.id("group", "all-ios-users"))],
        when=b.ago(80),
    )
    catalog_policy(
        t,
        b.id("catalog", "macos-platform-sso"),
        "macOS – Platform SSO",
        "macOS",
        [
            _catalog_setting(
                SSO_GROUP_SETTING,
                None,
                [
                    _catalog_setting(
                        "com.apple.extensiblesso_extensionidentifier",
                        "com.microsoft.CompanyPortalMac.ssoextension",
                    )
                ],
            )
        ],
        targets=[{"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}],
        when=b.ago(70),
    )


# Which directory a demo tenant is: name -> (the base its ids are keyed by, its domain,
# its display name). Contoso is the sandbox; Fabrikam is a second, unrelated tenant, for
# rehearsing a sign-in to the wrong tenant (its ids, domains and tenant id all differ).
DIRECTORIES: dict[str, tuple[str, str, str]] = {
    "contoso": ("demo", "contoso.com", "Contoso"),
    "fabrikam": ("fabrikam", "fabrikam.com", "Fabrikam"),
}


def build_demo(
    seed: str = "demo", now: dt.datetime | None = None, directory: str = "contoso"
) -> Tenant:
    base, domain, name = DIRECTORIES[directory]
    b = _Builder(seed, base, now or utc_now())
    _directory(b, domain, name)
    _intune(b, domain)
    _settings_catalog(b)
    return b.tenant


def _authenticator_vpp(t: Tenant) -> dict[str, Any]:
    return next(
        app
        for app in t.mobile_apps.values()
        if app["@odata.type"].endswith("iosVppApp") and app["bundleId"] == AUTHENTICATOR_BUNDLE_ID
    )


def _expired_apns(t: Tenant, now: dt.datetime) -> None:
    assert t.apns_certificate is not None
    t.apns_certificate["expirationDateTime"] = iso(now - dt.timedelta(days=12))


def _no_vpp_token(t: Tenant, _now: dt.datetime) -> None:
    # Only the token goes: the Authenticator app stays so that only the VPP check fails.
    t.vpp_tokens.clear()


def _authenticator_store_only(t: Tenant, _now: dt.datetime) -> None:
    app = _authenticator_vpp(t)
    del t.mobile_apps[app["id"]]
    t.app_assignments.pop(app["id"], None)


def _authenticator_no_licences(t: Tenant, _now: dt.datetime) -> None:
    app = _authenticator_vpp(t)
    app["totalLicenseCount"] = 50
    app["usedLicenseCount"] = 50


def _personal_ios_blocked(t: Tenant, _now: dt.datetime) -> None:
    for config in t.enrollment_configurations.values():
        if "iosRestriction" in config:
            config["iosRestriction"]["personalDeviceEnrollmentBlocked"] = True


def _no_intune_licence(t: Tenant, _now: dt.datetime) -> None:
    t.subscribed_skus = [
        sku
        for sku in t.subscribed_skus
        if not any(plan["servicePlanId"] == INTUNE_A for plan in sku["servicePlans"])
    ]
    # Without an Intune subscription the tenant's Intune state is not active.
    _no_intune_subscription(t)


def _sso_other_payloads(t: Tenant, now: dt.datetime) -> None:
    """Two more SSO extension payloads for the example's users: a Settings Catalog policy
    with com.apple.extensiblesso (All iOS users), and a second device-features policy
    with an SSO extension (BYOD pilot). Two payloads conflict on the device (graph.md)."""
    ios_users = stable_id("demo", "group", "all-ios-users")
    byod = stable_id("demo", "group", "byod-pilot")
    when = iso(now - dt.timedelta(days=9))
    catalog_policy(
        t,
        stable_id("demo", "catalog", "ios-sso"),
        "iOS – Enterprise SSO (settings catalog)",
        "iOS",
        [
            _catalog_setting(
                SSO_GROUP_SETTING,
                None,
                [
                    _catalog_setting(
                        "com.apple.extensiblesso_extensionidentifier",
                        "com.microsoft.azureauthenticator.ssoextension",
                    )
                ],
            )
        ],
        targets=[_group_target(ios_users)],
        when=when,
    )
    pid = stable_id("demo", "config", "old-sso")
    t.device_configurations[pid] = {
        "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
        "id": pid,
        "createdDateTime": when,
        "lastModifiedDateTime": when,
        "displayName": "iOS – SSO (pilot 2024)",
        "description": "",
        "version": 1,
        "iosSingleSignOnExtension": _entra_extension(
            [_string_pair("AppPrefixAllowList", "com.contoso.")]
        ),
    }
    t.config_assignments[pid] = [
        {
            "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
            "id": f"{pid}_{byod}",
            "target": _group_target(byod),
        }
    ]


def _string_pair(key: str, value: str) -> dict[str, Any]:
    return {"@odata.type": "#microsoft.graph.keyStringValuePair", "key": key, "value": value}


def _entra_extension(extra: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.iosAzureAdSingleSignOnExtension",
        "enableSharedDeviceMode": False,
        "bundleIdAccessControlList": [],
        "configurations": [_string_pair("device_registration", "{{DEVICEREGISTRATION}}"), *extra],
    }


SSO_POLICY_NAME = "iOS – Entra ID SSO extension (account-driven UE)"


def _sso_admin_key(t: Tenant, now: dt.datetime) -> None:
    """The rollout's SSO policy exists already (named as adue names it) and an admin
    added a documented key adue does not own: AppPrefixAllowList."""
    pid = stable_id("demo", "config", "adue-sso")
    when = iso(now - dt.timedelta(days=3))
    t.device_configurations[pid] = {
        "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
        "id": pid,
        "createdDateTime": when,
        "lastModifiedDateTime": when,
        "displayName": SSO_POLICY_NAME,
        "description": "",
        "version": 2,
        "iosSingleSignOnExtension": _entra_extension(
            [_string_pair("AppPrefixAllowList", "com.contoso., com.fabrikam.")]
        ),
    }
    t.config_assignments[pid] = []


def _no_intune_subscription(t: Tenant) -> None:
    t.subscription_state = "disabled"


# An Education tenant: Intune comes as the INTUNE_EDU service plan (Intune for Education,
# da24caf9-…; Microsoft's "Product names and service plan identifiers for licensing"),
# inside Microsoft 365 A3 for faculty (M365EDU_A3_FACULTY), not as INTUNE_A.
INTUNE_EDU = "da24caf9-af8e-485c-b7c8-e73336da2693"


def _edu_licensed(t: Tenant, _now: dt.datetime) -> None:
    sku_id = "4b590615-0888-425a-a965-b3bf7789848d"
    edu = {
        "id": f"{t.tenant_id}_{sku_id}",
        "accountId": t.tenant_id,
        "accountName": t.organization.get("displayName"),
        "appliesTo": "User",
        "capabilityStatus": "Enabled",
        "consumedUnits": len(t.users),
        "prepaidUnits": {"enabled": 40, "lockedOut": 0, "suspended": 0, "warning": 0},
        "servicePlans": [
            {
                "servicePlanId": plan_id,
                "servicePlanName": name,
                "provisioningStatus": "Success",
                "appliesTo": "User",
            }
            for name, plan_id in (
                ("EXCHANGE_S_ENTERPRISE", "efb87545-963c-4e0d-99df-69c6916d9eb0"),
                ("INTUNE_EDU", INTUNE_EDU),
                ("AAD_PREMIUM", "41781fb2-bc02-4b7c-bd55-b576c07bb09d"),
            )
        ],
        "skuId": sku_id,
        "skuPartNumber": "M365EDU_A3_FACULTY",
        "subscriptionIds": [stable_id(t.tenant_id, "subscription", "edu")],
    }
    t.subscribed_skus = [edu]
    for uid in t.users:
        t.license_details[uid] = [_license_detail(uid, edu)]


def _unlicensed_users(t: Tenant, _now: dt.datetime) -> None:
    # Two members of "BYOD pilot" were never given a licence.
    for uid, user in t.users.items():
        if str(user["userPrincipalName"]).split("@")[0] in ("AdeleV", "MeganB"):
            t.license_details[uid] = []


def _personal_ios_blocked_for_sales(t: Tenant, now: dt.datetime) -> None:
    # A per-platform iOS restriction (beta only), priority 1, assigned to Sales.
    sales = next(g for g in t.groups.values() if g["displayName"] == "Sales")
    rid = stable_id(t.tenant_id, "restriction", "ios-sales")
    t.enrollment_configurations[rid] = {
        "@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionConfiguration",
        "id": rid,
        "displayName": "iOS – corporate devices only (Sales)",
        "description": "",
        "priority": 1,
        "createdDateTime": iso(now - dt.timedelta(days=80)),
        "lastModifiedDateTime": iso(now - dt.timedelta(days=20)),
        "version": 2,
        "roleScopeTagIds": ["0"],
        "deviceEnrollmentConfigurationType": "singlePlatformRestriction",
        "platformType": "ios",
        "platformRestriction": {
            "platformBlocked": False,
            "personalDeviceEnrollmentBlocked": True,
            "osMinimumVersion": "17.0",
            "osMaximumVersion": None,
            "blockedManufacturers": [],
            "blockedSkus": [],
        },
    }
    t.enrollment_assignments[rid] = [
        {
            "@odata.type": "#microsoft.graph.enrollmentConfigurationAssignment",
            "id": f"{rid}_{sales['id']}",
            "target": {
                "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                "groupId": sales["id"],
            },
            "source": "direct",
            "sourceId": rid,
        }
    ]


def _authenticator_device_licensed(t: Tenant, _now: dt.datetime) -> None:
    # Another admin assigned Authenticator with DEVICE licensing (the admin center's default
    # for new VPP assignments) to All iOS users; only 3 licences are left.
    app = _authenticator_vpp(t)
    app["totalLicenseCount"] = 40
    app["usedLicenseCount"] = 37
    ios_users = next(g for g in t.groups.values() if g["displayName"] == "All iOS users")
    t.app_assignments[app["id"]] = [
        {
            "@odata.type": "#microsoft.graph.mobileAppAssignment",
            "id": f"{ios_users['id']}_1_0",
            "intent": "required",
            "target": {
                "@odata.type": "#microsoft.graph.groupAssignmentTarget",
                "groupId": ios_users["id"],
            },
            "settings": {
                "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
                "useDeviceLicensing": True,
                "vpnConfigurationId": None,
                "uninstallOnDeviceRemoval": None,
                "isRemovable": None,
                "preventManagedAppBackup": None,
                "preventAutoAppUpdate": None,
            },
            "source": "direct",
            "sourceId": None,
        }
    ]


BROKEN: dict[str, Callable[[Tenant, dt.datetime], None]] = {
    "expired-apns": _expired_apns,
    "no-vpp-token": _no_vpp_token,
    "authenticator-store-only": _authenticator_store_only,
    "authenticator-no-licences": _authenticator_no_licences,
    "personal-ios-blocked": _personal_ios_blocked,
    "no-intune-licence": _no_intune_licence,
}

# `demo` plus objects another admin made, that the rollout must live with (not prerequisites).
VARIANTS: dict[str, Callable[[Tenant, dt.datetime], None]] = {
    "sso-other-payloads": _sso_other_payloads,
    "sso-admin-key": _sso_admin_key,
    # Tenants shaped like real ones in one more way (not broken: adue warns or copes).
    "edu-licensed": _edu_licensed,
    "unlicensed-users": _unlicensed_users,
    "personal-ios-blocked-for-sales": _personal_ios_blocked_for_sales,
    "authenticator-device-licensed": _authenticator_device_licensed,
    # Managed devices: who has enrolled (adue progress), tui/sandbox/seeds_enrolled.py.
    "enrolled": add_enrollments,
    # Profiles and apps User Enrollment does not support (the compatibility audit).
    "incompatible": add_incompatible,
}

# Words for the large seed's names: varied enough that searches return a spread of sizes.
_DEPARTMENTS = [
    "Finance",
    "Sales",
    "Marketing",
    "Engineering",
    "Support",
    "Legal",
    "Research",
    "Operations",
    "Procurement",
    "Logistics",
    "Security",
    "Facilities",
    "Training",
    "Quality",
    "Design",
    "Analytics",
    "Payroll",
    "Treasury",
    "Compliance",
    "Audit",
    "Communications",
    "Partnerships",
    "Retail",
    "Wholesale",
    "Manufacturing",
    "Warehouse",
    "Fleet",
    "Clinical",
    "Pharmacy",
    "Nursing",
    "Radiology",
    "Admissions",
    "Alumni",
    "Library",
    "Studio",
    "Editorial",
    "Broadcast",
    "Events",
    "Hospitality",
    "Catering",
]
_SITES = [
    "Amsterdam",
    "Athens",
    "Atlanta",
    "Auckland",
    "Austin",
    "Bangalore",
    "Barcelona",
    "Berlin",
    "Bogota",
    "Boston",
    "Brussels",
    "Cairo",
    "Calgary",
    "Chicago",
    "Copenhagen",
    "Dallas",
    "Denver",
    "Dublin",
    "Dubai",
    "Frankfurt",
    "Geneva",
    "Helsinki",
    "Houston",
    "Istanbul",
    "Jakarta",
    "Johannesburg",
    "Lagos",
    "Lisbon",
    "London",
    "Madrid",
    "Manila",
    "Melbourne",
    "Mexico",
    "Miami",
    "Milan",
    "Montreal",
    "Mumbai",
    "Munich",
    "Nairobi",
    "Oslo",
    "Paris",
    "Prague",
    "Redmond",
    "Riyadh",
    "Rome",
    "Santiago",
    "Seoul",
    "Singapore",
    "Stockholm",
    "Sydney",
]
_KINDS = [
    "Users",
    "Managers",
    "Contractors",
    "Interns",
    "Devices",
    "Laptops",
    "iPhones",
    "iPads",
    "Kiosks",
    "Pilot",
    "Admins",
    "Champions",
    "Guests",
    "Shift",
    "Field",
    "Office",
    "Remote",
    "Night",
    "Weekend",
    "Project",
]
_VENDORS = [
    "Contoso",
    "Fabrikam",
    "Northwind",
    "Litware",
    "Adatum",
    "Tailspin",
    "Woodgrove",
    "Proseware",
]
_PRODUCTS = [
    "Expenses",
    "Timesheets",
    "Travel",
    "Inventory",
    "Scanner",
    "Notes",
    "Forms",
    "Chat",
    "Maps",
    "Learning",
    "Wiki",
    "Tasks",
    "Tickets",
    "Reports",
    "Payroll",
    "Rota",
    "Badge",
    "Visitor",
    "Fleet",
    "Audit",
]
_APP_TYPES = ("iosVppApp", "iosStoreApp", "webApp", "iosLobApp", "managedIOSStoreApp")

LARGE_GROUPS = 100_000
LARGE_APPS = 5_000
LARGE_PROFILES = 50


def build_large(seed: str = "large", now: dt.datetime | None = None) -> Tenant:
    """`demo` plus enough groups, apps and profiles to make slowness show."""
    now = now or utc_now()
    b = _Builder(seed, "demo", now)
    _directory(b, "contoso.com", "Contoso")
    _intune(b, "contoso.com")
    t = b.tenant
    created = b.ago(365)
    empty: list[str] = []
    for i in range(LARGE_GROUPS - len(t.groups)):
        dept = _DEPARTMENTS[i % len(_DEPARTMENTS)]
        site = _SITES[(i // len(_DEPARTMENTS)) % len(_SITES)]
        kind = _KINDS[(i // 7) % len(_KINDS)]
        gid = stable_id("large", "group", str(i))
        t.groups[gid] = {
            "id": gid,
            "createdDateTime": created,
            "description": f"{dept} team in {site}",
            "displayName": f"{dept} {site} {kind} {i:05d}",
            "groupTypes": empty,
            "mailEnabled": False,
            "mailNickname": f"grp{i:05d}",
            "securityEnabled": True,
        }
    for i in range(LARGE_APPS - len(t.mobile_apps)):
        kind = _APP_TYPES[i % len(_APP_TYPES)]
        vendor = _VENDORS[i % len(_VENDORS)]
        product = _PRODUCTS[(i // len(_VENDORS)) % len(_PRODUCTS)]
        aid = stable_id("large", "app", str(i))
        app: dict[str, Any] = {
            "@odata.type": f"#microsoft.graph.{kind}",
            "id": aid,
            "displayName": f"{vendor} {product} {i:04d}",
            "description": "",
            "publisher": vendor,
            "createdDateTime": created,
            "lastModifiedDateTime": created,
            "isFeatured": False,
            "publishingState": "published",
        }
        if kind != "webApp":
            app["bundleId"] = f"com.{vendor.lower()}.{product.lower()}{i:04d}"
        if kind == "iosVppApp":
            app.update(
                totalLicenseCount=100,
                usedLicenseCount=i % 100,
                licensingType={
                    "supportsUserLicensing": i % 3 != 0,
                    "supportsDeviceLicensing": True,
                },
                vppTokenOrganizationName="Contoso Ltd",
                vppTokenAccountType="business",
            )
        t.mobile_apps[aid] = app
        t.app_assignments[aid] = []
    existing = len(t.enrollment_profiles)
    ios = len(t.profiles_by_priority("iOS"))  # iOS numbers its priorities on its own
    for i in range(LARGE_PROFILES - existing):
        pid = stable_id("large", "profile", str(i))
        t.enrollment_profiles[pid] = {
            "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
            "id": pid,
            "displayName": f"iOS – {_SITES[i % len(_SITES)]} enrollment",
            "description": "",
            "priority": ios + i,
            "platform": "iOS",
            "defaultEnrollmentType": "device",
            "availableEnrollmentTypeOptions": [],
            "createdDateTime": created,
            "lastModifiedDateTime": created,
        }
        t.profile_assignments[pid] = []
    return t


# ---- hostile: other people's names, as a tenant may hold them ---------------------------
# Every name here must be shown literally (markup not rendered, controls made visible)
# and crash nothing: Rich/Textual markup, an unclosed "[/", a clickable action, ANSI,
# OSC and one-byte C1 sequences, bidi overrides, a 300-character name, emoji and wide
# CJK. Used by tests/wizard and tests/plan, and by anyone: `adue sandbox --seed hostile`.
HOSTILE_ORGANIZATION = "Contoso [/] [@click=app.quit]Ltd[/] \x1b]0;PWNED-ORG\x07経理 🚀"
HOSTILE_GROUPS: tuple[tuple[str, str, str], ...] = (
    # key, displayName, description
    ("h-finance", "Finance [/]", "closes markup that was never opened"),
    ("h-external", "[External] Partners", "square brackets that look like a style"),
    ("h-markup", "[b]Bold[/b] [red]Red[/red] team", "markup that must not render"),
    ("h-click", "[@click=app.quit]Quit on click[/]", "a clickable action"),
    ("h-open", "Open [/ bracket", "an unclosed closing tag"),
    ("h-ansi", "\x1b[31mRed ANSI\x1b[0m group", "\x1b[2Jclears the screen"),
    ("h-osc", "\x1b]0;PWNED-TITLE\x07OSC title group", "retitles the terminal"),
    ("h-c1", "\x9b31mC1 CSI group", "a one-byte CSI"),
    ("h-bidi", "Payroll \u202egnp.exe\u202c", "a right-to-left override"),
    ("h-isolate", "Isolate \u2067RTL\u2069 group", "a bidi isolate"),
    ("h-long", ("Long name " * 30)[:296] + " end", "300 characters"),
    ("h-emoji", "🚀 Launch team 👩‍💻", "emoji, one with a zero-width joiner"),
    ("h-cjk", "経理部 財務グループ Kanji", "wide CJK characters"),
)
HOSTILE_MEMBERS = ("AdeleV", "MeganB", "PradeepG")
HOSTILE_APP_ORGANIZATION = "[red]Contoso[/] \x1b]0;PWNED-VPP\x07VPP \u202eLtd"
HOSTILE_PROFILE_NAMES = (
    "[bold]User choice[/] \x1b[5m[/",
    "Web \u202eenrollment\u202c [@click=app.quit]x[/]",
)
HOSTILE_POLICY_PREFIX = "[/]\x1b]0;PWNED-POLICY\x07 "


def build_hostile(seed: str = "hostile", now: dt.datetime | None = None) -> Tenant:
    """`demo` with hostile names for the organisation, groups, apps, profiles, policies."""
    now = now or utc_now()
    b = _Builder(seed, "demo", now)
    _directory(b, "contoso.com", HOSTILE_ORGANIZATION)
    _intune(b, "contoso.com")
    t = b.tenant
    for key, name, description in HOSTILE_GROUPS:
        gid = b.id("group", key)
        t.groups[gid] = {
            "id": gid,
            "createdDateTime": b.ago(30),
            "description": description,
            "displayName": name,
            "groupTypes": [],
            "mailEnabled": False,
            "mailNickname": key.replace("-", ""),
            "securityEnabled": True,
        }
        t.members[gid] = [b.id("user", alias) for alias in HOSTILE_MEMBERS]
    for app in t.mobile_apps.values():
        if "vppTokenOrganizationName" in app:
            app["vppTokenOrganizationName"] = HOSTILE_APP_ORGANIZATION
    for token in t.vpp_tokens.values():
        token["organizationName"] = HOSTILE_APP_ORGANIZATION
    for profile, name in zip(t.enrollment_profiles.values(), HOSTILE_PROFILE_NAMES, strict=False):
        profile["displayName"] = name
    for config in t.device_configurations.values():
        config["displayName"] = HOSTILE_POLICY_PREFIX + str(config.get("displayName", ""))
    return t


SEED_NAMES: tuple[str, ...] = ("demo", "large", "hostile", *BROKEN, *VARIANTS, "enrolled-large")


def build_seed(name: str, now: dt.datetime | None = None, directory: str = "contoso") -> Tenant:
    """The tenant called `name`; ValueError naming the choices for an unknown one.
    `directory` (DIRECTORIES) makes `demo` another tenant, e.g. "fabrikam"."""
    now = now or utc_now()
    if directory not in DIRECTORIES:
        raise ValueError(
            f"unknown sandbox directory {directory!r}: choose one of {', '.join(DIRECTORIES)}"
        )
    if name == "demo":
        return build_demo(now=now, directory=directory)
    if name == "large":
        return build_large(now=now)
    if name == "hostile":
        return build_hostile(now=now)
    if name == "enrolled-large":
        tenant = build_demo(name, now)
        add_many_enrollments(tenant, now)
        return tenant
    change = BROKEN.get(name) or VARIANTS.get(name)
    if change is not None:
        tenant = build_demo(name, now)
        change(tenant, now)
        return tenant
    raise ValueError(f"unknown sandbox seed {name!r}: choose one of {', '.join(SEED_NAMES)}")


# Seeds that can serve any directory: `sso-other-payloads` and `sso-admin-key` key their
# objects by the demo tenant's own ids, so they are Contoso's only.
DIRECTORY_SEEDS: tuple[str, ...] = (
    "demo",
    *BROKEN,
    *(name for name in VARIANTS if name not in ("sso-other-payloads", "sso-admin-key")),
)


def build_in_directory(
    seed: str, *, base: str, domain: str, name: str, now: dt.datetime | None = None
) -> Tenant:
    """The tenant `seed` as an unrelated directory: ids keyed by `base` (so its tenant id,
    users and groups are its own), `domain` its verified domain, `name` its display name.
    For the tenants of a fleet sandbox (tui/sandbox/fleet.py)."""
    if seed not in DIRECTORY_SEEDS:
        raise ValueError(
            f"seed {seed!r} cannot serve another directory: choose one of "
            f"{', '.join(DIRECTORY_SEEDS)}"
        )
    now = now or utc_now()
    b = _Builder(seed, base, now)
    _directory(b, domain, name)
    _intune(b, domain)
    _settings_catalog(b)
    change = BROKEN.get(seed) or VARIANTS.get(seed)
    if change is not None:
        change(b.tenant, now)
    return b.tenant
