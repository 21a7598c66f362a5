"""Property-based fuzzing (hypothesis) of the Graph response parsers (tui/graph/parse.py)
and the models' derived values (tui/graph/models.py).

Graph's answers are JSON; these properties feed each parser a realistic answer with
fields missing, set to null, of the wrong type or extra, arrays made huge, and any
JSON value at all. Property: a parser returns its model with every field of its
declared type (str is str, int is int, bool is bool) or raises the project's GraphError
with a message — never KeyError, TypeError, AttributeError or anything else.

More examples: ADUE_FUZZ_EXAMPLES=5000 (what `make soak` uses).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.graph import models, parse
from tui.graph.errors import GraphError

EXAMPLES = int(os.environ.get("ADUE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TARGET = {
    "@odata.type": "#microsoft.graph.groupAssignmentTarget",
    "groupId": "2f2b0d4c-2a4e-4a6f-9a2b-8f1e9d3c4b5a",
    parse.FILTER_ID: "00000000-0000-0000-0000-000000000000",
    parse.FILTER_TYPE: "none",
}
# A realistic answer for each parser (field names from graph.md / Microsoft's pages).
SAMPLES: dict[str, tuple[Callable[[Any], Any], dict[str, Any]]] = {
    "organization": (
        parse.organization,
        {
            "id": "t1",
            "displayName": "Contoso",
            "verifiedDomains": [{"name": "contoso.com", "isDefault": True, "isInitial": False}],
            "mobileDeviceManagementAuthority": "intune",
        },
    ),
    "subscribed_sku": (
        parse.subscribed_sku,
        {
            "skuId": "s",
            "skuPartNumber": "EMS",
            "capabilityStatus": "Enabled",
            "prepaidUnits": {"enabled": 25},
            "consumedUnits": 3,
            "servicePlans": [
                {
                    "servicePlanId": models.INTUNE_SERVICE_PLAN_ID,
                    "servicePlanName": "INTUNE_A",
                    "provisioningStatus": "Success",
                }
            ],
        },
    ),
    "apns_certificate": (
        parse.apns_certificate,
        {
            "appleIdentifier": "admin@contoso.com",
            "topicIdentifier": "com.apple.mgmt.External.x",
            "expirationDateTime": "2027-01-01T00:00:00.1234567Z",
            "certificateUploadStatus": "Success",
            "lastModifiedDateTime": "0001-01-01T00:00:00Z",
        },
    ),
    "vpp_token": (
        parse.vpp_token,
        {
            "id": "v",
            "organizationName": "Contoso",
            "appleId": "vpp@contoso.com",
            "state": "valid",
            "expirationDateTime": "2027-01-01T00:00:00Z",
            "lastSyncDateTime": "2026-01-01T00:00:00Z",
            "lastSyncStatus": "completed",
        },
    ),
    "vpp_app": (
        parse.vpp_app,
        {
            "@odata.type": "#microsoft.graph.iosVppApp",
            "id": "a",
            "displayName": "Microsoft Authenticator",
            "bundleId": models.AUTHENTICATOR_BUNDLE_ID,
            "licensingType": {"supportsUserLicensing": True, "supportsDeviceLicensing": True},
            "totalLicenseCount": 10,
            "usedLicenseCount": 2,
            "vppTokenAppleId": "vpp@contoso.com",
            "vppTokenOrganizationName": "Contoso",
            "appStoreUrl": "https://apps.apple.com/app/id983156458",
        },
    ),
    "store_app": (
        parse.store_app,
        {"id": "s", "displayName": "Authenticator", "bundleId": "com.x", "appStoreUrl": "u"},
    ),
    "platform_restriction": (
        parse.platform_restriction,
        {
            "@odata.type": "#microsoft.graph.deviceEnrollmentPlatformRestrictionConfiguration",
            "id": "r",
            "displayName": "iOS",
            "priority": 1,
            "platformType": "ios",
            "platformRestriction": {
                "platformBlocked": False,
                "personalDeviceEnrollmentBlocked": True,
                "osMinimumVersion": "17.0",
            },
        },
    ),
    "group": (
        parse.group,
        {
            "id": "g",
            "displayName": "BYOD pilot",
            "description": "",
            "membershipRule": None,
            "securityEnabled": True,
            "mailEnabled": False,
            "groupTypes": ["DynamicMembership"],
        },
    ),
    "target": (parse.target, dict(TARGET)),
    "assignment": (parse.assignment, {"id": "x", "target": dict(TARGET)}),
    "app_assignment": (
        parse.app_assignment,
        {
            "id": "x",
            "intent": "required",
            "target": dict(TARGET),
            "settings": {
                "@odata.type": "#microsoft.graph.iosVppAppAssignmentSettings",
                "useDeviceLicensing": False,
            },
        },
    ),
    "sso_policy": (
        parse.sso_policy,
        {
            "id": "p",
            "displayName": "SSO",
            "description": "",
            "lastModifiedDateTime": "2026-01-01T00:00:00Z",
            "iosSingleSignOnExtension": {
                "@odata.type": "#microsoft.graph.iosAzureAdSingleSignOnExtension",
                "bundleIdAccessControlList": ["com.x"],
                "configurations": [
                    {
                        "@odata.type": "#microsoft.graph.keyIntegerValuePair",
                        "key": "browser_sso_interaction_enabled",
                        "value": 1,
                    },
                    {"key": "device_registration", "value": "{{DEVICEREGISTRATION}}"},
                ],
            },
        },
    ),
    "enrollment_profile": (
        parse.enrollment_profile,
        {
            "id": "e",
            "displayName": "UE",
            "description": "",
            "platform": "ios",
            "priority": 1,
            "defaultEnrollmentType": "accountDrivenUserEnrollment",
            "availableEnrollmentTypeOptions": [
                {"ownerType": "personal", "enrollmentType": "accountDrivenUserEnrollment"}
            ],
        },
    ),
}

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "0001-01-01T00:00:00Z",
            "2026-13-45T99:99:99Z",
            "9999-12-31T23:59:59.99999999-23:59",
            "Z",
            ".",
        ]
    ),
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=10,
)


def _fields(sample: dict[str, Any]) -> list[tuple[str, ...]]:
    """Every path to a value in the sample (keys, and 0 for a list's first item)."""
    paths: list[tuple[str, ...]] = []

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                paths.append((*path, key))
                walk(item, (*path, key))
        elif isinstance(value, list) and value:
            walk(value[0], (*path, "0"))

    walk(sample, ())
    return paths


def _check_types(value: Any) -> None:
    """Every field of a model has its declared type, recursively through tuples."""
    if isinstance(value, tuple):
        for item in value:
            _check_types(item)
        return
    if not dataclasses.is_dataclass(value):
        return
    for f in dataclasses.fields(value):
        got = getattr(value, f.name)
        kind = str(f.type)
        if kind == "str":
            assert isinstance(got, str), (f.name, got)
        elif kind == "int":
            assert isinstance(got, int), (f.name, got)
            assert not isinstance(got, bool), (f.name, got)
        elif kind == "bool":
            assert isinstance(got, bool), (f.name, got)
        elif kind == "dt.datetime | None":
            assert got is None or got.tzinfo is not None, (f.name, got)
        _check_types(got)


def _derived(result: Any) -> None:
    """The models' own derived values must work on whatever was parsed."""
    if isinstance(result, models.Organization):
        assert isinstance(result.default_domain, str)
    if isinstance(result, models.SubscribedSku):
        result.plan(models.INTUNE_SERVICE_PLAN_ID)
    if isinstance(result, models.VppApp):
        assert isinstance(result.free_licenses, int)
        best = models.AuthenticatorApps(vpp_apps=(result,), store_apps=()).best
        assert best is None or best is result
    if isinstance(result, models.AssignmentTarget):
        result.key, result.type_name  # noqa: B018
    if isinstance(result, models.AppAssignment | models.Assignment):
        _derived(result.target)
    if isinstance(result, models.Group):
        result.is_dynamic  # noqa: B018


def _parses_or_says_why(name: str, answer: Any) -> None:
    parser = SAMPLES[name][0]
    try:
        result = parser(answer)
    except GraphError as exc:
        assert exc.message, f"{name}: a GraphError without a message"
        return
    _check_types(result)
    _derived(result)
    json.dumps(getattr(result, "read_as", {}), default=str)


def _set(document: Any, path: tuple[str, ...], value: Any, *, delete: bool = False) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(document, list):
        copy_list = list(document)
        if copy_list:
            copy_list[0] = _set(copy_list[0], rest, value, delete=delete)
        return copy_list
    if not isinstance(document, dict):
        return document
    copy_dict = dict(document)
    if delete and not rest:
        copy_dict.pop(head, None)
    else:
        copy_dict[head] = _set(copy_dict.get(head), rest, value, delete=delete)
    return copy_dict


names = st.sampled_from(sorted(SAMPLES))


@FUZZ
@given(names, st.data())
def test_fields_missing_null_wrong_type_or_extra(name: str, data: st.DataObject) -> None:
    answer: Any = json.loads(json.dumps(SAMPLES[name][1]))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(_fields(SAMPLES[name][1])))
        how = data.draw(st.sampled_from(["delete", "null", "value", "extra"]))
        if how == "delete":
            answer = _set(answer, path, None, delete=True)
        elif how == "null":
            answer = _set(answer, path, None)
        elif how == "value":
            answer = _set(answer, path, data.draw(json_value))
        else:
            answer = _set(
                answer, (*path[:-1], data.draw(st.text(max_size=10))), data.draw(json_value)
            )
    _parses_or_says_why(name, answer)


@FUZZ
@given(names, json_value)
@example("group", None)
@example("group", [])
@example("organization", "text")
@example("sso_policy", 7)
def test_any_json_value(name: str, answer: Any) -> None:
    _parses_or_says_why(name, answer)


@settings(max_examples=max(5, EXAMPLES // 30), deadline=None)
@given(names, st.data())
def test_huge_arrays(name: str, data: st.DataObject) -> None:
    """Every list in the answer made 20,000 items long, of the sample's item or junk."""
    answer: Any = json.loads(json.dumps(SAMPLES[name][1]))
    lists = [p for p in _fields(SAMPLES[name][1]) if p and p[-1] != "0"]
    for path in lists:
        current: Any = answer
        for key in path:
            current = current.get(key) if isinstance(current, dict) else None
        if isinstance(current, list):
            reuse = bool(current) and data.draw(st.booleans())
            item = current[0] if reuse else data.draw(json_value)
            answer = _set(answer, path, [item] * 20_000)
    _parses_or_says_why(name, answer)


def test_the_samples_parse() -> None:
    """The realistic answers themselves give full models (the fuzzing starts from them)."""
    for name, (parser, sample) in SAMPLES.items():
        result = parser(sample)
        assert result is not None, name
        _check_types(result)


@FUZZ
@given(st.one_of(st.binary(max_size=500), json_value.map(lambda v: json.dumps(v).encode())))
@example(b"<html><title>Bad gateway</title></html>")
@example(b'{"value": [' + b"[" * 50_000)
@example(b'{"id": "\xff"}')
def test_any_response_body(body: bytes) -> None:
    """The step before the parsers: a response body of any bytes."""
    from tui.graph.client import GraphResponse

    response = GraphResponse(200, {"request-id": "r-1"}, body)
    try:
        document = response.json()
    except GraphError as exc:
        assert "not JSON" in exc.message
        assert exc.request_id == "r-1"
        return
    assert isinstance(document, dict)
    for name in SAMPLES:
        _parses_or_says_why(name, document)
    assert isinstance(parse.items(document), list)
