"""The wizard's workers answer with typed messages (asserted with `run_test(message_hook=)`):
apply's fresh plan, each action's progress and the result, in that order; a superseded
search answers nothing; a failed read is its own message. Over the real msgraph-sdk
pipeline to a sandbox."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Input, Select
from textual.worker import Worker, WorkerState

from screens.dialogs.confirm import ConfirmDialog
from screens.prerequisites import PrerequisitesStep
from screens.priority import PriorityStep
from screens.review import ReviewStep
from screens.sign_in import SignInStep
from screens.widgets.group_picker import GroupPicker
from tests.wizard.conftest import Posted, settle, until
from tests.wizard.late_steps_support import new_session, signed_in_app
from tests.wizard.sso_auth_profile_support import PickerApp, private_home, signed_in_backend
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.faults import parse_rule
from tui.sandbox.server import RunningSandbox
from tui.session import Session


async def test_apply_posts_its_fresh_plan_then_each_actions_progress_then_the_result(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = sandbox_factory(seed="demo", retry_after=0)
    app = signed_in_app(new_session(tmp_path, "review"), sb, monkeypatch)
    posted = Posted()
    async with app.run_test(size=(80, 24), message_hook=posted) as pilot:
        await until(pilot, lambda: bool(posted.of(ReviewStep.Planned)))
        await until(pilot, lambda: not app.query_one("#review-apply").disabled)
        await pilot.click("#review-apply")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.click("#confirm-ok")
        await until(pilot, lambda: len(posted.of(ReviewStep.Planned)) == 2)

    sequence = posted.kinds(ReviewStep.FreshPlan, ReviewStep.ApplyProgress, ReviewStep.Applied)
    assert sequence[0] == "FreshPlan"
    assert sequence[-1] == "Applied"
    assert set(sequence[1:-1]) == {"ApplyProgress"}
    (fresh,) = posted.of(ReviewStep.FreshPlan)
    assert fresh.plan.changes
    events = [(m.event.event, m.event.action_key) for m in posted.of(ReviewStep.ApplyProgress)]
    done = [key for event, key in events if event == "done"]
    assert done
    # Each action's row starts before it is done (the messages keep their order).
    assert [key for key in done if events.index(("start", key)) > events.index(("done", key))] == []
    assert [key for event, key in events if event == "failed"] == []
    (applied,) = posted.of(ReviewStep.Applied)
    assert applied.result.ok
    assert posted.of(ReviewStep.ApplyFailed) == []
    after = posted.of(ReviewStep.Planned)[-1]
    assert after.after_apply
    assert after.plan.is_empty


async def test_a_superseded_search_answers_nothing(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter on one text, then at once on another: the first search's worker is cancelled
    and its request with it; only the second one's page arrives."""
    private_home(tmp_path, monkeypatch)
    session = Session.open(tmp_path / "s.toml", lock=False)
    sb = sandbox_factory(seed="demo", latency_ms=300)
    app = PickerApp(signed_in_backend(session, sb, monkeypatch))
    posted = Posted()
    async with app.run_test(size=(80, 24), message_hook=posted) as pilot:
        search = app.query_one("#picker-search", Input)
        search.focus()
        search.value = "Fin"
        await pilot.press("enter")
        search.value = "Sales"
        await pilot.press("enter")
        await settle(app, pilot)
        await app.workers.wait_for_complete()
    answered = posted.of(GroupPicker.SearchAnswered)
    assert [m.page.query for m in answered] == ["Sales"]
    assert posted.of(GroupPicker.SearchFailed) == []
    session.close()


async def test_who_wins_answers_with_the_users_groups_or_why_not(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in_app(new_session(tmp_path, "priority"), demo_sandbox_shared, monkeypatch)
    posted = Posted()
    async with app.run_test(size=(80, 24), message_hook=posted) as pilot:
        await until(pilot, lambda: bool(posted.of(PriorityStep.ProfilesRead)))
        user = app.query_one("#priority-user", Input)
        user.value = "AdeleV@contoso.com"
        user.focus()
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: bool(posted.of(PriorityStep.UserGroupsRead)))
        user.value = "nobody@contoso.com"
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: bool(posted.of(PriorityStep.UserGroupsFailed)))
    (read,) = posted.of(PriorityStep.UserGroupsRead)
    assert read.user == "AdeleV@contoso.com"
    assert "BYOD pilot" in {g.display_name for g in read.groups}
    (failed,) = posted.of(PriorityStep.UserGroupsFailed)
    assert failed.user == "nobody@contoso.com"
    assert getattr(failed.error, "status", None) == 404
    assert len(posted.of(PriorityStep.ProfilesRead)) == 1


async def test_a_sign_in_that_cannot_start_posts_its_failure(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "s.toml", lock=False)
    app = AdueApp(session, backend=Backend(session, WizardOptions()))
    posted = Posted()
    async with app.run_test(size=(80, 24), message_hook=posted) as pilot:
        await pilot.pause()
        app.query_one("#sign-in-auth", Select).value = "secret"
        await pilot.pause()
        app.query_one("#sign-in-button").focus()
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        await until(pilot, lambda: bool(posted.of(SignInStep.SignInFailed)))
    (failed,) = posted.of(SignInStep.SignInFailed)
    assert "tenant" in str(failed.error).lower()
    assert posted.of(SignInStep.Done) == []
    assert posted.of(SignInStep.DeviceCode) == []
    session.close()


async def test_the_start_up_worker_posts_the_sandbox_then_the_resumed_sign_in(
    tmp_path: Path, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session whose sign-in was done, in sandbox mode: the start-up worker posts the
    sandbox it started, then asks for the sign-in again (the sandbox's own, interactive);
    the app takes both, in that order, and the wizard ends up signed in."""
    session = new_session(tmp_path, "review")
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", demo_sandbox_shared.token)
    backend = Backend(session, WizardOptions(auth="token"), running_sandbox=demo_sandbox_shared)
    app = AdueApp(session, backend=backend)
    posted = Posted()
    async with app.run_test(size=(80, 24), message_hook=posted) as pilot:
        await until(pilot, lambda: backend.signed_in is not None, what="the resumed sign-in")
    assert posted.kinds(AdueApp.SandboxStarted, AdueApp.ResumeSignIn) == [
        "SandboxStarted",
        "ResumeSignIn",
    ]
    (started,) = posted.of(AdueApp.SandboxStarted)
    assert started.info.graph_url == demo_sandbox_shared.graph_url
    assert app.sandbox_info is started.info
    (resume,) = posted.of(AdueApp.ResumeSignIn)
    assert resume.interactive is True


async def test_a_fresh_session_without_the_sandbox_posts_no_start_up_message(
    tmp_path: Path,
) -> None:
    session = Session.open(tmp_path / "s.toml", lock=False)
    app = AdueApp(session, backend=Backend(session, WizardOptions()))
    posted = Posted()
    async with app.run_test(size=(80, 24), message_hook=posted) as pilot:
        await until(
            pilot,
            lambda: any(
                m.worker.name == "prepare" and m.state is WorkerState.SUCCESS
                for m in posted.of(Worker.StateChanged)
            ),
            what="the start-up worker's end",
        )
    assert posted.of(AdueApp.SandboxStarted) == []
    assert posted.of(AdueApp.ResumeSignIn) == []
    assert app.sandbox_info is None
    session.close()


async def test_checks_that_cannot_be_read_stop_loading_and_say_why(
    tmp_path: Path, sandbox_factory: Callable[..., RunningSandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Graph answer a 503: the checks' worker answers ChecksFailed, whose handler
    takes the results box out of loading and notifies what went wrong."""
    sb = sandbox_factory(seed="demo", retry_after=0)
    app = signed_in_app(new_session(tmp_path, "prerequisites"), sb, monkeypatch)
    sb.faults.rules = [parse_rule("503:1")]
    posted = Posted()
    async with app.run_test(size=(80, 24), message_hook=posted) as pilot:
        await until(pilot, lambda: bool(posted.of(PrerequisitesStep.ChecksFailed)))
        await settle(app, pilot)
        results = app.query_one("#prereq-results")
        shown = [(n.title, str(n.message)) for n in app._notifications]
    assert posted.of(PrerequisitesStep.ChecksRead) == []
    assert not results.loading
    assert any(title == "Something went wrong" and "503" in text for title, text in shown), shown
