"""What `adue plan`, `adue apply` and `adue status` share: signing in and printing a plan.

Imported only from inside the commands' `run`: it pulls in the Graph layer.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from tui.graph.auth import ConnectionSettings, DeviceCodePrompt, build_credential, sign_in
from tui.graph.client import GraphClient, build_graph_client
from tui.rollout.model import ActionKind, Plan
from tui.session import Session

if TYPE_CHECKING:
    from tui.graph.retry import RetryNotice
    from tui.graph.target import TargetTenant

SYMBOLS = {
    ActionKind.CREATE: "+",
    ActionKind.UPDATE: "~",
    ActionKind.ASSIGN: ">",
    ActionKind.UNASSIGN: "<",
    ActionKind.SET_PRIORITY: "^",
    ActionKind.DELETE: "-",
    ActionKind.NOTHING: "=",
}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _show_device_code(prompt: DeviceCodePrompt) -> None:
    minutes = max(1, prompt.seconds_left() // 60)
    say(
        f"To sign in, open {prompt.verification_uri} on any device and enter the code"
        f" {prompt.user_code} (valid for about {minutes} min)."
    )


def _ask_secret(label: str) -> str:
    import getpass

    return getpass.getpass(label, stream=sys.stderr)


def _start_wizard_sandbox(session: Session, *, writes: bool) -> tuple[str, str]:
    """`adue --sandbox COMMAND`: the wizard's sandbox tenant, started in-process from the
    state `adue --sandbox` keeps beside the session (as the wizard does), stopped at exit.
    Returns its Graph root and a token it signed for its admin (this process owns it, as
    the wizard owns its own). Only `apply` saves the tenant back: a read-only command must
    not overwrite the state a running wizard may be changing."""
    import atexit
    import os

    from tui.backend import sandbox_state_path
    from tui.sandbox.server import start_sandbox

    sb = start_sandbox(
        seed=os.environ.get("ADUE_SANDBOX_SEED") or "demo",
        state_file=sandbox_state_path(session.path),
    )
    if not writes:
        sb.state_file = None
    atexit.register(sb.stop)
    return sb.graph_url, sb.mint_token()


def connect(
    args: argparse.Namespace, session: Session, *, quiet: bool = False, writes: bool = False
) -> GraphClient:
    """Sign in as the options and the session's [tenant] say; raises SettingsError/GraphError.
    With --sandbox: against the wizard's sandbox tenant of this session."""
    environ = None
    if getattr(args, "sandbox", False):
        import os

        from tui.graph.auth import TOKEN_ENV

        graph_url, token = _start_wizard_sandbox(session, writes=writes)
        args.graph_url, args.auth = graph_url, "token"
        environ = {**os.environ, TOKEN_ENV: token}
    settings = ConnectionSettings.from_args_and_session(
        args,
        session.table("tenant"),
        where=lambda key: session.where("tenant", key),
        environ=environ,
    )
    if settings.graph_root_notice and environ is None:  # the sandbox's root: no surprise
        say(f"adue: {settings.graph_root_notice}")
    interactive = sys.stdin.isatty() and sys.stderr.isatty()
    credential = build_credential(
        settings,
        prompt=_show_device_code,
        ask_secret=_ask_secret if interactive else None,
        environ=environ,
    )
    sign_in(credential, interactive=interactive)
    client = build_graph_client(
        credential.credential, graph_root=settings.graph_root, scopes=settings.scopes
    )
    if not quiet:

        def notice(event: RetryNotice) -> None:
            say(f"Graph: {event.describe()}")

        client.add_retry_listener(notice)
    return client


async def confirm_tenant(
    client: GraphClient, args: argparse.Namespace, session: Session
) -> TargetTenant:
    """The signed-in tenant, checked against the session's [tenant] tenant_id and --tenant
    before anything else (GET /organization only); raises TenantMismatch."""
    from tui.graph.target import confirm_target

    table = session.table("tenant")
    cloud = getattr(args, "cloud", None) or table.get("cloud") or "global"
    return await confirm_target(
        client, cloud=str(cloud), tenant_table=table, cli_tenant=getattr(args, "tenant", None)
    )


def with_tenant(value: dict[str, Any], target: TargetTenant | None) -> dict[str, Any]:
    """A --json answer with the target tenant and cloud first (docs/plan-json.md)."""
    if target is None:
        return value
    head = {"version": value.get("version", 1)} if "version" in value else {}
    return {
        **head,
        "tenant": {"id": target.id, "name": target.name},
        "cloud": target.cloud,
        **value,
    }


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, sort_keys=False))


def print_plan(plan: Plan, session_path: str) -> None:
    for problem in plan.problems:
        print(f"PROBLEM  {problem}")
    for note in plan.notes:
        print(f"note     {note}")
    for action in plan.actions:
        drift = "  [drift: changed outside adue]" if action.drift else ""
        if action.session_changed:
            drift = "  [changed in the session since the last apply]"
        print(f"{SYMBOLS[action.kind]} {action.title}{drift}")
        for line in action.details:
            print(f"      {line}")
    changes = plan.changes
    if plan.blocked:
        print(f"\nadue will not apply this: fix the {len(plan.problems)} problem(s) above.")
    elif not changes:
        print("\nNo changes: the tenant matches the session.")
    else:
        drifted = sum(1 for a in changes if a.drift)
        extra = f" ({drifted} restore drift)" if drifted else ""
        print(
            f"\n{len(changes)} change(s){extra}. To make them: adue apply --session {session_path}"
        )
