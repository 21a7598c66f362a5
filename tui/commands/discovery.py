"""`adue discovery generate|recipes|check`: the well-known service-discovery file.

Exit codes: 0 ok (check: everything passed, warnings allowed), 1 could not check (no
HTTP answer: DNS, connection, timeout) or another error, 2 check failures, 64 usage.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tui.commands.common import EXIT_ERROR, EXIT_FAILURES, EXIT_OK, EXIT_USAGE
from tui.discovery.recipes import RECIPE_KEYS
from tui.graph.clouds import CLOUD_NAMES
from tui.sandbox.discovery_variants import VARIANTS
from tui.text import json_text


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "discovery",
        help="the well-known service-discovery file: generate, publish, check",
        description="Generate, publish and check /.well-known/com.apple.remotemanagement, "
        "the file iPhones and iPads fetch before account-driven user enrollment.",
    )
    parser.set_defaults(handler=_help(parser))
    actions = parser.add_subparsers(dest="discovery_action", metavar="ACTION")

    generate = actions.add_parser(
        "generate", help="print or save the exact file for a tenant and cloud"
    )
    _tenant_and_cloud(generate)
    generate.add_argument(
        "-o", "--output", metavar="FILE", help="save to FILE (mode 0600) instead of printing"
    )
    generate.set_defaults(handler=run_generate)

    recipes = actions.add_parser("recipes", help="how to publish the file on common web servers")
    _tenant_and_cloud(recipes)
    recipes.add_argument("--only", choices=RECIPE_KEYS, help="print only this recipe's text")
    recipes.set_defaults(handler=run_recipes)

    check = actions.add_parser(
        "check",
        help="fetch the file like an iPhone and an iPad and report each problem",
        description="Exit 0 all passed (warnings allowed), 2 failures, 1 could not check.",
    )
    check.add_argument(
        "domain",
        nargs="?",
        metavar="DOMAIN",
        help="the domain users sign in with (default: the session's sign-in domain)",
    )
    _tenant_and_cloud(check, required=False)
    check.add_argument("--user", metavar="USER@DOMAIN", help="user-identifier the device sends")
    check.add_argument(
        "--connect-to",
        metavar="HOST:PORT",
        help="connect there instead, keeping the domain's URL, Host and TLS name "
        "(a staging server or the sandbox)",
    )
    check.add_argument(
        "--ca-file",
        metavar="PEM",
        help="trust only this CA bundle (default: the system store; SSL_CERT_FILE honoured)",
    )
    check.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="S",
        help="seconds for the whole check: every request, redirect and body (default 10)",
    )
    check.add_argument(
        "--rehearse",
        choices=VARIANTS,
        metavar="VARIANT",
        help="with adue --sandbox: the sandbox serves this variant (" + ", ".join(VARIANTS) + ")",
    )
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(handler=run_check)


def _help(parser: argparse.ArgumentParser) -> Any:
    def show(_args: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_USAGE

    return show


def _tenant_and_cloud(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    parser.add_argument(
        "--tenant-id",
        metavar="GUID",
        required=False,
        help="directory (tenant) ID"
        + ("" if required else " to compare with (default: the session's)"),
    )
    # SUPPRESS keeps `adue --cloud usgov discovery ...` working: a None default here
    # would overwrite the top-level option's value.
    parser.add_argument(
        "--cloud",
        choices=CLOUD_NAMES,
        default=argparse.SUPPRESS,
        help="national cloud (default: the session's, else global)",
    )


def _usage(message: str) -> int:
    print(f"adue discovery: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _session_tenant(args: argparse.Namespace) -> dict[str, Any]:
    """[tenant] of the session file when one exists (read-only, best effort)."""
    path = getattr(args, "session", None)
    if not path or not Path(path).is_file():
        return {}
    from tui.session import Session, SessionError

    try:
        return Session.read_only(path).table("tenant")
    except SessionError as exc:
        print(f"adue discovery: note: session not used: {exc}", file=sys.stderr)
        return {}


def _tenant_cloud(args: argparse.Namespace, *, need_tenant: bool) -> tuple[str | None, str]:
    """(tenant id, cloud) from the options, else the session; ValueError when unusable."""
    from tui.discovery.well_known import is_tenant_id, validate_tenant_id
    from tui.graph.clouds import get_cloud

    stored = _session_tenant(args)
    tenant: str | None = args.tenant_id
    if tenant is not None:
        tenant = validate_tenant_id(tenant, field="--tenant-id")
    elif isinstance(stored.get("tenant_id"), str) and is_tenant_id(stored["tenant_id"]):
        tenant = validate_tenant_id(stored["tenant_id"])
    elif need_tenant:
        raise ValueError(
            "--tenant-id: required (the directory (tenant) ID, a GUID — Microsoft Entra admin "
            "center > Overview > Tenant ID)"
        )
    cloud = getattr(args, "cloud", None) or stored.get("cloud") or "global"
    return tenant, get_cloud(str(cloud)).name


def _with_tenant(
    run: Callable[[argparse.Namespace, str, str], int],
) -> Callable[[argparse.Namespace], int]:
    """`run` given the tenant id and cloud it needs (_tenant_cloud); without a tenant id
    a usage error (exit 64) says where to find it."""

    @functools.wraps(run)
    def with_tenant(args: argparse.Namespace) -> int:
        try:
            tenant, cloud = _tenant_cloud(args, need_tenant=True)
        except ValueError as exc:
            return _usage(str(exc))
        assert tenant is not None
        return run(args, tenant, cloud)

    return with_tenant


@_with_tenant
def run_generate(args: argparse.Namespace, tenant: str, cloud: str) -> int:
    from tui.discovery.save import save
    from tui.discovery.well_known import generate

    if args.output:
        target = Path(args.output)
        if target.is_dir():
            target = target / "com.apple.remotemanagement"
        if not target.parent.is_dir():
            return _usage(f"-o: the folder {target.parent} does not exist; create it first")
        try:
            save(target, tenant, cloud)
        except OSError as exc:
            from tui.files import FileWriteError

            reason = exc if isinstance(exc, FileWriteError) else f"cannot write {target}: {exc}"
            print(f"adue discovery: error: {reason}", file=sys.stderr)
            return EXIT_ERROR
        print(
            f"wrote {target} — publish it as /.well-known/com.apple.remotemanagement "
            "(no extension, Content-Type: application/json)",
            file=sys.stderr,
        )
        return EXIT_OK
    text = generate(tenant, cloud)
    # Byte-exact when piped; a newline only for a person at a terminal.
    sys.stdout.write(text + ("\n" if sys.stdout.isatty() else ""))
    return EXIT_OK


@_with_tenant
def run_recipes(args: argparse.Namespace, tenant: str, cloud: str) -> int:
    from tui.discovery.recipes import recipes

    chosen = recipes(tenant, cloud)
    if args.only:
        recipe = next(r for r in chosen if r.key == args.only)
        sys.stdout.write(recipe.text)
        return EXIT_OK
    for recipe in chosen:
        print(f"== {recipe.name} — {recipe.filename}")
        print(recipe.notes)
        print()
        print(recipe.text.rstrip("\n"))
        print()
    return EXIT_OK


def _parse_connect_to(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(
            f"--connect-to: {value!r} is not HOST:PORT; e.g. 127.0.0.1:8443 or [::1]:8443"
        )
    return host, int(port)


def _print_report(report: Any) -> None:
    marks = {"pass": "PASS", "warn": "WARN", "fail": "FAIL"}
    print(f"Service discovery for {report.domain} ({report.cloud}): {report.url}")
    for model, hops in report.requests.items():
        for hop in hops:
            result = hop.error or f"{hop.status} {hop.content_type or ''}".strip()
            arrow = f" → {hop.location}" if hop.location else ""
            print(f"  {model:6} GET {hop.url}  {result}{arrow}")
    print()
    for finding in report.findings:
        print(f"{marks[finding.status]}  {finding.title}: {finding.detail}")
        if finding.fix:
            print(f"      fix: {finding.fix}")
    verdict = {
        "pass": "all checks passed",
        "warn": "passed with warnings",
        "fail": f"{len(report.failures)} problem(s) — devices cannot enroll until fixed",
        "error": "could not check: no HTTP answer",
    }[report.status]
    print(f"\nResult: {verdict}")


def _check_sandbox(args: argparse.Namespace) -> Any:
    """Start the built-in sandbox and check its sign-in domain on its discovery host."""
    from urllib.parse import urlsplit

    from tui.discovery.check import check_domain_sync
    from tui.sandbox.server import start_sandbox

    with start_sandbox(discovery_variant=args.rehearse or "ok") as sb:
        url = urlsplit(sb.https_url)
        assert url.hostname
        assert url.port
        return check_domain_sync(
            args.domain or sb.sign_in_domain,
            tenant_id=sb.tenant_id,
            cloud="global",
            user_identifier=args.user,
            verify=str(sb.ca_path),
            connect_to=(url.hostname, url.port),
            timeout=args.timeout,
        )


def run_check(args: argparse.Namespace) -> int:
    from tui.discovery.check import CheckArgumentError, check_domain_sync

    if args.rehearse and not getattr(args, "sandbox", False):
        return _usage("--rehearse: only with adue --sandbox (the sandbox serves the variant)")
    # Only the command line and the session are usage errors (exit 64); whatever the
    # server answers is a finding in the report.
    try:
        if getattr(args, "sandbox", False):
            if args.timeout <= 0:
                raise ValueError("--timeout: must be more than 0 seconds")
            return _finish(_check_sandbox(args), args)
        tenant, cloud = _tenant_cloud(args, need_tenant=False)
        connect_to = _parse_connect_to(args.connect_to) if args.connect_to else None
        domain = args.domain or _session_tenant(args).get("sign_in_domain")
        if not domain and args.user and "@" in args.user:
            domain = args.user.rsplit("@", 1)[1]
        if not domain:
            raise ValueError("DOMAIN: required — the domain users sign in with, e.g. contoso.com")
        if args.ca_file and not Path(args.ca_file).is_file():
            raise ValueError(f"--ca-file: {args.ca_file} is not a file; give a PEM CA bundle")
        if not args.timeout > 0 or args.timeout == float("inf"):
            raise ValueError("--timeout: must be a number of seconds more than 0, e.g. 10")
    except (ValueError, CheckArgumentError) as exc:
        return _usage(str(exc))
    try:
        report = check_domain_sync(
            str(domain),
            tenant_id=tenant,
            cloud=cloud,
            user_identifier=args.user,
            verify=args.ca_file or True,
            connect_to=connect_to,
            timeout=args.timeout,
        )
    except CheckArgumentError as exc:
        return _usage(str(exc))
    return _finish(report, args)


def _finish(report: Any, args: argparse.Namespace) -> int:
    if args.json:
        # Letters stay readable; controls and bidi overrides are \u-escaped (tui/text.py).
        print(json_text(report.to_dict()))
    else:
        _print_report(report)
    return {"pass": EXIT_OK, "warn": EXIT_OK, "fail": EXIT_FAILURES}.get(report.status, EXIT_ERROR)
