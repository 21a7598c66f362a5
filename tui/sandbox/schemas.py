"""Schemas per `@odata.type` for everything adue writes, checked the way Graph checks them.

Graph (OData) refuses a body with a property its type does not define, a value of the
wrong type, an enum member it does not know, a missing required property, or (on PATCH)
a read-only property; the answer is 400 naming the property. Types adue only reads are
"open": known for `isof` and type casts, not checked property by property.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from tui.sandbox.errors import GraphError, bad_request

NAMESPACE = "microsoft.graph."


@dataclass(frozen=True)
class Prop:
    kind: str  # string bool int32 double datetime enum complex any
    collection: bool = False
    ref: str = ""  # enum name or complex type name
    nullable: bool = True
    beta_only: bool = False
    read_only: bool = False
    max_items: int = 0


def S(**kw: Any) -> Prop:
    return Prop("string", **kw)


def B(**kw: Any) -> Prop:
    return Prop("bool", nullable=kw.pop("nullable", False), **kw)


def I32(**kw: Any) -> Prop:
    return Prop("int32", nullable=kw.pop("nullable", False), **kw)


def D(**kw: Any) -> Prop:
    return Prop("double", nullable=kw.pop("nullable", False), **kw)


def DT(**kw: Any) -> Prop:
    return Prop("datetime", **kw)


def E(name: str, **kw: Any) -> Prop:
    return Prop("enum", ref=name, nullable=kw.pop("nullable", False), **kw)


def C(name: str, **kw: Any) -> Prop:
    return Prop("complex", ref=name, **kw)


def ANY(**kw: Any) -> Prop:
    return Prop("any", **kw)


def coll(prop: Prop, max_items: int = 0) -> Prop:
    return Prop(
        prop.kind,
        collection=True,
        ref=prop.ref,
        nullable=True,
        beta_only=prop.beta_only,
        read_only=prop.read_only,
        max_items=max_items,
    )


@dataclass(frozen=True)
class TypeDef:
    name: str
    base: str | None = None
    props: dict[str, Prop] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    abstract: bool = False
    beta_only: bool = False
    open: bool = False  # not checked property by property (adue never writes it)


ENUMS: dict[str, tuple[str, ...]] = {
    "installIntent": ("available", "required", "uninstall", "availableWithoutEnrollment"),
    "appleUserInitiatedEnrollmentType": (
        "unknown",
        "device",
        "user",
        "accountDrivenUserEnrollment",
        "webDeviceEnrollment",
        "unknownFutureValue",
    ),
    "appleOwnerType": ("unknown", "company", "personal", "unknownFutureValue"),
    "devicePlatformType": (
        "android",
        "androidForWork",
        "iOS",
        "macOS",
        "windowsPhone81",
        "windows81AndLater",
        "windows10AndLater",
        "androidWorkProfile",
        "unknown",
        "androidAOSP",
        "androidMobileApplicationManagement",
        "iOSMobileApplicationManagement",
        "unknownFutureValue",
        "windowsMobileApplicationManagement",
    ),
    "deviceAndAppManagementAssignmentFilterType": ("none", "include", "exclude"),
    "deviceAndAppManagementAssignmentSource": ("direct", "policySets"),
    "deviceConfigAssignmentIntent": ("apply", "remove"),
    "iosWallpaperDisplayLocation": (
        "notConfigured",
        "lockScreen",
        "homeScreen",
        "lockAndHomeScreens",
    ),
}

_TARGET_FILTER = {
    "deviceAndAppManagementAssignmentFilterId": S(beta_only=True),
    "deviceAndAppManagementAssignmentFilterType": E(
        "deviceAndAppManagementAssignmentFilterType", beta_only=True
    ),
}

_DEVICE_CONFIGURATION = {
    "id": S(read_only=True),
    "createdDateTime": DT(read_only=True),
    "lastModifiedDateTime": DT(read_only=True),
    "version": I32(read_only=True),
    "displayName": S(nullable=False),
    "description": S(),
    "roleScopeTagIds": coll(S(beta_only=True)),
    "supportsScopeTags": B(read_only=True, beta_only=True),
    "deviceManagementApplicabilityRuleOsEdition": ANY(beta_only=True),
    "deviceManagementApplicabilityRuleOsVersion": ANY(beta_only=True),
    "deviceManagementApplicabilityRuleDeviceMode": ANY(beta_only=True),
}

_TYPES: list[TypeDef] = [
    # -- device configurations ---------------------------------------------------------
    TypeDef("deviceConfiguration", None, _DEVICE_CONFIGURATION, ("displayName",), abstract=True),
    TypeDef(
        "appleDeviceFeaturesConfigurationBase",
        "deviceConfiguration",
        {"airPrintDestinations": coll(ANY(beta_only=True), 500)},
        abstract=True,
    ),
    TypeDef(
        "iosDeviceFeaturesConfiguration",
        "appleDeviceFeaturesConfigurationBase",
        {
            "assetTagTemplate": S(),
            "lockScreenFootnote": S(),
            "homeScreenDockIcons": coll(ANY(), 500),
            "homeScreenPages": coll(ANY(), 500),
            "notificationSettings": coll(ANY(), 500),
            "contentFilterSettings": ANY(beta_only=True),
            "homeScreenGridWidth": I32(nullable=True, beta_only=True),
            "homeScreenGridHeight": I32(nullable=True, beta_only=True),
            "singleSignOnSettings": ANY(beta_only=True),
            "wallpaperDisplayLocation": E("iosWallpaperDisplayLocation", beta_only=True),
            "wallpaperImage": ANY(beta_only=True),
            "singleSignOnExtension": C("singleSignOnExtension", beta_only=True),
            "iosSingleSignOnExtension": C("iosSingleSignOnExtension", beta_only=True),
        },
    ),
    TypeDef("iosGeneralDeviceConfiguration", "deviceConfiguration", open=True),
    TypeDef("iosCustomConfiguration", "deviceConfiguration", open=True),
    TypeDef("iosUpdateConfiguration", "deviceConfiguration", open=True),
    TypeDef("windows10GeneralConfiguration", "deviceConfiguration", open=True),
    TypeDef("macOSGeneralDeviceConfiguration", "deviceConfiguration", open=True),
    # -- SSO extensions (beta only) --------------------------------------------------
    TypeDef("singleSignOnExtension", None, abstract=True, beta_only=True),
    TypeDef("iosSingleSignOnExtension", "singleSignOnExtension", abstract=True, beta_only=True),
    TypeDef(
        "iosAzureAdSingleSignOnExtension",
        "iosSingleSignOnExtension",
        {
            "enableSharedDeviceMode": B(),
            "bundleIdAccessControlList": coll(S()),
            "configurations": coll(C("keyTypedValuePair"), 500),
        },
        beta_only=True,
    ),
    TypeDef(
        "iosRedirectSingleSignOnExtension",
        "iosSingleSignOnExtension",
        {
            "extensionIdentifier": S(),
            "teamIdentifier": S(),
            "configurations": coll(C("keyTypedValuePair"), 500),
            "urlPrefixes": coll(S()),
        },
        beta_only=True,
    ),
    TypeDef(
        "iosCredentialSingleSignOnExtension",
        "iosSingleSignOnExtension",
        {
            "extensionIdentifier": S(),
            "teamIdentifier": S(),
            "domains": coll(S()),
            "realm": S(),
            "configurations": coll(C("keyTypedValuePair"), 500),
        },
        beta_only=True,
    ),
    TypeDef("iosKerberosSingleSignOnExtension", "iosSingleSignOnExtension", open=True),
    # -- typed key/value pairs (beta only) -------------------------------------------
    TypeDef("keyTypedValuePair", None, {"key": S(nullable=False)}, ("key",), True, True),
    TypeDef("keyStringValuePair", "keyTypedValuePair", {"value": S()}, beta_only=True),
    TypeDef("keyIntegerValuePair", "keyTypedValuePair", {"value": I32()}, beta_only=True),
    TypeDef("keyBooleanValuePair", "keyTypedValuePair", {"value": B()}, beta_only=True),
    TypeDef("keyRealValuePair", "keyTypedValuePair", {"value": D()}, beta_only=True),
    # -- assignment targets ----------------------------------------------------------
    TypeDef("deviceAndAppManagementAssignmentTarget", None, _TARGET_FILTER, abstract=True),
    TypeDef(
        "groupAssignmentTarget",
        "deviceAndAppManagementAssignmentTarget",
        {"groupId": S(nullable=False)},
        ("groupId",),
    ),
    TypeDef("exclusionGroupAssignmentTarget", "groupAssignmentTarget"),
    TypeDef("allLicensedUsersAssignmentTarget", "deviceAndAppManagementAssignmentTarget"),
    TypeDef("allDevicesAssignmentTarget", "deviceAndAppManagementAssignmentTarget"),
    TypeDef(
        "configurationManagerCollectionAssignmentTarget",
        "deviceAndAppManagementAssignmentTarget",
        {"collectionId": S()},
    ),
    # -- assignments -----------------------------------------------------------------
    TypeDef(
        "deviceConfigurationAssignment",
        None,
        {
            "id": S(read_only=True),
            "target": C("deviceAndAppManagementAssignmentTarget", nullable=False),
            "source": E("deviceAndAppManagementAssignmentSource", beta_only=True),
            "sourceId": S(beta_only=True),
            "intent": E("deviceConfigAssignmentIntent", beta_only=True, read_only=True),
        },
        ("target",),
    ),
    TypeDef(
        "mobileAppAssignment",
        None,
        {
            "id": S(read_only=True),
            "intent": E("installIntent"),
            "target": C("deviceAndAppManagementAssignmentTarget", nullable=False),
            "settings": C("mobileAppAssignmentSettings"),
            "source": E("deviceAndAppManagementAssignmentSource", beta_only=True),
            "sourceId": S(beta_only=True),
        },
        ("intent", "target"),
    ),
    TypeDef("mobileAppAssignmentSettings", None, abstract=True),
    TypeDef(
        "iosVppAppAssignmentSettings",
        "mobileAppAssignmentSettings",
        {
            "useDeviceLicensing": B(),
            "vpnConfigurationId": S(),
            "uninstallOnDeviceRemoval": B(nullable=True, beta_only=True),
            "isRemovable": B(nullable=True, beta_only=True),
            "preventManagedAppBackup": B(nullable=True, beta_only=True),
            "preventAutoAppUpdate": B(nullable=True, beta_only=True),
        },
    ),
    TypeDef(
        "iosStoreAppAssignmentSettings",
        "mobileAppAssignmentSettings",
        {
            "vpnConfigurationId": S(),
            "uninstallOnDeviceRemoval": B(nullable=True),
            "isRemovable": B(nullable=True),
            "preventManagedAppBackup": B(nullable=True),
        },
    ),
    TypeDef(
        "appleEnrollmentProfileAssignment",
        None,
        {
            "id": S(read_only=True),
            "target": C("deviceAndAppManagementAssignmentTarget", nullable=False),
        },
        ("target",),
        beta_only=True,
    ),
    # -- enrollment profiles (beta only) ---------------------------------------------
    TypeDef(
        "appleUserInitiatedEnrollmentProfile",
        None,
        {
            "id": S(read_only=True),
            "displayName": S(nullable=False),
            "description": S(),
            "priority": I32(),
            "platform": E("devicePlatformType"),
            "defaultEnrollmentType": E("appleUserInitiatedEnrollmentType"),
            "availableEnrollmentTypeOptions": coll(C("appleOwnerTypeEnrollmentType")),
            "createdDateTime": DT(read_only=True),
            "lastModifiedDateTime": DT(read_only=True),
        },
        ("displayName",),
        beta_only=True,
    ),
    TypeDef(
        "appleOwnerTypeEnrollmentType",
        None,
        {
            "ownerType": E("appleOwnerType"),
            "enrollmentType": E("appleUserInitiatedEnrollmentType"),
        },
        beta_only=True,
    ),
    # -- action parameters -----------------------------------------------------------
    TypeDef(
        "deviceConfiguration.assign",
        None,
        {
            "assignments": coll(C("deviceConfigurationAssignment")),
            "deviceConfigurationGroupAssignments": coll(ANY(beta_only=True)),
        },
    ),
    TypeDef(
        "mobileApp.assign",
        None,
        {"mobileAppAssignments": coll(C("mobileAppAssignment"))},
        ("mobileAppAssignments",),
    ),
    TypeDef(
        "appleUserInitiatedEnrollmentProfile.setPriority",
        None,
        {"priority": I32()},
        ("priority",),
        beta_only=True,
    ),
    # -- mobile apps (read by adue; known for isof and casts) --------------------------
    TypeDef("mobileApp", None, abstract=True, open=True),
    TypeDef("iosVppApp", "mobileApp", open=True),
    TypeDef("iosStoreApp", "mobileApp", open=True),
    TypeDef("webApp", "mobileApp", open=True),
    TypeDef("mobileLobApp", "mobileApp", abstract=True, open=True),
    TypeDef("iosLobApp", "mobileLobApp", open=True),
    TypeDef("managedApp", "mobileApp", abstract=True, open=True),
    TypeDef("managedMobileLobApp", "managedApp", abstract=True, open=True),
    TypeDef("managedIOSStoreApp", "managedApp", open=True),
    TypeDef("managedAndroidStoreApp", "managedApp", open=True),
    TypeDef("androidManagedStoreApp", "mobileApp", open=True),
    TypeDef("win32LobApp", "mobileLobApp", open=True),
    TypeDef("macOSVppApp", "mobileApp", open=True, beta_only=False),
    # -- enrollment configurations (read only for adue) ----------------------------------
    TypeDef("deviceEnrollmentConfiguration", None, abstract=True, open=True),
    TypeDef("deviceEnrollmentLimitConfiguration", "deviceEnrollmentConfiguration", open=True),
    TypeDef(
        "deviceEnrollmentPlatformRestrictionsConfiguration",
        "deviceEnrollmentConfiguration",
        open=True,
    ),
    TypeDef(
        "deviceEnrollmentPlatformRestrictionConfiguration",
        "deviceEnrollmentConfiguration",
        open=True,
        beta_only=True,
    ),
    TypeDef(
        "deviceEnrollmentWindowsHelloForBusinessConfiguration",
        "deviceEnrollmentConfiguration",
        open=True,
    ),
    TypeDef(
        "windows10EnrollmentCompletionPageConfiguration",
        "deviceEnrollmentConfiguration",
        open=True,
    ),
    # -- directory objects (read only for adue) ----------------------------------------
    TypeDef("directoryObject", None, open=True),
    TypeDef("group", "directoryObject", open=True),
    TypeDef("user", "directoryObject", open=True),
    TypeDef("device", "directoryObject", open=True),
]

TYPES: dict[str, TypeDef] = {t.name: t for t in _TYPES}


def short_name(odata_type: str) -> str:
    """`#microsoft.graph.iosVppApp` -> `iosVppApp`."""
    name = odata_type.lstrip("#")
    return name[len(NAMESPACE) :] if name.startswith(NAMESPACE) else name


def odata_type(name: str) -> str:
    return f"#{NAMESPACE}{name}"


def is_subtype(name: str, ancestor: str) -> bool:
    current: str | None = name
    while current is not None:
        if current == ancestor:
            return True
        definition = TYPES.get(current)
        current = definition.base if definition else None
    return False


def object_is_of(obj: dict[str, Any], type_name: str) -> bool:
    """OData `isof`: the object's `@odata.type` is `type_name` or derives from it."""
    own = short_name(str(obj.get("@odata.type", "")))
    return is_subtype(own, short_name(type_name))


def available(name: str, version: str) -> bool:
    definition = TYPES.get(name)
    return definition is not None and (version == "beta" or not definition.beta_only)


def all_props(name: str, version: str) -> dict[str, Prop]:
    chain: list[TypeDef] = []
    current: str | None = name
    while current is not None:
        definition = TYPES[current]
        chain.append(definition)
        current = definition.base
    props: dict[str, Prop] = {}
    for definition in reversed(chain):
        for key, prop in definition.props.items():
            if version == "beta" or not prop.beta_only:
                props[key] = prop
    return props


def required_props(name: str) -> list[str]:
    names: list[str] = []
    current: str | None = name
    while current is not None:
        definition = TYPES[current]
        names = [*definition.required, *names]
        current = definition.base
    return names


def is_open(name: str) -> bool:
    return TYPES[name].open


def _edm(prop: Prop) -> str:
    return {
        "string": "Edm.String",
        "bool": "Edm.Boolean",
        "int32": "Edm.Int32",
        "double": "Edm.Double",
        "datetime": "Edm.DateTimeOffset",
        "enum": f"{NAMESPACE}{prop.ref}",
        "complex": f"{NAMESPACE}{prop.ref}",
        "any": "Edm.Untyped",
    }[prop.kind]


def _wrong(where: str, prop: Prop, value: Any) -> GraphError:
    shown = value if isinstance(value, str | int | float | bool) else type(value).__name__
    return bad_request(
        f"Invalid value for property '{where}': cannot convert {shown!r} "
        f"to the expected type '{_edm(prop)}'."
    )


def resolve_type(body: dict[str, Any], declared: str, version: str, where: str) -> str:
    """The concrete type of `body`: its `@odata.type`, checked against the declared type."""
    raw = body.get("@odata.type")
    if raw is None:
        if TYPES[declared].abstract:
            label = where or "the request body"
            raise bad_request(
                f"An '@odata.type' annotation is required for {label}: "
                f"'{NAMESPACE}{declared}' is abstract; name a type derived from it."
            )
        return declared
    if not isinstance(raw, str):
        raise bad_request("The '@odata.type' annotation must be a string.")
    name = short_name(raw)
    if not available(name, version):
        raise bad_request(
            f"Cannot find the type '{raw.lstrip('#')}' in the model"
            + (" (it exists on /beta only)." if name in TYPES else ".")
        )
    if not is_subtype(name, declared):
        raise bad_request(
            f"The type '{NAMESPACE}{name}' is not compatible with the expected type "
            f"'{NAMESPACE}{declared}'" + (f" of property '{where}'." if where else ".")
        )
    if TYPES[name].abstract:
        raise bad_request(f"Cannot create an instance of the abstract type '{NAMESPACE}{name}'.")
    return name


def validate(
    body: Any, declared: str, version: str, *, update: bool = False, where: str = ""
) -> tuple[str, dict[str, Any]]:
    """Check `body` against `declared` (or the type its `@odata.type` names).

    Returns the concrete type and the body without read-only properties (Graph ignores
    those on create; on update they are refused).
    """
    if not isinstance(body, dict):
        raise bad_request(
            f"Invalid value for '{where or 'the request body'}': a JSON object was expected."
        )
    name = resolve_type(body, declared, version, where)
    if is_open(name):
        return name, dict(body)
    props = all_props(name, version)
    clean: dict[str, Any] = {}
    for key, value in body.items():
        if key == "@odata.type" or "@odata." in key:
            clean[key] = value
            continue
        path = f"{where}.{key}" if where else key
        prop = props.get(key)
        if prop is None:
            beta_note = ""
            if version != "beta" and key in all_props(name, "beta"):
                beta_note = " The property exists on /beta only."
            raise bad_request(
                f"The property '{key}' does not exist on type '{NAMESPACE}{name}'. Make sure "
                "to only use property names that are defined by the type or mark the type "
                f"as open type.{beta_note}"
            )
        if prop.read_only:
            if update:
                raise bad_request(
                    f"The property '{key}' is read-only on type '{NAMESPACE}{name}' "
                    "and cannot be set."
                )
            continue
        clean[key] = _check_value(value, prop, version, path)
    if not update:
        for key in required_props(name):
            if key not in body or body[key] is None:
                raise bad_request(
                    f"The required property '{key}' is missing on type '{NAMESPACE}{name}'."
                )
    return name, clean


def _check_value(value: Any, prop: Prop, version: str, where: str) -> Any:
    if value is None:
        if not prop.nullable:
            raise bad_request(
                f"A null value was found for the property named '{where}', which has the "
                f"expected type '{_edm(prop)}'. The expected type does not allow null values."
            )
        return None
    if prop.collection:
        if not isinstance(value, list):
            raise bad_request(
                f"Invalid value for property '{where}': a collection (JSON array) was expected."
            )
        if prop.max_items and len(value) > prop.max_items:
            raise bad_request(
                f"The collection '{where}' has {len(value)} elements; "
                f"at most {prop.max_items} are allowed."
            )
        single = Prop(prop.kind, ref=prop.ref, nullable=False)
        return [
            _check_value(item, single, version, f"{where}[{i}]") for i, item in enumerate(value)
        ]
    kind = prop.kind
    if kind == "any":
        return value
    if kind == "string":
        if not isinstance(value, str):
            raise _wrong(where, prop, value)
    elif kind == "bool":
        if not isinstance(value, bool):
            raise _wrong(where, prop, value)
    elif kind == "int32":
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
            raise _wrong(where, prop, value)
    elif kind == "double":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong(where, prop, value)
    elif kind == "datetime":
        if not isinstance(value, str):
            raise _wrong(where, prop, value)
        try:
            dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _wrong(where, prop, value) from None
    elif kind == "enum":
        members = ENUMS[prop.ref]
        if not isinstance(value, str) or value not in members:
            raise bad_request(
                f"The value {value!r} is not valid for property '{where}' of enum type "
                f"'{NAMESPACE}{prop.ref}'. Valid values: {', '.join(members)}."
            )
    elif kind == "complex":
        return validate(value, prop.ref, version, where=where)[1]
    return value


def project(obj: dict[str, Any], version: str) -> dict[str, Any]:
    """What GET returns for `obj` on `version`: v1.0 does not show beta-only properties,
    at any depth (e.g. an app assignment's `settings.uninstallOnDeviceRemoval`, which the
    v1.0 iosVppAppAssignmentSettings page does not have and the beta page does)."""
    if version == "beta":
        return obj
    name = short_name(str(obj.get("@odata.type", "")))
    if name not in TYPES or is_open(name):
        return obj
    props = all_props(name, "beta")
    return {
        key: _project_value(value, version)
        for key, value in obj.items()
        if key not in props or not props[key].beta_only
    }


def _project_value(value: Any, version: str) -> Any:
    if isinstance(value, dict) and "@odata.type" in value:
        return project(value, version)
    if isinstance(value, list):
        return [_project_value(v, version) for v in value]
    return value
