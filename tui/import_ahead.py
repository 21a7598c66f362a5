"""Import modules in a thread of their own while the caller's thread waits on the network.

A headless command's CPU before its first request is mostly imports, and it then waits a
round trip for the answer with nothing to do. What is needed only after the answer (the
plan engine, once the tenant is read) can be imported in that wait: the thread runs
while the main thread waits with the GIL released, so those imports no longer delay the
request. Python's per-module import locks keep it correct: a module the main thread
needs while the thread is still importing it is waited for, then used whole. Called
once the request is written (tui.graph.request_sent), not before: the two threads would
otherwise share the CPU while the request is being sent.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Sequence


def import_ahead(names: Sequence[str]) -> threading.Thread | None:
    """Start importing those of `names` not imported yet; the thread, or None (nothing to do)."""
    missing = [name for name in names if name not in sys.modules]
    if not missing:
        return None
    thread = threading.Thread(target=_import_all, args=(missing,), name="adue-import-ahead")
    thread.start()
    return thread


def _import_all(names: Sequence[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the main thread's own import of it says what is wrong
            continue
