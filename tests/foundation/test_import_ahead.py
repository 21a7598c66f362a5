"""tui.import_ahead: modules imported in a thread of their own, quietly, once."""

from __future__ import annotations

import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.import_ahead import import_ahead


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on sys.path for this test's own modules, forgotten afterwards."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        del sys.modules[name]


def test_the_modules_are_imported_in_a_thread_of_their_own(modules: Path) -> None:
    (modules / "ahead_one.py").write_text(
        "import threading\nIMPORTED_IN = threading.current_thread().name\n", encoding="utf-8"
    )
    thread = import_ahead(["ahead_one", "json"])
    assert thread is not None
    thread.join(10)
    assert sys.modules["ahead_one"].IMPORTED_IN == thread.name != threading.main_thread().name
    assert import_ahead(["ahead_one", "json"]) is None  # nothing left to import


def test_a_module_that_fails_is_left_to_the_main_threads_own_import(
    modules: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (modules / "ahead_broken.py").write_text("raise RuntimeError('broken on purpose')\n")
    (modules / "ahead_after.py").write_text("VALUE = 1\n", encoding="utf-8")
    seen: list[object] = []
    previous, threading.excepthook = threading.excepthook, seen.append
    try:
        thread = import_ahead(["ahead_broken", "ahead_after"])
        assert thread is not None
        thread.join(10)
    finally:
        threading.excepthook = previous
    assert seen == []  # no traceback from the thread
    assert capsys.readouterr().err == ""
    assert "ahead_broken" not in sys.modules
    assert sys.modules["ahead_after"].VALUE == 1  # the ones after it still imported
    with pytest.raises(RuntimeError, match="broken on purpose"):
        __import__("ahead_broken")


def test_a_module_the_main_thread_needs_meanwhile_is_waited_for_whole(modules: Path) -> None:
    """The main thread's import of a module the thread is importing gets it complete."""
    (modules / "ahead_slow.py").write_text(
        textwrap.dedent(
            """
            import time
            STARTED = True
            time.sleep(0.3)
            DONE = True
            """
        ),
        encoding="utf-8",
    )
    thread = import_ahead(["ahead_slow"])
    assert thread is not None
    deadline = time.monotonic() + 10
    while "ahead_slow" not in sys.modules and time.monotonic() < deadline:
        time.sleep(0.001)  # until the thread has begun it
    import ahead_slow

    assert ahead_slow.DONE
    thread.join(10)
