"""The wizard's Backend: its domain methods against the sandbox (the real msgraph-sdk/httpx
pipeline over loopback), the sandbox's address and CA known to it alone, its options
without argparse, and close() closing what it opened."""

from __future__ import annotations

import ast
import concurrent.futures
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import SandboxFactory
from tui.backend import Backend, WizardOptions
from tui.commands.wizard import wizard_options
from tui.graph.models import CheckTargets, GroupKind
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id
from tui.session import Session

SCREENS = Path(__file__).resolve().parents[2] / "screens"


@pytest.fixture
def backend(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Backend]:
    """Signed in to the shared demo tenant with its bearer token (reads only)."""
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", demo_sandbox_shared.token)
    session = Session.open(tmp_path / "s.toml", lock=False)
    signed = Backend(session, WizardOptions(auth="token"), running_sandbox=demo_sandbox_shared)
    signed.sign_in(lambda _prompt: None, threading.Event())
    yield signed
    signed.close()
    session.close()


def test_organization_is_the_sandbox_tenant(
    backend: Backend, demo_sandbox_shared: RunningSandbox
) -> None:
    organization = backend.organization()
    assert organization.id == demo_sandbox_shared.tenant_id
    assert organization.display_name == demo_sandbox_shared.organization


def test_search_groups_pages_on_demand(backend: Backend) -> None:
    first = backend.search_groups("", top=5)
    assert len(first.groups) == 5
    assert first.has_more
    rest = backend.next_group_page(first)
    assert {g.id for g in rest.groups}.isdisjoint({g.id for g in first.groups})


def test_search_groups_finds_by_name(backend: Backend) -> None:
    page = backend.search_groups("Finance", top=25, group="picker-search")
    assert "Finance" in [g.display_name for g in page.groups]


def test_group_kinds_are_asked_once_and_remembered(backend: Backend) -> None:
    page = backend.search_groups("BYOD", top=25)
    pilot = next(g for g in page.groups if g.display_name == "BYOD pilot")
    assert backend.remembered_group_kind(pilot.id) is None
    answers = backend.group_kinds([pilot])
    assert answers == [GroupKind.USERS]
    assert backend.known_group_kind(pilot) is GroupKind.USERS
    assert backend.remembered_group_kind(pilot.id) is GroupKind.USERS


def test_read_profiles_and_user_groups(backend: Backend) -> None:
    profiles = backend.read_profiles()
    assert profiles.profiles
    groups = backend.user_groups("PradeepG@contoso.com")
    names = {g.display_name for g in groups}
    assert "Finance" in names
    assert "BYOD pilot" in names


def test_run_checks_and_authenticator_state(backend: Backend) -> None:
    report = backend.run_checks(CheckTargets(group_ids=(stable_id("demo", "group", "byod-pilot"),)))
    assert report.results
    assert report.organization is not None
    finding = backend.authenticator_state()
    assert finding.usable
    assert finding.candidates


def test_plan_reads_the_session_against_the_tenant(backend: Backend) -> None:
    plan = backend.plan()  # an empty session: the plan names what to fill in
    assert plan.problems


def test_check_discovery_goes_to_the_sandbox_with_its_ca(
    backend: Backend, demo_sandbox_shared: RunningSandbox
) -> None:
    """The sign-in domain's file is fetched from the sandbox's HTTPS listener, trusted
    through its CA: the Backend knows both, the Prerequisites step names neither."""
    report = backend.check_discovery(
        demo_sandbox_shared.sign_in_domain, tenant_id=demo_sandbox_shared.tenant_id, cloud="global"
    )
    assert report.status == "pass"
    assert report.connect_to is not None
    assert report.connect_to[1] == int(demo_sandbox_shared.https_url.rsplit(":", 1)[1])


def test_close_closes_the_graph_client(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", demo_sandbox_shared.token)
    session = Session.open(tmp_path / "s.toml", lock=False)
    backend = Backend(session, WizardOptions(auth="token"), running_sandbox=demo_sandbox_shared)
    backend.sign_in(lambda _prompt: None, threading.Event())
    http = backend._graph.http  # white-box: the client only the domain methods use
    assert not http.is_closed
    backend.close()
    session.close()
    assert http.is_closed
    with pytest.raises(RuntimeError, match="closing"):
        backend.organization()


def test_a_later_call_of_a_group_cancels_the_one_in_flight(
    tmp_path: Path, sandbox_factory: SandboxFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A picker's newer search stops the older one's request (typing fast queues none),
    and `cancel(group)` stops it with no newer one."""
    sb = sandbox_factory(latency_ms=1000)
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", sb.token)
    session = Session.open(tmp_path / "s.toml", lock=False)
    backend = Backend(session, WizardOptions(auth="token"), running_sandbox=sb)
    backend.sign_in(lambda _prompt: None, threading.Event())
    outcomes: list[str] = []

    def search(text: str) -> None:
        try:
            backend.search_groups(text, top=5, group="picker-search")
        except concurrent.futures.CancelledError:
            outcomes.append(f"{text}: cancelled")
        else:
            outcomes.append(f"{text}: answered")

    older = threading.Thread(target=search, args=("Fin",))
    older.start()
    time.sleep(0.3)  # the older request is on its way (each answer takes 1 s)
    search("Finance")
    older.join(timeout=10)
    assert outcomes == ["Fin: cancelled", "Finance: answered"]
    alone = threading.Thread(target=search, args=("Sales",))
    alone.start()
    time.sleep(0.3)
    backend.cancel("picker-search")
    alone.join(timeout=10)
    assert outcomes[-1] == "Sales: cancelled"
    backend.close()
    session.close()


def test_wizard_options_from_the_command_line() -> None:
    from tui.cli import build_parser

    args = build_parser(subcommands=False).parse_args(["--sandbox", "--tenant", "contoso.com"])
    options = wizard_options(args)
    assert options == WizardOptions(sandbox=True, tenant="contoso.com")


def test_screens_call_only_the_backends_domain_methods() -> None:
    """No screen reaches the Graph client or runs coroutines on the Backend's loop."""
    forbidden = {"call", "run", "submit", "client", "_submit", "_call", "sandbox"}
    found = []
    for path in SCREENS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in forbidden
                and isinstance(node.value, ast.Attribute | ast.Name)
                and (node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id)
                == "backend"
            ):
                found.append(f"{path.name}:{node.lineno} backend.{node.attr}")
    assert found == []


def test_screens_touch_no_private_member_of_the_backend() -> None:
    """The loop, the Graph client and the sandbox are the Backend's own (`_call`,
    `_graph`, `_sandbox`...): a screen reaches none of them."""
    found = [
        f"{path.name}:{node.lineno} backend.{node.attr}"
        for path in SCREENS.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and isinstance(node.value, ast.Attribute | ast.Name)
        and (node.value.attr if isinstance(node.value, ast.Attribute) else node.value.id)
        == "backend"
    ]
    assert found == []


CLOSE_WITH_A_CALL_IN_FLIGHT = """
import os, sys, threading, time
from pathlib import Path
from tui.backend import Backend, WizardOptions
from tui.graph.models import CheckTargets
from tui.sandbox.server import start_sandbox
from tui.session import Session

with start_sandbox(seed="demo", latency_ms=1000) as sb:
    os.environ["ADUE_ACCESS_TOKEN"] = sb.token
    session = Session.open(Path(sys.argv[1]) / "s.toml", lock=False)
    backend = Backend(session, WizardOptions(auth="token"), running_sandbox=sb)
    backend.sign_in(lambda _prompt: None, threading.Event())
    def search():
        try:
            backend.run_checks(CheckTargets())
        except BaseException:
            pass
    threading.Thread(target=search, daemon=True).start()
    time.sleep(0.3)  # the request is on its way (each answer takes 1 s)
    backend.close()
    session.close()
print("closed")
"""


def test_close_with_a_call_in_flight_leaves_no_pending_task(tmp_path: Path) -> None:
    """Quitting while a Graph call is on its way: the call is cancelled and finishes
    cancelling before the loop stops, so nothing is reported at exit (asyncio prints
    "Task was destroyed but it is pending!" for a task left pending)."""
    done = subprocess.run(
        [sys.executable, "-c", CLOSE_WITH_A_CALL_IN_FLIGHT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.stdout.strip() == "closed", done.stderr
    assert "Task was destroyed" not in done.stderr
    assert "Traceback" not in done.stderr
