"""Shared pytest fixtures: running sandbox tenants (tui.sandbox) for any test.

    def test_something(sandbox):            # a fresh `demo` tenant for this test
        sandbox.graph_url, sandbox.token, sandbox.state, sandbox.requests ...

    def test_other(sandbox_factory):        # any seed / faults, stopped after the test
        sb = sandbox_factory(seed="expired-apns", faults=["429:0.3"], retry_after=0)

    def test_reads(demo_sandbox_shared):    # one demo tenant per test session: READ ONLY
    def test_search(large_sandbox):         # the 100,000-group tenant, once per session

    def test_sdk(msgraph_warm):             # msgraph's models imported (~1.6 s CPU, once)

Every sandbox listens on 127.0.0.1 on free ports and is stopped at teardown. Tests that
change the tenant must use `sandbox` or `sandbox_factory`, never the shared ones.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tui.sandbox.server import RunningSandbox, start_sandbox

# Hypothesis times how long it takes to make its examples, and under xdist on a 2-core
# machine that is busy a regex strategy was once too slow for it (FailedHealthCheck in
# test_desired, load 17): that measures the machine, not the property tested.
settings.register_profile("adue", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("adue")

# Child processes (`python -m tui …`, `adue` in tmux) must run this checkout's code, not
# whatever checkout the virtualenv's editable install happens to point at (several
# worktrees may share one venv).
CHECKOUT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(
    [CHECKOUT, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
)

# The `tally` fixture and the reliability tally printed at the end of a run.
pytest_plugins = ("tests.soak_tally",)

SandboxFactory = Callable[..., RunningSandbox]


@pytest.fixture
def sandbox_factory() -> Iterator[SandboxFactory]:
    """`factory(**start_sandbox_kwargs)` -> a running sandbox, stopped after the test."""
    started: list[RunningSandbox] = []

    def factory(**kwargs: Any) -> RunningSandbox:
        sb = start_sandbox(**kwargs)
        started.append(sb)
        return sb

    yield factory
    for sb in started:
        sb.stop()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> RunningSandbox:
    """A fresh `demo` tenant (Contoso) without faults, for one test."""
    return sandbox_factory(seed="demo")


@pytest.fixture(scope="session")
def demo_sandbox_shared() -> Iterator[RunningSandbox]:
    """One `demo` tenant for the whole session. Read only: do not change the tenant,
    its faults or its discovery variant."""
    with start_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture(scope="session")
def large_sandbox() -> Iterator[RunningSandbox]:
    """The `large` tenant (100,000 groups, 5,000 apps, 50 profiles); built once (~2-4 s).
    Read only."""
    with start_sandbox(seed="large") as sb:
        yield sb


@pytest.fixture(scope="session")
def msgraph_warm() -> None:
    """Pay msgraph-sdk's first model deserialisation (~1.6 s CPU) once per session."""
    from msgraph.generated.models.group import Group
    from msgraph.generated.models.group_collection_response import GroupCollectionResponse

    Group().get_field_deserializers()
    GroupCollectionResponse().get_field_deserializers()
