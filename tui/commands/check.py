"""`adue check`: the prerequisite checks, headless (fit for a daily cron job).

Exit codes: 0 every check passes (warnings allowed), 2 any check fails, 1 could
not check (settings, sign-in, network, or a read was refused), 64 usage.
Results go to stdout (a table, or JSON with --json); sign-in prompts and
throttling notices go to stderr. Reads the session, never writes it.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.commands.common import (
    DEFAULT_SESSION,
    EXIT_ERROR,
    add_connection_options,
    add_session_option,
    say,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tui.discovery.findings import DiscoveryReport
    from tui.graph.auth import ConnectionSettings
    from tui.graph.checks import CheckReport
    from tui.graph.client import GraphClient
    from tui.graph.models import CheckTargets
    from tui.graph.target import TargetTenant
    from tui.sandbox.server import RunningSandbox
    from tui.session import Session


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check",
        help="run the prerequisite checks (APNs, VPP token, Authenticator, licence, ...)",
        description=(
            "Check the tenant's prerequisites for account-driven User Enrollment: Intune"
            " licence, MDM authority, Apple MDM push certificate (warns 30 days before it"
            " expires), VPP token, Microsoft Authenticator as a user-licensed VPP app,"
            " personal iOS enrollment, granted permissions, and the service-discovery file"
            " on the sign-in domain (--domain or the session's). Exit 0 all pass (warnings"
            " allowed), 2 any fails, 1 could not check."
        ),
    )
    add_session_option(p, subcommand=True, what="session file to take [tenant] settings from")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument(
        "--domain",
        metavar="DOMAIN",
        help="also check the service-discovery file on this sign-in domain"
        " (default: the session's [tenant] sign_in_domain; none known: not checked)",
    )
    p.add_argument(
        "--rehearse",
        metavar="VARIANT",
        help="with adue --sandbox: its discovery host serves this broken variant (as"
        " `adue discovery check --rehearse`), e.g. content-type or tenant",
    )
    p.add_argument(
        "--seed",
        metavar="NAME",
        default="demo",
        help="with adue --sandbox: the sandbox tenant to check, e.g. demo or expired-apns",
    )
    add_connection_options(p, subcommand=True)
    p.set_defaults(handler=run)


def _session(args: argparse.Namespace) -> Session | None:
    """The session file, read without its lock (so nothing to close); None without one."""
    from tui.session import Session

    path = Path(getattr(args, "session", None) or DEFAULT_SESSION)
    return Session.read_only(path) if path.exists() else None


def _tenant_table(args: argparse.Namespace) -> tuple[dict[str, Any], Callable[[str], str]]:
    """The session's [tenant] table, and where each key is in the file (for messages)."""
    session = _session(args)
    if session is None:
        return {}, lambda key: f"[tenant] {key}"
    return session.table("tenant"), lambda key: session.where("tenant", key)


def _session_data(args: argparse.Namespace) -> dict[str, Any]:
    session = _session(args)
    return session.data if session is not None else {}


def _targets(args: argparse.Namespace) -> CheckTargets:
    """Whom the session's rollout targets: the licence, restriction and Authenticator
    checks look at those users."""
    from tui.rollout.desired import check_targets

    return check_targets(_session_data(args))


def _settings(args: argparse.Namespace) -> ConnectionSettings:
    from tui.graph.auth import ConnectionSettings

    table, where = _tenant_table(args)
    return ConnectionSettings.from_args_and_session(args, table, where=where)


@dataclass(frozen=True)
class DiscoveryTarget:
    """Where to check the service-discovery file, as the wizard does on step 2."""

    domain: str
    verify: str | bool = True  # the sandbox's CA, else the system's
    connect_to: tuple[str, int] | None = None  # the sandbox's discovery host


async def run_session_checks(
    client: GraphClient,
    *,
    targets: CheckTargets | None,
    discovery: DiscoveryTarget | None,
    cloud: str,
) -> tuple[CheckReport, DiscoveryReport | None]:
    """The prerequisite checks, and the discovery file when `discovery` names a domain
    (also what `adue fleet check` runs in each tenant)."""
    from tui.discovery.check import check_domain
    from tui.graph.checks import run_checks

    report = await run_checks(client, targets=targets)
    found = None
    if discovery is not None:
        org = report.organization
        found = await check_domain(
            discovery.domain,
            tenant_id=org.id if org else None,
            cloud=cloud,
            verify=discovery.verify,
            connect_to=discovery.connect_to,
        )
    return report, found


async def _check(
    settings: ConnectionSettings,
    *,
    sandbox: RunningSandbox | None = None,
    discovery: DiscoveryTarget | None = None,
    targets: CheckTargets | None = None,
    tenant_table: Mapping[str, Any] | None = None,
    cli_tenant: str | None = None,
) -> tuple[TargetTenant, CheckReport, DiscoveryReport | None]:
    from tui.commands.connect import sign_in_client
    from tui.graph.target import confirm_target

    client = sign_in_client(settings, sandbox=sandbox)
    try:
        # The session's tenant, checked first: a report on another tenant would mislead.
        target = await confirm_target(
            client,
            cloud=settings.cloud.name,
            tenant_table=tenant_table or {},
            cli_tenant=cli_tenant,
        )
        report, found = await run_session_checks(
            client, targets=targets, discovery=discovery, cloud=settings.cloud.name
        )
        return target, report, found
    finally:
        await client.aclose()
        close = getattr(client.credential, "close", None)
        if callable(close):
            close()


def _check_sandbox(
    args: argparse.Namespace,
) -> tuple[TargetTenant, CheckReport, DiscoveryReport | None]:
    """`adue --sandbox check`: the built-in tenant, signed in with the device-code flow
    against its identity emulator; adue approves the code it shows after a moment."""
    import asyncio
    import dataclasses
    from urllib.parse import urlsplit

    from tui.choices import AuthMethod
    from tui.graph.auth import ConnectionSettings, SettingsError
    from tui.sandbox.discovery_variants import VARIANTS
    from tui.sandbox.server import start_sandbox

    variant = getattr(args, "rehearse", None) or "ok"
    if variant not in VARIANTS:
        raise SettingsError(f"--rehearse {variant!r}: choose one of {', '.join(VARIANTS)}")
    try:
        sb = start_sandbox(
            seed=args.seed,
            discovery_variant=variant,
        )
    except ValueError as exc:
        raise SettingsError(f"--seed: {exc}") from None
    with sb:
        say(f"Sandbox tenant {sb.organization!r} (seed {args.seed}) at {sb.graph_url}")
        settings = ConnectionSettings.from_args_and_session(args, {}, environ={})
        settings = dataclasses.replace(settings, auth=AuthMethod.DEVICE_CODE).with_sandbox(
            https_url=sb.https_url,
            ca_path=sb.ca_path,
            graph_url=sb.graph_url,
            tenant_id=sb.tenant_id,
        )
        url = urlsplit(sb.https_url)
        discovery = DiscoveryTarget(
            args.domain or sb.sign_in_domain,
            verify=str(sb.ca_path),
            connect_to=(url.hostname or "127.0.0.1", url.port or 443),
        )
        return asyncio.run(
            _check(settings, sandbox=sb, discovery=discovery, targets=_targets(args))
        )


def _print_report(target: TargetTenant, report: CheckReport) -> None:
    print(target.headline())
    for result in report.results:
        print(f"{result.status.value.upper():<5}  {result.title}: {result.detail}")
        if result.fix and result.status.value != "pass":
            print(f"       Fix: {result.fix}")
    counts = {s: len(report.with_status(s)) for s in {r.status for r in report.results}}
    summary = ", ".join(f"{n} {s.value}" for s, n in sorted(counts.items()))
    print(f"Checked {len(report.results)} prerequisites: {summary}.")


def _web_based(args: argparse.Namespace) -> bool:
    return web_based(_session_data(args))


def web_based(data: Mapping[str, Any]) -> bool:
    """The session sets up web-based device enrollment, which needs no discovery file."""
    profile = data.get("enrollment_profile")
    return isinstance(profile, dict) and profile.get("mode") == "web-based"


def _print_discovery(found: DiscoveryReport | None, web_based: bool = False) -> None:
    if found is None and web_based:
        print(
            'Service discovery: not needed ([enrollment_profile] mode = "web-based":'
            " employees enroll in Safari)."
        )
        return
    if found is None:
        print(
            "Service discovery: not checked (no sign-in domain: pass --domain, or set"
            " [tenant] sign_in_domain in the session)."
        )
        return
    verdict = {"pass": "PASS", "warn": "WARN", "fail": "FAIL", "error": "ERROR"}[found.status]
    print(f"{verdict:<5}  Service discovery file on {found.domain}: {found.url}")
    for finding in found.findings:
        if finding.status != "pass":
            print(f"       {finding.status.upper()}: {finding.title}: {finding.detail}")
            if finding.fix:
                print(f"       Fix: {finding.fix}")


def exit_code(report: CheckReport, found: DiscoveryReport | None) -> int:
    """0 all pass, 2 anything fails, 1 something could not be checked (that decides first)."""
    discovery = {"pass": 0, "warn": 0, "fail": 2, "error": 1}[found.status] if found else 0
    codes = {report.exit_code, discovery}
    return 1 if 1 in codes else 2 if 2 in codes else 0


def report_json(
    target: TargetTenant,
    report: CheckReport,
    found: DiscoveryReport | None,
    web_based: bool = False,
) -> dict[str, Any]:
    code = exit_code(report, found)
    return {
        "tenant": {"id": target.id, "name": target.name},
        "cloud": target.cloud,
        "ok": code == 0,
        "exit_code": code,
        "checked_at": report.checked_at.isoformat(),
        "checks": [r.to_dict() for r in report.results],
        "discovery": found.to_dict() if found else None,
        "discovery_needed": not web_based,
    }


def _fail(args: argparse.Namespace, message: str, fix: str = "") -> int:
    if getattr(args, "json", False):
        print(json.dumps({"ok": False, "exit_code": EXIT_ERROR, "error": message, "fix": fix}))
    say(f"adue check: {message}" + (f"\n  Fix: {fix}" if fix else ""))
    return EXIT_ERROR


def run(args: argparse.Namespace) -> int:
    import asyncio

    from tui.graph.auth import SettingsError
    from tui.graph.errors import GraphError, SignInCancelled
    from tui.session import SessionError

    try:
        if getattr(args, "sandbox", False):
            target, report, found = _check_sandbox(args)
        else:
            target, report, found = asyncio.run(
                _check(
                    _settings(args),
                    # Web-based device enrollment needs no discovery file: checked only
                    # when --domain asks for it.
                    discovery=None
                    if _web_based(args) and not args.domain
                    else _discovery_target(args),
                    targets=_targets(args),
                    tenant_table=_tenant_table(args)[0],
                    cli_tenant=getattr(args, "tenant", None),
                )
            )
    except SettingsError as exc:
        return _fail(args, str(exc))
    except SessionError as exc:
        return _fail(args, f"the session file cannot be used: {exc}")
    except GraphError as exc:
        return _fail(
            args,
            exc.message + (f" (request-id {exc.request_id})" if exc.request_id else ""),
            exc.fix,
        )
    except SignInCancelled:
        return _fail(args, "sign-in cancelled")
    except KeyboardInterrupt:
        return _fail(args, "interrupted")
    if args.json:
        print(json.dumps(report_json(target, report, found, _web_based(args)), indent=2))
    else:
        _print_report(target, report)
        _print_discovery(found, _web_based(args))
    return exit_code(report, found)


def _discovery_target(args: argparse.Namespace) -> DiscoveryTarget | None:
    """The sign-in domain to check: --domain, else the session's; none known: None."""
    return discovery_target(args.domain or _tenant_table(args)[0].get("sign_in_domain") or "")


def discovery_target(domain: str, field: str = "--domain") -> DiscoveryTarget | None:
    """Where to check the discovery file for `domain` ("" = none known: None)."""
    from tui.discovery.domains import normalise_domain

    if not domain:
        return None
    try:
        return DiscoveryTarget(normalise_domain(str(domain), field=field))
    except ValueError as exc:
        from tui.graph.auth import SettingsError

        raise SettingsError(str(exc)) from None
