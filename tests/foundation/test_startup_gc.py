"""The garbage collector is paused while the wizard starts and always comes back on."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from tui import startup_gc
from tui.app import AdueApp
from tui.session import Session


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    yield
    startup_gc.resume()
    gc.enable()
    gc.unfreeze()  # give the objects frozen by the test back to the collector


async def test_the_app_resumes_the_collector_once_start_up_is_done(session: Session) -> None:
    startup_gc.pause()
    assert not gc.isenabled()
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):  # the prepare worker: sandbox, step modules, msgraph imports
            if gc.isenabled():
                break
            await asyncio.sleep(0.05)
        assert gc.isenabled()
        assert gc.get_freeze_count() > 0  # start-up's objects are out of the collector's way
        await pilot.press("ctrl+n")  # and the wizard goes on as usual
        assert app.current_step == "prerequisites"


def test_resume_leaves_a_collector_it_did_not_stop_alone() -> None:
    gc.disable()  # someone else's choice, e.g. an embedding program
    startup_gc.resume()
    assert not gc.isenabled()
    gc.enable()
    startup_gc.pause()
    startup_gc.resume()
    assert gc.isenabled()
