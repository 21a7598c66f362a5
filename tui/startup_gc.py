"""The cyclic garbage collector, paused while the wizard starts.

Start-up allocates a few hundred thousand objects (Textual, the shell's widgets, later
msgraph and azure.identity) that live as long as the process. The collector would scan
them over and over as they are made: about 13 ms of the first frame, measured with
bench/startup.py. So `pause()` turns it off at start, and `resume()`, once the start-up
imports are done, freezes what exists (moves it out of the collector's sight for good:
later collections, which run on the UI thread, stay short) and turns it back on.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop the collector until `resume()` (only if it is running now)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze the objects start-up made and restart the collector, if `pause()` stopped it."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
