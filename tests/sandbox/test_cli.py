"""`adue sandbox` as a user runs it: a subprocess printing the two shell lines, then serving."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.sandbox.sdk import StaticTokenCredential  # noqa: F401 - proves the helper imports


def read_line(proc: subprocess.Popen[str], timeout: float = 20) -> str:
    """One line of output; reads the pipe unbuffered so select() tells the truth."""
    assert proc.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        assert ready, f"adue sandbox printed nothing in time (so far {line!r})"
        chunk = os.read(proc.stdout.fileno(), 1)
        assert chunk, f"adue sandbox exited (so far {line!r})"
        line += chunk
    return line.decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    state = tmp_path / "tenant.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", "--seed", "demo", "--state", str(state)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    # ADUE_GRAPH_URL, ADUE_ACCESS_TOKEN, the HTTPS URL, the CA, the tenant id, the admin
    # token file.
    lines = [read_line(proc) for _ in range(6)]
    yield proc, lines
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_prints_the_two_shell_lines_then_serves(
    served: tuple[subprocess.Popen[str], list[str]], tmp_path: Path
) -> None:
    proc, lines = served
    url_line, token_line, *_, admin_line = lines
    assert url_line.startswith("ADUE_GRAPH_URL=http://127.0.0.1:")
    assert token_line.startswith("ADUE_ACCESS_TOKEN=")
    graph_url = url_line.strip().split("=", 1)[1]
    token = token_line.strip().split("=", 1)[1]
    auth = {"Authorization": f"Bearer {token}"}

    groups = httpx.get(f"{graph_url}/v1.0/groups", headers=auth, timeout=10)
    assert groups.status_code == 200
    assert "Finance" in {g["displayName"] for g in groups.json()["value"]}

    misspelt = {
        "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
        "displayName": "SSO",
        "iosSingleSignOnExtension": {
            "@odata.type": "#microsoft.graph.iosAzureAdSingleSignOnExtension",
            "bundleIdAccessList": ["com.contoso.expenses"],
        },
    }
    refused = httpx.post(
        f"{graph_url}/beta/deviceManagement/deviceConfigurations",
        headers=auth,
        json=misspelt,
        timeout=10,
    )
    assert refused.status_code == 400
    assert "'bundleIdAccessList'" in refused.json()["error"]["message"]

    # The request log needs the admin token, written 0600 beside the state file.
    assert admin_line.startswith("ADUE_SANDBOX_ADMIN_TOKEN_FILE=")
    admin_file = Path(admin_line.strip().split("=", 1)[1])
    assert admin_file == tmp_path / "tenant.json.admin-token"
    assert admin_file.stat().st_mode & 0o777 == 0o600
    admin_token = admin_file.read_text().strip()
    assert admin_token
    assert admin_token not in "".join(lines)
    assert httpx.get(f"{graph_url}/sandbox/requests", timeout=10).status_code == 401
    seen = httpx.get(
        f"{graph_url}/sandbox/requests",
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    ).json()["value"]
    assert [(r["method"], r["status"]) for r in seen] == [("GET", 200), ("POST", 400)]

    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert out.strip().endswith("# adue sandbox stopped")
    assert not admin_file.exists()  # the token dies with the run
    # Every line is an assignment or a comment, so the output can be sourced.
    assert all("=" in line or line.startswith("#") for line in out.splitlines())
    state = json.loads((tmp_path / "tenant.json").read_text())
    assert state["tenant"]["organization"]["displayName"] == "Contoso"
    assert oct((tmp_path / "tenant.json").stat().st_mode & 0o777) == "0o600"
    assert token not in (tmp_path / "tenant.json").read_text()


def test_usage_errors_exit_64() -> None:
    for args in (["--seed", "nope"], ["--fault", "429:3"], ["--discovery-variant", "nope"]):
        done = subprocess.run(
            [sys.executable, "-m", "tui", "sandbox", *args],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 64, (args, done.stderr)
        assert "adue sandbox: error:" in done.stderr
        assert done.stdout == ""
