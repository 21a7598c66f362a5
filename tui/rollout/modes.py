"""The two ways personal iPhones and iPads enroll with adue's profile, and what each means.

`[enrollment_profile] mode` picks one. Both use the same SSO app extension policy (JIT
registration) and Microsoft Authenticator; they differ in the profile's enrollment type,
in what the employee does, and in what the organisation can see and do on the device.
Sources: Microsoft Learn "Set up account driven Apple User Enrollment", "Set up web based
device enrollment for iOS" (memdocs intune/enrollment/web-based-device-enrollment-ios.md),
"Overview of Apple device enrollment" (ios-device-enrollment.md), "What information can my
organization see when I enroll my device?", and ../shared/reference/enrollment-facts.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tui.values import Frozen

if TYPE_CHECKING:
    from tui.graph.models import EnrollmentProfileSpec


class ModeFacts(Frozen):
    mode: str  # one of ENROLLMENT_MODES
    label: str  # as the admin center names the enrollment type
    enrollment_type: str  # Graph's appleUserInitiatedEnrollmentType
    default_profile_name: str
    plan_line: str  # the create line of the plan
    difference: str  # for Review: what the company can see and do, in the admin's words


ACCOUNT_DRIVEN = ModeFacts(
    mode="account-driven",
    label="Account driven user enrollment",
    enrollment_type="accountDrivenUserEnrollment",
    default_profile_name="iOS – account-driven user enrollment",
    plan_line="enrollment type: account driven user enrollment, personal devices (iOS/iPadOS 17+)",
    difference=(
        "Account-driven User Enrollment: employees enroll from Settings with their work "
        "account. Work apps and data live on a separate managed volume; Intune sees no "
        "serial number, UDID, IMEI or phone number and no personal apps; remote actions are "
        "limited to retire, remote lock and sync (no full wipe). Needs the service-discovery "
        "file on the sign-in domain."
    ),
)

WEB_BASED = ModeFacts(
    mode="web-based",
    label="Web based device enrollment",
    enrollment_type="webDeviceEnrollment",
    default_profile_name="iOS – web-based device enrollment",
    plan_line="enrollment type: web based device enrollment, personal devices in Safari "
    "(iOS/iPadOS 17+)",
    difference=(
        "Web-based device enrollment: employees enroll in Safari and install a management "
        "profile in Settings. It is a device enrollment: Intune sees the device's serial "
        "number and IMEI, the last four digits of its phone number and its managed apps, "
        "and can wipe the whole device; work data is not kept on a separate volume. No "
        "service-discovery file is needed."
    ),
)

FACTS: dict[str, ModeFacts] = {f.mode: f for f in (ACCOUNT_DRIVEN, WEB_BASED)}


def facts(mode: str) -> ModeFacts:
    """The facts of `mode` (the default's for an unknown value: the schema refuses those)."""
    return FACTS.get(mode, ACCOUNT_DRIVEN)


def profile_spec(name: str, description: str, mode: str) -> EnrollmentProfileSpec:
    """The profile's body for `mode`: the enrollment type as default and as the one option
    for personal devices (the shape the admin center writes for a single-type profile)."""
    # Here: a headless plan reads the modes before its first request, the models after it.
    from tui.graph.models import EnrollmentProfileSpec, EnrollmentTypeOption

    kind = facts(mode).enrollment_type
    return EnrollmentProfileSpec(name, description, kind, (EnrollmentTypeOption("personal", kind),))


def session_mode(data: Mapping[str, Any]) -> str:
    """A session's [enrollment_profile] mode (the schema checks its value)."""
    profile = data.get("enrollment_profile")
    mode = profile.get("mode") if isinstance(profile, Mapping) else None
    return mode if isinstance(mode, str) and mode else "account-driven"


def session_profile_name(data: Mapping[str, Any]) -> str:
    """The name of the session's enrollment profile ([enrollment_profile] name, else the
    mode's default): web-based enrollments are told from Company Portal ones by it."""
    profile = data.get("enrollment_profile")
    name = profile.get("name") if isinstance(profile, Mapping) else None
    if isinstance(name, str) and name.strip():
        return name.strip()
    return facts(session_mode(data)).default_profile_name
