"""SIGKILL during the session saves of a real `adue apply` (tests/plan/test_kill_matrix.py
kills between the Graph writes; this kills INSIDE the saves around them).

The child is `adue apply` (tui.cli.main) on the sandbox. A small harness in the child
watches the session's own atomic save (tui.files.write_private: temp file, fsync,
os.replace) and at save number n SIGKILLs the process at one of three moments:
- torn: the temp file half written (cut to half its size) when it is fsynced;
- before-replace: the temp file complete, the rename not done;
- after-replace: the rename done, the folder not yet fsynced (or, "after-outcome", the
  same after the last save, the one that records the run's outcome).
Afterwards the session must be readable and valid (the old or the new content), and a
re-run must leave the tenant exactly as an uninterrupted apply does: no duplicate.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import (
    ROOT,
    apply_file,
    count_named,
    plan_file,
    session_with_ids,
    snapshot,
)
from tui.sandbox.server import start_sandbox
from tui.session import Session

HARNESS = textwrap.dedent(
    """
    import os, signal, sys
    session, url, target, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    name = os.path.basename(session)
    saves = {"n": 0}
    real_replace, real_fsync = os.replace, os.fsync

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    def fsync(fd):
        try:
            target_path = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            target_path = ""
        is_temp = os.path.basename(target_path).startswith(f".{name}.")
        if is_temp and target_path.endswith(".tmp"):
            saves["n"] += 1
            if saves["n"] == target and mode == "torn":
                os.ftruncate(fd, os.fstat(fd).st_size // 2)
                real_fsync(fd)
                die()
        return real_fsync(fd)

    def replace(src, dst, *args, **kwargs):
        ours = os.path.abspath(dst) == os.path.abspath(session)
        if ours and saves["n"] == target and mode == "before-replace":
            die()
        real_replace(src, dst, *args, **kwargs)
        if ours and saves["n"] == target and mode == "after-replace":
            die()
        if ours and mode == "after-outcome":
            with open(dst, encoding="utf-8") as saved:
                if 'last_result = "ok"' in saved.read():
                    die()

    os.fsync, os.replace = fsync, replace
    from tui.cli import main
    code = main(["apply", "--session", session, "--yes", "--graph-url", url])
    print(f"saves={saves['n']}", flush=True)
    sys.exit(code)
    """
)
MODES = ("torn", "before-replace", "after-replace")


def _run_child(path: Path, url: str, token: str, target: int, mode: str) -> tuple[int, str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=token, PYTHONPATH=str(ROOT))
    child = subprocess.run(
        [sys.executable, "-c", HARNESS, str(path), url, str(target), mode],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=path.parent,
        stdin=subprocess.DEVNULL,
    )
    return child.returncode, child.stdout + child.stderr


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], int]:
    """The tenant after an uninterrupted `adue apply`, and how many saves that apply made."""
    with start_sandbox(seed="demo") as sb:
        path = session_with_ids(sb, tmp_path_factory.mktemp("reference"))
        code, output = _run_child(path, sb.graph_url, sb.token, 0, "none")
        assert code == 0, output
        saves = int(output.split("saves=")[1].split()[0])
        # Write-ahead: a save before and after every write. The chains' saves that fall
        # in one turn of the loop share one (group commit), so the count varies with
        # timing (9 seen under load); the longest chain alone (the profile's create,
        # assign and move) needs two per write, after the save before the first.
        assert saves >= 7, output
        return snapshot(sb), saves


def _quick_points(saves: int) -> list[tuple[int, str]]:
    # The last save is the one that records the outcome: how many saves come before
    # it varies from run to run (saves sent together share one write).
    return [(2, "torn"), (saves // 2, "before-replace"), (0, "after-outcome")]


def _temp_files(folder: Path) -> list[str]:
    """The save's temp files left in `folder` (a kill before the replace leaves one)."""
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


async def _kill_then_rerun(
    target: int,
    mode: str,
    reference: dict[str, Any],
    folder: Path,
    tally: Counter[str],
    *,
    may_finish: bool = False,
) -> bool:
    """Kill save `target` at `mode`, then check the session and re-run. False when the
    apply made fewer saves than `target` and finished (only with `may_finish`): then it
    must have ended as an uninterrupted apply does."""
    with start_sandbox(seed="demo") as sb:
        path = session_with_ids(sb, folder)
        code, output = _run_child(path, sb.graph_url, sb.token, target, mode)
        if may_finish and code == 0:
            assert int(output.split("saves=")[1].split()[0]) < target, output
            assert snapshot(sb) == reference
            assert (await plan_file(sb, path)).is_empty
            return False
        assert code == -signal.SIGKILL, output
        tally[f"SIGKILLs inside a session save ({mode})"] += 1

        # The session is whole: the old or the new content, valid, nothing half-read.
        Session.read_only(path)
        if mode not in ("after-replace", "after-outcome"):
            assert _temp_files(folder), "the kill came before the temp file?"

        result = await apply_file(sb, path)
        assert result.ok, result.failed
        configs, profiles = count_named(sb)
        tally["duplicates"] += max(0, configs - 1) + max(0, profiles - 1)
        assert (configs, profiles) == (1, 1)
        assert snapshot(sb) == reference
        assert (await plan_file(sb, path)).is_empty
        assert not _temp_files(folder)
        journal = Session.read_only(path).journal()
        assert all(e["result"] in ("ok", "failed") for e in journal)
        tally["sessions intact after a kill"] += 1
    return True


@pytest.mark.parametrize("index", range(3), ids=["torn-2nd", "before-replace-mid", "after-last"])
async def test_sigkill_inside_a_save_then_rerun(
    index: int,
    uninterrupted: tuple[dict[str, Any], int],
    tmp_path: Path,
    tally: Counter[str],
) -> None:
    reference, saves = uninterrupted
    target, mode = _quick_points(saves)[index]
    await _kill_then_rerun(target, mode, reference, tmp_path, tally)


@pytest.mark.soak
async def test_sigkill_at_every_moment_of_every_save(
    uninterrupted: tuple[dict[str, Any], int], tmp_path: Path, tally: Counter[str]
) -> None:
    """Every save of the run, at every moment: saves sent together share one write, so
    how many a run makes varies; each moment is killed at save 1, 2, … until a run
    finishes before reaching that save (which must not come before half the
    uninterrupted run's count)."""
    reference, saves = uninterrupted
    for mode in MODES:
        target = 1
        while True:
            folder = tmp_path / f"{target}-{mode}"
            folder.mkdir()
            killed = await _kill_then_rerun(
                target, mode, reference, folder, tally, may_finish=target > saves // 2
            )
            if not killed:
                break
            target += 1
        assert target > saves // 2, f"{mode}: only {target - 1} saves were killed"
