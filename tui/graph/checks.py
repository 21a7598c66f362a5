"""Prerequisite checks: pass / warn / fail with the reason and the fix.

All tenant reads go out in ONE `$batch` round trip (plus nextLink pages, if a
list is long); the evaluation itself is pure functions over our models, so the
wizard, `adue check` and tests share it. A check whose read failed (e.g. a
missing permission) is `error` — "could not check" — carrying the actionable
message, never a false pass or fail.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tui.findings import Finding, Status
from tui.graph import parse
from tui.graph.batch import answer_error, answer_json, batch_get
from tui.graph.client import GraphClient
from tui.graph.errors import GraphError
from tui.graph.models import (
    ApnsCertificate,
    AssignmentTarget,
    AuthenticatorApps,
    BatchRead,
    CheckTargets,
    DeviceLimit,
    GrantedAccess,
    Organization,
    PlatformRestriction,
    SubscribedSku,
    TargetKind,
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
from tui.graph.targeted import NAMED, TargetedUsers, read_targeted_users

EXPIRY_WARNING_DAYS = 30
T = TypeVar("T")


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
class LicenceUse:
    """Microsoft Authenticator's VPP licences (the iosVppApp's totalLicenseCount and
    usedLicenseCount) against the users the rollout targets: a required, user-licensed
    assignment takes one licence per user (Review names both numbers)."""

    app_name: str
    total: int
    used: int
    targeted: int  # the targeted users read (the sample: at least this many when capped)
    at_least: bool = False

    @property
    def free(self) -> int:
        return max(0, self.total - self.used)

    @property
    def short(self) -> bool:
        """More targeted users than free licences."""
        return self.targeted > self.free


@dataclass(frozen=True)
class CheckReport:
    results: tuple[Finding, ...]
    organization: Organization | None = None
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    licences: LicenceUse | None = None  # with targets and a user-licensed Authenticator

    def by_id(self, check_id: str) -> Finding:
        return next(r for r in self.results if r.id == check_id)

    def with_status(self, status: Status) -> tuple[Finding, ...]:
        return tuple(r for r in self.results if r.status is status)

    @property
    def exit_code(self) -> int:
        """0 all pass (warnings allowed), 2 any fail, 1 could not check."""
        if self.with_status(Status.FAIL):
            return 2
        if self.with_status(Status.ERROR):
            return 1
        return 0


def _result(check_id: str, status: Status, detail: str, fix: str = "") -> Finding:
    return Finding(check_id, status, TITLES[check_id], detail, fix)


def _error_result(check_id: str, error: GraphError) -> Finding:
    return _result(check_id, Status.ERROR, f"Could not check: {error.message}", error.fix)


def _date(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d")


# -- the checks (pure) -------------------------------------------------------------------
LICENCE_FIX = (
    "Buy or start a trial of a plan with Intune (Microsoft Intune Plan 1, or a bundle that"
    " has it: Microsoft 365 E3/E5, EMS, Microsoft 365 Business Premium, A3/A5 with Intune"
    " for Education) in the Microsoft 365 admin center."
)


def _intune_skus(skus: Sequence[SubscribedSku]) -> list[str]:
    return [
        f"{sku.part_number or sku.sku_id} ({', '.join(p.name or p.id for p in sku.intune_plans)})"
        for sku in skus
        if sku.intune_plans
    ]


def check_intune_licence(
    skus: Sequence[SubscribedSku],
    subscription_state: str | GraphError | None = None,
    users: TargetedUsers | None = None,
) -> Finding:
    """deviceManagement.subscriptionState decides; every Intune service plan counts; a
    sample of the targeted users without an Intune licence is a warning."""
    cid = "intune_licence"
    plans = _intune_skus(skus)
    where = f" Intune plans: {'; '.join(plans)}." if plans else ""
    if isinstance(subscription_state, str) and subscription_state:
        state = subscription_state
        if state.lower() not in ("active", "warning"):
            return _result(
                cid,
                Status.FAIL,
                f"The tenant's Intune subscription is {state!r}, not active: the Intune Graph"
                f" API and enrollment need an active Intune subscription.{where}",
                LICENCE_FIX
                if not plans
                else "Renew or reactivate the subscription with"
                " Intune in the Microsoft 365 admin center (Billing > Your products).",
            )
        head = f"The Intune subscription is {state}.{where}"
        status = Status.WARN if state.lower() == "warning" else Status.PASS
        fix = (
            "The subscription is in its grace period: renew it in the Microsoft 365 admin"
            " center (Billing > Your products)."
            if status is Status.WARN
            else ""
        )
    else:
        # The subscription state could not be read: the licences decide alone.
        active = [
            sku
            for sku in skus
            if any(p.provisioning_status.lower() == "success" for p in sku.intune_plans)
            and sku.capability_status.lower() in ("enabled", "warning", "")
        ]
        if not active:
            return _result(
                cid,
                Status.FAIL,
                "No active subscription in this tenant includes an Intune service plan"
                " (INTUNE_A, INTUNE_EDU, INTUNE_SMBIZ ...); the Intune Graph API needs an"
                f" active Intune licence.{where}",
                LICENCE_FIX,
            )
        head = f"Intune is licensed.{where}"
        status, fix = Status.PASS, ""
    return _users_licence(cid, status, head, fix, users)


def _users_licence(
    cid: str, status: Status, head: str, fix: str, users: TargetedUsers | None
) -> Finding:
    if users is None:
        return _result(cid, status, head, fix)
    if users.sample_error is not None or users.licence_error is not None:
        error = users.sample_error or users.licence_error
        assert error is not None
        return _result(
            cid,
            status,
            f"{head} The targeted users' licences could not be checked: {error.message}",
            fix or error.fix,
        )
    if not users.sample:
        return _result(cid, status, f"{head} The target groups have no users yet.", fix)
    sampled = f"{len(users.sample)}{' (a sample)' if users.capped else ''}"
    if not users.unlicensed:
        return _result(
            cid, status, f"{head} All {sampled} targeted users have an Intune licence.", fix
        )
    names = ", ".join(u.label for u in users.unlicensed[:NAMED])
    more = len(users.unlicensed) - NAMED
    named = names + (f" and {more} more" if more > 0 else "")
    return _result(
        cid,
        Status.FAIL if status is Status.FAIL else Status.WARN,
        f"{head} {len(users.unlicensed)} of {sampled} targeted users have no Intune licence"
        f' ({named}): their enrollment fails with "User License Type Invalid".',
        "Assign them a licence with Intune in the Microsoft 365 admin center (Users >"
        " Active users > the user > Licenses and apps), or by group-based licensing.",
    )


def check_mdm_authority(org: Organization) -> Finding:
    cid = "mdm_authority"
    authority = org.mdm_authority or "unknown"
    if authority.lower() == "intune":
        return _result(cid, Status.PASS, "The MDM authority is set to Intune.")
    return _result(
        cid,
        Status.FAIL,
        f"The tenant's MDM authority is {authority!r}, not Intune.",
        "Set it in the Intune admin center: Tenant administration > Tenant status (it is set"
        " automatically for new tenants when Intune is first opened).",
    )


def check_apns(cert: ApnsCertificate | None, now: dt.datetime) -> Finding:
    cid = "apns_certificate"
    renew = (
        "Renew it in the Intune admin center: Devices > Enrollment > Apple > Apple MDM Push"
        " certificate, with the SAME Apple ID at https://identity.apple.com (a new Apple ID"
        " means re-enrolling every Apple device)."
    )
    if cert is None or cert.expiration is None:
        return _result(
            cid,
            Status.FAIL,
            "No Apple MDM push certificate is uploaded: Intune cannot manage Apple devices.",
            "Create one in the Intune admin center: Devices > Enrollment > Apple > Apple MDM"
            " Push certificate (download the CSR, sign it at https://identity.apple.com, upload).",
        )
    who = f" (Apple ID {cert.apple_identifier})" if cert.apple_identifier else ""
    days = (cert.expiration - now).total_seconds() / 86400
    if days < 0:
        return _result(
            cid,
            Status.FAIL,
            f"The certificate{who} expired on {_date(cert.expiration)}: enrolled devices stop"
            " receiving management commands and new enrollments fail.",
            renew,
        )
    if days < EXPIRY_WARNING_DAYS:
        return _result(
            cid,
            Status.WARN,
            f"The certificate{who} expires on {_date(cert.expiration)}, in {int(days)} days.",
            renew,
        )
    return _result(
        cid,
        Status.PASS,
        f"Valid until {_date(cert.expiration)}{who}.",
    )


def check_vpp_tokens(tokens: Sequence[VppToken], now: dt.datetime) -> Finding:
    cid = "vpp_token"
    renew = (
        "Download a new token in Apple Business (formerly Apple Business Manager) under"
        " Preferences > Payments and Billing > Content Tokens, and upload it in the Intune admin"
        " center: Tenant administration > Connectors and tokens > Apple VPP tokens."
    )
    if not tokens:
        return _result(
            cid,
            Status.FAIL,
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
                Status.FAIL,
                "The VPP token is assigned to another MDM: "
                + ", ".join(describe(t) for t in external)
                + ".",
                "Reclaim the token for Intune in Apple Business (formerly Apple Business Manager),"
                " or upload a token of"
                " a location not used by another MDM.",
            )
        return _result(
            cid,
            Status.FAIL,
            "No VPP token is valid: " + ", ".join(describe(t) for t in tokens) + ".",
            renew,
        )
    soonest = min(usable, key=lambda t: t.expiration or dt.datetime.max.replace(tzinfo=dt.UTC))
    if soonest.expiration is not None:
        days = (soonest.expiration - now).total_seconds() / 86400
        if days < EXPIRY_WARNING_DAYS:
            return _result(
                cid,
                Status.WARN,
                f"{describe(soonest)} expires in {int(days)} days.",
                renew,
            )
    return _result(cid, Status.PASS, "Valid: " + ", ".join(describe(t) for t in usable) + ".")


def check_authenticator(apps: AuthenticatorApps, users: TargetedUsers | None = None) -> Finding:
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
            free = (
                f"{best.display_name}{where}: {best.free_licenses} of {best.total_licenses}"
                " licences free."
            )
            return _authenticator_for_users(cid, free, best.free_licenses, users)
        return _result(
            cid,
            Status.FAIL,
            f"{best.display_name}{where} has no free licences ({best.used_licenses} of"
            f" {best.total_licenses} used): new users cannot get Authenticator.",
            "Add licences in Apple Business (formerly Apple Business Manager): Apps and Books >"
            " Microsoft Authenticator > buy more (it is free), then sync the VPP token in Intune.",
        )
    if apps.vpp_apps:
        return _result(
            cid,
            Status.FAIL,
            "Microsoft Authenticator is there as a VPP app, but only with device licensing;"
            " User Enrollment needs user licensing.",
            buy,
        )
    if apps.store_apps:
        return _result(
            cid,
            Status.FAIL,
            "Microsoft Authenticator is only added as an App Store app. User Enrollment does not"
            " support installing App Store apps as managed apps: it must be a user-licensed VPP"
            " app.",
            buy,
        )
    return _result(
        cid,
        Status.FAIL,
        "Microsoft Authenticator (com.microsoft.azureauthenticator) is not in Intune as a VPP"
        " app; the SSO extension and enrollment need it.",
        buy,
    )


def _authenticator_for_users(
    cid: str, free: str, free_count: int, users: TargetedUsers | None
) -> Finding:
    """Warnings that need the targeted users: a device-licensed assignment of the same app
    reaching them, and fewer free licences than users."""
    if users is None:
        return _result(cid, Status.PASS, free)
    warnings, fixes = [], []
    if users.device_licensed:
        reach = ", ".join(sorted({label for _, label in users.device_licensed}))
        warnings.append(
            f"It is also assigned with DEVICE licensing to {reach}, which reaches users this"
            " rollout targets: Microsoft says never to give one user both a device and a user"
            " licence of the same app."
        )
        fixes.append(
            "Change that assignment to user licensing, or exclude this rollout's groups from"
            " it (Intune admin center: Apps > iOS/iPadOS > Microsoft Authenticator > Properties"
            " > Assignments)."
        )
    if users.sample and free_count < len(users.sample):
        at_least = "at least " if users.capped else ""
        warnings.append(
            f"Only {free_count} free licences for {at_least}{len(users.sample)} targeted users:"
            " users past the last licence get no Authenticator and cannot finish enrollment."
        )
        fixes.append(
            "Add licences in Apple Business (formerly Apple Business Manager): Apps and Books >"
            " Microsoft Authenticator (it is free), then sync the VPP token in Intune."
        )
    if users.app_error is not None:
        free += f" Its assignments could not be checked: {users.app_error.message}"
    if not warnings:
        return _result(cid, Status.PASS, free)
    return _result(cid, Status.WARN, " ".join([free, *warnings]), " ".join(fixes))


RESTRICTIONS_PATH = (
    "Intune admin center: Devices > Device onboarding > Enrollment > Device platform"
    " restriction > iOS/iPadOS restrictions"
)
# enrollment-facts.md, "Restrictions": the outcome is ambiguous, so a warning with context.
PERSONAL_BLOCKED_CONTEXT = (
    "Older Microsoft docs said a User Enrollment profile overrides a 'personally owned"
    " iOS blocked' restriction; the December 2025 rewrite of the page dropped that note, so"
    " whether these users can enroll their own devices is not certain."
)


def _applies(targets: Sequence[AssignmentTarget], group_id: str) -> bool:
    for target in targets:
        if target.kind in (TargetKind.ALL_USERS, TargetKind.ALL_DEVICES):
            return True
        if target.kind is TargetKind.GROUP and target.group_id.lower() == group_id.lower():
            return True
    return False


def _ordered(restrictions: Sequence[PlatformRestriction]) -> list[PlatformRestriction]:
    """Assigned restrictions by priority (1 first); the default applies last, to everyone."""
    others = sorted((r for r in restrictions if not r.is_default), key=lambda r: r.priority)
    return others + [r for r in restrictions if r.is_default]


def restriction_for(
    restrictions: Sequence[PlatformRestriction], group_id: str
) -> PlatformRestriction | None:
    """The iOS restriction that applies to members of `group_id` (by its own assignment)."""
    for restriction in _ordered(restrictions):
        if restriction.is_default or _applies(restriction.targets, group_id):
            return restriction
    return None


def _blocks_personal(r: PlatformRestriction) -> bool:
    return r.ios_personal_blocked and not r.ios_platform_blocked


def _limit_words(limits: Sequence[DeviceLimit]) -> str:
    if not limits:
        return ""
    default = next((lim for lim in limits if lim.is_default), None)
    others = sorted((lim for lim in limits if not lim.is_default), key=lambda lim: lim.priority)
    parts = [f"{lim.display_name!r} (priority {lim.priority}): {lim.limit}" for lim in others]
    if default is not None:
        parts.append(f"default: {default.limit}")
    return " Device limit per user: " + "; ".join(parts) + "."


def _os_words(restriction: PlatformRestriction) -> str:
    if not restriction.ios_os_minimum:
        return ""
    return (
        f" The minimum iOS version of {restriction.display_name!r}"
        f" ({restriction.ios_os_minimum}) applies to Company Portal enrollments only, not to"
        " account-driven User Enrollment."
    )


def check_personal_ios(
    restrictions: Sequence[PlatformRestriction],
    limits: Sequence[DeviceLimit] = (),
    group_ids: Sequence[str] | None = None,
    group_names: dict[str, str] | None = None,
) -> Finding:
    """Which iOS restriction applies to each targeted group (beta: per-platform ones too)."""
    cid = "personal_ios_enrollment"
    limit_words = _limit_words(limits)
    default = next((r for r in restrictions if r.is_default), None)
    if default is not None and default.ios_platform_blocked:
        return _result(
            cid,
            Status.FAIL,
            "The default platform restriction blocks iOS/iPadOS enrollment altogether.",
            f"Allow iOS/iPadOS in the default restriction ({RESTRICTIONS_PATH}), or in a"
            " restriction with higher priority assigned to the enrolling users.",
        )
    fix = (
        f"Allow personally owned iOS/iPadOS devices for these users ({RESTRICTIONS_PATH}):"
        " in the restriction that applies to them, or in one with higher priority assigned"
        " to their group."
    )
    names = group_names or {}
    if group_ids:
        lines, blocked = [], []
        for gid in group_ids:
            applied = restriction_for(restrictions, gid)
            label = names.get(gid) or gid
            if applied is None:
                lines.append(f"{label!r}: no iOS restriction")
                continue
            verdict = "personal devices BLOCKED" if _blocks_personal(applied) else "allowed"
            if applied.ios_platform_blocked:
                verdict = "iOS BLOCKED"
            lines.append(f"{label!r}: {applied.display_name!r} ({verdict})")
            if _blocks_personal(applied) or applied.ios_platform_blocked:
                blocked.append(applied)
        detail = "Restriction per target group: " + "; ".join(lines) + "."
        os_note = next((_os_words(r) for r in _ordered(restrictions) if r.ios_os_minimum), "")
        if blocked:
            platform = [r for r in blocked if r.ios_platform_blocked]
            status = Status.FAIL if platform else Status.WARN
            context = "" if platform else f" {PERSONAL_BLOCKED_CONTEXT}"
            return _result(cid, status, detail + context + os_note + limit_words, fix)
        return _result(cid, Status.PASS, detail + os_note + limit_words)
    # No targets yet (groups not chosen): the tenant-wide picture.
    if default is not None and _blocks_personal(default):
        return _result(
            cid,
            Status.WARN,
            "The default platform restriction blocks personally owned iOS/iPadOS devices."
            f" {PERSONAL_BLOCKED_CONTEXT}{limit_words}",
            fix,
        )
    blocking = [r for r in restrictions if not r.is_default and _blocks_personal(r)]
    if blocking:
        listed = ", ".join(f"{r.display_name!r} (priority {r.priority})" for r in blocking)
        return _result(
            cid,
            Status.WARN,
            f"Personal iOS enrollment is allowed by default but blocked by: {listed}, for the"
            f" groups they are assigned to. {PERSONAL_BLOCKED_CONTEXT}{limit_words}",
            f"Check those restrictions' assignments ({RESTRICTIONS_PATH}).",
        )
    os_note = _os_words(default) if default is not None else ""
    return _result(
        cid,
        Status.PASS,
        f"Personally owned iOS/iPadOS devices may enroll.{os_note}{limit_words}",
    )


def check_scopes(access: GrantedAccess, needed: Sequence[str] = RUN_SCOPES) -> Finding:
    cid = "granted_scopes"
    if not access.readable:
        return _result(
            cid,
            Status.WARN,
            "The access token is not readable here, so its permissions cannot be listed.",
            "If a step fails with 'permission denied', grant the permission it names.",
        )
    missing = [p for p in needed if not access.has(p)]
    if missing:
        return _result(
            cid,
            Status.FAIL,
            "The sign-in lacks: " + ", ".join(missing) + ".",
            "Grant admin consent for these delegated Microsoft Graph permissions to the app adue"
            " signs in with (Microsoft Entra admin center: Enterprise applications > the app >"
            " Permissions > Grant admin consent), then sign in again.",
        )
    return _result(cid, Status.PASS, "All permissions a full run needs are granted.")


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
        BatchRead("device_management", "deviceManagement", (("$select", "subscriptionState"),)),
        "read the Intune subscription state",
        Scope.SERVICE_CONFIG_READ,
    ),
)
# Sent in beta, in a second $batch at the same time (still one round trip): per-platform
# restrictions (deviceEnrollmentPlatformRestrictionConfiguration) exist only in beta, and
# their assignments and priority say which one applies to which group (graph.md).
BETA_READS: tuple[tuple[BatchRead, str, tuple[str, ...]], ...] = (
    (
        BatchRead(
            "restrictions",
            "deviceManagement/deviceEnrollmentConfigurations",
            (("$expand", "assignments"),),
        ),
        "read the enrollment restrictions",
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
    v1, beta = await asyncio.gather(
        batch_get(client, [read for read, _, _ in READS]),
        batch_get(client, [read for read, _, _ in BETA_READS], version="beta"),
    )
    answers = {**v1, **beta}
    bodies: dict[str, dict[str, Any]] = {}
    statuses: dict[str, int] = {}
    errors: dict[str, GraphError] = {}
    for read, what, scopes in (*READS, *BETA_READS):
        answer = answers[read.id]
        statuses[read.id] = answer.status
        if read.id == "apns" and answer.status == 404:
            bodies[read.id] = {}
            continue
        if not answer.ok:
            errors[read.id] = answer_error(answer, what, scopes)
            continue
        body = answer_json(answer)
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
    snapshot: TenantSnapshot,
    access: GrantedAccess | GraphError,
    now: dt.datetime,
    users: TargetedUsers | None = None,
) -> tuple[tuple[Finding, ...], Organization | None]:
    def first_org(body: dict[str, Any]) -> Organization:
        found = parse.items(body)
        return parse.organization(found[0] if found else {})

    org = snapshot.get("organization", first_org)
    skus = snapshot.get("skus", lambda b: [parse.subscribed_sku(s) for s in parse.items(b)])
    state = snapshot.get("device_management", lambda b: parse.text(b, "subscriptionState"))
    apns = snapshot.get("apns", lambda b: apns_from_json(snapshot.statuses["apns"], b))
    tokens = snapshot.get("vpp_tokens", lambda b: [parse.vpp_token(t) for t in parse.items(b)])
    vpp = snapshot.get("vpp_apps", lambda b: [parse.vpp_app(a) for a in parse.items(b)])
    store = snapshot.get("store_apps", lambda b: [parse.store_app(a) for a in parse.items(b)])
    restrictions = snapshot.get(
        "restrictions",
        lambda b: [r for r in (parse.platform_restriction(c) for c in parse.items(b)) if r],
    )
    limits = snapshot.get(
        "restrictions",
        lambda b: [d for d in (parse.device_limit(c) for c in parse.items(b)) if d],
    )

    results: list[Finding] = []
    results.append(
        _error_result("intune_licence", skus)
        if isinstance(skus, GraphError)
        else check_intune_licence(skus, state, users)
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
        results.append(check_authenticator(authenticator_from_apps(vpp, store), users))
    if isinstance(restrictions, GraphError) or isinstance(limits, GraphError):
        error = restrictions if isinstance(restrictions, GraphError) else limits
        assert isinstance(error, GraphError)
        results.append(_error_result("personal_ios_enrollment", error))
    else:
        group_ids = list(users.group_ids) if users is not None else None
        results.append(
            check_personal_ios(restrictions, limits, group_ids, users_group_names(users))
        )
    results.append(
        _error_result("granted_scopes", access)
        if isinstance(access, GraphError)
        else check_scopes(access)
    )
    return tuple(results), (None if isinstance(org, GraphError) else org)


def users_group_names(users: TargetedUsers | None) -> dict[str, str]:
    return dict(users.group_names) if users is not None else {}


async def run_checks(
    client: GraphClient,
    *,
    now: dt.datetime | None = None,
    targets: CheckTargets | None = None,
) -> CheckReport:
    """Run every prerequisite check against the tenant (one round trip of two `$batch`es;
    with `targets`, two or three more to sample the targeted users).

    Raises GraphError only when nothing could be read (sign-in, network, the batch
    itself refused); a single failed read becomes that check's `error` result.
    """
    now = now or dt.datetime.now(dt.UTC)
    snapshot = await read_snapshot(client)
    users: TargetedUsers | None = None
    licences: LicenceUse | None = None
    if targets is not None and targets.any:
        vpp = snapshot.get("vpp_apps", lambda b: [parse.vpp_app(a) for a in parse.items(b)])
        best = None if isinstance(vpp, GraphError) else authenticator_from_apps(vpp, ()).best
        users = await read_targeted_users(client, targets, best.id if best else "")
        if best is not None and users.sample_error is None:
            licences = LicenceUse(
                best.display_name,
                best.total_licenses,
                best.used_licenses,
                len(users.sample),
                users.capped,
            )
    access: GrantedAccess | GraphError
    try:
        access = get_granted_access(client)
    except GraphError as exc:
        access = exc
    results, org = evaluate(snapshot, access, now, users)
    if targets is not None and targets.any and targets.user_enrollment:
        results = (*results, await _audit(client, targets, users))
    return CheckReport(results, org, now, licences)


async def _audit(
    client: GraphClient, targets: CheckTargets, users: TargetedUsers | None
) -> Finding:
    """What the rollout's users already get that User Enrollment does not support
    (tui.graph.audit), as one more check: a warning per object, never a failure."""
    from tui.graph.audit import audit_result, audit_rollout

    names = dict(users.group_names) if users is not None else dict(targets.labels)
    ids = users.group_ids if users is not None and users.group_ids else targets.group_ids
    try:
        found = await audit_rollout(
            client, {gid: names.get(gid, gid) for gid in ids}, all_users=targets.all_users
        )
    except GraphError as exc:
        return audit_result(exc)
    return audit_result(found)
