"""Beta routes (through the SDK adapter with RequestInformation) and Graph-like validation."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from msgraph.generated.models.o_data_errors.o_data_error import ODataError

from tests.sandbox.sdk import make_adapter, send_json
from tui.sandbox.server import RunningSandbox

# The SSO app extension payload exactly as graph.md gives it.
SSO_POLICY: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
    "displayName": "iOS – Entra ID SSO extension (account-driven UE)",
    "description": "",
    "iosSingleSignOnExtension": {
        "@odata.type": "#microsoft.graph.iosAzureAdSingleSignOnExtension",
        "enableSharedDeviceMode": False,
        "bundleIdAccessControlList": ["com.contoso.expenses"],
        "configurations": [
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
        ],
    },
}

PROFILE: dict[str, Any] = {
    "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
    "displayName": "iOS – account-driven user enrollment",
    "description": "",
    "platform": "iOS",
    "priority": 0,
    "defaultEnrollmentType": "accountDrivenUserEnrollment",
    "availableEnrollmentTypeOptions": [
        {
            "@odata.type": "#microsoft.graph.appleOwnerTypeEnrollmentType",
            "ownerType": "personal",
            "enrollmentType": "accountDrivenUserEnrollment",
        }
    ],
}

CONFIGS = "/deviceManagement/deviceConfigurations"
PROFILES = "/deviceManagement/appleUserInitiatedEnrollmentProfiles"


def url(sb: RunningSandbox, path: str, version: str = "beta") -> str:
    return f"{sb.graph_url}/{version}{path}"


def group_id(sb: RunningSandbox, name: str) -> str:
    return str(next(g["id"] for g in sb.state.groups.values() if g["displayName"] == name))


async def refused(
    sb: RunningSandbox, method: str, path: str, body: Any, version: str = "beta"
) -> ODataError:
    with pytest.raises(ODataError) as caught:
        await send_json(make_adapter(sb, version=version), method, url(sb, path, version), body)
    return caught.value


async def test_sso_policy_created_as_sent(sandbox: RunningSandbox) -> None:
    beta = make_adapter(sandbox, version="beta")
    created = await send_json(beta, "POST", url(sandbox, CONFIGS), SSO_POLICY)
    assert sandbox.requests[-1].status == 201
    stored = sandbox.state.device_configurations[created["id"]]
    assert stored["iosSingleSignOnExtension"] == SSO_POLICY["iosSingleSignOnExtension"]
    for read_only in ("id", "createdDateTime", "lastModifiedDateTime", "version"):
        assert read_only in created
    # v1.0 knows the configuration type but not the beta-only extension property.
    v1 = await send_json(
        make_adapter(sandbox), "GET", url(sandbox, f"{CONFIGS}/{created['id']}", "v1.0")
    )
    assert "iosSingleSignOnExtension" not in v1
    assert v1["displayName"] == SSO_POLICY["displayName"]


async def test_misspelt_property_is_refused_naming_it(sandbox: RunningSandbox) -> None:
    body = copy.deepcopy(SSO_POLICY)
    extension = body["iosSingleSignOnExtension"]
    extension["bundleIdAccessList"] = extension.pop("bundleIdAccessControlList")
    error = await refused(sandbox, "POST", CONFIGS, body)
    assert error.response_status_code == 400
    assert error.error is not None
    assert error.error.code == "BadRequest"
    assert "'bundleIdAccessList'" in (error.error.message or "")
    assert error.error.inner_error is not None
    assert error.error.inner_error.request_id == sandbox.requests[-1].request_id
    assert error.response_headers is not None
    assert error.response_headers.get("request-id") == sandbox.requests[-1].request_id
    assert sandbox.state.device_configurations.keys().isdisjoint({"x"})
    assert len(sandbox.state.device_configurations) == 2  # nothing created


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (
            lambda b: b["iosSingleSignOnExtension"].update(enableSharedDeviceMode="no"),
            "enableSharedDeviceMode",
        ),
        (
            lambda b: b["iosSingleSignOnExtension"]["configurations"][1].update(value="1"),
            "Edm.Int32",
        ),
        (lambda b: b.pop("displayName"), "'displayName' is missing"),
        (
            lambda b: b["iosSingleSignOnExtension"]["configurations"][0].pop("@odata.type"),
            "abstract",
        ),
        (
            lambda b: b["iosSingleSignOnExtension"].update(
                {"@odata.type": "#microsoft.graph.iosAzureAdSSOExtension"}
            ),
            "iosAzureAdSSOExtension",
        ),
    ],
    ids=["wrong-type", "string-for-int", "missing-required", "abstract-pair", "unknown-type"],
)
async def test_invalid_sso_bodies(sandbox: RunningSandbox, change: Any, needle: str) -> None:
    body = copy.deepcopy(SSO_POLICY)
    change(body)
    error = await refused(sandbox, "POST", CONFIGS, body)
    assert error.response_status_code == 400
    assert error.error is not None
    assert needle in (error.error.message or "")


async def test_beta_only_objects_on_v1(sandbox: RunningSandbox) -> None:
    error = await refused(sandbox, "POST", CONFIGS, SSO_POLICY, version="v1.0")
    assert error.response_status_code == 400
    assert "iosSingleSignOnExtension" in (error.error.message or "")  # type: ignore[union-attr]
    error = await refused(sandbox, "GET", PROFILES, None, version="v1.0")
    assert error.response_status_code == 400
    assert error.error is not None
    assert error.error.message == (
        "Resource not found for the segment 'appleUserInitiatedEnrollmentProfiles'."
    )


async def test_read_only_property_on_patch(sandbox: RunningSandbox) -> None:
    beta = make_adapter(sandbox, version="beta")
    created = await send_json(beta, "POST", url(sandbox, CONFIGS), SSO_POLICY)
    item = f"{CONFIGS}/{created['id']}"
    # Microsoft's deviceConfiguration model: supportsScopeTags "This property is read-only."
    error = await refused(sandbox, "PATCH", item, {"supportsScopeTags": False})
    assert error.response_status_code == 400
    assert "'supportsScopeTags' is read-only" in (error.error.message or "")  # type: ignore[union-attr]
    patched = await send_json(
        beta,
        "PATCH",
        url(sandbox, item),
        {"@odata.type": SSO_POLICY["@odata.type"], "description": "now described"},
    )
    assert patched["description"] == "now described"
    assert patched["version"] == 2


async def test_profile_lifecycle_priorities_and_assignments(sandbox: RunningSandbox) -> None:
    beta = make_adapter(sandbox, version="beta")
    created = await send_json(beta, "POST", url(sandbox, PROFILES), PROFILE)
    assert created["priority"] == 2  # a new profile starts last, like the admin center
    pid = created["id"]
    await send_json(beta, "POST", url(sandbox, f"{PROFILES}/{pid}/setPriority"), {"priority": 0})
    assert sandbox.requests[-1].status == 204
    listed = await send_json(beta, "GET", url(sandbox, PROFILES))
    ios = [p for p in listed["value"] if p["platform"] == "iOS"]  # each platform numbers its own
    priorities = [(p["displayName"], p["priority"]) for p in ios]
    assert [p for _, p in priorities] == [0, 1, 2]  # unique and contiguous
    assert priorities[0][0] == PROFILE["displayName"]

    await send_json(beta, "POST", url(sandbox, f"{PROFILES}/{pid}/setPriority"), {"priority": 7})
    order = [p["id"] for p in sandbox.state.profiles_by_priority("iOS")]
    assert order[-1] == pid
    assert sorted(p["priority"] for p in sandbox.state.profiles_by_priority("iOS")) == [0, 1, 2]

    target = {
        "target": {
            "@odata.type": "#microsoft.graph.groupAssignmentTarget",
            "groupId": group_id(sandbox, "BYOD pilot"),
        }
    }
    assignment = await send_json(
        beta, "POST", url(sandbox, f"{PROFILES}/{pid}/assignments"), target
    )
    assert sandbox.requests[-1].status == 201
    duplicate = await refused(sandbox, "POST", f"{PROFILES}/{pid}/assignments", target)
    assert duplicate.response_status_code == 400
    listed = await send_json(beta, "GET", url(sandbox, f"{PROFILES}/{pid}/assignments"))
    assert [a["id"] for a in listed["value"]] == [assignment["id"]]
    await send_json(
        beta, "DELETE", url(sandbox, f"{PROFILES}/{pid}/assignments/{assignment['id']}")
    )
    assert sandbox.state.profile_assignments[pid] == []

    bad_enum = await refused(
        sandbox, "PATCH", f"{PROFILES}/{pid}", {"defaultEnrollmentType": "accountDriven"}
    )
    assert "accountDrivenUserEnrollment" in (bad_enum.error.message or "")  # type: ignore[union-attr]
    await send_json(beta, "DELETE", url(sandbox, f"{PROFILES}/{pid}"))
    assert [p["priority"] for p in sandbox.state.profiles_by_priority("iOS")] == [0, 1]


async def test_assign_rejects_unknown_and_repeated_groups(sandbox: RunningSandbox) -> None:
    config_id = next(iter(sandbox.state.device_configurations))
    target = {
        "@odata.type": "#microsoft.graph.groupAssignmentTarget",
        "groupId": group_id(sandbox, "Sales"),
    }
    repeated = {"assignments": [{"target": target}, {"target": target}]}
    error = await refused(sandbox, "POST", f"{CONFIGS}/{config_id}/assign", repeated)
    assert "more than once" in (error.error.message or "")  # type: ignore[union-attr]
    ghost = {
        "@odata.type": "#microsoft.graph.groupAssignmentTarget",
        "groupId": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
    }
    error = await refused(
        sandbox, "POST", f"{CONFIGS}/{config_id}/assign", {"assignments": [{"target": ghost}]}
    )
    assert "does not exist" in (error.error.message or "")  # type: ignore[union-attr]
    assert len(sandbox.state.config_assignments[config_id]) == 1  # the seed's, untouched


async def test_beta_batch_with_depends_on(sandbox: RunningSandbox) -> None:
    beta = make_adapter(sandbox, version="beta")
    profile_id = next(iter(sandbox.state.enrollment_profiles))
    batch = {
        "requests": [
            {
                "id": "1",
                "method": "POST",
                "url": f"{PROFILES}/{profile_id}/setPriority",
                "headers": {"Content-Type": "application/json"},
                "body": {"priority": 1},
            },
            {"id": "2", "method": "GET", "url": PROFILES, "dependsOn": ["1"]},
            {"id": "3", "method": "GET", "url": '/groups?$search="displayName:fin"'},
            {"id": "4", "method": "GET", "url": "/v1.0/groups"},
            {"id": "5", "method": "GET", "url": f"{CONFIGS}/nope"},
            {"id": "6", "method": "GET", "url": "/organization", "dependsOn": ["5"]},
        ]
    }
    answer = await send_json(beta, "POST", url(sandbox, "/$batch"), batch)
    by_id = {r["id"]: r for r in answer["responses"]}
    assert by_id["1"]["status"] == 204
    assert by_id["2"]["status"] == 200
    ios = [p for p in by_id["2"]["body"]["value"] if p["platform"] == "iOS"]
    assert [p["id"] for p in ios][1] == profile_id
    assert by_id["3"]["status"] == 400  # no ConsistencyLevel header on the sub-request
    assert by_id["4"]["status"] == 400  # urls are relative to the version root
    assert by_id["5"]["status"] == 404
    assert by_id["6"]["status"] == 424
    records = [r for r in sandbox.requests if r.in_batch]
    # 4 (bad url) and 6 (failed dependency) never reach a route, so they leave no record.
    assert [r.batch_item_id for r in records] == ["1", "2", "3", "5"]
    assert all(r.batch_request_id for r in records)
    assert [r.method for r in sandbox.writes()] == ["POST"]

    too_many = {
        "requests": [{"id": str(i), "method": "GET", "url": "/organization"} for i in range(21)]
    }
    error = await refused(sandbox, "POST", "/$batch", too_many)
    assert error.response_status_code == 400
    assert "limit is 20" in (error.error.message or "")  # type: ignore[union-attr]


async def test_created_date_time_like_graph(sandbox: RunningSandbox) -> None:
    """Graph stamps createdDateTime on policies and profiles with 7 fractional digits
    (learn.microsoft.com: intune-deviceconfig-iosdevicefeaturesconfiguration-create,
    intune-enrollment-appleuserinitiatedenrollmentprofile-create, e.g.
    "2017-01-01T00:02:43.5775965-08:00"), returns it on create, get and list, and a later
    object is newer. adue keeps the oldest of same-named twins by it."""
    import re

    beta = make_adapter(sandbox, version="beta")
    stamp = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$")
    for collection, body in ((CONFIGS, SSO_POLICY), (PROFILES, PROFILE)):
        made = [await send_json(beta, "POST", url(sandbox, collection), body) for _ in range(3)]
        created = [m["createdDateTime"] for m in made]
        assert all(stamp.match(c) for c in created), created
        assert created == sorted(created)
        assert len(set(created)) == 3  # strictly later
        got = await send_json(beta, "GET", url(sandbox, f"{collection}/{made[0]['id']}"))
        assert got["createdDateTime"] == created[0]
        listed = await send_json(beta, "GET", url(sandbox, collection))
        by_id = {o["id"]: o["createdDateTime"] for o in listed["value"]}
        assert [by_id[m["id"]] for m in made] == created
