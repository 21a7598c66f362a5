"""The sandbox's OData query parsing and per-type validation, without HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tui.sandbox.errors import GraphError
from tui.sandbox.odata import parse_filter, parse_search, search_matches
from tui.sandbox.schemas import object_is_of, project, validate

VPP = {"@odata.type": "#microsoft.graph.iosVppApp", "displayName": "Teams", "bundleId": "x"}
GROUP = {"displayName": "BYOD pilot", "groupTypes": ["Unified"], "securityEnabled": True}


@pytest.mark.parametrize(
    ("text", "obj", "expected"),
    [
        ("isof('microsoft.graph.iosVppApp')", VPP, True),
        ("isof('microsoft.graph.mobileApp')", VPP, True),
        ("isof('microsoft.graph.iosStoreApp')", VPP, False),
        ("displayName eq 'byod pilot'", GROUP, True),
        ("startswith(displayName,'BYOD') and securityEnabled eq true", GROUP, True),
        ("groupTypes/any(c:c eq 'Unified')", GROUP, True),
        ("not(groupTypes/any(c:c eq 'DynamicMembership'))", GROUP, True),
        ("displayName eq 'it''s'", {"displayName": "It's"}, True),
    ],
)
def test_filters(text: str, obj: dict[str, Any], expected: bool) -> None:
    assert bool(parse_filter(text).eval(obj, {}, object_is_of)) is expected


def test_bad_filter_is_a_400() -> None:
    with pytest.raises(GraphError) as caught:
        parse_filter("displayName eq")
    assert caught.value.status == 400
    assert "Invalid filter clause" in caught.value.message


def test_search_semantics() -> None:
    assert search_matches(GROUP, parse_search('"displayName:byo"'))
    assert search_matches(GROUP, parse_search('"displayName:pilot byod"'))
    assert not search_matches(GROUP, parse_search('"displayName:ilot"'))  # word prefixes only
    assert search_matches(GROUP, parse_search('"description:x" OR "displayName:pil"'))
    with pytest.raises(GraphError):
        parse_search("displayName:pilot")  # not quoted


PAIR = {"@odata.type": "#microsoft.graph.keyBooleanValuePair", "key": "k", "value": True}


def test_validation_returns_the_concrete_type_and_drops_read_only_on_create() -> None:
    body = {
        "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
        "displayName": "x",
        "id": "ignored",
        "iosSingleSignOnExtension": {
            "@odata.type": "#microsoft.graph.iosAzureAdSingleSignOnExtension",
            "configurations": [PAIR],
        },
    }
    name, clean = validate(body, "deviceConfiguration", "beta")
    assert name == "iosDeviceFeaturesConfiguration"
    assert "id" not in clean
    assert project({**clean, "id": "1"}, "v1.0").keys() == {"@odata.type", "displayName", "id"}


@pytest.mark.parametrize(
    ("body", "declared", "needle"),
    [
        ({"intent": "mandatory", "target": {}}, "mobileAppAssignment", "'intent'"),
        ({"intent": "required"}, "mobileAppAssignment", "'target' is missing"),
        ({"priority": "1"}, "appleUserInitiatedEnrollmentProfile.setPriority", "Edm.Int32"),
        ({"priority": True}, "appleUserInitiatedEnrollmentProfile.setPriority", "Edm.Int32"),
        (
            {"target": {"@odata.type": "#microsoft.graph.groupAssignmentTarget"}},
            "deviceConfigurationAssignment",
            "'groupId' is missing",
        ),
        (
            {"target": {"@odata.type": "#microsoft.graph.iosVppApp"}},
            "deviceConfigurationAssignment",
            "not compatible",
        ),
    ],
)
def test_validation_errors_name_the_problem(body: Any, declared: str, needle: str) -> None:
    with pytest.raises(GraphError) as caught:
        validate(body, declared, "beta")
    assert caught.value.status == 400
    assert needle in caught.value.message


def test_configurations_are_limited_to_500() -> None:
    body = {
        "@odata.type": "#microsoft.graph.iosAzureAdSingleSignOnExtension",
        "configurations": [PAIR] * 501,
    }
    with pytest.raises(GraphError, match="at most 500"):
        validate(body, "iosSingleSignOnExtension", "beta")
