"""The one sign-in of the headless commands: settings, credential, client, tenant check.

`adue plan`, `apply`, `status`, `destroy`, `progress` and `check` sign in here. Prompts
(a device code, a secret) go to stderr, and only where a person can answer them: on a
terminal, or on a sandbox that approves its own codes. Imported only from inside the
commands' `run`: it pulls in the Graph layer.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from tui.choices import AuthMethod
from tui.commands.common import say
from tui.graph.auth import ConnectionSettings, build_credential, sign_in
from tui.graph.client import GraphClient, build_graph_client
from tui.graph.sign_in_models import DeviceCodePrompt

if TYPE_CHECKING:
    from tui.graph.target import TenantPin
    from tui.sandbox.server import RunningSandbox
    from tui.session import Session

# On its own sandbox adue approves the device code it shows after this long.
SANDBOX_APPROVE_SECONDS = 1.0


def show_device_code(prompt: DeviceCodePrompt, purpose: str = "sign in") -> None:
    """The device code on stderr; `purpose` names the sign-in (the fleet's is for all)."""
    minutes = max(1, prompt.seconds_left() // 60)
    say(
        f"To {purpose}, open {prompt.verification_uri} on any device and enter the code"
        f" {prompt.user_code} (valid for about {minutes} min)."
    )


def ask_secret(label: str) -> str:
    import getpass

    return getpass.getpass(label, stream=sys.stderr)


def sign_in_client(
    settings: ConnectionSettings,
    *,
    sandbox: RunningSandbox | None = None,
    environ: Mapping[str, str] | None = None,
    quiet: bool = False,
) -> GraphClient:
    """Sign in as `settings` say and build the client; raises SettingsError/GraphError.

    `sandbox`: a sandbox started for this command, whose device codes adue approves
    itself, so it never waits for a person (and the sandbox approves no other sign-in:
    tests/sandbox/test_access_guard.py). `quiet`: no throttling notices (--json). The
    caller closes the client and its `credential`."""
    interactive = sandbox is not None or (sys.stdin.isatty() and sys.stderr.isatty())
    if settings.graph_root_notice:
        say(f"adue: {settings.graph_root_notice}")
    if settings.auth is AuthMethod.TOKEN:
        # Nothing of azure-core's own HTTP pipeline either (tui.graph.deferred_azure_core),
        # nor of urllib3 but parse_url (tui.graph.deferred_urllib3); here, in a headless
        # command's one thread, not in the wizard's workers, whose imports could race the
        # deferred __init__s.
        from tui.graph import deferred_azure_core, deferred_urllib3

        deferred_azure_core.defer()
        deferred_urllib3.defer()
    prompt: Callable[[DeviceCodePrompt], None] = show_device_code
    if sandbox is not None:
        prompt = sandbox.approving(show_device_code, SANDBOX_APPROVE_SECONDS)
    credential = build_credential(
        settings,
        prompt=prompt,
        ask_secret=ask_secret if interactive else None,
        environ=environ,
    )
    signed_in = sign_in(credential, interactive=interactive)
    if signed_in.cache_notice and interactive and sandbox is None:
        say(f"Note: {signed_in.cache_notice}")
    client = build_graph_client(
        credential.credential, graph_root=settings.graph_root, scopes=settings.scopes
    )
    if not quiet:
        client.add_retry_listener(lambda notice: say(f"Graph: {notice.describe()}"))
    return client


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
    return sign_in_client(settings, environ=environ, quiet=quiet)


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


def tenant_pin_for(client: GraphClient, args: argparse.Namespace, session: Session) -> TenantPin:
    """The check of the signed-in tenant against the session's [tenant] tenant_id and
    --tenant (tui.graph.target.TenantPin); a bad pinned value is refused here, before any
    request (TenantMismatch)."""
    from tui.graph.target import tenant_pin

    table = session.table("tenant")
    cloud = getattr(args, "cloud", None) or table.get("cloud") or "global"
    return tenant_pin(
        client, cloud=str(cloud), tenant_table=table, cli_tenant=getattr(args, "tenant", None)
    )
