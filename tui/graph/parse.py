"""Graph JSON -> our models (tui.graph.models). Tolerant of missing fields, strict on types.

A field of the wrong type reads as missing (its default). An answer that is not a JSON
object where a Graph entity was expected raises GraphError naming the entity, never a
KeyError/TypeError/AttributeError (tests/reliability/test_fuzz_graph_parsers.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from tui.graph.errors import GraphError
from tui.graph.models import (
    ApnsCertificate,
    AppAssignment,
    AppIntent,
    Assignment,
    AssignmentTarget,
    DeviceLimit,
    DirectoryUser,
    EnrollmentProfile,
    EnrollmentTypeOption,
    Group,
    Organization,
    PlatformRestriction,
    ServicePlan,
    SsoPolicy,
    StoreApp,
    SubscribedSku,
    TargetKind,
    VerifiedDomain,
    VppApp,
    VppToken,
    WebApp,
    is_intune_plan,
)

Json = Mapping[str, Any]

_NOT_GRAPH = (
    "Try again; if it persists, the Graph endpoint (or a proxy in front of it) is not "
    "answering like Microsoft Graph."
)


def entity(obj: object, what: str) -> Json:
    """`obj` when it is a JSON object; GraphError naming `what` otherwise."""
    if isinstance(obj, Mapping):
        return obj
    kind = "null" if obj is None else f"a JSON {type(obj).__name__}"
    raise GraphError(
        f"Graph answered {kind} where {what} (a JSON object) was expected", fix=_NOT_GRAPH
    )


def _fields(obj: object) -> Json:
    """The fields of `obj`, or none when it is not an object (a leaf reads its default)."""
    return obj if isinstance(obj, Mapping) else {}


def text(obj: Json, key: str) -> str:
    value = _fields(obj).get(key)
    return value if isinstance(value, str) else ""


def integer(obj: Json, key: str) -> int:
    value = _fields(obj).get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def flag(obj: Json, key: str) -> bool:
    return _fields(obj).get(key) is True


def child(obj: Json, key: str) -> Json:
    value = _fields(obj).get(key)
    return value if isinstance(value, Mapping) else {}


def items(obj: Json, key: str = "value") -> list[Json]:
    value = _fields(obj).get(key)
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def timestamp(obj: Json, key: str) -> dt.datetime | None:
    value = _fields(obj).get(key)
    if not isinstance(value, str) or not value:
        return None
    raw = value.strip()
    if raw.endswith("Z"):
        raw = raw[:-1] + "+00:00"
    # Graph sends up to 7 fractional digits; fromisoformat takes at most 6.
    if "." in raw:
        head, _, tail = raw.partition(".")
        digits = "".join(c for c in tail if c.isdigit())
        zone = tail[len(digits) :]
        raw = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    try:
        when = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    # 0001-01-01 is Graph's "never".
    return None if when.year <= 1 else when


def organization(obj: Json) -> Organization:
    obj = entity(obj, "the organization")
    domains = tuple(
        VerifiedDomain(text(d, "name"), flag(d, "isDefault"), flag(d, "isInitial"))
        for d in items(obj, "verifiedDomains")
    )
    return Organization(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        verified_domains=domains,
        mdm_authority=text(obj, "mobileDeviceManagementAuthority"),
    )


def subscribed_sku(obj: Json) -> SubscribedSku:
    obj = entity(obj, "a subscribed SKU")
    units = child(obj, "prepaidUnits")
    return SubscribedSku(
        sku_id=text(obj, "skuId"),
        part_number=text(obj, "skuPartNumber"),
        capability_status=text(obj, "capabilityStatus"),
        enabled_units=integer(units, "enabled"),
        consumed_units=integer(obj, "consumedUnits"),
        service_plans=tuple(
            ServicePlan(
                text(p, "servicePlanId"), text(p, "servicePlanName"), text(p, "provisioningStatus")
            )
            for p in items(obj, "servicePlans")
        ),
    )


def apns_certificate(obj: Json) -> ApnsCertificate:
    obj = entity(obj, "the APNs certificate")
    return ApnsCertificate(
        apple_identifier=text(obj, "appleIdentifier"),
        topic_identifier=text(obj, "topicIdentifier"),
        expiration=timestamp(obj, "expirationDateTime"),
        upload_status=text(obj, "certificateUploadStatus"),
        last_modified=timestamp(obj, "lastModifiedDateTime"),
    )


def vpp_token(obj: Json) -> VppToken:
    obj = entity(obj, "a VPP token")
    return VppToken(
        id=text(obj, "id"),
        organization_name=text(obj, "organizationName"),
        apple_id=text(obj, "appleId"),
        state=text(obj, "state") or "unknown",
        expiration=timestamp(obj, "expirationDateTime"),
        last_sync=timestamp(obj, "lastSyncDateTime"),
        last_sync_status=text(obj, "lastSyncStatus"),
    )


def odata_type(obj: Json) -> str:
    return text(obj, "@odata.type")


def vpp_app(obj: Json) -> VppApp:
    obj = entity(obj, "a VPP app")
    licensing = child(obj, "licensingType")
    return VppApp(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        bundle_id=text(obj, "bundleId"),
        supports_user_licensing=flag(licensing, "supportsUserLicensing"),
        supports_device_licensing=flag(licensing, "supportsDeviceLicensing"),
        total_licenses=integer(obj, "totalLicenseCount"),
        used_licenses=integer(obj, "usedLicenseCount"),
        vpp_token_apple_id=text(obj, "vppTokenAppleId"),
        vpp_token_organization=text(obj, "vppTokenOrganizationName"),
        app_store_url=text(obj, "appStoreUrl"),
    )


def store_app(obj: Json) -> StoreApp:
    obj = entity(obj, "an iOS store app")
    return StoreApp(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        bundle_id=text(obj, "bundleId"),
        app_store_url=text(obj, "appStoreUrl"),
    )


def platform_restriction(obj: Json) -> PlatformRestriction | None:
    """The iOS part of a platform restriction; None for other enrollment configurations."""
    obj = entity(obj, "an enrollment restriction")
    kind = odata_type(obj)
    if kind == "#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration":
        ios = child(obj, "iosRestriction")
    elif kind == "#microsoft.graph.deviceEnrollmentPlatformRestrictionConfiguration":
        if text(obj, "platformType").lower() != "ios":
            return None
        ios = child(obj, "platformRestriction")
    else:
        return None
    priority = integer(obj, "priority")
    return PlatformRestriction(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        priority=priority,
        # The tenant-wide default restriction has priority 0 and an id ending in this.
        is_default=text(obj, "id").endswith("_DefaultPlatformRestrictions")
        or (kind.endswith("RestrictionsConfiguration") and priority == 0),
        ios_platform_blocked=flag(ios, "platformBlocked"),
        ios_personal_blocked=flag(ios, "personalDeviceEnrollmentBlocked"),
        ios_os_minimum=text(ios, "osMinimumVersion"),
        targets=_assignment_targets(obj),
        per_platform=kind == "#microsoft.graph.deviceEnrollmentPlatformRestrictionConfiguration",
    )


def _assignment_targets(obj: Json) -> tuple[AssignmentTarget, ...]:
    found = (target(child(a, "target")) for a in items(obj, "assignments"))
    return tuple(t for t in found if t)


def device_limit(obj: Json) -> DeviceLimit | None:
    """A device-limit restriction; None for other enrollment configurations."""
    if odata_type(obj) != "#microsoft.graph.deviceEnrollmentLimitConfiguration":
        return None
    priority = integer(obj, "priority")
    return DeviceLimit(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        priority=priority,
        is_default=text(obj, "id").endswith("_DefaultLimit") or priority == 0,
        limit=integer(obj, "limit"),
        targets=_assignment_targets(obj),
    )


def directory_user(obj: Json) -> DirectoryUser:
    return DirectoryUser(text(obj, "id"), text(obj, "displayName"), text(obj, "userPrincipalName"))


def has_intune_licence(license_details: Json) -> bool:
    """A user's licenseDetails answer carries a provisioned Intune service plan."""
    return any(
        is_intune_plan(text(plan, "servicePlanId"), text(plan, "servicePlanName"))
        and text(plan, "provisioningStatus").lower() in ("success", "")
        for detail in items(license_details)
        for plan in items(detail, "servicePlans")
    )


def group(obj: Json) -> Group:
    obj = entity(obj, "a group")
    kinds = obj.get("groupTypes")
    return Group(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        description=text(obj, "description"),
        membership_rule=text(obj, "membershipRule"),
        security_enabled=flag(obj, "securityEnabled"),
        mail_enabled=flag(obj, "mailEnabled"),
        group_types=tuple(k for k in kinds if isinstance(k, str))
        if isinstance(kinds, list)
        else (),
    )


FILTER_ID = "deviceAndAppManagementAssignmentFilterId"
FILTER_TYPE = "deviceAndAppManagementAssignmentFilterType"


def target(obj: Json) -> AssignmentTarget | None:
    obj = entity(obj, "an assignment target")
    kind = odata_type(obj)
    if not kind:
        return None
    filter_id = text(obj, FILTER_ID)
    filter_type = text(obj, FILTER_TYPE) if filter_id else ""
    try:
        target_kind = TargetKind(kind)
    except ValueError:
        # A target adue does not manage (e.g. a Configuration Manager collection):
        # keep it exactly, so replace-all /assign does not drop it.
        extra = tuple(
            (k, v)
            for k, v in sorted(obj.items())
            if isinstance(v, str) and not k.startswith("@") and k not in (FILTER_ID, FILTER_TYPE)
        )
        return AssignmentTarget(
            TargetKind.OTHER,
            text(obj, "groupId"),
            filter_id,
            filter_type,
            odata_type=kind,
            extra=extra,
        )
    return AssignmentTarget(target_kind, text(obj, "groupId"), filter_id, filter_type)


def assignment(obj: Json) -> Assignment | None:
    obj = entity(obj, "an assignment")
    found = target(child(obj, "target"))
    return Assignment(text(obj, "id"), found) if found else None


def app_assignment(obj: Json) -> AppAssignment | None:
    obj = entity(obj, "an app assignment")
    found = target(child(obj, "target"))
    if found is None:
        return None
    try:
        intent = AppIntent(text(obj, "intent"))
    except ValueError:
        intent = AppIntent.AVAILABLE
    settings = child(obj, "settings")
    return AppAssignment(
        target=found,
        intent=intent,
        use_device_licensing=flag(settings, "useDeviceLicensing"),
        id=text(obj, "id"),
        read_as=obj,
    )


def web_app(obj: Json) -> WebApp:
    obj = entity(obj, "a web app")
    return WebApp(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        app_url=text(obj, "appUrl"),
        created=timestamp(obj, "createdDateTime"),
    )


def sso_policy(obj: Json) -> SsoPolicy:
    obj = entity(obj, "the SSO extension policy")
    extension = child(obj, "iosSingleSignOnExtension")
    configurations = items(extension, "configurations")
    keys = {text(c, "key").strip(): c.get("value") for c in configurations}
    bundle_ids = extension.get("bundleIdAccessControlList")
    return SsoPolicy(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        description=text(obj, "description"),
        bundle_ids=tuple(b for b in bundle_ids if isinstance(b, str))
        if isinstance(bundle_ids, list)
        else (),
        browser_sso_interaction_enabled=keys.get("browser_sso_interaction_enabled") in (1, True),
        has_device_registration="device_registration" in keys,
        extension_type=odata_type(extension),
        last_modified=timestamp(obj, "lastModifiedDateTime"),
        created=timestamp(obj, "createdDateTime"),
    )


def enrollment_profile(obj: Json) -> EnrollmentProfile:
    obj = entity(obj, "an enrollment profile")
    return EnrollmentProfile(
        id=text(obj, "id"),
        display_name=text(obj, "displayName"),
        description=text(obj, "description"),
        platform=text(obj, "platform"),
        priority=integer(obj, "priority"),
        default_enrollment_type=text(obj, "defaultEnrollmentType"),
        options=tuple(
            EnrollmentTypeOption(text(o, "ownerType"), text(o, "enrollmentType"))
            for o in items(obj, "availableEnrollmentTypeOptions")
        ),
        last_modified=timestamp(obj, "lastModifiedDateTime"),
        created=timestamp(obj, "createdDateTime"),
    )
