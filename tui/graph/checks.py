"""Prerequisite checks: pass / warn / fail with the reason and the fix.

All tenant reads go out in ONE `$batch` round trip (plus nextLink pages, if a
list is long); the evaluation itself is pure functions over our models, so the
wizard, `adue check` and tests share it. A check whose read failed (e.g. a
missing permission) is `error` — "could not check" — carrying the actionable
message, never a false pass or fail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from tui.graph import parse
from tui.graph.batch import batch_get
from tui.graph.client import GraphClient
from tui.graph.errors import GraphError, error_from_response
from tui.graph.models import (
    INTUNE_SERVICE_PLAN_ID,
    ApnsCertificate,
    AuthenticatorApps,
    BatchRead,
    GrantedAccess,
    Organization,
    PlatformRestriction,
    SubscribedSku,
    VppToken,
)
from tui.graph.operations import (
    ORGANIZATION_QUERY,
    RUN_SCOPES,
    STORE_APPS_QUERY,
    VPP_APPS_QUERY,
    Scope,
    apns_from_json,
    authenticator_from_apps,
    get_granted_access,
)

EXPIRY_WARNING_DAYS = 30
T = TypeVar("T")


class CheckStatus(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check (the read failed); see detail and fix


@dataclass(frozen=True)
class CheckResult:
    id: str
    status: CheckStatus
    title: str
    detail: str
    fix: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "status": self.status.value,
            "title": self.title,
            "detail": self.detail,
            "fix": self.fix,
        }


# Check ids, in the order they are shown (stable: sessions store acknowledged ids).
TITLES: dict[str, str] = {
    "intune_licence": "Intune licence",
    "mdm_authority": "MDM authority is Intune",
    "apns_certificate": "Apple MDM push certificate",
    "vpp_token": "Apple VPP (Apps and Books) token",
    "authenticator_app": "Microsoft Authenticator as a user-licensed VPP app",
    "personal_ios_enrollment": "Personal iOS/iPadOS enrollment allowed",
    "granted_scopes": "Granted Graph permissions",
}
CHECK_IDS = tuple(TITLES)


@dataclass(frozen=True)
class CheckReport:
    results: tuple[CheckResult, ...]
    organization: Organization | None = None
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def by_id(self, check_id: str) -> CheckResult:
        return next(r for r in self.results if r.id == check_id)

    def with_status(self, status: CheckStatus) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.status is status)

    @property
    def exit_code(self) -> int:
        """0 all pass (warnings allowed), 2 any fail, 1 could not check."""
        if self.with_status(CheckStatus.FAIL):
            return 2
        if self.with_status(CheckStatus.ERROR):
            return 1
        return 0


def _result(check_id: str, status: CheckStatus, detail: str, fix: str = "") -> CheckResult:
    return CheckResult(check_id, status, TITLES[check_id], detail, fix)


def _error_result(check_id: str, error: GraphError) -> CheckResult:
    return _result(check_id, CheckStatus.ERROR, f"Could not check: {error.message}", error.fix)


def _date(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")


# -- the checks (pure) -------------------------------------------------------------------
def check_intune_licence(skus: Sequence[SubscribedSku]) -> CheckResult:
    cid = "intune_licence"
    plans = [(sku, plan) for sku in skus if (plan := sku.plan(INTUNE_SERVICE_PLAN_ID)) is not None]
    active = [
        (sku, plan)
        for sku, plan in plans
        if plan.provisioning_status.lower() == "success"
        and sku.capability_status.lower() in ("enabled", "warning", "")
    ]
    if active:
        names = ", ".join(sorted({sku.part_number or sku.sku_id for sku, _ in active}))
        return _result(cid, CheckStatus.PASS, f"Intune (INTUNE_A) is active through {names}.")
    if plans:
        states = ", ".join(
            f"{sku.part_number}: plan {plan.provisioning_status}, SKU {sku.capability_status}"
            for sku, plan in plans
        )
        return _result(
            cid,
            CheckStatus.FAIL,
            f"Intune is licensed but not active ({states}).",
            "Wait for provisioning to finish, or renew the subscription in the Microsoft 365"
            " admin center.",
        )
    return _result(
        cid,
        CheckStatus.FAIL,
        "No subscription in this tenant includes Intune (service plan INTUNE_A); the Intune"
        " Graph API needs an active Intune licence.",
        "Buy or start a trial of a plan with Intune (e.g. Microsoft 365 E3/E5, EMS, Intune"
        " Plan 1) in the Microsoft 365 admin center.",
    )


def check_mdm_authority(org: Organization) -> CheckResult:
    cid = "mdm_authority"
    authority = org.mdm_authority or "unknown"
    if authority.lower() == "intune":
        return _result(cid, CheckStatus.PASS, "The MDM authority is set to Intune.")
    return _result(
        cid,
        CheckStatus.FAIL,
        f"The tenant's MDM authority is {authority!r}, not Intune.",
        "Set it in the Intune admin center: Tenant administration > Tenant status (it is set"
        " automatically for new tenants when Intune is first opened).",
    )


def check_apns(cert: ApnsCertificate | None, now: dt.datetime) -> CheckResult:
    cid = "apns_certificate"
    renew = (
        "Renew it in the Intune admin center: Devices > Enrollment > Apple > Apple MDM Push"
        " certificate, with the SAME Apple ID at https://identity.apple.com (a new Apple ID"
        " means re-enrolling every Apple device)."
    )
    if cert is None or cert.expiration is None:
        return _result(
            cid,
            CheckStatus.FAIL,
            "No Apple MDM push certificate is uploaded: Intune cannot manage Apple devices.",
            "Create one in the Intune admin center: Devices > Enrollment > Apple > Apple MDM"
            " Push certificate (download the CSR, sign it at https://identity.apple.com, upload).",
        )
    who = f" (Apple ID {cert.apple_identifier})" if cert.apple_identifier else ""
    days = (cert.expiration - now).total_seconds() / 86400
    if days < 0:
        return _result(
            cid,
            CheckStatus.FAIL,
            f"The certificate{who} expired on {_date(cert.expiration)}: enrolled devices stop"
            " receiving management commands and new enrollments fail.",
            renew,
        )
    if days < EXPIRY_WARNING_DAYS:
        return _result(
            cid,
            CheckStatus.WARN,
            f"The certificate{who} expires on {_date(cert.expiration)}, in {int(days)} days.",
            renew,
        )
    return _result(
        cid,
        CheckStatus.PASS,
        f"Valid until {_date(cert.expiration)}{who}.",
    )


def check_vpp_tokens(tokens: Sequence[VppToken], now: dt.datetime) -> CheckResult:
    cid = "vpp_token"
    renew = (
        "Download a new token in Apple Business (formerly Apple Business Manager) under"
        " Preferences > Payments and Billing > Content Tokens, and upload it in the Intune admin"
        " center: Tenant administration > Connectors and tokens > Apple VPP tokens."
    )
    if not tokens:
        return _result(
            cid,
            CheckStatus.FAIL,
            "No Apple VPP (Apps and Books) location token is connected: user-licensed apps such"
            " as Microsoft Authenticator cannot be assigned.",
            renew,
        )

    def describe(token: VppToken) -> str:
        until = f", expires {_date(token.expiration)}" if token.expiration else ""
        return f"{token.organization_name or token.apple_id} ({token.state}{until})"

    usable = [
        t
        for t in tokens
        if t.state.lower() == "valid" and (t.expiration is None or t.expiration > now)
    ]
    if not usable:
        external = [t for t in tokens if t.state == "assignedToExternalMDM"]
        if external:
            return _result(
                cid,
                CheckStatus.FAIL,
                "The VPP token is assigned to another MDM: "
                + ", ".join(describe(t) for t in external)
                + ".",
                "Reclaim the token for Intune in Apple Business (formerly Apple Business Manager),"
                " or upload a token of"
                " a location not used by another MDM.",
            )
        return _result(
            cid,
            CheckStatus.FAIL,
            "No VPP token is valid: " + ", ".join(describe(t) for t in tokens) + ".",
            renew,
        )
    soonest = min(usable, key=lambda t: t.expiration or dt.datetime.max.replace(tzinfo=dt.UTC))
    if soonest.expiration is not None:
        days = (soonest.expiration - now).total_seconds() / 86400
        if days < EXPIRY_WARNING_DAYS:
            return _result(
                cid,
                CheckStatus.WARN,
                f"{describe(soonest)} expires in {int(days)} days.",
                renew,
            )
    return _result(cid, CheckStatus.PASS, "Valid: " + ", ".join(describe(t) for t in usable) + ".")


def check_authenticator(apps: AuthenticatorApps) -> CheckResult:
    cid = "authenticator_app"
    buy = (
        "In Apple Business (formerly Apple Business Manager), Apps and Books: get Microsoft"
        " Authenticator (free) for the"
        " location of the VPP token Intune uses, then sync the token in Intune (Tenant"
        " administration > Connectors and tokens > Apple VPP tokens > Sync)."
    )
    best = apps.best
    if best is not None:
        where = f" (token {best.vpp_token_organization})" if best.vpp_token_organization else ""
        if best.free_licenses > 0:
            return _result(
                cid,
                CheckStatus.PASS,
                f"{best.display_name}{where}: {best.free_licenses} of {best.total_licenses}"
                " licences free.",
            )
        return _result(
            cid,
            CheckStatus.FAIL,
            f"{best.display_name}{where} has no free licences ({best.used_licenses} of"
            f" {best.total_licenses} used): new users cannot get Authenticator.",
            "Add licences in Apple Business (formerly Apple Business Manager): Apps and Books >"
            " Microsoft Authenticator > buy more (it is free), then sync the VPP token in Intune.",
        )
    if apps.vpp_apps:
        return _result(
            cid,
            CheckStatus.FAIL,
            "Microsoft Authenticator is there as a VPP app, but only with device licensing;"
            " User Enrollment needs user licensing.",
            buy,
        )
    if apps.store_apps:
        return _result(
            cid,
            CheckStatus.FAIL,
            "Microsoft Authenticator is only added as an App Store app. User Enrollment does not"
            " support installing App Store apps as managed apps: it must be a user-licensed VPP"
            " app.",
            buy,
        )
    return _result(
        cid,
        CheckStatus.FAIL,
        "Microsoft Authenticator (com.microsoft.azureauthenticator) is not in Intune as a VPP"
        " app; the SSO extension and enrollment need it.",
        buy,
    )


def check_personal_ios(restrictions: Sequence[PlatformRestriction]) -> CheckResult:
    cid = "personal_ios_enrollment"
    where = (
        "Intune admin center: Devices > Device onboarding > Enrollment > Device platform"
        " restriction > iOS/iPadOS restrictions"
    )
    default = next((r for r in restrictions if r.is_default), None)
    if default is not None and (default.ios_platform_blocked or default.ios_personal_blocked):
        what = "iOS/iPadOS enrollment" if default.ios_platform_blocked else "personally owned iOS"
        return _result(
            cid,
            CheckStatus.FAIL,
            f"The default platform restriction blocks {what} devices, so User Enrollment"
            " (personal devices) is refused.",
            f"Allow personally owned iOS/iPadOS devices in the default restriction ({where}),"
            " or in a restriction with higher priority assigned to the enrolling users.",
        )
    blocking = [
        r
        for r in restrictions
        if not r.is_default and (r.ios_platform_blocked or r.ios_personal_blocked)
    ]
    if blocking:
        names = ", ".join(f"{r.display_name} (priority {r.priority})" for r in blocking)
        return _result(
            cid,
            CheckStatus.WARN,
            f"Personal iOS enrollment is allowed by default but blocked by: {names}. Users in"
            " their groups cannot use User Enrollment.",
            f"Check those restrictions' assignments ({where}).",
        )
    low_minimum = ""
    if default is not None and default.ios_os_minimum:
        low_minimum = f" (minimum OS {default.ios_os_minimum})"
    return _result(
        cid, CheckStatus.PASS, f"Personally owned iOS/iPadOS devices may enroll{low_minimum}."
    )


def check_scopes(access: GrantedAccess, needed: Sequence[str] = RUN_SCOPES) -> CheckResult:
    cid = "granted_scopes"
    if not access.readable:
        return _result(
            cid,
            CheckStatus.WARN,
            "The access token is not readable here, so its permissions cannot be listed.",
            "If a step fails with 'permission denied', grant the permission it names.",
        )
    missing = [p for p in needed if not access.has(p)]
    if missing:
        return _result(
            cid,
            CheckStatus.FAIL,
            "The sign-in lacks: " + ", ".join(missing) + ".",
            "Grant admin consent for these delegated Microsoft Graph permissions to the app adue"
            " signs in with (Microsoft Entra admin center: Enterprise applications > the app >"
            " Permissions > Grant admin consent), then sign in again.",
        )
    return _result(cid, CheckStatus.PASS, "All permissions a full run needs are granted.")


# -- reading the tenant in one round trip --------------------------------------------------
READS: tuple[tuple[BatchRead, str, tuple[str, ...]], ...] = (
    # read, what it is for (errors), the permission it needs
    (
        BatchRead("organization", "organization", tuple(ORGANIZATION_QUERY.items())),
        "read the organization and its MDM authority",
        Scope.ORGANIZATION,
    ),
    (BatchRead("skus", "subscribedSkus"), "read the licences", Scope.ORGANIZATION),
    (
        BatchRead("apns", "deviceManagement/applePushNotificationCertificate"),
        "read the Apple MDM push certificate",
        Scope.SERVICE_CONFIG_READ,
    ),
    (
        BatchRead("vpp_tokens", "deviceAppManagement/vppTokens"),
        "read the Apple VPP tokens",
        Scope.SERVICE_CONFIG_READ,
    ),
    (
        BatchRead("vpp_apps", "deviceAppManagement/mobileApps", tuple(VPP_APPS_QUERY.items())),
        "read the iOS VPP apps",
        Scope.APPS_READ,
    ),
    (
        BatchRead("store_apps", "deviceAppManagement/mobileApps", tuple(STORE_APPS_QUERY.items())),
        "read the iOS App Store apps",
        Scope.APPS_READ,
    ),
    (
        BatchRead("restrictions", "deviceManagement/deviceEnrollmentConfigurations"),
        "read the enrollment platform restrictions",
        Scope.SERVICE_CONFIG_READ,
    ),
)


@dataclass(frozen=True)
class TenantSnapshot:
    """Each read's JSON, or the actionable error that read failed with."""

    bodies: dict[str, dict[str, Any]]
    statuses: dict[str, int]
    errors: dict[str, GraphError]

    def get(self, read_id: str, convert: Callable[[dict[str, Any]], T]) -> T | GraphError:
        if read_id in self.errors:
            return self.errors[read_id]
        return convert(self.bodies.get(read_id, {}))


async def read_snapshot(client: GraphClient) -> TenantSnapshot:
    answers = await batch_get(client, [read for read, _, _ in READS])
    bodies: dict[str, dict[str, Any]] = {}
    statuses: dict[str, int] = {}
    errors: dict[str, GraphError] = {}
    for read, what, scopes in READS:
        answer = answers[read.id]
        statuses[read.id] = answer.status
        if read.id == "apns" and answer.status == 404:
            bodies[read.id] = {}
            continue
        if not answer.ok:
            errors[read.id] = error_from_response(
                answer.status, dict(answer.headers), answer.body, what=what, required_scopes=scopes
            )
            continue
        body = json.loads(answer.body) if answer.body else {}
        # A long list continues on nextLink pages (rare for these reads).
        values = parse.items(body)
        link = parse.text(body, "@odata.nextLink")
        try:
            for _ in range(20):
                if not link:
                    break
                page = (await client.get_url(link, what=what)).json()
                values.extend(parse.items(page))
                link = parse.text(page, "@odata.nextLink")
        except GraphError as exc:
            errors[read.id] = exc
            continue
        if "value" in body:
            body = {**body, "value": values}
        bodies[read.id] = body
    return TenantSnapshot(bodies, statuses, errors)


def evaluate(
    snapshot: TenantSnapshot, access: GrantedAccess | GraphError, now: dt.datetime
) -> tuple[tuple[CheckResult, ...], Organization | None]:
    def first_org(body: dict[str, Any]) -> Organization:
        found = parse.items(body)
        return parse.organization(found[0] if found else {})

    org = snapshot.get("organization", first_org)
    skus = snapshot.get("skus", lambda b: [parse.subscribed_sku(s) for s in parse.items(b)])
    apns = snapshot.get("apns", lambda b: apns_from_json(snapshot.statuses["apns"], b))
    tokens = snapshot.get("vpp_tokens", lambda b: [parse.vpp_token(t) for t in parse.items(b)])
    vpp = snapshot.get("vpp_apps", lambda b: [parse.vpp_app(a) for a in parse.items(b)])
    store = snapshot.get("store_apps", lambda b: [parse.store_app(a) for a in parse.items(b)])
    restrictions = snapshot.get(
        "restrictions",
        lambda b: [r for r in (parse.platform_restriction(c) for c in parse.items(b)) if r],
    )

    results: list[CheckResult] = []
    results.append(
        _error_result("intune_licence", skus)
        if isinstance(skus, GraphError)
        else check_intune_licence(skus)
    )
    results.append(
        _error_result("mdm_authority", org)
        if isinstance(org, GraphError)
        else check_mdm_authority(org)
    )
    results.append(
        _error_result("apns_certificate", apns)
        if isinstance(apns, GraphError)
        else check_apns(apns, now)
    )
    results.append(
        _error_result("vpp_token", tokens)
        if isinstance(tokens, GraphError)
        else check_vpp_tokens(tokens, now)
    )
    if isinstance(vpp, GraphError):
        results.append(_error_result("authenticator_app", vpp))
    elif isinstance(store, GraphError):
        results.append(_error_result("authenticator_app", store))
    else:
        results.append(check_authenticator(authenticator_from_apps(vpp, store)))
    results.append(
        _error_result("personal_ios_enrollment", restrictions)
        if isinstance(restrictions, GraphError)
        else check_personal_ios(restrictions)
    )
    results.append(
        _error_result("granted_scopes", access)
        if isinstance(access, GraphError)
        else check_scopes(access)
    )
    return tuple(results), (None if isinstance(org, GraphError) else org)


async def run_checks(client: GraphClient, *, now: dt.datetime | None = None) -> CheckReport:
    """Run every prerequisite check against the tenant (one $batch round trip).

    Raises GraphError only when nothing could be read (sign-in, network, the batch
    itself refused); a single failed read becomes that check's `error` result.
    """
    now = now or dt.datetime.now(dt.UTC)
    snapshot = await read_snapshot(client)
    access: GrantedAccess | GraphError
    try:
        access = get_granted_access(client)
    except GraphError as exc:
        access = exc
    results, org = evaluate(snapshot, access, now)
    return CheckReport(results, org, now)
