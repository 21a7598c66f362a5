"""Seed contents: demo is believable; each broken seed differs from demo in one thing;
large is large, builds fast, and answers a group search fast."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tui.sandbox.seeds import (
    AUTHENTICATOR_BUNDLE_ID,
    BROKEN,
    INTUNE_A,
    SEED_NAMES,
    build_large,
    build_seed,
)
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import Tenant

NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def authenticators(t: Tenant) -> dict[str, dict[str, Any]]:
    return {
        a["@odata.type"].rsplit(".", 1)[1]: a
        for a in t.mobile_apps.values()
        if a.get("bundleId") == AUTHENTICATOR_BUNDLE_ID
    }


def intune_licensed(t: Tenant) -> bool:
    return any(
        p["servicePlanId"] == INTUNE_A and p["provisioningStatus"] == "Success"
        for sku in t.subscribed_skus
        for p in sku["servicePlans"]
    )


def test_seed_names_are_the_issues() -> None:
    assert SEED_NAMES == (
        "demo",
        "large",
        "hostile",
        "expired-apns",
        "no-vpp-token",
        "authenticator-store-only",
        "authenticator-no-licences",
        "personal-ios-blocked",
        "no-intune-licence",
        "sso-other-payloads",
        "sso-admin-key",
        "edu-licensed",
        "unlicensed-users",
        "personal-ios-blocked-for-sales",
        "authenticator-device-licensed",
        "enrolled",
        "incompatible",
        "enrolled-large",
    )
    with pytest.raises(ValueError, match="choose one of demo, large, hostile"):
        build_seed("nope")


def test_hostile_seed_holds_every_kind_of_hostile_name() -> None:
    from tui.sandbox.seeds import HOSTILE_GROUPS

    t = build_seed("hostile")
    names = [str(g["displayName"]) for g in t.groups.values()]
    for _key, name, _description in HOSTILE_GROUPS:
        assert name in names
    everything = "\n".join(
        [
            *names,
            str(t.organization["displayName"]),
            *(str(p["displayName"]) for p in t.enrollment_profiles.values()),
            *(str(c["displayName"]) for c in t.device_configurations.values()),
            *(str(a.get("vppTokenOrganizationName", "")) for a in t.mobile_apps.values()),
        ]
    )
    for needle in ("[/]", "[/ ", "[@click=app.quit]", "\x1b[31m", "\x1b]0;", "\x9b", "\u202e"):
        assert needle in everything, needle
    assert any(len(n) == 300 for n in names)
    assert any("🚀" in n for n in names)
    assert any("経理" in n for n in names)
    assert "\x1b]0;" in str(t.organization["displayName"])
    # Every hostile group holds users, so the wizard can pick it where users are targeted.
    assert all(t.members[gid] for gid, g in t.groups.items() if g["displayName"] in names)


def test_demo_is_a_believable_tenant() -> None:
    t = build_seed("demo", NOW)
    assert t.organization["displayName"] == "Contoso"
    assert t.sign_in_domain == "contoso.com"
    assert t.organization["mobileDeviceManagementAuthority"] == "intune"
    assert intune_licensed(t)
    apns = t.apns_certificate
    assert apns is not None
    assert 190 <= (when(apns["expirationDateTime"]) - NOW).days <= 210
    assert [v["state"] for v in t.vpp_tokens.values()] == ["valid"]
    apps = authenticators(t)
    assert set(apps) == {"iosVppApp", "iosStoreApp"}  # as real tenants have both
    vpp = apps["iosVppApp"]
    assert vpp["licensingType"]["supportsUserLicensing"] is True
    assert vpp["totalLicenseCount"] > vpp["usedLicenseCount"]
    names = {g["displayName"] for g in t.groups.values()}
    assert {"All iOS users", "Finance", "Sales", "BYOD pilot", "Corporate iPads"} <= names
    device_groups = [g for g in t.groups.values() if "device" in str(g.get("membershipRule"))]
    assert [g["displayName"] for g in device_groups] == ["Corporate iPads"]
    kiosk = next(g for g in t.groups.values() if g["displayName"] == "Kiosk iPhones")
    assert all(m in t.devices for m in t.members[kiosk["id"]])  # assigned device group
    assert len(t.groups) - 2 == 12  # 12 user groups and 2 device groups
    assert len(t.users) >= 10
    profiles = t.profiles_by_priority("iOS")
    assert [p["priority"] for p in profiles] == [0, 1]
    # Each platform numbers its own priorities.
    assert [p["priority"] for p in t.profiles_by_priority("macOS")] == [0]
    assert "user choice" in profiles[0]["displayName"]
    restriction = next(c for c in t.enrollment_configurations.values() if "iosRestriction" in c)
    assert restriction["iosRestriction"]["personalDeviceEnrollmentBlocked"] is False


def test_demo_is_the_same_on_every_build() -> None:
    assert build_seed("demo", NOW).to_json() == build_seed("demo", NOW).to_json()


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        found: list[str] = []
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                found.append(f"{path}/{key}")
            else:
                found += differences(a[key], b[key], f"{path}/{key}")
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [path or "/"]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_each_broken_seed_has_exactly_one_thing_wrong(name: str) -> None:
    demo = build_seed("demo", NOW).to_json()
    broken = build_seed(name, NOW)
    changed = [d for d in differences(demo, broken.to_json()) if d != "/seed"]
    assert changed, name
    areas = {d.split("/")[1] for d in changed}
    expected = {
        "expired-apns": {"apns_certificate"},
        "no-vpp-token": {"vpp_tokens"},
        "authenticator-store-only": {"mobile_apps", "app_assignments"},
        "authenticator-no-licences": {"mobile_apps"},
        "personal-ios-blocked": {"enrollment_configurations"},
        "no-intune-licence": {"subscribed_skus", "subscription_state"},
    }[name]
    assert areas == expected, changed


def test_broken_seeds_break_their_prerequisite() -> None:
    assert when(build_seed("expired-apns", NOW).apns_certificate["expirationDateTime"]) < NOW  # type: ignore[index]
    assert build_seed("no-vpp-token", NOW).vpp_tokens == {}
    assert set(authenticators(build_seed("authenticator-store-only", NOW))) == {"iosStoreApp"}
    vpp = authenticators(build_seed("authenticator-no-licences", NOW))["iosVppApp"]
    assert vpp["usedLicenseCount"] == vpp["totalLicenseCount"]
    blocked = build_seed("personal-ios-blocked", NOW)
    assert any(
        c.get("iosRestriction", {}).get("personalDeviceEnrollmentBlocked")
        for c in blocked.enrollment_configurations.values()
    )
    assert not intune_licensed(build_seed("no-intune-licence", NOW))


def test_large_seed_size() -> None:
    # Its build time is measured by bench/run, not asserted here (timed tests flake
    # on a loaded machine).
    t = build_large(now=NOW)
    t.group_index  # noqa: B018 - part of what start_sandbox builds
    assert (len(t.groups), len(t.mobile_apps), len(t.enrollment_profiles)) == (100_000, 5_000, 50)
    ios = [p["priority"] for p in t.enrollment_profiles.values() if p["platform"] == "iOS"]
    assert sorted(ios) == list(range(49))  # and the one macOS profile, numbered on its own


def test_group_search_on_large_answers_one_page(large_sandbox: RunningSandbox) -> None:
    # How fast is bench/run's business; here: a search answers a counted first page.
    sb = large_sandbox
    with httpx.Client(
        base_url=sb.graph_url,
        headers={"Authorization": f"Bearer {sb.token}", "ConsistencyLevel": "eventual"},
    ) as http:
        for term in ("fin", "berlin", "a", "pilot"):
            params = {"$search": f'"displayName:{term}"', "$top": "25", "$count": "true"}
            answer = http.get("/v1.0/groups", params=params)
            assert answer.status_code == 200
            body = answer.json()
            assert body["@odata.count"] > 0
            assert len(body["value"]) <= 25
            assert "@odata.nextLink" in body or body["@odata.count"] <= 25
