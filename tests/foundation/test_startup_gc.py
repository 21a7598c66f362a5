"""The garbage collector is paused while the wizard or a tenant command starts and always
comes back on."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tui import startup_gc
from tui.app import AdueApp
from tui.sandbox.server import RunningSandbox
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


def test_a_tenant_command_starts_up_uncollected_and_collects_after_the_check(
    sandbox: RunningSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`adue plan` signs in and builds the client with the collector paused (its imports'
    objects live as long as the process), which is back on from the tenant check on."""
    from tests.plan.helpers import session_with_ids
    from tui import cli
    from tui.commands import connect, plan_common

    seen: dict[str, bool] = {}
    sign_in_client = connect.sign_in_client

    def signing_in(*args: Any, **kwargs: Any) -> Any:
        seen["signing in"] = gc.isenabled()
        return sign_in_client(*args, **kwargs)

    async def keep_plan(_client: Any, _target: Any, plan: Any) -> Any:
        seen["planned"] = gc.isenabled()
        return plan

    monkeypatch.setattr(connect, "sign_in_client", signing_in)
    monkeypatch.setattr(plan_common, "keep_plan", keep_plan)
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", sandbox.token)
    monkeypatch.setenv("ADUE_GRAPH_URL", sandbox.graph_url)
    path = session_with_ids(sandbox, tmp_path)
    assert gc.isenabled()
    assert cli.main(["plan", "--session", str(path), "--graph-url", sandbox.graph_url]) == 2
    assert seen == {"signing in": False, "planned": True}
    assert gc.isenabled()
