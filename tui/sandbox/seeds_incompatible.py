"""`incompatible`: demo plus iOS profiles and apps that User Enrollment does not support
(and look-alikes it does support), assigned to the example session's groups or not.

Unsupported and reaching the rollout (BYOD pilot, All iOS users, or everyone): a
device-wide VPN, a per-app VPN with Safari domains, a SCEP profile with the serial
number as subject, an App Store app, a VPP app with device licensing. Supported or not
reaching it: a per-app VPN, a SCEP profile with the UPN, a device-wide VPN for Legal
only, a user-licensed VPP app, an LOB app, an App Store app assigned as uninstall.
What is supported: Microsoft's "Overview of Apple User Enrollment in Microsoft Intune"
(tui/graph/audit.py).

Device restrictions (iosGeneralDeviceConfiguration, tui/graph/audit_restrictions.py) and
nested groups: "Mobile workforce" contains BYOD pilot, "Contoso staff" contains Mobile
workforce. Reaching the rollout: corporate restrictions (camera: supervised; in-app
purchases: device enrollment only; password expiration: ignored) assigned to Mobile
workforce, a supervised lockdown assigned to all devices, an App Store app assigned to
Contoso staff. Not reaching it or supported: restrictions of "All enrollment types"
settings only for BYOD pilot, supervised restrictions for Legal, and a kiosk profile for
all users that excludes Mobile workforce and All iOS users.

Shared members: "Sales iPhones" is neither a rollout group nor contains one, but holds
some of the rollout's users; a device-wide VPN assigned to it reaches them, an App Store
app assigned to it but excluding BYOD pilot reaches only its All iOS users.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tui.sandbox.tenant import Tenant, iso, stable_id


def _group(tenant: Tenant, name: str) -> str:
    return str(next(g["id"] for g in tenant.groups.values() if g["displayName"] == name))


ALL_DEVICES = "all-devices"
EXCLUDE = "exclude:"


def _target(group_id: str | None) -> dict[str, Any]:
    if group_id is None:
        return {"@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"}
    if group_id == ALL_DEVICES:
        return {"@odata.type": "#microsoft.graph.allDevicesAssignmentTarget"}
    if group_id.startswith(EXCLUDE):
        return {
            "@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget",
            "groupId": group_id[len(EXCLUDE) :],
        }
    return {"@odata.type": "#microsoft.graph.groupAssignmentTarget", "groupId": group_id}


def _parent_group(
    tenant: Tenant, key: str, name: str, member_ids: list[str], description: str = ""
) -> str:
    """A security group with these members (other groups: nested membership)."""
    gid = stable_id(tenant.tenant_id, "incompatible-group", key)
    stamp = iso(dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    tenant.groups[gid] = {
        "id": gid,
        "createdDateTime": stamp,
        "description": description or f"{name} (nested groups)",
        "displayName": name,
        "groupTypes": [],
        "mailEnabled": False,
        "mailNickname": key.replace("-", ""),
        "renewedDateTime": stamp,
        "securityEnabled": True,
        "securityIdentifier": f"S-1-12-1-{int(gid[:8], 16)}-{int(gid[9:13], 16)}",
    }
    tenant.members[gid] = list(member_ids)
    tenant.directory_changed()
    return gid


# Every property of the v1.0 iosGeneralDeviceConfiguration resource as a LIST returns it
# for a profile where nothing is configured (booleans false, the rest null, lists empty,
# enums at their defaults): a profile's configured settings are set on top of this.
# Source: microsoft-graph-docs-contrib api-reference/v1.0/resources/
# intune-deviceconfig-iosgeneraldeviceconfiguration.md (Properties, JSON Representation).
_RESTRICTION_FLAGS = (
    "accountBlockModification",
    "activationLockAllowWhenSupervised",
    "airDropBlocked",
    "airDropForceUnmanagedDropTarget",
    "airPlayForcePairingPasswordForOutgoingRequests",
    "appleWatchBlockPairing",
    "appleWatchForceWristDetection",
    "appleNewsBlocked",
    "appStoreBlockAutomaticDownloads",
    "appStoreBlocked",
    "appStoreBlockInAppPurchases",
    "appStoreBlockUIAppInstallation",
    "appStoreRequirePassword",
    "bluetoothBlockModification",
    "cameraBlocked",
    "cellularBlockDataRoaming",
    "cellularBlockGlobalBackgroundFetchWhileRoaming",
    "cellularBlockPerAppDataModification",
    "cellularBlockPersonalHotspot",
    "cellularBlockVoiceRoaming",
    "certificatesBlockUntrustedTlsCertificates",
    "classroomAppBlockRemoteScreenObservation",
    "classroomAppForceUnpromptedScreenObservation",
    "configurationProfileBlockChanges",
    "definitionLookupBlocked",
    "deviceBlockEnableRestrictions",
    "deviceBlockEraseContentAndSettings",
    "deviceBlockNameModification",
    "diagnosticDataBlockSubmission",
    "diagnosticDataBlockSubmissionModification",
    "documentsBlockManagedDocumentsInUnmanagedApps",
    "documentsBlockUnmanagedDocumentsInManagedApps",
    "enterpriseAppBlockTrust",
    "enterpriseAppBlockTrustModification",
    "faceTimeBlocked",
    "findMyFriendsBlocked",
    "gamingBlockGameCenterFriends",
    "gamingBlockMultiplayer",
    "gameCenterBlocked",
    "hostPairingBlocked",
    "iBooksStoreBlocked",
    "iBooksStoreBlockErotica",
    "iCloudBlockActivityContinuation",
    "iCloudBlockBackup",
    "iCloudBlockDocumentSync",
    "iCloudBlockManagedAppsSync",
    "iCloudBlockPhotoLibrary",
    "iCloudBlockPhotoStreamSync",
    "iCloudBlockSharedPhotoStream",
    "iCloudRequireEncryptedBackup",
    "iTunesBlockExplicitContent",
    "iTunesBlockMusicService",
    "iTunesBlockRadio",
    "keyboardBlockAutoCorrect",
    "keyboardBlockDictation",
    "keyboardBlockPredictive",
    "keyboardBlockShortcuts",
    "keyboardBlockSpellCheck",
    "kioskModeAllowAssistiveSpeak",
    "kioskModeAllowAssistiveTouchSettings",
    "kioskModeAllowAutoLock",
    "kioskModeAllowColorInversionSettings",
    "kioskModeAllowRingerSwitch",
    "kioskModeAllowScreenRotation",
    "kioskModeAllowSleepButton",
    "kioskModeAllowTouchscreen",
    "kioskModeAllowVoiceOverSettings",
    "kioskModeAllowVolumeButtons",
    "kioskModeAllowZoomSettings",
    "kioskModeRequireAssistiveTouch",
    "kioskModeRequireColorInversion",
    "kioskModeRequireMonoAudio",
    "kioskModeRequireVoiceOver",
    "kioskModeRequireZoom",
    "lockScreenBlockControlCenter",
    "lockScreenBlockNotificationView",
    "lockScreenBlockPassbook",
    "lockScreenBlockTodayView",
    "messagesBlocked",
    "notificationsBlockSettingsModification",
    "passcodeBlockFingerprintUnlock",
    "passcodeBlockFingerprintModification",
    "passcodeBlockModification",
    "passcodeBlockSimple",
    "passcodeRequired",
    "podcastsBlocked",
    "safariBlockAutofill",
    "safariBlockJavaScript",
    "safariBlockPopups",
    "safariBlocked",
    "safariRequireFraudWarning",
    "screenCaptureBlocked",
    "siriBlocked",
    "siriBlockedWhenLocked",
    "siriBlockUserGeneratedContent",
    "siriRequireProfanityFilter",
    "spotlightBlockInternetResults",
    "voiceDialingBlocked",
    "wallpaperBlockModification",
    "wiFiConnectOnlyToConfiguredNetworks",
)
_RESTRICTION_NULLS = (
    "kioskModeAppStoreUrl",
    "kioskModeBuiltInAppId",
    "kioskModeManagedAppId",
    "mediaContentRatingAustralia",
    "mediaContentRatingCanada",
    "mediaContentRatingFrance",
    "mediaContentRatingGermany",
    "mediaContentRatingIreland",
    "mediaContentRatingJapan",
    "mediaContentRatingNewZealand",
    "mediaContentRatingUnitedKingdom",
    "mediaContentRatingUnitedStates",
    "passcodeExpirationDays",
    "passcodeMinimumLength",
    "passcodeMinutesOfInactivityBeforeLock",
    "passcodeMinutesOfInactivityBeforeScreenTimeout",
    "passcodeMinimumCharacterSetCount",
    "passcodePreviousPasscodeBlockCount",
    "passcodeSignInFailureCountBeforeWipe",
)
_RESTRICTION_LISTS = (
    "appsSingleAppModeList",
    "appsVisibilityList",
    "compliantAppsList",
    "emailInDomainSuffixes",
    "networkUsageRules",
    "safariManagedDomains",
    "safariPasswordAutoFillDomains",
)


# The beta resource has these properties too (the audit reads beta), booleans false when
# nothing is configured, `kioskModeAppType` notConfigured, the delay days null.
# Source: microsoftgraph/msgraph-beta-sdk-python, msgraph_beta/generated/models/
# ios_general_device_configuration.py and ios_kiosk_mode_app_type.py. The sandbox keeps
# one object for both versions: iosGeneralDeviceConfiguration is an open type there
# (graph_schema.json), so a v1.0 GET would show these too; adue reads them only in beta.
_RESTRICTION_BETA_FLAGS = (
    "airPrintBlockCredentialsStorage",
    "airPrintBlocked",
    "airPrintBlockiBeaconDiscovery",
    "airPrintForceTrustedTLS",
    "appClipsBlocked",
    "appRemovalBlocked",
    "applePersonalizedAdsBlocked",
    "autoFillForceAuthentication",
    "autoUnlockBlocked",
    "blockSystemAppRemoval",
    "cellularBlockPersonalHotspotModification",
    "cellularBlockPlanModification",
    "classroomForceAutomaticallyJoinClasses",
    "classroomForceRequestPermissionToLeaveClasses",
    "classroomForceUnpromptedAppAndDeviceLock",
    "contactsAllowManagedToUnmanagedWrite",
    "contactsAllowUnmanagedToManagedRead",
    "continuousPathKeyboardBlocked",
    "dateAndTimeForceSetAutomatically",
    "enterpriseBookBlockBackup",
    "enterpriseBookBlockMetadataSync",
    "esimBlockModification",
    "filesNetworkDriveAccessBlocked",
    "filesUsbDriveAccessBlocked",
    "findMyDeviceInFindMyAppBlocked",
    "findMyFriendsInFindMyAppBlocked",
    "iCloudPrivateRelayBlocked",
    "iTunesBlocked",
    "keychainBlockCloudSync",
    "kioskModeAllowVoiceControlModification",
    "kioskModeBlockAutoLock",
    "kioskModeBlockRingerSwitch",
    "kioskModeBlockScreenRotation",
    "kioskModeBlockSleepButton",
    "kioskModeBlockTouchscreen",
    "kioskModeBlockVolumeButtons",
    "kioskModeEnableVoiceControl",
    "managedPasteboardRequired",
    "nfcBlocked",
    "onDeviceOnlyDictationForced",
    "onDeviceOnlyTranslationForced",
    "passwordBlockAirDropSharing",
    "passwordBlockAutoFill",
    "passwordBlockProximityRequests",
    "pkiBlockOTAUpdates",
    "privacyForceLimitAdTracking",
    "proximityBlockSetupToNewDevice",
    "sharedDeviceBlockTemporarySessions",
    "softwareUpdatesForceDelayed",
    "unpairedExternalBootToRecoveryAllowed",
    "usbRestrictedModeBlocked",
    "vpnBlockCreation",
    "wiFiConnectToAllowedNetworksOnlyForced",
    "wifiPowerOnForced",
)


def _restrictions(**configured: Any) -> dict[str, Any]:
    body: dict[str, Any] = dict.fromkeys((*_RESTRICTION_FLAGS, *_RESTRICTION_BETA_FLAGS), False)
    body |= dict.fromkeys(_RESTRICTION_NULLS, None)
    body |= {key: [] for key in _RESTRICTION_LISTS}
    body |= {
        "appsVisibilityListType": "none",
        "compliantAppListType": "none",
        "mediaContentRatingApps": "allAllowed",
        "passcodeRequiredType": "deviceDefault",
        "safariCookieSettings": "browserDefault",
        "kioskModeAppType": "notConfigured",
        "softwareUpdatesEnforcedDelayInDays": None,
    }
    unknown = set(configured) - set(body)
    if unknown:
        raise ValueError(f"not an iosGeneralDeviceConfiguration property: {sorted(unknown)}")
    return body | configured


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
            "id": f"{cid}_{(g or 'all').replace(':', '_')}",
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


def _vpp_app(tenant: Tenant, key: str, name: str, group: str, *, device_licensing: bool) -> None:
    """A VPP app that offers both licence kinds, required for `group` with a device licence
    (which User Enrollment does not support) or a user licence."""
    _app(
        tenant,
        key,
        "iosVppApp",
        name,
        [(group, "required", device_licensing)],
        licensingType={"supportsUserLicensing": True, "supportsDeviceLicensing": True},
    )


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


def add_incompatible(tenant: Tenant, _now: dt.datetime) -> None:
    pilot, ios, legal = (_group(tenant, n) for n in ("BYOD pilot", "All iOS users", "Legal"))
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
    _vpp_app(tenant, "zoom-device", "Zoom (device licence)", ios, device_licensing=True)
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
        "vpn-legal",
        "iosVpnConfiguration",
        "iOS – Legal device VPN",
        [legal],
        **_vpn(enablePerApp=False),
    )
    _vpp_app(tenant, "slack-user", "Slack (user licence)", pilot, device_licensing=False)
    _app(tenant, "expenses-lob", "iosLobApp", "Contoso Expenses (LOB)", [(ios, "required", False)])
    _add_restrictions(tenant, pilot, ios, legal)
    _add_shared(tenant, pilot)
    _app(
        tenant,
        "old-store",
        "iosStoreApp",
        "Old Survey (App Store)",
        [(pilot, "uninstall", False)],
        appStoreUrl="https://apps.apple.com/us/app/id2",
    )


def _add_shared(tenant: Tenant, pilot: str) -> None:
    """ "Sales iPhones" (Adele Vance, also in BYOD pilot and All iOS users; Isaiah Langer,
    also in All iOS users; Nestor Wilke, in neither) is no rollout group and contains
    none: its device-wide VPN reaches the rollout's users it holds, and its App Store app,
    which excludes BYOD pilot, reaches only those not in BYOD pilot."""
    users = {u["userPrincipalName"].split("@")[0]: u["id"] for u in tenant.users.values()}
    sales = _parent_group(
        tenant,
        "sales-iphones",
        "Sales iPhones",
        [users["AdeleV"], users["IsaiahL"], users["NestorW"]],
        description="Sales reps' iPhones",
    )
    _config(
        tenant,
        "vpn-sales",
        "iosVpnConfiguration",
        "iOS – Sales always-on VPN",
        [sales],
        **_vpn(enablePerApp=False),
    )
    _app(
        tenant,
        "deck-store",
        "iosStoreApp",
        "Sales Deck (App Store)",
        [(sales, "required", False), (EXCLUDE + pilot, "required", False)],
        appStoreUrl="https://apps.apple.com/us/app/id4",
    )


def _add_restrictions(tenant: Tenant, pilot: str, ios: str, legal: str) -> None:
    """Nested groups and device restrictions profiles (see the module doc)."""
    workforce = _parent_group(tenant, "mobile-workforce", "Mobile workforce", [pilot])
    staff = _parent_group(tenant, "contoso-staff", "Contoso staff", [workforce])
    # Reaching the rollout.
    _config(
        tenant,
        "restrictions-corporate",
        "iosGeneralDeviceConfiguration",
        "iOS – Corporate device restrictions",
        [workforce],
        **_restrictions(
            cameraBlocked=True,
            appStoreBlockInAppPurchases=True,
            passcodeRequired=True,
            passcodeExpirationDays=90,
            documentsBlockManagedDocumentsInUnmanagedApps=True,
        ),
    )
    _config(
        tenant,
        "restrictions-supervised",
        "iosGeneralDeviceConfiguration",
        "iOS – Supervised lockdown",
        [ALL_DEVICES],
        **_restrictions(
            airDropBlocked=True,
            deviceBlockEraseContentAndSettings=True,
            safariCookieSettings="blockAlways",
            nfcBlocked=True,  # beta only, supervised
            appClipsBlocked=True,  # beta only, device enrollment
        ),
    )
    _app(
        tenant,
        "travel-store",
        "iosStoreApp",
        "Contoso Travel (App Store)",
        [(staff, "available", False)],
        appStoreUrl="https://apps.apple.com/us/app/id3",
    )
    # Supported, or not reaching the rollout.
    _config(
        tenant,
        "restrictions-byod",
        "iosGeneralDeviceConfiguration",
        "iOS – BYOD restrictions",
        [pilot, ios],
        **_restrictions(
            documentsBlockManagedDocumentsInUnmanagedApps=True,
            airDropForceUnmanagedDropTarget=True,
            siriBlockedWhenLocked=True,
            iCloudRequireEncryptedBackup=True,
            passcodeRequired=True,
            screenCaptureBlocked=True,
            managedPasteboardRequired=True,  # beta only, all enrollment types
            onDeviceOnlyDictationForced=True,  # beta only, all enrollment types
        ),
    )
    _config(
        tenant,
        "restrictions-legal",
        "iosGeneralDeviceConfiguration",
        "iOS – Legal supervised restrictions",
        [legal],
        **_restrictions(cameraBlocked=True, appStoreBlocked=True),
    )
    _config(
        tenant,
        "restrictions-kiosk",
        "iosGeneralDeviceConfiguration",
        "iOS – Lobby kiosk",
        [None, EXCLUDE + workforce, EXCLUDE + ios],
        **_restrictions(
            kioskModeAppType="builtInApp",
            kioskModeBuiltInAppId="com.apple.mobilesafari",
            cameraBlocked=True,
        ),
    )
