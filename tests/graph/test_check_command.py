"""`adue check` as a user runs it: a real subprocess against a sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.sandbox.server import RunningSandbox, start_sandbox

ROOT = Path(__file__).resolve().parents[2]


def adue(*argv: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUE_", "AZURE_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_STATE_HOME=str(tmp_path / "state"))
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def demo_sb() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo") as sb:
        yield sb


def test_demo_passes_with_exit_0(demo_sb: RunningSandbox, tmp_path: Path) -> None:
    env = environment(tmp_path, ADUE_ACCESS_TOKEN=demo_sb.token)
    done = adue("check", "--graph-url", demo_sb.graph_url, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Tenant: Contoso" in done.stdout
    assert done.stdout.count("PASS ") == 7
    assert demo_sb.token not in done.stdout + done.stderr


def test_json_and_a_session_file_for_the_tenant(demo_sb: RunningSandbox, tmp_path: Path) -> None:
    session = tmp_path / "contoso.toml"
    session.write_text(
        f'[session]\nschema = 1\n\n[tenant]\ngraph_url = "{demo_sb.graph_url}"\nauth = "token"\n'
    )
    env = environment(tmp_path, ADUE_ACCESS_TOKEN=demo_sb.token)
    done = adue("check", "--session", str(session), "--json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["ok"] is True
    assert report["tenant"]["id"] == demo_sb.tenant_id
    assert [c["status"] for c in report["checks"]] == ["pass"] * 7


def test_broken_seed_exits_2_naming_the_failing_check(tmp_path: Path) -> None:
    with start_sandbox(seed="expired-apns") as sb:
        env = environment(tmp_path, ADUE_ACCESS_TOKEN=sb.token, ADUE_GRAPH_URL=sb.graph_url)
        done = adue("check", "--json", env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    failing = [c for c in json.loads(done.stdout)["checks"] if c["status"] != "pass"]
    assert [c["id"] for c in failing] == ["apns_certificate"]
    assert "expired" in failing[0]["detail"]
    assert failing[0]["fix"]


def test_could_not_check_exits_1(tmp_path: Path) -> None:
    # No token for --auth token: a settings error naming the variable.
    done = adue("check", "--auth", "token", env=environment(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert "ADUE_ACCESS_TOKEN" in done.stderr
    # Nothing listening at the Graph root: network down, said so.
    env = environment(tmp_path, ADUE_ACCESS_TOKEN="a.b.c")
    done = adue("check", "--graph-url", "http://127.0.0.1:9", "--json", env=env, cwd=tmp_path)
    assert done.returncode == 1
    assert json.loads(done.stdout)["ok"] is False
    assert "no answer from Microsoft Graph" in done.stderr


def test_headless_device_code_without_a_cache_does_not_hang(tmp_path: Path) -> None:
    # cron: no terminal, no cached sign-in -> exit 1 with what to do, never a prompt wait.
    with start_sandbox(seed="demo") as sb:
        session = tmp_path / "s.toml"
        session.write_text(
            "[session]\nschema = 1\n\n[tenant]\n"
            f'graph_url = "{sb.graph_url}"\nauth = "device-code"\ntenant_id = "{sb.tenant_id}"\n'
        )
        done = adue("check", "--session", str(session), env=environment(tmp_path), cwd=tmp_path)
    assert done.returncode == 1
    assert "sign in" in done.stderr.lower()


def test_options_before_or_after_the_subcommand() -> None:
    from tui.cli import build_parser

    parser = build_parser()
    before = parser.parse_args(["--tenant", "a.com", "--session", "x.toml", "check"])
    assert (before.tenant, before.session, before.json) == ("a.com", "x.toml", False)
    after = parser.parse_args(["--tenant", "a.com", "check", "--tenant", "b.com", "--json"])
    assert (after.tenant, after.json) == ("b.com", True)
    plain = parser.parse_args(["check"])
    assert plain.cloud is None
    assert plain.auth is None
    assert plain.session == "adue-session.toml"


def test_sandbox_check_signs_in_with_the_device_code_flow(tmp_path: Path) -> None:
    env = environment(tmp_path)
    done = adue("--sandbox", "check", "--seed", "no-vpp-token", "--json", env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "/device" in done.stderr
    assert "enter the code" in done.stderr  # prompt on stderr
    failing = [c["id"] for c in json.loads(done.stdout)["checks"] if c["status"] != "pass"]
    assert failing == ["vpp_token"]
    bad = adue("--sandbox", "check", "--seed", "bogus", env=env, cwd=tmp_path)
    assert bad.returncode == 1
    assert "--seed" in bad.stderr


def sandbox_check(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """`adue --sandbox check …`: the built-in tenant and its discovery host."""
    return adue("--sandbox", "check", *argv, env=environment(tmp_path), cwd=tmp_path)


def test_the_service_discovery_file_is_checked_as_the_wizard_does(tmp_path: Path) -> None:
    done = sandbox_check(tmp_path, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["discovery"]["domain"] == "contoso.com"
    assert report["discovery"]["status"] == "pass"
    text = sandbox_check(tmp_path)
    assert "PASS   Service discovery file on contoso.com" in text.stdout


def test_a_broken_discovery_file_fails_the_check_with_its_fix(tmp_path: Path) -> None:
    done = sandbox_check(tmp_path, "--rehearse", "content-type")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "FAIL   Service discovery file on contoso.com" in done.stdout
    assert "application/json" in done.stdout  # the finding's fix names the right type
    assert "Your Apple ID does not support the expected services" in done.stdout


def test_without_a_sign_in_domain_discovery_says_it_was_not_checked(
    demo_sb: RunningSandbox, tmp_path: Path
) -> None:
    env = environment(tmp_path, ADUE_ACCESS_TOKEN=demo_sb.token)
    done = adue("check", "--graph-url", demo_sb.graph_url, "--json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["discovery"] is None
    text = adue("check", "--graph-url", demo_sb.graph_url, env=env, cwd=tmp_path)
    assert "Service discovery: not checked (no sign-in domain" in text.stdout


def test_sandbox_check_looks_at_the_users_the_session_targets(tmp_path: Path) -> None:
    """`adue check --session` samples the users of the session's groups (given by name, as
    a hand-written session does): two of BYOD pilot have no Intune licence."""
    session = tmp_path / "rollout.toml"
    example = Path(__file__).resolve().parents[2] / "examples" / "sandbox-demo.toml"
    session.write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    session.chmod(0o600)
    env = environment(tmp_path)
    done = adue(
        "--sandbox",
        "check",
        "--seed",
        "unlicensed-users",
        "--session",
        str(session),
        "--json",
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr  # a warning, not a failure
    checks = {c["id"]: c for c in json.loads(done.stdout)["checks"]}
    licence = checks["intune_licence"]
    assert licence["status"] == "warn", licence
    assert "AdeleV@contoso.com" in licence["detail"]
    assert "MeganB@contoso.com" in licence["detail"]


def test_a_web_based_session_needs_no_discovery_file(
    demo_sb: RunningSandbox, tmp_path: Path
) -> None:
    """Web-based device enrollment (issue 18.5): no discovery check, and it says why, even
    with a sign-in domain in the session (that domain serves no file here)."""
    session = tmp_path / "web.toml"
    session.write_text(
        f'[session]\nschema = 1\n\n[tenant]\ngraph_url = "{demo_sb.graph_url}"\nauth = "token"\n'
        'sign_in_domain = "no-such-file.example"\n\n'
        '[enrollment_profile]\nmode = "web-based"\n'
    )
    session.chmod(0o600)
    env = environment(tmp_path, ADUE_ACCESS_TOKEN=demo_sb.token)
    done = adue("check", "--session", str(session), "--json", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["discovery"] is None
    assert report["discovery_needed"] is False
    text = adue("check", "--session", str(session), env=env, cwd=tmp_path)
    assert 'Service discovery: not needed ([enrollment_profile] mode = "web-based"' in text.stdout
