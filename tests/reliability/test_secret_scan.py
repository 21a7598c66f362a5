"""Every file adue wrote in a full sandbox run, scanned for tokens and secrets.

The run: the wizard's Backend signs in with the real device-code flow against the
sandbox's identity endpoints (authentication record under XDG_STATE_HOME), applies
the session (write-ahead journal, lock file), the sandbox keeps its tenant in a state
file beside the session, then `adue guide` exports every language and format and
`adue discovery generate -o` saves the well-known file. Every file under the run's
HOME, XDG_STATE_HOME and work folder must hold no token (the sandbox's bearer token,
anything JWT-shaped), no "access_token"/"refresh_token"/client secret/private key, and
have mode 0600.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

from tests.plan.helpers import ROOT, session_with_ids
from tui.sandbox.server import start_sandbox
from tui.session import Session

JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
# A secret-bearing key given a value (JSON, TOML, env or form style), a PEM block, or an
# Authorization header. Prose that mentions a word (the session's header says it "never
# holds a token, secret, password") is not a finding.
SECRET_SHAPES = re.compile(
    rb"(?i)[\"']?\b(access_?token|refresh_?token|id_?token|client_?secret|password|secret)"
    rb"\b[\"']?\s*[:=]\s*[\"']?[^\s\"',}]{6,}"
    rb"|-----BEGIN [A-Z ]+-----"
    rb"|\bbearer\s+[A-Za-z0-9._~+/-]{16,}"
)


def _adue(*args: str, cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result


def test_no_file_adue_wrote_holds_a_secret_and_all_are_private(
    tmp_path: Path, tally: Counter[str]
) -> None:
    from tui.backend import Backend, WizardOptions

    work = tmp_path / "work"
    work.mkdir()
    secrets: set[bytes] = set()
    with start_sandbox(
        seed="demo",
        device_auto_approve_seconds=0.2,
        state_file=work / "rollout.sandbox-state.json",
    ) as sb:
        secrets.add(sb.token.encode())
        path = session_with_ids(sb, work)
        with Session.open(path, create=False) as session:
            backend = Backend(session, WizardOptions(auth="device-code"), running_sandbox=sb)
            try:
                signed_in = backend.sign_in(lambda _: None, threading.Event())
                assert signed_in is not None
                result = backend.apply_fresh(None)  # the wizard's Apply
                assert result.ok, result.failed
            finally:
                backend.close()
        token = sb.mint_token()
        secrets.add(token.encode())
        env = dict(os.environ, PYTHONPATH=str(ROOT), ADUE_ACCESS_TOKEN=token)
        _adue("guide", "--session", str(path), "-o", str(work / "guides"), cwd=work, env=env)
        _adue(
            "discovery",
            "generate",
            "--tenant-id",
            sb.tenant_id,
            "-o",
            str(work / "com.apple.remotemanagement"),
            cwd=work,
            env=env,
        )
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    # What the run must have written, so the scan covers it.
    assert {"rollout.toml", "rollout.toml.lock", "rollout.sandbox-state.json"} <= names
    assert "com.apple.remotemanagement" in names
    assert any(p.suffix == ".pdf" for p in written)
    assert any(p.suffix == ".html" for p in written)
    assert any("accounts" in p.parts for p in written), "no authentication record written"
    problems = []
    for file in written:
        data = file.read_bytes()
        problems += [f"{file}: holds a token" for s in secrets if s in data]
        problems += [f"{file}: holds something JWT-shaped" for _ in JWT.finditer(data)][:1]
        problems += [f"{file}: contains {m.group()[:40]!r}" for m in SECRET_SHAPES.finditer(data)]
        mode = stat.S_IMODE(file.stat().st_mode)
        # Published documents (guides, the discovery file) are 0644; all else adue keeps 0600.
        published = (
            file.suffix in {".pdf", ".html", ".md"} or file.name == "com.apple.remotemanagement"
        )
        wanted = 0o644 if published else 0o600
        if mode != wanted:
            problems.append(f"{file}: mode {mode:o}, not {wanted:o}")
        tally["files scanned for secrets"] += 1
    assert problems == []


def test_the_scanner_finds_each_shape_it_looks_for() -> None:
    found = [
        b'{"access_token": "abcdefgh12"}',
        b"refresh_token=0.AAAAsecretvalue",
        b'"secret": "s3cr3t-value"',
        b"-----BEGIN PRIVATE KEY-----",
        b"Authorization: Bearer abcdefghijklmnopqrstuv",
    ]
    assert all(SECRET_SHAPES.search(sample) for sample in found)
    assert JWT.search(b"x eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9. y")
    prose = b"# Never holds a token, secret, password or certificate. ADUE_ACCESS_TOKEN"
    assert not SECRET_SHAPES.search(prose)
