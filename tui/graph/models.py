"""Our own small frozen types for what adue reads from and writes to Graph.

Screens and the plan engine see only these, never msgraph models or raw dicts.
Field names follow Python; the Graph names are in graph.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

# Defined apart, so that a request can be made and an access token read before the rest
# of these types are imported (tui.rollout.pinned_plan); the same classes under these names.
from tui.graph.batch_items import BatchAnswer as BatchAnswer
from tui.graph.batch_items import BatchRead as BatchRead
from tui.graph.jwt import GrantedAccess as GrantedAccess

T = TypeVar("T")

AUTHENTICATOR_BUNDLE_ID = "com.microsoft.azureauthenticator"
IOS_VPP_SETTINGS = "#microsoft.graph.iosVppAppAssignmentSettings"
INTUNE_SERVICE_PLAN_ID = "c1ec4a95-1f05-45b3-a911-aa3fa01094f5"  # INTUNE_A
# Every service plan that licenses a user for Intune (Microsoft Entra's "Product names and
# service plan identifiers for licensing"): Plan 1 on its own, in volume licensing and
# for US Government, Intune for Education, and Intune in Microsoft 365 Business Premium;
# bundles (E3/E5, EMS, A3/A5, Business Premium) carry one of these. INTUNE_O365 (basic
# mobility for Office 365) and add-ons (Plan 2, Suite) do not license Intune alone.
INTUNE_SERVICE_PLANS: dict[str, str] = {
    "c1ec4a95-1f05-45b3-a911-aa3fa01094f5": "INTUNE_A",
    "3e170737-c728-4eae-bbb9-3f3360f7184c": "INTUNE_A_VL",
    "d216f254-796f-4dab-bbfa-710686e646b9": "INTUNE_A_GOV",
    "da24caf9-af8e-485c-b7c8-e73336da2693": "INTUNE_EDU",
    "8e9ff0ff-aa7a-4b20-83c1-2f636b600ac2": "INTUNE_SMBIZ",
}
INTUNE_PLAN_NAMES = frozenset({*INTUNE_SERVICE_PLANS.values(), "INTUNE_SMB"})


def is_intune_plan(plan_id: str, plan_name: str) -> bool:
    """A service plan that licenses Intune, by id (or, for a plan id not listed, by name)."""
    return plan_id.lower() in INTUNE_SERVICE_PLANS or plan_name.upper() in INTUNE_PLAN_NAMES


@dataclass(frozen=True)
class Written(Generic[T]):
    """The result of a write and Graph's request-id for it (for the journal)."""

    value: T
    request_id: str


# -- tenant -------------------------------------------------------------------
@dataclass(frozen=True)
class VerifiedDomain:
    name: str
    is_default: bool


@dataclass(frozen=True)
class Organization:
    id: str
    display_name: str
    verified_domains: tuple[VerifiedDomain, ...]
    mdm_authority: str  # unknown | intune | sccm | office365 ("" when Graph did not say)

    @property
    def default_domain(self) -> str:
        for domain in self.verified_domains:
            if domain.is_default:
                return domain.name
        return self.verified_domains[0].name if self.verified_domains else ""


@dataclass(frozen=True)
class ServicePlan:
    id: str
    name: str
    provisioning_status: str


@dataclass(frozen=True)
class SubscribedSku:
    sku_id: str
    part_number: str
    capability_status: str
    service_plans: tuple[ServicePlan, ...]

    def plan(self, plan_id: str) -> ServicePlan | None:
        return next((p for p in self.service_plans if p.id.lower() == plan_id.lower()), None)

    @property
    def intune_plans(self) -> tuple[ServicePlan, ...]:
        return tuple(p for p in self.service_plans if is_intune_plan(p.id, p.name))


@dataclass(frozen=True)
class ApnsCertificate:
    apple_identifier: str
    topic_identifier: str
    expiration: dt.datetime | None
    last_modified: dt.datetime | None


@dataclass(frozen=True)
class VppToken:
    id: str
    organization_name: str
    apple_id: str
    state: str  # Graph's vppTokenState: "valid", "expired", "invalid", "assignedToExternalMDM"...
    expiration: dt.datetime | None
    last_sync: dt.datetime | None


@dataclass(frozen=True)
class VppApp:
    """An `iosVppApp` (from an Apps and Books location token)."""

    id: str
    display_name: str
    bundle_id: str
    supports_user_licensing: bool
    total_licenses: int
    used_licenses: int
    vpp_token_apple_id: str
    vpp_token_organization: str

    @property
    def free_licenses(self) -> int:
        return max(0, self.total_licenses - self.used_licenses)


@dataclass(frozen=True)
class StoreApp:
    """An `iosStoreApp` (App Store app): not installable under User Enrollment."""

    id: str
    display_name: str
    bundle_id: str


@dataclass(frozen=True)
class AuthenticatorApps:
    """Every Microsoft Authenticator app in the tenant, by kind."""

    vpp_apps: tuple[VppApp, ...]
    store_apps: tuple[StoreApp, ...]

    @property
    def user_licensed(self) -> tuple[VppApp, ...]:
        return tuple(a for a in self.vpp_apps if a.supports_user_licensing)

    @property
    def best(self) -> VppApp | None:
        """The user-licensable VPP app with the most free licences."""
        apps = sorted(self.user_licensed, key=lambda a: a.free_licenses, reverse=True)
        return apps[0] if apps else None


@dataclass(frozen=True)
class PlatformRestriction:
    """iOS part of a device enrollment platform restriction."""

    id: str
    display_name: str
    priority: int
    is_default: bool
    ios_platform_blocked: bool
    ios_personal_blocked: bool
    ios_os_minimum: str
    # Who it applies to (read with $expand=assignments in beta); the default applies to all.
    targets: tuple[AssignmentTarget, ...] = ()


@dataclass(frozen=True)
class DeviceLimit:
    """A deviceEnrollmentLimitConfiguration: how many devices a user may enroll."""

    id: str
    display_name: str
    priority: int
    is_default: bool
    limit: int
    targets: tuple[AssignmentTarget, ...] = ()


@dataclass(frozen=True)
class DirectoryUser:
    id: str
    display_name: str
    user_principal_name: str

    @property
    def label(self) -> str:
        return self.user_principal_name or self.display_name or self.id


@dataclass(frozen=True)
class CheckTargets:
    """Whom the rollout targets, from the session: "All users" and/or group ids."""

    all_users: bool = False
    group_ids: tuple[str, ...] = ()
    group_names: tuple[str, ...] = ()  # groups the session names without an id
    labels: tuple[tuple[str, str], ...] = ()  # group id -> the name the session gives it
    # A User Enrollment rollout (not web-based device enrollment, which supports device
    # settings): only then does the compatibility audit (tui.graph.audit) apply.
    user_enrollment: bool = True

    @property
    def any(self) -> bool:
        return self.all_users or bool(self.group_ids) or bool(self.group_names)


# -- groups ---------------------------------------------------------------------
class GroupKind(StrEnum):
    USERS = "users"
    DEVICES = "devices"
    MIXED = "mixed"
    EMPTY = "empty"


@dataclass(frozen=True)
class Group:
    id: str
    display_name: str
    description: str = ""
    membership_rule: str = ""  # dynamic groups only
    group_types: tuple[str, ...] = ()

    @property
    def is_dynamic(self) -> bool:
        return "DynamicMembership" in self.group_types or bool(self.membership_rule)


@dataclass(frozen=True)
class GroupPage:
    """One page of a group search; `next_link` fetches the next page on demand."""

    groups: tuple[Group, ...]
    next_link: str = ""
    query: str = ""

    @property
    def has_more(self) -> bool:
        return bool(self.next_link)


# -- assignments ----------------------------------------------------------------
class TargetKind(StrEnum):
    ALL_USERS = "#microsoft.graph.allLicensedUsersAssignmentTarget"
    ALL_DEVICES = "#microsoft.graph.allDevicesAssignmentTarget"
    GROUP = "#microsoft.graph.groupAssignmentTarget"
    EXCLUDE_GROUP = "#microsoft.graph.exclusionGroupAssignmentTarget"
    OTHER = "other"  # a target type adue does not manage; kept as read on merges


@dataclass(frozen=True)
class AssignmentTarget:
    kind: TargetKind
    group_id: str = ""
    # An assignment filter on the target: kept on merges so a re-post never drops it.
    filter_id: str = ""
    filter_type: str = ""
    # For kind OTHER: Graph's @odata.type and its other string fields, sent back as read.
    odata_type: str = ""
    extra: tuple[tuple[str, str], ...] = ()

    @property
    def type_name(self) -> str:
        return self.odata_type if self.kind is TargetKind.OTHER else self.kind.value

    @property
    def key(self) -> tuple[str, str]:
        """Dedupe key (graph.md): target @odata.type and groupId."""
        ident = self.group_id or ",".join(f"{k}={v}" for k, v in self.extra)
        return (self.type_name, ident.lower())

    @classmethod
    def all_users(cls) -> AssignmentTarget:
        return cls(TargetKind.ALL_USERS)

    @classmethod
    def group(cls, group_id: str) -> AssignmentTarget:
        return cls(TargetKind.GROUP, group_id)

    @classmethod
    def exclude(cls, group_id: str) -> AssignmentTarget:
        return cls(TargetKind.EXCLUDE_GROUP, group_id)


@dataclass(frozen=True)
class Assignment:
    """A device configuration assignment (or an enrollment profile's)."""

    id: str
    target: AssignmentTarget


class AppIntent(StrEnum):
    AVAILABLE = "available"
    REQUIRED = "required"
    UNINSTALL = "uninstall"
    AVAILABLE_WITHOUT_ENROLLMENT = "availableWithoutEnrollment"


@dataclass(frozen=True)
class AppAssignment:
    target: AssignmentTarget
    intent: AppIntent = AppIntent.REQUIRED
    use_device_licensing: bool = False  # user licensing for User Enrollment
    id: str = ""
    # The assignment's JSON exactly as Graph (beta) returned it. `/assign` replaces the
    # whole set (graph.md), so an assignment adue does not change is posted back from
    # this: intent, target and filter, every setting (beta-only ones such as
    # uninstallOnDeviceRemoval included) and source stay as another admin left them.
    read_as: Mapping[str, Any] | None = field(default=None, compare=False)
    # The settings type a new assignment is sent with ("" = none: a web app has no
    # assignment settings of its own, and Graph refuses another app type's).
    settings_type: str = field(
        default="#microsoft.graph.iosVppAppAssignmentSettings", compare=False
    )

    @property
    def key(self) -> tuple[str, str]:
        return self.target.key


# -- SSO app extension policy (beta) ----------------------------------------------
@dataclass(frozen=True)
class SsoPolicySpec:
    """What adue wants the SSO app extension policy to be."""

    display_name: str
    description: str = ""
    bundle_ids: tuple[str, ...] = ()
    browser_sso_interaction_enabled: bool = True
    # Documented optional plug-in keys the session adds ([sso_extension] extra_keys).
    extra_keys: tuple[tuple[str, str | int | bool], ...] = ()

    @property
    def owned_keys(self) -> frozenset[str]:
        """Extension keys adue manages; any other key in the policy is an admin's and stays."""
        own = {"device_registration", "browser_sso_interaction_enabled"}
        return frozenset(own | {name for name, _ in self.extra_keys})


@dataclass(frozen=True)
class SsoPolicy:
    id: str
    display_name: str
    description: str
    bundle_ids: tuple[str, ...]
    browser_sso_interaction_enabled: bool
    has_device_registration: bool
    extension_type: str  # e.g. #microsoft.graph.iosAzureAdSingleSignOnExtension
    last_modified: dt.datetime | None = None
    created: dt.datetime | None = None  # createdDateTime: the oldest of duplicates survives


@dataclass(frozen=True)
class PolicyUpdate:
    """What an update changed (empty `changed` = nothing was sent)."""

    changed: tuple[str, ...]
    request_id: str = ""


# -- enrollment profiles (beta) ----------------------------------------------------
@dataclass(frozen=True)
class EnrollmentTypeOption:
    owner_type: str  # unknown | company | personal
    enrollment_type: str  # e.g. accountDrivenUserEnrollment


@dataclass(frozen=True)
class EnrollmentProfileSpec:
    display_name: str
    description: str = ""
    default_enrollment_type: str = "accountDrivenUserEnrollment"
    options: tuple[EnrollmentTypeOption, ...] = (
        EnrollmentTypeOption("personal", "accountDrivenUserEnrollment"),
    )
    platform: str = "iOS"


@dataclass(frozen=True)
class EnrollmentProfile:
    id: str
    display_name: str
    description: str
    platform: str
    priority: int
    default_enrollment_type: str
    options: tuple[EnrollmentTypeOption, ...] = field(default_factory=tuple)
    last_modified: dt.datetime | None = None
    created: dt.datetime | None = None  # createdDateTime: the oldest of duplicates survives

    @property
    def is_ios(self) -> bool:
        """Priorities are per platform: adue orders only iOS/iPadOS profiles (graph.md)."""
        return self.platform.lower() == "ios"


@dataclass(frozen=True)
class WebApp:
    """A `webApp` (a web link / web clip on the home screen)."""

    id: str
    display_name: str
    app_url: str
    created: dt.datetime | None = None


@dataclass(frozen=True)
class ProfileAssignment:
    id: str
    target: AssignmentTarget
