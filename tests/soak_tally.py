"""The tally a test run prints at its end (README "Reliability"; `make soak` above all):
one row per reliability area with its test cases, how many of them are soak-marked and
how many failed, then the faults tests injected and what came of them, which tests add
through the `tally` fixture:

    def test_x(tally):
        tally["429 answers"] += n

Cases and failures come from pytest's reports, so they are counted with and without
xdist workers; the `tally` counts only without workers (`make soak` runs -p no:xdist).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest

TALLY: Counter[str] = Counter()

# area -> its test files (as pytest names them, from the repository root)
AREAS: dict[str, tuple[str, ...]] = {
    "fault matrix": ("tests/reliability/test_fault_matrix.py",),
    "wizard fault matrix (press Apply until done)": ("tests/wizard/test_apply_fault_matrix.py",),
    "lost answers": ("tests/reliability/test_lost_answers.py",),
    "web clip lost answers": ("tests/reliability/test_web_clip_lost_answers.py",),
    "kills during destroy": ("tests/reliability/test_destroy_kills.py",),
    "concurrent admins": ("tests/reliability/test_concurrent_admins.py",),
    "tenant mismatches refused": ("tests/reliability/test_tenant_mismatches.py",),
    "interrupts": ("tests/reliability/test_interrupts.py",),
    "kill during saves": ("tests/reliability/test_kill_during_saves.py",),
    "fleet: kills of adue fleet apply, fleet file fuzzing": (
        "tests/fleet/test_fleet_kill.py",
        "tests/fleet/test_fleet_file.py",
    ),
    "two processes": ("tests/reliability/test_two_processes.py",),
    "broken sessions": ("tests/reliability/test_broken_sessions.py",),
    "journal compaction": ("tests/reliability/test_journal_compaction.py",),
    "fuzzing": (
        "tests/reliability/test_fuzz_validators.py",
        "tests/reliability/test_fuzz_session_loader.py",
        "tests/reliability/test_fuzz_graph_parsers.py",
    ),
    "hostile files, no traceback, token hosts": (
        "tests/reliability/test_hostile_files.py",
        "tests/reliability/test_no_traceback.py",
        "tests/reliability/test_token_hosts.py",
    ),
    "secret scan": ("tests/reliability/test_secret_scan.py",),
    # Hostile input (issue 14): each area's single cases and its bulk form.
    "hostile text (widgets, CLI, JSON)": ("tests/reliability/test_hostile_text.py",),
    "hostile seed through the wizard (Pilot, tmux)": (
        "tests/wizard/test_hostile_names.py",
        "tests/wizard/test_hostile_terminal.py",
    ),
    "sandbox access (admin token, forged tokens)": (
        "tests/sandbox/test_access_guard.py",
        "tests/reliability/test_forged_tokens.py",
    ),
    "hostile discovery servers and bodies": (
        "tests/discovery/test_check_hostile.py",
        "tests/discovery/test_fuzz_bodies.py",
    ),
    "printed guide page breaks (Chromium)": ("tests/guide/test_page_breaks.py",),
}
AREA_OF = {path: area for area, paths in AREAS.items() for path in paths}


@dataclass
class _Area:
    cases: set[str] = field(default_factory=set)
    soak: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)


_SEEN: defaultdict[str, _Area] = defaultdict(_Area)


@pytest.fixture
def tally() -> Counter[str]:
    return TALLY


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    area = AREA_OF.get(report.nodeid.split("::", 1)[0])
    if area is None:
        return
    seen = _SEEN[area]
    # A case is counted once it ran, or once its set-up failed or skipped it.
    if report.when == "call" or (report.when == "setup" and not report.passed):
        seen.cases.add(report.nodeid)
        if "soak" in report.keywords:
            seen.soak.add(report.nodeid)
    if report.failed:
        seen.failed.add(report.nodeid)
    if report.skipped:
        seen.skipped.add(report.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _SEEN and not TALLY:
        return
    write = terminalreporter.write_line
    terminalreporter.section("reliability tally")
    if _SEEN:
        width = max(len(area) for area in AREAS)
        write(f"{'area':<{width}}  cases  soak-marked  failed  skipped")
        for area in AREAS:
            if area in _SEEN:
                s = _SEEN[area]
                write(
                    f"{area:<{width}}  {len(s.cases):>5}  {len(s.soak):>11}  "
                    f"{len(s.failed):>6}  {len(s.skipped):>7}"
                )
    for name, count in sorted(TALLY.items()):  # empty when the tests ran in xdist workers
        write(f"{name}: {count}")
