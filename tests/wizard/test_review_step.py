"""Step 7, Review & apply: the plan for a demo session, apply with live progress, failures.

Everything runs for real: the Backend's msgraph-sdk pipeline over loopback HTTP to
a sandbox, tui.rollout.plan and tui.rollout.apply. The tenant's state is asserted through the
sandbox (`sb.state`, `sb.requests`) after the wizard applied.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Link, Static

from screens.dialogs.confirm import ConfirmDialog
from screens.review import ReviewStep
from screens.widgets.plan_view import ActionRow, PlanView
from tui.app import AdueApp
from tui.graph.auth import StaticTokenCredential
from tui.graph.client import build_graph_client
from tui.rollout.plan import make_plan
from tui.sandbox.faults import parse_rule
from tui.sandbox.server import RunningSandbox, start_sandbox

from .late_steps_support import (
    DEMO_PROFILE_NAME,
    SSO_NAME,
    demo_group,
    new_session,
    reopen,
    signed_in_app,
    until,
)

PROFILES = "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles"
CONFIGURATIONS = "/beta/deviceManagement/deviceConfigurations"


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    """A demo tenant of this test's own (apply writes to it); retries without waiting."""
    with start_sandbox(seed="demo", retry_after=0) as running:
        yield running


def status(app: AdueApp) -> str:
    return str(app.query_one("#review-status", Static).render())


def outcome(app: AdueApp) -> str:
    return "\n".join(str(w.render()) for w in app.query("#review-outcome Static"))


def rows(app: AdueApp) -> list[ActionRow]:
    return app.query_one(PlanView).rows()


async def planned(pilot: Any) -> None:
    app = pilot.app
    await until(pilot, lambda: bool(app.query(PlanView)) and "Comparing" not in status(app))


async def apply_confirmed(pilot: Any) -> None:
    """Press Apply, confirm in the dialog, wait for apply (and the plan after it)."""
    app = pilot.app
    await pilot.click("#review-apply")
    await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    await pilot.click("#confirm-ok")
    await until(
        pilot,
        lambda: (
            not app.query_one("#review").applying
            and "Comparing" not in status(app)
            and "Applying" not in status(app)
        ),
    )


def after_fresh_plan(monkeypatch: pytest.MonkeyPatch, then: Callable[[Any], None]) -> None:
    """Run `then(review_step)` each time Apply's fresh plan is on screen, before its first
    write (Apply re-reads the tenant, so a fault set earlier would hit those reads)."""
    original = ReviewStep._show_fresh_plan

    async def shown(self: Any, plan: Any) -> None:
        await original(self, plan)
        then(self)

    monkeypatch.setattr(ReviewStep, "_show_fresh_plan", shown)


def fail_writes_once(monkeypatch: pytest.MonkeyPatch, sb: RunningSandbox, rule: str) -> None:
    """The first Apply's writes meet `rule`; later Applies meet no fault."""
    armed = [True]

    def arm(_step: Any) -> None:
        sb.faults.rules = [parse_rule(rule)] if armed[0] else []
        armed[0] = False

    after_fresh_plan(monkeypatch, arm)


def sso_policies(sb: RunningSandbox) -> list[dict[str, Any]]:
    return [p for p in sb.state.device_configurations.values() if p["displayName"] == SSO_NAME]


def our_profiles(sb: RunningSandbox) -> list[dict[str, Any]]:
    return [
        p for p in sb.state.enrollment_profiles.values() if p["displayName"] == DEMO_PROFILE_NAME
    ]


async def test_review_shows_the_plan_and_apply_creates_everything(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        assert status(app) == "7 changes to apply (2 create, 4 assign, 1 reorder)."
        headings = [str(w.render()) for w in app.query(".plan-heading")]
        assert headings == ["Will create", "Will assign", "Will reorder"]
        titles = [row.action.title for row in rows(app)]
        assert f"Create the enrollment profile '{DEMO_PROFILE_NAME}'" in titles
        assert "Make Microsoft Authenticator required (user licensing)" in titles
        assert not sb.writes()  # planning never writes
        await apply_confirmed(pilot)
        assert all(row.state == "done" and row.request_id for row in rows(app)), [
            (r.action.key, r.state) for r in rows(app)
        ]
        assert status(app) == (
            "Checked again: nothing to change: the tenant already matches this session."
        )
        assert app.query_one("#review-apply", Button).disabled
        text = outcome(app)
        assert text.startswith("Applied: 7 writes, all done.")
        links = [link.url for link in app.query(Link)]
        app_id = session.get("authenticator", "app_id")
        assert (
            f"https://intune.microsoft.com/#view/Microsoft_Intune_Apps/SettingsMenu/~/0/appId/{app_id}"
            in links
        )
        assert len(links) == 4  # the SSO policy, Authenticator, the web clip, the profile
        assert "● 7 Review & apply" in str(app.query_one("#step-list").render_line(6))

    # the tenant, as the sandbox has it
    (policy,) = sso_policies(sb)
    assert session.get("sso_extension", "policy_id") == policy["id"]
    assert [a["target"]["groupId"] for a in sb.state.config_assignments[policy["id"]]] == [
        demo_group("byod-pilot")["id"]
    ]
    (profile,) = our_profiles(sb)
    assert profile["priority"] == 0
    assert session.get("enrollment_profile", "profile_id") == profile["id"]
    assert [a["target"]["groupId"] for a in sb.state.profile_assignments[profile["id"]]] == [
        demo_group("byod-pilot")["id"]
    ]
    app_assignments = sb.state.app_assignments[session.get("authenticator", "app_id")]
    assert [(a["intent"], a["target"]["groupId"]) for a in app_assignments] == [
        ("required", demo_group("byod-pilot")["id"])
    ]
    assert session.get("review", "status") == "done"
    assert session.get("review", "last_result") == "ok"
    assert [e["result"] for e in session.journal()] == ["ok"] * 7
    # a second plan, made independently of the wizard, is empty
    client = build_graph_client(
        StaticTokenCredential(sb.token),
        graph_root=sb.graph_url,
        scopes=["https://graph.microsoft.com/.default"],
    )
    try:
        assert (await make_plan(client, reopen(session).data)).is_empty
    finally:
        await client.aclose()


async def test_cancel_in_the_confirmation_writes_nothing(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        app.query_one("#review-apply", Button).focus()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.focused is not None
        assert app.focused.id == "confirm-cancel"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)
        assert all(row.state == "planned" for row in rows(app))
    assert not sb.writes()
    assert session.get("review", "last_result") == ""


async def test_failure_names_the_request_id_and_a_rerun_resumes(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        # Graph fails every enrollment profile write (500 is not retried)
        fail_writes_once(monkeypatch, sb, f"500:1@{PROFILES}")
        await apply_confirmed(pilot)
        failed = [row for row in rows(app) if row.state == "failed"]
        assert [row.action.key for row in failed] == ["enrollment_profile:create"]
        assert failed[0].request_id
        assert {
            row.state for row in rows(app) if row.action.chain.value == "enrollment_profile"
        } == {
            "failed",
            "skipped",
        }
        text = outcome(app)
        assert text.startswith("Apply stopped: 1 write failed, 2 not tried; 4 done.")
        assert f"Graph request-id: {failed[0].request_id}" in text
        assert "press Apply again" in text
        assert "What happened:" in text
        assert session.get("review", "last_result") == "failed"
        await pilot.press("ctrl+q")  # quit in the middle; reopen lands here

    session = reopen(session)
    assert session.current_step == "review"
    sb.faults.rules = []
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        last = str(app.query_one("#review-last", Static).render())
        assert (
            last == "The last apply stopped with a failure: press Apply to resume where it stopped."
        )
        assert status(app) == "3 changes to apply (1 create, 1 assign, 1 reorder)."
        await apply_confirmed(pilot)
        assert outcome(app).startswith("Applied: 3 writes, all done.")
    assert len(sso_policies(sb)) == 1  # resumed: nothing created twice
    assert len(our_profiles(sb)) == 1


async def test_apply_again_in_place_after_a_failure_reads_the_tenant_first(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The SSO policy is created, the profile write fails; the fault is cleared and Apply
    # is pressed again on the same screen: a fresh plan adopts the policy, no duplicate.
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        fail_writes_once(monkeypatch, sb, f"500:1@{PROFILES}")
        await apply_confirmed(pilot)
        assert outcome(app).startswith("Apply stopped: 1 write failed")
        assert len(sso_policies(sb)) == 1
        assert not app.query_one("#review-apply", Button).disabled
        sb.faults.rules = []  # the fault is cleared (and fail_writes_once does not re-arm)
        sb.clear_requests()
        await pilot.click("#review-apply")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = str(app.screen.query_one(".confirm-text", Static).render())
        assert f"Contoso ({sb.tenant_id})" in text  # the dialog names the signed-in tenant
        await pilot.click("#confirm-ok")
        await until(
            pilot,
            lambda: (
                not app.query_one("#review").applying  # type: ignore[attr-defined]
                and "Comparing" not in status(app)
                and "Applying" not in status(app)
            ),
        )
        assert outcome(app).startswith("Applied: 3 writes, all done."), outcome(app)
        # Re-read before writing: the tenant check and the plan's reads come first.
        requests = list(sb.requests)
        first_write = next(i for i, r in enumerate(requests) if r.is_write)
        reads = [(r.method, r.path) for r in requests[:first_write]]
        assert ("GET", "/v1.0/organization") in reads
        assert any(path.startswith(CONFIGURATIONS) for _, path in reads)
        # the rows are the fresh plan's: what was left, each done; the policy is not
        # created again
        done = [row.action.key for row in rows(app) if row.state == "done"]
        changes = [row.action.key for row in rows(app) if row.action.kind.value != "nothing"]
        assert sorted(done) == sorted(changes), (done, changes)
        assert "enrollment_profile:create" in done
        assert "sso_extension:create" not in _keys(rows(app))
    assert len(sso_policies(sb)) == 1
    assert len(our_profiles(sb)) == 1


def _keys(action_rows: list[ActionRow]) -> list[str]:
    return [row.action.key for row in action_rows]


async def test_quit_during_apply_then_resume_creates_nothing_twice(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        # the profile's creation is slow: quit while it is in flight
        fail_writes_once(monkeypatch, sb, f"latency:1500@{PROFILES}")
        await pilot.click("#review-apply")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-ok")
        await until(
            pilot,
            lambda: any(
                r.action.key == "enrollment_profile:create" and r.state == "running"
                for r in rows(app)
            ),
            workers=False,
        )
        await pilot.press("ctrl+q")
        # Quitting while writing asks first (the next apply resumes).
        await until(pilot, lambda: app.screen.id == "quit-confirm", workers=False)
        await pilot.click("#confirm-ok")
    # The write in flight still lands (Graph finishes what it received); a re-run after
    # that adopts the profile by its name instead of creating it again.
    deadline = time.monotonic() + 10
    while not any(r.method == "POST" and r.path == PROFILES for r in sb.requests):
        assert time.monotonic() < deadline, "the in-flight profile write never arrived"
        await asyncio.sleep(0.05)
    session = reopen(session)
    # Quitting stops the apply, unless its last writes land while the app closes.
    last_result = session.get("review", "last_result")
    assert last_result in ("interrupted", "ok")
    assert session.current_step == "review"
    sb.faults.rules = []
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        last = str(app.query_one("#review-last", Static).render())
        if last_result == "interrupted":
            assert last.startswith("The last apply was interrupted before it finished")
        if app.query_one("#review-apply", Button).disabled:  # everything had landed
            assert status(app).startswith("Nothing to change")
        else:
            await apply_confirmed(pilot)
            assert outcome(app).startswith("Applied:")
    assert len(sso_policies(sb)) == 1
    assert len(our_profiles(sb)) == 1


async def test_throttling_is_retried_and_shown_on_the_action(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        seen: list[str] = []
        watched: list[ActionRow] = []

        def watch(_step: Any) -> None:
            # the rows of Apply's fresh plan; the first POST of the policy is throttled,
            # the retry goes through
            sso_row = next(r for r in rows(app) if r.action.key == "sso_extension:create")
            original = sso_row.set_state

            def spy(state: Any, note: str = "", request_id: str = "") -> None:
                seen.append(state)
                original(state, note, request_id)

            monkeypatch.setattr(sso_row, "set_state", spy)
            watched.append(sso_row)
            sb.faults.rules = [parse_rule(f"429:1@{CONFIGURATIONS}")]

        after_fresh_plan(monkeypatch, watch)
        sb.on_request(
            lambda record: setattr(sb.faults, "rules", []) if record.status == 429 else None
        )
        await apply_confirmed(pilot)
        # (each retry notice the pipeline sends for the row's URL shows as "retrying")
        assert seen[0] == "running", seen
        assert "retrying" in seen, seen
        assert seen[-1] == "done", seen
        assert watched[0].note.startswith("done; Graph was busy, retried"), watched[0].note
    statuses = [r.status for r in sb.requests if r.method == "POST" and r.path == CONFIGURATIONS]
    assert statuses == [429, 201]


def _review_app(tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> AdueApp:
    return signed_in_app(new_session(tmp_path, "review"), sb, monkeypatch)


@pytest.fixture(scope="module")
def shared_demo() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo") as running:
        yield running


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_review_snapshot(
    snap_compare: Any,
    tmp_path: Path,
    shared_demo: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    app = _review_app(tmp_path, shared_demo, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=planned)


def test_confirm_dialog_snapshot(
    snap_compare: Any, tmp_path: Path, shared_demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def open_dialog(pilot: Any) -> None:
        await planned(pilot)
        await pilot.click("#review-apply")
        await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog))

    app = _review_app(tmp_path, shared_demo, monkeypatch)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_dialog)


async def test_before_sign_in_the_step_says_so_and_cannot_apply(tmp_path: Path) -> None:
    session = new_session(tmp_path, "review")
    async with AdueApp(session).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app = pilot.app
        assert app.query_one("#review-needs-sign-in").display
        assert app.query_one("#review-apply", Button).disabled
        assert app.query_one("#review-replan", Button).disabled
