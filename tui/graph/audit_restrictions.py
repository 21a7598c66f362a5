"""iOS device restrictions (`iosGeneralDeviceConfiguration`) that User Enrollment does not
apply: which configured settings of a profile need supervision or a device enrollment.

Source: Microsoft Learn, "iOS and iPadOS device settings to allow or restrict features
using Intune" (https://learn.microsoft.com/intune/intune-service/configuration/
device-restrictions-ios, memdocs intune/configuration/device-restrictions-ios.md), the
list "Overview of Apple User Enrollment" points to for the device restrictions User
Enrollment supports. Each setting there sits under one of three headings:
- "Settings apply to: All enrollment types": User Enrollment applies them (not listed here);
- "Settings apply to: Device enrollment, Automated device enrollment (supervised)":
  device-wide, not for User Enrollment (DEVICE below);
- "Settings apply to: Automated device enrollment (supervised)": need a supervised device
  (SUPERVISED below).
The Password settings under the device-enrollment heading are a case of their own: "On
user-enrolled devices, if you configure any password setting, then the Simple passwords
settings is automatically set to Yes, and a 6 digit PIN is enforced" and the setting
itself is ignored (PASSCODE below). A passcode-only profile is not reported: the device
still gets a 6-digit PIN, which is what most passcode profiles want; when a profile is
reported for other settings its ignored password settings are named too. "Minimum
password length" is applied up to 6 and is not listed. The Graph property of each
setting is from the iosGeneralDeviceConfiguration resource page
(microsoft-graph-docs-contrib, api-reference/v1.0/resources/
intune-deviceconfig-iosgeneraldeviceconfiguration.md). Only settings with a clear
property are listed; a setting counts when it is configured (true, a value, a list).

The audit reads the profiles in beta (tui/graph/audit.py), where the resource has
settings v1.0 lacks; those are marked `# beta`, their property names from the beta
resource (microsoftgraph/msgraph-beta-sdk-python, msgraph_beta/generated/models/
ios_general_device_configuration.py, the JSON names in get_field_deserializers) and
their headings from the same Learn page. Left out on purpose: the beta settings under
"All enrollment types" (on-device dictation/translation, managed pasteboard, enterprise
books, managed apps' iCloud sync, unmanaged contacts read); `softwareUpdatesEnforced
DelayInDays`, which only matters once "Defer software updates" (listed) is on; and the
kiosk sub-settings (auto lock, ringer switch, voice control...), which only apply with an
app in kiosk mode, itself reported. "Block user modification to the Find My Friends
settings" (`findMyFriendsBlocked`) is v1.0 but was missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SUPERVISED = "supervised"
DEVICE = "device"
PASSCODE = "passcode"

# property -> (admin center label, which heading)
SETTINGS: dict[str, tuple[str, str]] = {
    # App Store, Doc Viewing, Gaming
    "appStoreRequirePassword": ("Require iTunes Store password for all purchases", DEVICE),
    "appStoreBlockInAppPurchases": ("Block in-app purchases", DEVICE),
    "iBooksStoreBlockErotica": ("Block download of explicit sexual content in Apple Books", DEVICE),
    "contactsAllowManagedToUnmanagedWrite": (  # beta
        "Allow managed apps to write contacts to unmanaged contacts accounts",
        DEVICE,
    ),
    "appStoreBlocked": ("Block App store", SUPERVISED),
    "appStoreBlockUIAppInstallation": ("Block installing apps using App Store", SUPERVISED),
    "appStoreBlockAutomaticDownloads": ("Block automatic app downloads", SUPERVISED),
    "iTunesBlockExplicitContent": (
        "Block playback of explicit music, podcast, and iTunes U",
        SUPERVISED,
    ),
    "gamingBlockGameCenterFriends": ("Block adding Game Center friends", SUPERVISED),
    "gameCenterBlocked": ("Block Game Center", SUPERVISED),
    "gamingBlockMultiplayer": ("Block multiplayer gaming in Game Center", SUPERVISED),
    "filesNetworkDriveAccessBlocked": (  # beta
        "Block access to network drive in Files app",
        SUPERVISED,
    ),
    # Autonomous single app mode
    "appsSingleAppModeList": ("Autonomous single app mode (ASAM) apps", SUPERVISED),
    # Built-in Apps
    "spotlightBlockInternetResults": ("Block internet search results from Spotlight", DEVICE),
    "safariCookieSettings": ("Safari cookies", DEVICE),
    "safariBlockJavaScript": ("Block Safari JavaScript", DEVICE),
    "safariBlockPopups": ("Block Safari Pop-ups", DEVICE),
    "cameraBlocked": ("Block camera", SUPERVISED),
    "faceTimeBlocked": ("Block FaceTime", SUPERVISED),
    "siriRequireProfanityFilter": ("Require Siri profanity filter", SUPERVISED),
    "siriBlockUserGeneratedContent": ("Block user-generated content in Siri", SUPERVISED),
    "appleNewsBlocked": ("Block Apple News", SUPERVISED),
    "iBooksStoreBlocked": ("Block Apple Books", SUPERVISED),
    "messagesBlocked": ("Block iMessage", SUPERVISED),
    "podcastsBlocked": ("Block Podcasts", SUPERVISED),
    "iTunesBlockMusicService": ("Music service", SUPERVISED),
    "iTunesBlockRadio": ("Block iTunes Radio", SUPERVISED),
    "iTunesBlocked": ("Block iTunes store", SUPERVISED),  # beta
    "findMyDeviceInFindMyAppBlocked": ("Block Find My iPhone", SUPERVISED),  # beta
    "findMyFriendsInFindMyAppBlocked": ("Block Find My Friends", SUPERVISED),  # beta
    "findMyFriendsBlocked": (
        "Block user modification to the Find My Friends settings",
        SUPERVISED,
    ),
    "blockSystemAppRemoval": ("Block removal of system apps from device", SUPERVISED),  # beta
    "safariBlocked": ("Block Safari", SUPERVISED),
    "safariBlockAutofill": ("Block Safari Autofill", SUPERVISED),
    # Cloud and Storage
    "iCloudBlockPhotoStreamSync": ("Block iCloud Photos sync", DEVICE),
    "iCloudBlockPhotoLibrary": ("Block iCloud Photo Library", DEVICE),
    "iCloudBlockSharedPhotoStream": ("Block My Photo Stream", DEVICE),
    "iCloudBlockActivityContinuation": ("Block Handoff", DEVICE),
    "iCloudBlockBackup": ("Block iCloud backup", SUPERVISED),
    "iCloudBlockDocumentSync": ("Block iCloud document and data sync", SUPERVISED),
    "keychainBlockCloudSync": ("Block iCloud Keychain sync", SUPERVISED),  # beta
    "iCloudPrivateRelayBlocked": ("Block iCloud Private Relay", SUPERVISED),  # beta
    # Connected Devices
    "airPlayForcePairingPasswordForOutgoingRequests": (
        "Require AirPlay outgoing requests pairing password",
        DEVICE,
    ),
    "autoUnlockBlocked": ("Block Apple Watch auto unlock", DEVICE),  # beta
    "airDropBlocked": ("Block AirDrop", SUPERVISED),
    "appleWatchBlockPairing": ("Block pairing with Apple Watch", SUPERVISED),
    "bluetoothBlockModification": ("Block modifying Bluetooth settings", SUPERVISED),
    "hostPairingBlocked": ("Block pairing with non-Configurator hosts", SUPERVISED),
    "airPrintBlocked": ("Block AirPrint", SUPERVISED),  # beta
    "airPrintBlockCredentialsStorage": (  # beta
        "Block storage of AirPrint credentials in Keychain",
        SUPERVISED,
    ),
    "airPrintForceTrustedTLS": (  # beta
        "Require AirPrint to destinations with trusted certificates",
        SUPERVISED,
    ),
    "airPrintBlockiBeaconDiscovery": (  # beta
        "Block iBeacon discovery of AirPrint printers",
        SUPERVISED,
    ),
    "proximityBlockSetupToNewDevice": ("Block setting up new nearby devices", SUPERVISED),  # beta
    "filesUsbDriveAccessBlocked": ("Block access to USB drive in Files app", SUPERVISED),  # beta
    "nfcBlocked": ("Disable near-field communication (NFC)", SUPERVISED),  # beta
    "unpairedExternalBootToRecoveryAllowed": (  # beta
        "Allow users to boot devices into recovery mode with unpaired devices",
        SUPERVISED,
    ),
    # Domains
    "emailInDomainSuffixes": ("Unmarked email domains", DEVICE),
    "safariManagedDomains": ("Managed Safari web domains", DEVICE),
    "safariPasswordAutoFillDomains": ("Safari password domains", SUPERVISED),
    # General
    "certificatesBlockUntrustedTlsCertificates": ("Block Untrusted TLS certificates", DEVICE),
    "enterpriseAppBlockTrust": ("Block trusting new enterprise app authors", DEVICE),
    "pkiBlockOTAUpdates": ("Block over-the-air PKI updates", DEVICE),  # beta
    "privacyForceLimitAdTracking": ("Force limited ad tracking", DEVICE),  # beta
    "appClipsBlocked": ("Block app clips", DEVICE),  # beta
    "applePersonalizedAdsBlocked": ("Limit Apple personalized advertising", DEVICE),  # beta
    "diagnosticDataBlockSubmissionModification": (
        "Block modification of diagnostics settings",
        SUPERVISED,
    ),
    "classroomAppForceUnpromptedScreenObservation": (
        "Allow Classroom app to perform AirPlay and view screen without prompting",
        SUPERVISED,
    ),
    "accountBlockModification": ("Block modification of account settings", SUPERVISED),
    "deviceBlockEnableRestrictions": ("Block Screen time", SUPERVISED),
    "deviceBlockEraseContentAndSettings": (
        "Block use of erase all content and settings",
        SUPERVISED,
    ),
    "deviceBlockNameModification": ("Block modification of device name", SUPERVISED),
    "notificationsBlockSettingsModification": (
        "Block modification of notifications settings",
        SUPERVISED,
    ),
    "wallpaperBlockModification": ("Block modification of Wallpaper", SUPERVISED),
    "configurationProfileBlockChanges": ("Block configuration profile changes", SUPERVISED),
    "activationLockAllowWhenSupervised": ("Allow activation Lock", SUPERVISED),
    "appRemovalBlocked": ("Block removing apps", SUPERVISED),  # beta
    "usbRestrictedModeBlocked": (
        "Allow USB accessories while device is locked",
        SUPERVISED,
    ),  # beta
    "dateAndTimeForceSetAutomatically": ("Force automatic date and time", SUPERVISED),  # beta
    "classroomForceRequestPermissionToLeaveClasses": (  # beta
        "Require teacher permission to leave Classroom app unmanaged classes",
        SUPERVISED,
    ),
    "classroomForceUnpromptedAppAndDeviceLock": (  # beta
        "Allow Classroom to lock to an app and lock the device without prompting",
        SUPERVISED,
    ),
    "classroomForceAutomaticallyJoinClasses": (  # beta
        "Allow students to automatically join Classroom classes without prompting",
        SUPERVISED,
    ),
    "vpnBlockCreation": ("Block VPN creation", SUPERVISED),  # beta
    "esimBlockModification": ("Block modification of eSIM settings", SUPERVISED),  # beta
    "softwareUpdatesForceDelayed": ("Defer software updates", SUPERVISED),  # beta
    # Keyboard and Dictionary
    "definitionLookupBlocked": ("Block word definition lookup", SUPERVISED),
    "keyboardBlockPredictive": ("Block predictive keyboards", SUPERVISED),
    "keyboardBlockAutoCorrect": ("Block auto-correction", SUPERVISED),
    "keyboardBlockSpellCheck": ("Block spell-check", SUPERVISED),
    "keyboardBlockShortcuts": ("Block keyboard shortcuts", SUPERVISED),
    "keyboardBlockDictation": ("Block dictation", SUPERVISED),
    "continuousPathKeyboardBlocked": ("Block QuickPath", SUPERVISED),  # beta
    # Kiosk
    "kioskModeAppStoreUrl": ("App to run in kiosk mode", SUPERVISED),
    "kioskModeManagedAppId": ("App to run in kiosk mode", SUPERVISED),
    "kioskModeBuiltInAppId": ("App to run in kiosk mode", SUPERVISED),
    "kioskModeAppType": ("App to run in kiosk mode", SUPERVISED),  # beta
    # Locked Screen Experience
    "lockScreenBlockPassbook": ("Block Wallet notifications in lock screen", DEVICE),
    # Password
    "passcodeBlockSimple": ("Block simple passwords", PASSCODE),
    "passcodeRequiredType": ("Required password type", PASSCODE),
    "passcodeMinimumCharacterSetCount": (
        "Number of non-alphanumeric characters in password",
        PASSCODE,
    ),
    "passcodeSignInFailureCountBeforeWipe": (
        "Number of sign-in failures before wiping device",
        PASSCODE,
    ),
    "passcodeMinutesOfInactivityBeforeLock": (
        "Maximum minutes after screen lock before password is required",
        PASSCODE,
    ),
    "passcodeMinutesOfInactivityBeforeScreenTimeout": (
        "Maximum minutes of inactivity until screen locks",
        PASSCODE,
    ),
    "passcodeExpirationDays": ("Password expiration (days)", PASSCODE),
    "passcodePreviousPasscodeBlockCount": ("Prevent reuse of previous passwords", PASSCODE),
    "passcodeBlockFingerprintUnlock": ("Block Touch ID and Face ID unlock", PASSCODE),
    "passcodeBlockModification": ("Block passcode modification", SUPERVISED),
    "passcodeBlockFingerprintModification": (
        "Block modification of Touch ID fingerprints and Face ID faces",
        SUPERVISED,
    ),
    "passwordBlockAutoFill": ("Block password AutoFill", SUPERVISED),  # beta
    "passwordBlockProximityRequests": ("Block password proximity requests", SUPERVISED),  # beta
    "passwordBlockAirDropSharing": ("Block password sharing", SUPERVISED),  # beta
    "autoFillForceAuthentication": (  # beta
        "Require Touch ID or Face ID authentication for AutoFill of password or credit card"
        " information",
        SUPERVISED,
    ),
    # Restricted apps
    "compliantAppListType": ("Type of restricted apps list", DEVICE),
    # Shared iPad
    "sharedDeviceBlockTemporarySessions": (  # beta
        "Block Shared iPad temporary sessions",
        SUPERVISED,
    ),
    # Wireless
    "cellularBlockPlanModification": (
        "Block changes to cellular plan settings",
        SUPERVISED,
    ),  # beta
    "cellularBlockPersonalHotspotModification": (  # beta
        "Block modification of personal hotspot",
        SUPERVISED,
    ),
    "wifiPowerOnForced": ("Require Wi-Fi always on", SUPERVISED),  # beta
    "wiFiConnectToAllowedNetworksOnlyForced": (  # beta
        "Require devices to use Wi-Fi networks set up via configuration profiles",
        SUPERVISED,
    ),
}

# Values that mean "Not configured" for the non-boolean settings (their Graph enums'
# defaults: webBrowserCookieSettings browserDefault, requiredPasswordType deviceDefault,
# appListType none, beta iosKioskModeAppType notConfigured).
_NOT_CONFIGURED: frozenset[Any] = frozenset(
    {None, "", "browserDefault", "deviceDefault", "none", "notConfigured"}
)


@dataclass(frozen=True)
class RestrictionFindings:
    supervised: tuple[str, ...]  # labels of settings that need a supervised device
    device: tuple[str, ...]  # labels of device-enrollment-only settings
    passcode: tuple[str, ...]  # labels of password settings User Enrollment ignores

    def __bool__(self) -> bool:
        """Worth a finding: a setting needing supervision or a device enrollment (password
        settings alone are not: the device still enforces a 6-digit PIN)."""
        return bool(self.supervised or self.device)


def _configured(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, int | float):
        return True  # 0 is a configured number too (e.g. minutes: "Immediately")
    if isinstance(value, str):
        return value.strip() not in _NOT_CONFIGURED
    return value is not None and not isinstance(value, Mapping)


def unsupported_restrictions(obj: Mapping[str, Any]) -> RestrictionFindings:
    """The configured settings of one iosGeneralDeviceConfiguration that User Enrollment
    does not apply, by heading, each label once, in the admin center's order."""
    found: dict[str, list[str]] = {SUPERVISED: [], DEVICE: [], PASSCODE: []}
    for key, (label, heading) in SETTINGS.items():
        if _configured(obj.get(key)) and label not in found[heading]:
            found[heading].append(label)
    return RestrictionFindings(
        tuple(found[SUPERVISED]), tuple(found[DEVICE]), tuple(found[PASSCODE])
    )


def restriction_problem(findings: RestrictionFindings) -> tuple[str, str, str]:
    """(problem, what the device shows, fix) for a profile with these findings."""
    parts = []
    if findings.supervised:
        parts.append("need a supervised device: " + ", ".join(findings.supervised))
    if findings.device:
        parts.append("apply to device enrollment only: " + ", ".join(findings.device))
    if findings.passcode:
        parts.append("password settings User Enrollment ignores: " + ", ".join(findings.passcode))
    problem = "device restrictions User Enrollment does not support (" + "; ".join(parts) + ")"
    shown = []
    if findings.supervised or findings.device:
        shown.append(
            "these settings are not applied: the profile reports 0x87d136cd (not applicable)"
            " on user-enrolled devices"
        )
    if findings.passcode:
        shown.append("the password settings are ignored and a 6-digit PIN is enforced instead")
    fix = (
        "give the rollout's groups their own device restrictions profile with only settings"
        " under 'All enrollment types' and exclude those groups from this one, or set the"
        " listed settings to Not configured"
    )
    return problem, "; ".join(shown), fix
