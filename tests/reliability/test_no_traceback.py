"""Hard failures reach a person as one message naming the file or stream and the fix, and
a non-zero exit, never as a Python traceback (issue 14): a reader that went away, a
read-only folder, a disk that fills up during apply, a session nested too deeply or
with a schema number adue never wrote, and any bug at all (a crash report, 0600,
scrubbed of tokens). Subprocesses, as a person runs adue; faults come from
tests/reliability/fault_hooks (a simulated ENOSPC / EROFS in the atomic writer)."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plan.helpers import ROOT, count_named, example_session
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session, SessionError

HOOKS = Path(__file__).resolve().parent / "fault_hooks"
TOKEN_SHAPES = re.compile(r"eyJ[A-Za-z0-9_-]+\.|Bearer [A-Za-z0-9]")


@pytest.fixture
def fresh() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo") as sb:
        yield sb


def adue(
    *args: str,
    cwd: Path,
    sb: RunningSandbox | None = None,
    env: dict[str, str] | None = None,
    stdout: int | None = subprocess.PIPE,
) -> subprocess.CompletedProcess[str]:
    full = dict(os.environ, PYTHONPATH=f"{HOOKS}{os.pathsep}{ROOT}", **(env or {}))
    if sb is not None:
        full.update(ADUE_ACCESS_TOKEN=sb.token, ADUE_GRAPH_URL=sb.graph_url)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=full,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )


def one_message(result: subprocess.CompletedProcess[str]) -> str:
    """stderr, which must be one line and no traceback."""
    err = result.stderr
    assert "Traceback" not in err, err
    assert "Exception ignored" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


# --- a reader that went away -------------------------------------------------------------


@pytest.mark.parametrize("command", ["plan", "status"])
def test_a_closed_pipe_ends_quietly(command: str, fresh: RunningSandbox, tmp_path: Path) -> None:
    # `adue plan … | head -1` once head has gone: stdout is a pipe nobody reads.
    session = example_session(tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = adue(command, "--session", str(session), cwd=tmp_path, sb=fresh, stdout=write_end)
    finally:
        os.close(write_end)
    assert result.stderr == "", result.stderr
    assert result.returncode == 141


def test_plan_into_head_shows_the_first_line_only(fresh: RunningSandbox, tmp_path: Path) -> None:
    session = example_session(tmp_path)
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        ADUE_ACCESS_TOKEN=fresh.token,
        ADUE_GRAPH_URL=fresh.graph_url,
    )
    result = subprocess.run(
        ["bash", "-c", f'"{sys.executable}" -m tui plan --session "{session}" | head -1'],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(result.stdout.splitlines()) == 1
    assert "Traceback" not in result.stderr, result.stderr
    assert "Error" not in result.stderr, result.stderr


# --- a read-only folder ------------------------------------------------------------------


def test_apply_in_a_read_only_folder_names_it(fresh: RunningSandbox, tmp_path: Path) -> None:
    session = example_session(tmp_path)
    before = session.read_bytes()
    result = adue(
        "apply", "--session", str(session), "--yes", cwd=tmp_path, sb=fresh,
        env={"ADUE_TEST_FS_FAULT": f"EROFS:{tmp_path}"},
    )  # fmt: skip
    message = one_message(result)
    assert result.returncode == 1
    assert f"the folder {tmp_path} is read-only" in message
    assert "--session" in message
    assert session.read_bytes() == before
    assert fresh.writes() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rollout.toml"]


def test_the_wizard_in_a_read_only_folder_names_it(tmp_path: Path) -> None:
    session = example_session(tmp_path)
    before = session.read_bytes()
    result = adue(
        "--session", str(session), cwd=tmp_path, env={"ADUE_TEST_FS_FAULT": f"EROFS:{tmp_path}"}
    )
    message = one_message(result)
    assert result.returncode == 1
    assert f"the folder {tmp_path} is read-only" in message
    assert session.read_bytes() == before


# --- a full disk during apply --------------------------------------------------------------


@pytest.mark.parametrize(
    "saves_before_full", [2, *(pytest.param(n, marks=pytest.mark.soak) for n in (0, 1, 3, 5, 8))]
)
def test_a_disk_full_during_apply_stops_then_the_rerun_finishes_without_duplicates(
    saves_before_full: int, fresh: RunningSandbox, tmp_path: Path
) -> None:
    session = example_session(tmp_path)
    # Saves: 1 = before the first write, 2 = the first `pending`, 3 = its result: with 2
    # the disk fills up right after Graph created the first object, whose id is lost.
    full = adue(
        "apply", "--session", str(session), "--yes", cwd=tmp_path, sb=fresh,
        env={"ADUE_TEST_FS_FAULT": f"ENOSPC:{tmp_path}:{saves_before_full}"},
    )  # fmt: skip
    message = one_message(full)
    assert full.returncode == 1
    assert f"the disk holding {tmp_path} is full" in message
    assert "again" in message
    assert len(fresh.writes()) < 7  # stopped: later writes were never sent
    if saves_before_full == 0:
        assert fresh.writes() == []
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]

    again = adue("apply", "--session", str(session), "--yes", cwd=tmp_path, sb=fresh)
    assert again.returncode == 0, again.stderr
    assert count_named(fresh) == (1, 1)  # the object made before the disk filled, adopted
    final = adue("plan", "--session", str(session), cwd=tmp_path, sb=fresh)
    assert final.returncode == 0, final.stdout + final.stderr
    journal = Session.read_only(session).journal()
    assert not [e for e in journal if e["result"] == "pending"]


# --- session files adue cannot read ---------------------------------------------------------


def _session_text(tmp_path: Path, old: str, new: str) -> Path:
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("depth", [2_000, 200_000])
def test_deeply_nested_toml_is_refused(depth: int, tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(
        "[session]\nschema = 1\n[guide]\norganization = " + "[" * depth + "]" * depth + "\n"
    )
    before = path.read_bytes()
    with pytest.raises(SessionError, match="nested too deeply"):
        Session.open(path)
    result = adue("plan", "--session", str(path), cwd=tmp_path)
    assert result.returncode == 1
    assert "nested too deeply" in one_message(result)
    assert str(path) in result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep.toml"]


@pytest.mark.parametrize("number", ["0", "-1", "-9223372036854775808"])
def test_a_schema_number_adue_never_wrote_is_refused(number: str, tmp_path: Path) -> None:
    path = _session_text(tmp_path, "schema = 1", f"schema = {number}")
    before = path.read_bytes()
    with pytest.raises(SessionError) as caught:
        Session.open(path)
    assert "[session] schema (line " in str(caught.value)
    assert "schema = 1" in str(caught.value)
    for command in (["plan"], ["apply", "--yes"]):
        result = adue(*command, "--session", str(path), cwd=tmp_path)
        assert result.returncode == 1
        assert f"schema = {number} is not a format version" in one_message(result)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rollout.toml"]


def test_apply_on_a_missing_session_leaves_no_lock(tmp_path: Path) -> None:
    result = adue("apply", "--session", str(tmp_path / "nope.toml"), "--yes", cwd=tmp_path)
    assert result.returncode == 1
    assert "no such session file" in one_message(result)
    assert list(tmp_path.iterdir()) == []


def test_a_refused_session_leaves_no_lock(tmp_path: Path) -> None:
    path = _session_text(tmp_path, "schema = 1", "schema = 0")
    result = adue("apply", "--session", str(path), "--yes", cwd=tmp_path)
    assert result.returncode == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rollout.toml"]


# --- any bug at all: one line and a crash report ---------------------------------------------


def test_an_unexpected_error_gives_one_line_and_a_scrubbed_report(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    session = example_session(tmp_path)
    state = tmp_path / "state"
    result = adue(
        "status", "--session", str(session), cwd=tmp_path, sb=fresh,
        env={"ADUE_TEST_RAISE": "tui.commands.status:run", "XDG_STATE_HOME": str(state)},
    )  # fmt: skip
    message = one_message(result)
    assert result.returncode == 70
    assert message.startswith("adue: unexpected error (RuntimeError: simulated bug")
    assert fresh.token not in message
    assert not TOKEN_SHAPES.search(message)
    shown = re.search(r"crash report \(no tokens or secrets\) is in (\S+):", message)
    assert shown, message
    report = Path(shown.group(1))
    assert report.is_relative_to(state)
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError" in text
    assert "status --session" in text
    assert fresh.token not in text, text
    assert not TOKEN_SHAPES.search(text), text


@pytest.mark.parametrize("command", [["plan"], ["apply", "--yes"], []])
def test_a_folder_given_as_the_session_is_refused(command: list[str], tmp_path: Path) -> None:
    result = adue(*command, "--session", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert f"--session {tmp_path} is a folder: give a session file" in one_message(result)
    assert list(tmp_path.iterdir()) == []
