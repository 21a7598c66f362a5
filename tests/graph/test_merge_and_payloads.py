"""Assignment merges (replace-all /assign) and the bodies adue sends."""

from __future__ import annotations

from tui.graph import parse
from tui.graph.models import (
    AppAssignment,
    AppIntent,
    AssignmentTarget,
    EnrollmentProfileSpec,
    SsoPolicySpec,
    TargetKind,
)
from tui.graph.operations import merge_app_assignments, merge_targets
from tui.graph.payloads import (
    changed_fields,
    configuration_assignments_body,
    enrollment_profile_body,
    sso_policy_body,
    strip_read_only,
    target_body,
)


def test_merge_keeps_current_dedupes_and_removes() -> None:
    current = [AssignmentTarget.group("A"), AssignmentTarget.exclude("X")]
    merged = merge_targets(
        current,
        add=[
            AssignmentTarget.group("a"),
            AssignmentTarget.group("B"),
            AssignmentTarget.all_users(),
        ],
        remove=[AssignmentTarget.exclude("x")],
    )
    assert [t.key for t in merged] == [
        (TargetKind.GROUP.value, "a"),
        (TargetKind.GROUP.value, "b"),
        (TargetKind.ALL_USERS.value, ""),
    ]
    # The same group as include and as exclusion are different targets.
    both = merge_targets([AssignmentTarget.group("A")], [AssignmentTarget.exclude("A")])
    assert len(both) == 2


def test_merge_keeps_filters_and_unknown_targets_exactly() -> None:
    filtered = parse.target(
        {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "groupId": "G",
            "deviceAndAppManagementAssignmentFilterId": "F",
            "deviceAndAppManagementAssignmentFilterType": "exclude",
        }
    )
    collection = parse.target(
        {
            "@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget",
            "collectionId": "SMS00001",
        }
    )
    assert filtered is not None
    assert collection is not None
    merged = merge_targets([filtered, collection], [AssignmentTarget.group("G")])
    body = configuration_assignments_body(merged)["assignments"]
    assert body[0]["target"] == {
        "@odata.type": "#microsoft.graph.groupAssignmentTarget",
        "groupId": "G",
        "deviceAndAppManagementAssignmentFilterId": "F",
        "deviceAndAppManagementAssignmentFilterType": "exclude",
    }
    assert body[1]["target"] == {
        "@odata.type": "#microsoft.graph.configurationManagerCollectionAssignmentTarget",
        "collectionId": "SMS00001",
    }


def test_app_merge_replaces_same_target_and_keeps_others() -> None:
    current = [
        AppAssignment(AssignmentTarget.group("A"), AppIntent.AVAILABLE, id="1"),
        AppAssignment(AssignmentTarget.group("B"), AppIntent.REQUIRED, id="2"),
    ]
    merged = merge_app_assignments(current, [AppAssignment(AssignmentTarget.group("a"))])
    assert [(a.target.group_id, a.intent) for a in merged] == [
        ("a", AppIntent.REQUIRED),
        ("B", AppIntent.REQUIRED),
    ]


def test_sso_body_is_graphs_shape_trimmed() -> None:
    body = sso_policy_body(
        SsoPolicySpec(
            " SSO ", "", (" com.contoso.expenses ", " "), browser_sso_interaction_enabled=True
        )
    )
    assert body["@odata.type"] == "#microsoft.graph.iosDeviceFeaturesConfiguration"
    assert body["displayName"] == "SSO"
    ext = body["iosSingleSignOnExtension"]
    assert ext["@odata.type"] == "#microsoft.graph.iosAzureAdSingleSignOnExtension"
    assert ext["bundleIdAccessControlList"] == ["com.contoso.expenses"]
    assert ext["configurations"] == [
        {
            "@odata.type": "#microsoft.graph.keyStringValuePair",
            "key": "device_registration",
            "value": "{{DEVICEREGISTRATION}}",
        },
        {
            "@odata.type": "#microsoft.graph.keyIntegerValuePair",
            "key": "browser_sso_interaction_enabled",
            "value": 1,
        },
    ]
    off = sso_policy_body(SsoPolicySpec("SSO", browser_sso_interaction_enabled=False))
    keys = [c["key"] for c in off["iosSingleSignOnExtension"]["configurations"]]
    assert keys == ["device_registration"]


def test_changed_fields_only_and_never_read_only() -> None:
    desired = enrollment_profile_body(EnrollmentProfileSpec("Profile", "new text"))
    current = {
        **desired,
        "id": "p1",
        "description": "old text",
        "createdDateTime": "2026-01-01T00:00:00Z",
        "priority": 3,
    }
    patch = changed_fields(desired, strip_read_only(current), keep=("@odata.type",))
    assert patch == {
        "description": "new text",
        "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
    }
    assert changed_fields(desired, strip_read_only({**desired, "id": "p1"})) == {}
    # platform is never patched (graph.md).
    assert "platform" not in changed_fields({**desired, "platform": "macOS"}, current)


def test_target_body_shapes() -> None:
    assert target_body(AssignmentTarget.all_users()) == {
        "@odata.type": "#microsoft.graph.allLicensedUsersAssignmentTarget"
    }
    assert target_body(AssignmentTarget.exclude("g")) == {
        "@odata.type": "#microsoft.graph.exclusionGroupAssignmentTarget",
        "groupId": "g",
    }


def test_timestamps_parse_graphs_forms() -> None:
    when = parse.timestamp({"t": "2026-03-01T10:00:00.1234567Z"}, "t")
    assert when is not None
    assert when.microsecond == 123456
    assert when.tzinfo is not None
    assert parse.timestamp({"t": "0001-01-01T00:00:00Z"}, "t") is None
    assert parse.timestamp({"t": "garbage"}, "t") is None
