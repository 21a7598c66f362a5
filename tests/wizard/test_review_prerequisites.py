"""Review names each prerequisite not met and Authenticator's licence use (issue 17,
point 2), through the real Backend over loopback HTTP to the sandbox: on `expired-apns`
Apply needs a confirmation of its own (saved in the session, respected after a restart);
warnings accepted in step 2 need none; more targeted users than free licences is a warning.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Checkbox, Static

from screens.dialogs.confirm import ConfirmDialog
from screens.review import ReviewStep
from screens.widgets.plan_view import PlanView
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

from .late_steps_support import new_session, reopen, signed_in_app, until


@pytest.fixture(scope="module")
def expired() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="expired-apns") as running:
        yield running


@pytest.fixture(scope="module")
def few_licences() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="authenticator-device-licensed") as running:
        yield running


def _text(app: Any, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def _reviewed(pilot: Any) -> None:
    """The plan and the prerequisite checks are both on screen."""
    app = pilot.app
    review = app.query_one("ReviewStep")
    await until(
        pilot,
        lambda: (
            bool(app.query(PlanView))
            and review.checks is not None
            and "Comparing" not in _text(app, "#review-status")
        ),
    )


def _saved(session: Session) -> dict[str, Any]:
    return tomllib.loads(session.path.read_text(encoding="utf-8"))


async def test_failing_prerequisite_is_named_and_needs_its_own_confirmation(
    tmp_path: Path, expired: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, expired, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _reviewed(pilot)
        shown = _text(app, "#review-prereq")
        assert "Prerequisites not met (step 2):" in shown
        assert "✘ Apple MDM push certificate: " in shown, shown
        ack = app.query_one("#review-prereq-ack", Checkbox)
        assert ack.display
        assert not ack.value
        assert "I know the above are not met" in str(ack.label)
        apply = app.query_one("#review-apply", Button)
        assert apply.disabled  # the plan has changes, but the prerequisite is not confirmed
        plan = app.query_one(ReviewStep).plan
        assert plan is not None
        assert not plan.blocked
        assert not _saved(session)["prerequisites"].get("acknowledged_failures")

        ack.focus()
        await pilot.press("space")
        await until(pilot, lambda: not apply.disabled)
        assert _saved(session)["prerequisites"]["acknowledged_failures"] == ["apns_certificate"]
        await pilot.click("#review-apply")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        words = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "although these are not met: Apple MDM push certificate" in words
        await pilot.press("escape")

    # After a restart the choice stands: Apply is available without asking again.
    app = signed_in_app(reopen(session), expired, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _reviewed(pilot)
        assert app.query_one("#review-prereq-ack", Checkbox).value
        assert not app.query_one("#review-apply", Button).disabled


async def test_accepted_warning_needs_no_confirmation_and_licences_are_counted(
    tmp_path: Path, few_licences: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    session.update("sso_extension", {"all_users": True, "groups": []})
    session.save()
    app = signed_in_app(session, few_licences, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _reviewed(pilot)
        summary = _text(app, "#review-summary")
        # 40 licences, 37 in use (the seed): 3 free for every user of the tenant.
        assert "Authenticator licences: up to " in summary, summary
        assert " of 3 free (37 of 40 in use, Microsoft Authenticator)" in summary
        assert "but only 3 free licences" in summary
        shown = _text(app, "#review-prereq")
        assert "Microsoft Authenticator as a user-licensed VPP app" in shown  # not accepted
        assert app.query_one("#review-apply", Button).disabled

    session = reopen(session)
    # Step 2's "I accept the warnings above": the licences and the device-licensed assignment.
    accepted = ["authenticator_app", "user_enrollment_compatibility"]
    session.set("prerequisites", "acknowledged_warnings", accepted)
    session.save()
    app = signed_in_app(session, few_licences, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _reviewed(pilot)
        assert not app.query_one("#review-prereq").display, _text(app, "#review-prereq")
        assert not app.query_one("#review-prereq-ack").display
        assert not app.query_one("#review-apply", Button).disabled
        assert "but only 3 free licences" in _text(app, "#review-summary")
