"""`adue sandbox`: serve the sandbox tenant standalone until Ctrl-C or SIGTERM.

The first two lines of output are shell assignments (`ADUE_GRAPH_URL=...`,
`ADUE_ACCESS_TOKEN=...`) that other adue commands pick up from the environment; every
further line is also an assignment or a `#` comment, so the whole output can be saved
and sourced.

The sandbox's control routes (/sandbox/requests, /sandbox/state, /sandbox/token, ...)
and its sign-in approval page need its admin token, random per run: it is written to
a 0600 file beside the --state file (`<state>.admin-token`), or in a private temp
folder without --state, and only that file's path is printed
(ADUE_SANDBOX_ADMIN_TOKEN_FILE). The file is removed when the sandbox stops.
"""

from __future__ import annotations

import argparse
import contextlib
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, ParamSpec, TypedDict, TypeVar

from tui.commands.common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, whole_number, within

P = ParamSpec("P")
T = TypeVar("T")


def _non_negative_int(text: str) -> int:
    return within(whole_number(text), 0, None, "{value} must be {low} or more")


def _port(text: str) -> int:
    port = _non_negative_int(text)
    return within(port, 0, 65535, "{value} is not a port ({low}-{high}; 0 = a free one)")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "sandbox",
        help="serve the built-in sandbox tenant (a Graph emulator on 127.0.0.1)",
        description=(
            "Serve an emulated Intune tenant that speaks Microsoft Graph over HTTP on "
            "127.0.0.1. Prints ADUE_GRAPH_URL and ADUE_ACCESS_TOKEN first (export them and "
            "run other adue commands against it), then serves until Ctrl-C."
        ),
    )
    p.add_argument("--port", type=_port, default=0, help="Graph port (default: a free one)")
    p.add_argument(
        "--https-port",
        type=_port,
        default=0,
        help="HTTPS port for sign-in and the discovery host (default: a free one)",
    )
    p.add_argument(
        "--seed",
        default="demo",
        metavar="NAME",
        help="tenant to serve: demo, large, hostile (names full of markup and escape "
        "sequences), or a broken one such as expired-apns (default: demo; see --list-seeds)",
    )
    p.add_argument("--list-seeds", action="store_true", help="list the seeds and exit")
    p.add_argument(
        "--state",
        metavar="FILE",
        help="JSON file the tenant is loaded from (if it exists) and saved to after changes",
    )
    p.add_argument(
        "--latency-ms", type=_non_negative_int, default=0, help="delay added to every request"
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND:VALUE[@PREFIX]",
        help="inject faults, repeatable: 429:0.3, 503:0.1@/beta/deviceManagement, drop:0.05, "
        "lost:0.3, latency:200@/v1.0/groups, expire:3@/beta (KIND 429|500|502|503|504|drop: "
        "VALUE is a rate 0-1; lost|lost-503|lost-504|lost-drop: a rate 0-1 of writes that are "
        "made, then answered 503/504 or cut off; latency: milliseconds; expire: a token works "
        "VALUE times there, then 401; a * in PREFIX stands for one path segment)",
    )
    p.add_argument(
        "--expire-token-after",
        type=_non_negative_int,
        metavar="N",
        help="each access token stops working (401 expired) after N requests",
    )
    p.add_argument(
        "--fault-seed", type=int, default=0, help="seed for which requests faults hit (default 0)"
    )
    p.add_argument(
        "--retry-after",
        type=_non_negative_int,
        default=1,
        metavar="SECONDS",
        help="Retry-After sent with injected 429/503 answers (default 1)",
    )
    p.add_argument(
        "--discovery-variant",
        default="ok",
        metavar="NAME",
        help="what the discovery host serves: ok, or a broken variant to rehearse with",
    )
    p.add_argument(
        "--device-auto-approve-seconds",
        type=float,
        metavar="S",
        help="approve device-code sign-ins by themselves after S seconds",
    )
    p.add_argument(
        "--priority-mode",
        choices=("insert", "swap"),
        default=None,
        help="how setPriority moves the other profiles: insert and shift (default) or swap",
    )
    p.add_argument(
        "--new-profile-lands",
        choices=("last", "first"),
        default=None,
        help="where a new enrollment profile lands among its platform's (default last)",
    )
    p.add_argument(
        "--tenants",
        type=_tenant_count,
        metavar="N",
        help="serve a fleet: a partner tenant and N customer tenants on one Graph root "
        "(t03 has an expired APNs certificate, t07 lacks the Intune write permissions, t10 "
        "refuses the fleet sign-in) and write a ready fleet file (see --fleet-dir)",
    )
    p.add_argument(
        "--fleet-dir",
        metavar="DIR",
        help="with --tenants: the folder for fleet.toml, the sandbox's CA, the admin token "
        f"and the fleet app's secret and certificate (default: ./{DEFAULT_FLEET_DIR})",
    )
    p.add_argument(
        "--verbose", action="store_true", help="print one line per Graph request to stderr"
    )
    p.set_defaults(handler=run)


DEFAULT_FLEET_DIR = "sandbox-fleet"
MAX_TENANTS = 1000


def _tenant_count(text: str) -> int:
    return within(_non_negative_int(text), 1, MAX_TENANTS, "{value}: give {low} to {high} tenants")


def _check_variant(name: str) -> str | None:
    try:
        from tui.sandbox.discovery_variants import VARIANTS
    except ImportError:
        return None if name == "ok" else f"unknown --discovery-variant {name!r}: only ok"
    if name not in VARIANTS:
        return f"unknown --discovery-variant {name!r}: choose one of {', '.join(VARIANTS)}"
    return None


def run(args: argparse.Namespace) -> int:
    from tui.sandbox.faults import FaultPlan
    from tui.sandbox.seeds import BROKEN, SEED_NAMES

    if args.list_seeds:
        for name in SEED_NAMES:
            note = "demo with one thing wrong" if name in BROKEN else ""
            if name == "hostile":
                note = "demo with hostile names: markup, escape sequences, bidi, 300 chars"
            print(f"{name}{'  # ' + note if note else ''}")
        return EXIT_OK
    if args.seed not in SEED_NAMES:
        print(
            f"adue sandbox: error: unknown --seed {args.seed!r}: choose one of "
            f"{', '.join(SEED_NAMES)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    problem = _check_variant(args.discovery_variant)
    if args.expire_token_after == 0:
        problem = "--expire-token-after must be 1 or more requests"
    if args.tenants is None and args.fleet_dir is not None:
        problem = "--fleet-dir is for a fleet: add --tenants N"
    if args.tenants is not None:
        single = _single_tenant_options(args)
        if single:
            problem = (
                f"{single} is for one sandbox tenant; a fleet (--tenants) has its own mix "
                "(t03 expired APNs, t07 a missing permission, t10 refusing the sign-in): "
                "leave it out"
            )
    if problem:
        print(f"adue sandbox: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        plan = FaultPlan.parse(
            args.fault,
            latency_ms=args.latency_ms,
            seed=args.fault_seed,
            retry_after=args.retry_after,
            expire_token_after=args.expire_token_after,
        )
    except ValueError as error:
        print(f"adue sandbox: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.tenants is not None:
        from tui.commands.sandbox_fleet import serve_fleet

        return serve_fleet(args, plan)
    return _serve(args, plan)


def _single_tenant_options(args: argparse.Namespace) -> str:
    """The first option given that only a single-tenant sandbox knows ("" for none)."""
    if args.seed != "demo":
        return "--seed"
    if args.discovery_variant != "ok":
        return "--discovery-variant"
    if args.priority_mode is not None:
        return "--priority-mode"
    if args.new_profile_lands is not None:
        return "--new-profile-lands"
    return ""


TOKEN_DIR_PREFIX = "adue-sandbox-admin-"


def _admin_token_path(state: str | None) -> Path:
    """Beside the state file, or in a fresh private (0700) temp folder without one."""
    if state:
        path = Path(state)
        return path.with_name(path.name + ".admin-token")
    return Path(tempfile.mkdtemp(prefix=TOKEN_DIR_PREFIX)) / "admin-token"


def started(start: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T | None:
    """`start(*args, **kwargs)`: the sandbox it starts, or None after saying on stderr why
    it could not start (ValueError: an unknown seed or fault spec; a port taken)."""
    from tui.sandbox.server import SandboxStartError

    try:
        return start(*args, **kwargs)
    except (ValueError, SandboxStartError) as error:
        print(f"adue sandbox: error: {error}", file=sys.stderr)
        return None


class StartOptions(TypedDict):
    """What a single sandbox and a fleet sandbox both take from the command line."""

    port: int
    https_port: int
    faults: Any  # the parsed --fault/--latency-ms/... (tui.sandbox.faults.FaultPlan)
    state_file: str | None
    device_auto_approve_seconds: float | None


def start_options(args: argparse.Namespace, plan: Any) -> StartOptions:
    return StartOptions(
        port=args.port,
        https_port=args.https_port,
        faults=plan,
        state_file=args.state,
        device_auto_approve_seconds=args.device_auto_approve_seconds,
    )


def _serve(args: argparse.Namespace, plan: Any) -> int:
    from tui.sandbox.server import start_sandbox

    sb = started(
        start_sandbox,
        seed=args.seed,
        discovery_variant=args.discovery_variant,
        priority_mode=args.priority_mode,
        new_profile_lands=args.new_profile_lands,
        **start_options(args, plan),
    )
    if sb is None:
        return EXIT_ERROR
    try:
        token_file = _admin_token_path(args.state)
        sb.write_admin_token(token_file)
    except OSError as error:
        sb.stop()
        print(
            f"adue sandbox: error: cannot write the admin token file ({error.strerror}): "
            "pass a --state path in a folder you can write",
            file=sys.stderr,
        )
        return EXIT_ERROR
    q = shlex.quote
    lines = [
        f"ADUE_GRAPH_URL={q(sb.graph_url)}",
        f"ADUE_ACCESS_TOKEN={q(sb.token)}",
        f"ADUE_SANDBOX_HTTPS_URL={q(sb.https_url)}",
        f"ADUE_SANDBOX_CA={q(str(sb.ca_path))}",
        f"ADUE_SANDBOX_TENANT_ID={q(sb.tenant_id)}",
        f"ADUE_SANDBOX_ADMIN_TOKEN_FILE={q(str(token_file))}",
        f"# adue sandbox: seed {sb.seed}, tenant {sb.organization} ({sb.sign_in_domain}), "
        f"admin {sb.admin_upn}",
        f"# Graph root {sb.graph_url} (/v1.0 and /beta); requests: {sb.graph_url}/sandbox/requests",
        "# control routes and sign-in approval need 'Authorization: Bearer <the token in "
        "ADUE_SANDBOX_ADMIN_TOKEN_FILE>'",
        f"# sign-in and discovery host over HTTPS at {sb.https_url}, CA {sb.ca_path}",
        f"# faults: {sb.faults.describe()}; discovery variant: {sb.discovery_variant}",
    ]
    if sb.state_file:
        lines.append(f"# state saved to {sb.state_file}")
    lines.append("# serving until Ctrl-C")

    def remove_token_folder() -> None:
        if token_file.parent.name.startswith(TOKEN_DIR_PREFIX):
            with contextlib.suppress(OSError):
                token_file.parent.rmdir()

    return serve_until_stopped(
        sb, lines, show=print_request if args.verbose else None, cleanup=remove_token_folder
    )


def print_request(record: Any, who: str = "") -> None:
    """--verbose: one line per Graph request on stderr (`who`: the fleet's tenant label)."""
    where = record.path + ("?" + "&".join(f"{k}={v}" for k, v in record.query.items()))
    print(
        f"{who + ' ' if who else ''}{record.status or 'drop'} {record.method} "
        f"{where.rstrip('?')}{' [' + record.fault + ']' if record.fault else ''}",
        file=sys.stderr,
        flush=True,
    )


def serve_until_stopped(
    sb: Any,
    lines: list[str],
    *,
    show: Callable[[Any], None] | None,
    cleanup: Callable[[], None],
) -> int:
    """Print `lines`, serve until SIGTERM or Ctrl-C, then stop the sandbox and `cleanup`
    (the files only this run needed); shared by the single-tenant and the fleet sandbox."""
    done = threading.Event()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        done.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if show is not None:
        sb.on_request(show)
    print("\n".join(lines), flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        sb.stop()
        cleanup()
    # Whoever read our output may have gone already: nothing left to say then.
    with contextlib.suppress(BrokenPipeError):
        print("# adue sandbox stopped", flush=True)
    return EXIT_OK
