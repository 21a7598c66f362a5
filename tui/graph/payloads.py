"""Our models -> the JSON bodies Graph expects (shapes from graph.md), and PATCH diffs."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tui.graph.models import (
    AppAssignment,
    AssignmentTarget,
    EnrollmentProfileSpec,
    SsoPolicySpec,
    TargetKind,
)
from tui.graph.parse import app_assignment
from tui.graph.sso_keys import pair

IOS_DEVICE_FEATURES = "#microsoft.graph.iosDeviceFeaturesConfiguration"
ENTRA_SSO_EXTENSION = "#microsoft.graph.iosAzureAdSingleSignOnExtension"
ENROLLMENT_PROFILE = "#microsoft.graph.appleUserInitiatedEnrollmentProfile"
DEVICE_REGISTRATION_VALUE = "{{DEVICEREGISTRATION}}"

# Keys Graph returns but refuses (or ignores) on PATCH: never sent back.
READ_ONLY_KEYS = frozenset(
    {
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "version",
        "supportsScopeTags",
        "deviceManagementApplicabilityRuleOsEdition",
        "deviceManagementApplicabilityRuleOsVersion",
        "deviceManagementApplicabilityRuleDeviceMode",
        "assignments",
        "deviceStatuses",
        "userStatuses",
        "deviceStatusOverview",
        "userStatusOverview",
        "deviceSettingStateSummaries",
        "groupAssignments",
        "@odata.context",
        "@odata.etag",
        "platform",  # enrollment profiles: IntuneManagement strips it before PATCH (graph.md)
    }
)


def strip_read_only(body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a GET body without read-only keys and OData annotations except @odata.type."""
    return {
        k: v
        for k, v in body.items()
        if k not in READ_ONLY_KEYS and ("@" not in k or k == "@odata.type")
    }


def target_body(target: AssignmentTarget) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.type": target.type_name}
    if target.kind is TargetKind.OTHER:
        body.update(dict(target.extra))
    elif target.kind in (TargetKind.GROUP, TargetKind.EXCLUDE_GROUP):
        body["groupId"] = target.group_id
    if target.filter_id:
        body["deviceAndAppManagementAssignmentFilterId"] = target.filter_id
        body["deviceAndAppManagementAssignmentFilterType"] = target.filter_type or "include"
    return body


def foreign_pairs(extension: Mapping[str, Any] | None, spec: SsoPolicySpec) -> list[Any]:
    """Configuration pairs of a policy as read that adue does not own (an admin's keys,
    e.g. AppPrefixAllowList): sent back exactly as read so an update never drops them."""
    if not isinstance(extension, Mapping):
        return []
    found = extension.get("configurations")
    if not isinstance(found, list):
        return []
    owned = spec.owned_keys
    return [
        c for c in found if isinstance(c, Mapping) and str(c.get("key", "")).strip() not in owned
    ]


def sso_extension_body(spec: SsoPolicySpec, foreign: Sequence[Any] = ()) -> dict[str, Any]:
    """The extension as adue sends it: its own keys, the session's extra keys, then the
    keys it does not own exactly as read (`foreign_pairs`)."""
    # Microsoft: trim spaces around keys and values; untrimmed breaks JIT registration.
    configurations: list[dict[str, Any]] = [
        {
            "@odata.type": "#microsoft.graph.keyStringValuePair",
            "key": "device_registration",
            "value": DEVICE_REGISTRATION_VALUE,
        }
    ]
    if spec.browser_sso_interaction_enabled:
        configurations.append(
            {
                "@odata.type": "#microsoft.graph.keyIntegerValuePair",
                "key": "browser_sso_interaction_enabled",
                "value": 1,
            }
        )
    configurations += [pair(name, value) for name, value in spec.extra_keys]
    configurations += [dict(c) for c in foreign]
    return {
        "@odata.type": ENTRA_SSO_EXTENSION,
        "enableSharedDeviceMode": False,
        "bundleIdAccessControlList": [b.strip() for b in spec.bundle_ids if b.strip()],
        "configurations": configurations,
    }


def sso_policy_body(
    spec: SsoPolicySpec, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The policy; with `current` (the policy as read) the keys adue does not own stay."""
    extension = current.get("iosSingleSignOnExtension") if current is not None else None
    return {
        "@odata.type": IOS_DEVICE_FEATURES,
        "displayName": spec.display_name.strip(),
        "description": spec.description.strip(),
        "iosSingleSignOnExtension": sso_extension_body(spec, foreign_pairs(extension, spec)),
    }


def configuration_assignments_body(targets: Iterable[AssignmentTarget]) -> dict[str, Any]:
    return {
        "assignments": [
            {
                "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
                "target": target_body(t),
            }
            for t in targets
        ]
    }


IOS_VPP_SETTINGS = "#microsoft.graph.iosVppAppAssignmentSettings"
MOBILE_APP_ASSIGNMENT = "#microsoft.graph.mobileAppAssignment"


def _fresh_app_assignment(a: AppAssignment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": MOBILE_APP_ASSIGNMENT,
        "intent": a.intent.value,
        "target": target_body(a.target),
    }
    if a.settings_type:
        body["settings"] = {
            "@odata.type": a.settings_type,
            "useDeviceLicensing": a.use_device_licensing,
        }
    return body


def _app_assignment_body(a: AppAssignment) -> dict[str, Any]:
    """One assignment for `/assign`: as read, with only what adue changed replaced.

    An assignment read from Graph goes back with every field it had (intent, target
    with its filter, all settings, source), minus its read-only `id`; adue overwrites
    only the intent, licensing or target it changed itself (graph.md, replace-all).
    """
    if a.read_as is None:
        return _fresh_app_assignment(a)
    body = {
        k: copy.deepcopy(v)
        for k, v in a.read_as.items()
        if k != "id" and ("@odata." not in k or k == "@odata.type")
    }
    body.setdefault("@odata.type", MOBILE_APP_ASSIGNMENT)
    original = app_assignment(a.read_as)
    if original is None or original.target != a.target:
        body["target"] = target_body(a.target)
    if original is None or original.intent is not a.intent:
        body["intent"] = a.intent.value
    if original is None or original.use_device_licensing != a.use_device_licensing:
        settings = body.get("settings")
        settings = dict(settings) if isinstance(settings, Mapping) else {}
        settings.setdefault("@odata.type", IOS_VPP_SETTINGS)
        settings["useDeviceLicensing"] = a.use_device_licensing
        body["settings"] = settings
    return body


def app_assignments_body(assignments: Iterable[AppAssignment]) -> dict[str, Any]:
    return {"mobileAppAssignments": [_app_assignment_body(a) for a in assignments]}


WEB_APP = "#microsoft.graph.webApp"


def web_app_body(name: str, app_url: str) -> dict[str, Any]:
    """The Company Portal web clip (graph.md, "Other objects around the rollout"; Microsoft's
    webApp resource page: appUrl cannot be PATCHed, useManagedBrowser applies to iOS)."""
    return {
        "@odata.type": WEB_APP,
        "displayName": name.strip(),
        "description": "Opens the Company Portal website: devices, apps and IT support.",
        "publisher": "Microsoft",
        "appUrl": app_url,
        "useManagedBrowser": False,
    }


def enrollment_profile_body(spec: EnrollmentProfileSpec) -> dict[str, Any]:
    return {
        "@odata.type": ENROLLMENT_PROFILE,
        "displayName": spec.display_name.strip(),
        "description": spec.description.strip(),
        "platform": spec.platform,
        "defaultEnrollmentType": spec.default_enrollment_type,
        "availableEnrollmentTypeOptions": [
            {
                "@odata.type": "#microsoft.graph.appleOwnerTypeEnrollmentType",
                "ownerType": o.owner_type,
                "enrollmentType": o.enrollment_type,
            }
            for o in spec.options
        ],
    }


def _same(desired: Any, current: Any) -> bool:
    """Desired equals current, ignoring keys Graph adds that we do not send."""
    if isinstance(desired, Mapping):
        if not isinstance(current, Mapping):
            return False
        return all(_same(v, current.get(k)) for k, v in desired.items())
    if isinstance(desired, list):
        return (
            isinstance(current, list)
            and len(desired) == len(current)
            and all(_same(d, c) for d, c in zip(desired, current, strict=True))
        )
    return bool(desired == current)


def changed_fields(
    desired: Mapping[str, Any], current: Mapping[str, Any], *, keep: Sequence[str] = ()
) -> dict[str, Any]:
    """The PATCH body: top-level keys of `desired` whose value differs from `current`.

    Read-only keys are never included; `keep` keys (e.g. @odata.type, which Graph
    needs to pick the derived type) are added when anything changed.
    """
    changed = {
        k: v
        for k, v in desired.items()
        if k not in READ_ONLY_KEYS and k not in keep and not _same(v, current.get(k))
    }
    if changed:
        for key in keep:
            if key in desired:
                changed[key] = desired[key]
    return changed
