"""The wizard after an unexpected error: a non-zero exit and one line, never a traceback
and never exit 0 (Textual's own handler prints a traceback with local variables and the
app's run() returns None, which adue used to turn into 0). Headless runs of the real
command path (cli.run_guarded -> run_wizard -> AdueApp.run)."""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from textual.app import App

from tui import cli
from tui.app import AdueApp
from tui.commands.wizard import run_wizard


@pytest.fixture(autouse=True)
def _headless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(AdueApp, "run", lambda self, **_: App.run(self, headless=True))


def _run(session: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    args = cli.build_parser(subcommands=False).parse_args(["--session", str(session)])
    code = cli.run_guarded(run_wizard, args, ["--session", str(session)])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "Traceback" not in output, output
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1, captured.err
    return code, lines[0]


def test_an_error_in_the_app_exits_1_with_a_crash_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(_self: AdueApp) -> None:
        raise RuntimeError("simulated bug in a handler; Authorization: Bearer abc.def-123")

    monkeypatch.setattr(AdueApp, "on_ready", broken)
    code, line = _run(tmp_path / "s.toml", capsys)
    assert code == 1
    assert line.startswith("adue: unexpected error (RuntimeError: simulated bug")
    assert "abc.def-123" not in line
    shown = re.search(r" is in (\S+): please attach", line)
    assert shown, line
    report = Path(shown.group(1))
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    text = report.read_text()
    assert "RuntimeError" in text
    assert "in broken" in text
    assert "abc.def-123" not in text


def test_an_error_in_a_thread_worker_exits_1_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def work() -> None:
        raise KeyError("simulated bug in a worker")

    monkeypatch.setattr(AdueApp, "on_ready", lambda self: self.run_worker(work, thread=True))
    code, line = _run(tmp_path / "s.toml", capsys)
    assert code == 1
    assert "unexpected error" in line
    assert "simulated bug in a worker" in line


def test_a_full_disk_when_saving_on_quit_names_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    session = tmp_path / "s.toml"
    real_replace = os.replace

    def full(src: Any, dst: Any) -> None:
        if Path(dst) == session and session.exists():  # the first save (creating it) works
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr("tui.files.os.replace", full)
    monkeypatch.setattr(AdueApp, "on_ready", lambda self: self._save_and_exit())
    code, line = _run(session, capsys)
    assert code == 1
    assert line.startswith(f"adue: cannot write {session}: the disk holding {tmp_path} is full")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert not list((tmp_path / "state").rglob("crash-*"))  # a known failure: no report
