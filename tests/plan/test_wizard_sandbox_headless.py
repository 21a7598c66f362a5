"""`adue --sandbox plan|apply|status` on the wizard's own sandbox session (issue 17,
point 7): the real CLI in a subprocess starts the sandbox tenant from the state the
wizard keeps beside ./adue-sandbox-session.toml, over real HTTP; apply's writes are in
that state afterwards, so the next plan has nothing left to do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.plan.helpers import ROOT
from tui.backend import sandbox_state_path
from tui.commands.wizard import SANDBOX_SESSION
from tui.sandbox.server import start_sandbox
from tui.session import Session


def adue(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ADUE_ACCESS_TOKEN", "ADUE_GRAPH_URL")}
    env.update(PYTHONPATH=str(ROOT), HOME=str(cwd / "home"))
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=90,
    )


def _wizard_left(cwd: Path) -> Path:
    """What `adue --sandbox` leaves after steps 1-6: the session (pinned to the sandbox
    tenant, device-code sign-in, no Graph root) and the sandbox's state beside it."""
    path = cwd / SANDBOX_SESSION
    with start_sandbox(seed="demo", state_file=sandbox_state_path(path)) as sb:
        tenant_id = sb.tenant_id
    session = Session.open(path, lock=False)
    session.update(
        "tenant",
        {"cloud": "global", "tenant_id": tenant_id, "auth": "device-code", "graph_url": ""},
    )
    session.update("sso_extension", {"all_users": True, "groups": [], "bundle_ids": []})
    session.update("authenticator", {"same_groups_as_sso": True})
    session.update("enrollment_profile", {"all_users": True, "groups": []})
    session.save()
    session.close()
    return path


def test_the_wizards_sandbox_session_plans_and_applies_headless(tmp_path: Path) -> None:
    path = _wizard_left(tmp_path)
    state = sandbox_state_path(path).read_bytes()

    planned = adue(tmp_path, "--sandbox", "plan")
    assert planned.returncode == 2, planned.stdout + planned.stderr
    assert planned.stdout.startswith("Tenant: Contoso (")
    assert "+ Create the SSO app extension policy" in planned.stdout
    assert "interactively" not in planned.stderr
    assert sandbox_state_path(path).read_bytes() == state  # plan writes nothing

    applied = adue(tmp_path, "--sandbox", "apply", "--yes")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert Session.read_only(path).get("sso_extension", "policy_id")

    again = adue(tmp_path, "--sandbox", "plan")  # the writes were kept in the state
    assert again.returncode == 0, again.stdout + again.stderr
    assert "No changes" in again.stdout

    status = adue(tmp_path, "--sandbox", "status")
    assert status.returncode == 0, status.stdout + status.stderr


def test_sandbox_is_never_silently_ignored(tmp_path: Path) -> None:
    refused = adue(tmp_path, "--sandbox", "discovery", "generate", "--tenant-id", "x")
    assert refused.returncode == 64
    assert "--sandbox does not apply to `adue discovery`" in refused.stderr
