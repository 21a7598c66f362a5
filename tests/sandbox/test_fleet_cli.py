"""`adue sandbox --tenants N` as a user runs it: a subprocess serving a fleet and writing
its fleet file; then the fleet sign-in as `adue fleet` does it, approved on the sandbox's
sign-in page with the admin token, as the person in the rehearsal would."""

from __future__ import annotations

import asyncio
import os
import signal
import ssl
import stat
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.sandbox.test_cli import read_line
from tui.fleet.sign_in import FleetSignIn, FleetSignInSettings
from tui.graph import operations as ops
from tui.graph.client import build_graph_client
from tui.graph.sign_in_models import DeviceCodePrompt


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def adue(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", "sandbox", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], list[str], Path]]:
    folder = tmp_path / "rehearsal"
    proc = adue("--tenants", "12", "--fleet-dir", str(folder))
    lines: list[str] = []
    while not lines or lines[-1] != "# serving until Ctrl-C\n":
        lines.append(read_line(proc))  # type: ignore[arg-type]
    yield proc, lines, folder
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def assignments(lines: list[str]) -> dict[str, str]:
    import shlex

    found = {}
    for line in lines:
        if not line.startswith("#"):
            name, _, value = line.strip().partition("=")
            found[name] = shlex.split(value)[0]
    return found


def test_serves_a_fleet_writes_its_file_and_signs_in_by_the_approval_page(
    served: tuple[subprocess.Popen[bytes], list[str], Path],
) -> None:
    proc, lines, folder = served
    values = assignments(lines)
    assert lines[0].startswith("ADUE_GRAPH_URL=http://127.0.0.1:")
    assert all(line.startswith("#") or "=" in line for line in lines)  # can be sourced
    fleet_file = Path(values["ADUE_SANDBOX_FLEET_FILE"])
    assert fleet_file == folder / "fleet.toml"
    for name in ("ADUE_SANDBOX_ADMIN_TOKEN_FILE", "ADUE_SANDBOX_APP_SECRET_FILE"):
        assert stat.S_IMODE(Path(values[name]).stat().st_mode) == 0o600
    secret = Path(values["ADUE_SANDBOX_APP_SECRET_FILE"]).read_text().strip()
    admin_token = Path(values["ADUE_SANDBOX_ADMIN_TOKEN_FILE"]).read_text().strip()
    printed = "".join(lines)
    assert secret not in printed
    assert admin_token not in printed  # only their paths
    assert "adue fleet apply --fleet" in printed
    assert "t10" in printed

    data = tomllib.loads(fleet_file.read_text())
    assert len(data["tenant"]) == 12
    settings = FleetSignInSettings.from_table(
        data["sign_in"], where=lambda key: f"{fleet_file}: [sign_in] {key}"
    )

    # The person approves the device code on the sandbox's page with the admin token.
    def approve(prompt: DeviceCodePrompt) -> None:
        def post() -> None:
            answer = httpx.post(
                prompt.verification_uri,
                data={"user_code": prompt.user_code, "admin_token": admin_token},
                verify=ssl.create_default_context(cafile=values["ADUE_SANDBOX_CA"]),
                timeout=10,
            )
            assert answer.status_code == 200, answer.text

        threading.Thread(target=post, daemon=True).start()

    fleet_sign_in = FleetSignIn(settings, prompt=approve, ask_secret=None)
    fleet_sign_in.sign_in()
    t12 = data["tenant"][11]

    async def organization() -> str:
        client = build_graph_client(
            fleet_sign_in.credential_for(t12["id"]),
            graph_root=settings.graph_root,
            scopes=settings.scopes,
        )
        try:
            return str((await ops.get_organization(client)).id)
        finally:
            await client.aclose()

    assert asyncio.run(organization()) == t12["id"]
    fleet_sign_in.close()

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert not Path(values["ADUE_SANDBOX_APP_SECRET_FILE"]).exists()
    assert not Path(values["ADUE_SANDBOX_ADMIN_TOKEN_FILE"]).exists()
    assert fleet_file.exists()  # the fleet file and the CA stay


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--tenants", "3", "--seed", "expired-apns"], b"--seed is for one sandbox tenant"),
        (["--fleet-dir", "x"], b"--fleet-dir is for a fleet: add --tenants N"),
        (["--tenants", "0"], b"give 1 to 1000 tenants"),
    ],
)
def test_bad_fleet_options_are_refused(args: list[str], words: bytes) -> None:
    proc = adue(*args)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode in (2, 64)
    assert words in err
    assert b"Traceback" not in err
