"""The prerequisite rules themselves (pure functions over our models)."""

from __future__ import annotations

import datetime as dt

from tui.findings import Finding, Status
from tui.graph.checks import (
    CheckReport,
    check_apns,
    check_authenticator,
    check_personal_ios,
    check_scopes,
    check_vpp_tokens,
)
from tui.graph.models import (
    ApnsCertificate,
    AuthenticatorApps,
    GrantedAccess,
    PlatformRestriction,
    StoreApp,
    VppApp,
    VppToken,
)
from tui.graph.operations import RUN_SCOPES, decode_access_token

NOW = dt.datetime(2026, 11, 27, 12, tzinfo=dt.UTC)


def apns(days: float) -> ApnsCertificate:
    return ApnsCertificate("mdm@contoso.com", "topic", NOW + dt.timedelta(days=days), None)


def test_apns_expired_fails_soon_warns_else_passes() -> None:
    assert check_apns(apns(-1), NOW).status is Status.FAIL
    assert check_apns(apns(29), NOW).status is Status.WARN
    assert "in 29 days" in check_apns(apns(29.5), NOW).detail
    assert check_apns(apns(31), NOW).status is Status.PASS
    missing = check_apns(None, NOW)
    assert missing.status is Status.FAIL
    assert "identity.apple.com" in missing.fix


def token(state: str, days: float | None) -> VppToken:
    expiry = None if days is None else NOW + dt.timedelta(days=days)
    return VppToken("t", "Contoso", "abm@contoso.com", state, expiry, None)


def test_vpp_token_rules() -> None:
    assert check_vpp_tokens([], NOW).status is Status.FAIL
    assert check_vpp_tokens([token("valid", 100)], NOW).status is Status.PASS
    assert check_vpp_tokens([token("valid", 10)], NOW).status is Status.WARN
    assert check_vpp_tokens([token("expired", -3)], NOW).status is Status.FAIL
    assert check_vpp_tokens([token("valid", -3)], NOW).status is Status.FAIL
    external = check_vpp_tokens([token("assignedToExternalMDM", 100)], NOW)
    assert external.status is Status.FAIL
    assert "another MDM" in external.detail
    # One good token is enough.
    assert check_vpp_tokens([token("invalid", 5), token("valid", 90)], NOW).status is Status.PASS


def vpp(user: bool, total: int, used: int) -> VppApp:
    return VppApp(
        "a",
        "Microsoft Authenticator",
        "com.microsoft.azureauthenticator",
        user,
        total,
        used,
        "abm@contoso.com",
        "Contoso",
    )


STORE = StoreApp("s", "Microsoft Authenticator", "com.microsoft.azureauthenticator")


def test_authenticator_rules() -> None:
    ok = check_authenticator(AuthenticatorApps((vpp(True, 10, 3),), (STORE,)))
    assert ok.status is Status.PASS
    assert "7 of 10" in ok.detail
    none_free = check_authenticator(AuthenticatorApps((vpp(True, 5, 5),), ()))
    assert none_free.status is Status.FAIL
    assert "no free licences" in none_free.detail
    device_only = check_authenticator(AuthenticatorApps((vpp(False, 5, 0),), ()))
    assert device_only.status is Status.FAIL
    assert "user licensing" in device_only.detail
    store_only = check_authenticator(AuthenticatorApps((), (STORE,)))
    assert store_only.status is Status.FAIL
    assert "User Enrollment does not support" in store_only.detail
    assert check_authenticator(AuthenticatorApps((), ())).status is Status.FAIL


def restriction(default: bool, personal: bool, priority: int = 0) -> PlatformRestriction:
    return PlatformRestriction("r", "All users", priority, default, False, personal, "")


def test_personal_ios_rules() -> None:
    assert check_personal_ios([restriction(True, False)]).status is Status.PASS
    # Personal devices blocked by default: a warning with Microsoft's context (the outcome
    # for User Enrollment is ambiguous since the December 2025 rewrite), not a failure.
    blocked = check_personal_ios([restriction(True, True)])
    assert blocked.status is Status.WARN
    assert "December 2025" in blocked.detail
    warn = check_personal_ios([restriction(True, False), restriction(False, True, 1)])
    assert warn.status is Status.WARN


def test_scopes_rule_accepts_readwrite_for_read() -> None:
    full = GrantedAccess(frozenset(RUN_SCOPES), frozenset(), "a", "t")
    assert check_scopes(full).status is Status.PASS
    assert full.has("DeviceManagementApps.Read.All")
    reduced = GrantedAccess(frozenset({"Group.Read.All"}), frozenset(), "a", "t")
    result = check_scopes(reduced)
    assert result.status is Status.FAIL
    assert "DeviceManagementApps.ReadWrite.All" in result.detail
    opaque = decode_access_token("not-a-jwt")
    assert check_scopes(opaque).status is Status.WARN


def test_exit_codes() -> None:
    def report(*statuses: Status) -> CheckReport:
        return CheckReport(tuple(Finding(f"c{i}", s, "t", "d") for i, s in enumerate(statuses)))

    assert report(Status.PASS, Status.WARN).exit_code == 0
    assert report(Status.PASS, Status.ERROR).exit_code == 1
    assert report(Status.ERROR, Status.FAIL).exit_code == 2
