"""SSO extension keys (issue 15.6): keys adue does not own survive an update, the
session's `extra_keys` are sent with the type Microsoft documents, and another SSO
extension payload for the same users is a warning naming that policy. Real SDK, real
HTTP, the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import apply_file, plan_file, session_with_ids
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id
from tui.session import Session

CONFIGS = "/beta/deviceManagement/deviceConfigurations"
ADMIN_KEY = {
    "@odata.type": "#microsoft.graph.keyStringValuePair",
    "key": "AppPrefixAllowList",
    "value": "com.contoso., com.fabrikam.",
}


def _set(path: Path, table: str, **values: Any) -> None:
    with Session.open(path, create=False) as session:
        session.update(table, values)
        session.save()


def _keys(sb: RunningSandbox, policy_id: str) -> list[dict[str, Any]]:
    with sb.lock:
        extension = sb.state.device_configurations[policy_id]["iosSingleSignOnExtension"]
        return [dict(c) for c in extension["configurations"]]


async def test_a_key_an_admin_added_survives_an_update(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    policy_id = Session.read_only(path).get("sso_extension", "policy_id")
    with sb.lock:  # another admin adds a documented key in the admin center
        extension = sb.state.device_configurations[policy_id]["iosSingleSignOnExtension"]
        extension["configurations"].append(dict(ADMIN_KEY))

    plan = await plan_file(sb, path)
    assert plan.is_empty, [a.details for a in plan.changes]
    assert any("keys adue does not manage (AppPrefixAllowList)" in n for n in plan.notes)

    _set(path, "sso_extension", bundle_ids=["com.contoso.expenses"])  # a real change
    plan = await plan_file(sb, path)
    update = next(a for a in plan.changes if a.key == "sso_extension:update")
    assert update.details == ("bundle id com.contoso.timesheets will be removed",)
    sb.clear_requests()
    assert (await apply_file(sb, path)).ok
    patch = next(w for w in sb.writes() if w.method == "PATCH")
    assert ADMIN_KEY in patch.body["iosSingleSignOnExtension"]["configurations"]
    assert ADMIN_KEY in _keys(sb, policy_id)
    assert (await plan_file(sb, path)).is_empty


async def test_extra_keys_are_sent_with_their_documented_types(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    _set(
        path,
        "sso_extension",
        extra_keys={
            "AppPrefixAllowList": " com.contoso. ,com.fabrikam. ",
            "Enable_SSO_On_All_ManagedApps": 1,
            "use_most_secure_storage": True,
        },
    )
    assert (await apply_file(sb, path)).ok
    created = next(w for w in sb.writes() if w.method == "POST" and w.path == CONFIGS)
    sent = created.body["iosSingleSignOnExtension"]["configurations"]
    assert sent[2:] == [
        ADMIN_KEY,
        {
            "@odata.type": "#microsoft.graph.keyIntegerValuePair",
            "key": "Enable_SSO_On_All_ManagedApps",
            "value": 1,
        },
        {
            "@odata.type": "#microsoft.graph.keyBooleanValuePair",
            "key": "use_most_secure_storage",
            "value": True,
        },
    ]
    assert (await plan_file(sb, path)).is_empty
    # An extra key changed in the session is updated in place.
    _set(path, "sso_extension", extra_keys={"Enable_SSO_On_All_ManagedApps": 0})
    plan = await plan_file(sb, path)
    update = next(a for a in plan.changes if a.key == "sso_extension:update")
    line = "extension key Enable_SSO_On_All_ManagedApps is 1, should be 0 (keyIntegerValuePair)"
    assert line in update.details


@pytest.mark.parametrize(
    ("keys", "fragment"),
    [
        ({"Enable_SSO_On_All_ManagedApps": "yes"}, "Enable_SSO_On_All_ManagedApps must be 1 or 0"),
        ({"Enable_SSO_On_All_ManagedApps": 2}, "must be 1 or 0 (Microsoft documents it so)"),
        ({"AppAllowList": 1}, "AppAllowList must be a string"),
        ({"AppAlowList": "com.contoso.a"}, "'AppAlowList' is not a documented key"),
        ({"device_registration": "x"}, "device_registration is sent by adue itself"),
    ],
)
async def test_bad_extra_keys_are_refused_by_name(
    demo_sandbox_shared: RunningSandbox, tmp_path: Path, keys: dict[str, Any], fragment: str
) -> None:
    path = session_with_ids(demo_sandbox_shared, tmp_path)
    _set(path, "sso_extension", extra_keys=keys)
    before = path.read_bytes()
    plan = await plan_file(demo_sandbox_shared, path)
    assert plan.blocked
    where = "[sso_extension] extra_keys: "
    assert any(p.startswith(where) and fragment in p for p in plan.problems)
    assert path.read_bytes() == before


async def test_other_sso_payloads_for_the_same_users_are_named(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed="sso-other-payloads")
    path = session_with_ids(sb, tmp_path)
    plan = await plan_file(sb, path)
    warnings = [n for n in plan.notes if "also carries an SSO extension" in n]
    catalog_id = stable_id("demo", "catalog", "ios-sso")
    old_id = stable_id("demo", "config", "old-sso")
    assert len(warnings) == 2, plan.notes
    assert any(
        f"Settings Catalog policy 'iOS – Enterprise SSO (settings catalog)' (id {catalog_id})" in w
        and "group 'All iOS users'" in w
        for w in warnings
    )
    assert any(
        f"device features policy 'iOS – SSO (pilot 2024)' (id {old_id})" in w
        and "group 'BYOD pilot'" in w
        for w in warnings
    )
    # The plain demo tenant has a macOS Platform SSO payload and an iOS restriction in the
    # Settings Catalog: neither is an iOS SSO extension, so no warning there.
    demo = sandbox_factory(seed="demo")
    (tmp_path / "demo").mkdir()
    quiet = await plan_file(demo, session_with_ids(demo, tmp_path / "demo"))
    assert not [n for n in quiet.notes if "SSO extension" in n]


async def test_the_rollouts_policy_with_an_admins_key_is_adopted_and_keeps_it(
    sandbox_factory: Any, tmp_path: Path
) -> None:
    sb = sandbox_factory(seed="sso-admin-key")
    path = session_with_ids(sb, tmp_path)
    policy_id = stable_id("demo", "config", "adue-sso")
    assert (await apply_file(sb, path)).ok
    assert Session.read_only(path).get("sso_extension", "policy_id") == policy_id
    keys = _keys(sb, policy_id)
    assert ADMIN_KEY in keys
    assert [k["key"] for k in keys][:2] == [
        "device_registration",
        "browser_sso_interaction_enabled",
    ]
    assert (await plan_file(sb, path)).is_empty
