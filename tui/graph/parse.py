"""Graph JSON -> our models (tui.graph.models). Tolerant of missing fields, strict on types.

One declarative decoder (`decode`) reads every model: each dataclass field is read from
its Graph name (the field's name in camelCase, or the one `GRAPH_NAMES` gives, a dotted
path for a nested object) with the reader its type calls for (str, int, bool, a
timestamp, a tuple of strings or of another model). What a model needs beyond that (a
target's kind, a restriction's iOS part) is computed by its function and handed to
`decode` by name.

A field of the wrong type reads as missing (its default). An answer that is not a JSON
object where a Graph entity was expected raises GraphError naming the entity, never a
KeyError/TypeError/AttributeError (tests/reliability/test_fuzz_graph_parsers.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

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
    Group,
    Organization,
    PlatformRestriction,
    ServicePlan,
    SsoPolicy,
    StoreApp,
    SubscribedSku,
    TargetKind,
    VppApp,
    VppToken,
    WebApp,
    is_intune_plan,
)

Json = Mapping[str, Any]
M = TypeVar("M")

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


# -- the declarative decoder ------------------------------------------------------
# Graph's name for each field whose camelCase name is not it ("a.b": field b of object a).
GRAPH_NAMES: dict[type, dict[str, str]] = {
    Organization: {"mdm_authority": "mobileDeviceManagementAuthority"},
    SubscribedSku: {"part_number": "skuPartNumber"},
    ServicePlan: {"id": "servicePlanId", "name": "servicePlanName"},
    ApnsCertificate: {
        "expiration": "expirationDateTime",
        "last_modified": "lastModifiedDateTime",
    },
    VppToken: {"expiration": "expirationDateTime", "last_sync": "lastSyncDateTime"},
    VppApp: {
        "supports_user_licensing": "licensingType.supportsUserLicensing",
        "total_licenses": "totalLicenseCount",
        "used_licenses": "usedLicenseCount",
        "vpp_token_organization": "vppTokenOrganizationName",
    },
    WebApp: {"created": "createdDateTime"},
    SsoPolicy: {"last_modified": "lastModifiedDateTime", "created": "createdDateTime"},
    EnrollmentProfile: {
        "options": "availableEnrollmentTypeOptions",
        "last_modified": "lastModifiedDateTime",
        "created": "createdDateTime",
    },
}

Reader = Callable[[Json, str], Any]


def graph_names(**names: str) -> Callable[[type[M]], type[M]]:
    """A model defined outside tui.graph.models gives its Graph names as it is defined."""

    def register(model: type[M]) -> type[M]:
        GRAPH_NAMES[model] = names
        return model

    return register


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _path(obj: Json, dotted: str) -> tuple[Json, str]:
    """The object holding the last name of `dotted`, and that name."""
    *parents, key = dotted.split(".")
    for parent in parents:
        obj = child(obj, parent)
    return obj, key


def strings(obj: Json, key: str) -> tuple[str, ...]:
    value = _fields(obj).get(key)
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _reader(kind: Any) -> Reader | None:
    """How a field of type `kind` is read; None for a type the decoder does not read."""
    if kind is str:
        return text
    if kind is bool:
        return flag
    if kind is int:
        return integer
    if isinstance(kind, types.UnionType) and dt.datetime in typing.get_args(kind):
        return timestamp
    if typing.get_origin(kind) is tuple:
        (inner, *_) = typing.get_args(kind)
        if inner is str:
            return strings
        if dataclasses.is_dataclass(inner):
            model = typing.cast(type, inner)
            return lambda obj, key: tuple(decode(model, o) for o in items(obj, key))
    return None


@functools.cache
def _plan(model: type) -> tuple[tuple[str, str, Reader], ...]:
    """(field, Graph name, reader) for each field of `model` the decoder reads."""
    hints = typing.get_type_hints(model)
    names = GRAPH_NAMES.get(model, {})
    plan = []
    for spec in dataclasses.fields(model):
        read = _reader(hints[spec.name])
        if read is not None:
            plan.append((spec.name, names.get(spec.name, _camel(spec.name)), read))
    return tuple(plan)


def decode(model: type[M], obj: Json, **given: Any) -> M:
    """`model` from the Graph object `obj`: each field read as `_plan` says, unless
    `given` (what the model's own function computed) names it; a field neither read nor
    given keeps its default."""
    values = dict(given)
    for name, graph_name, read in _plan(typing.cast(type, model)):
        if name not in values:
            values[name] = read(*_path(obj, graph_name))
    return model(**values)


# -- the models ---------------------------------------------------------------------
def organization(obj: Json) -> Organization:
    return decode(Organization, entity(obj, "the organization"))


def subscribed_sku(obj: Json) -> SubscribedSku:
    return decode(SubscribedSku, entity(obj, "a subscribed SKU"))


def apns_certificate(obj: Json) -> ApnsCertificate:
    return decode(ApnsCertificate, entity(obj, "the APNs certificate"))


def vpp_token(obj: Json) -> VppToken:
    obj = entity(obj, "a VPP token")
    return decode(VppToken, obj, state=text(obj, "state") or "unknown")


def odata_type(obj: Json) -> str:
    return text(obj, "@odata.type")


def vpp_app(obj: Json) -> VppApp:
    return decode(VppApp, entity(obj, "a VPP app"))


def store_app(obj: Json) -> StoreApp:
    return decode(StoreApp, entity(obj, "an iOS store app"))


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
    return decode(
        PlatformRestriction,
        obj,
        # The tenant-wide default restriction has priority 0 and an id ending in this.
        is_default=text(obj, "id").endswith("_DefaultPlatformRestrictions")
        or (kind.endswith("RestrictionsConfiguration") and priority == 0),
        ios_platform_blocked=flag(ios, "platformBlocked"),
        ios_personal_blocked=flag(ios, "personalDeviceEnrollmentBlocked"),
        ios_os_minimum=text(ios, "osMinimumVersion"),
        targets=_assignment_targets(obj),
    )


def _assignment_targets(obj: Json) -> tuple[AssignmentTarget, ...]:
    found = (target(child(a, "target")) for a in items(obj, "assignments"))
    return tuple(t for t in found if t)


def device_limit(obj: Json) -> DeviceLimit | None:
    """A device-limit restriction; None for other enrollment configurations."""
    if odata_type(obj) != "#microsoft.graph.deviceEnrollmentLimitConfiguration":
        return None
    return decode(
        DeviceLimit,
        obj,
        is_default=text(obj, "id").endswith("_DefaultLimit") or integer(obj, "priority") == 0,
        targets=_assignment_targets(obj),
    )


def directory_user(obj: Json) -> DirectoryUser:
    return decode(DirectoryUser, obj)


def has_intune_licence(license_details: Json) -> bool:
    """A user's licenseDetails answer carries a provisioned Intune service plan."""
    return any(
        is_intune_plan(text(plan, "servicePlanId"), text(plan, "servicePlanName"))
        and text(plan, "provisioningStatus").lower() in ("success", "")
        for detail in items(license_details)
        for plan in items(detail, "servicePlans")
    )


def group(obj: Json) -> Group:
    return decode(Group, entity(obj, "a group"))


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
    return decode(WebApp, entity(obj, "a web app"))


def sso_policy(obj: Json) -> SsoPolicy:
    obj = entity(obj, "the SSO extension policy")
    extension = child(obj, "iosSingleSignOnExtension")
    configurations = items(extension, "configurations")
    keys = {text(c, "key").strip(): c.get("value") for c in configurations}
    return decode(
        SsoPolicy,
        obj,
        bundle_ids=strings(extension, "bundleIdAccessControlList"),
        browser_sso_interaction_enabled=keys.get("browser_sso_interaction_enabled") in (1, True),
        has_device_registration="device_registration" in keys,
        extension_type=odata_type(extension),
    )


def enrollment_profile(obj: Json) -> EnrollmentProfile:
    return decode(EnrollmentProfile, entity(obj, "an enrollment profile"))
