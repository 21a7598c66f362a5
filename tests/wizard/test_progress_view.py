"""The Progress view: after a successful apply on the `enrolled` sandbox, Review's
"Rollout progress" button (and the key p) shows who has enrolled, read for real through
the Backend's msgraph-sdk pipeline.

The profile targets BYOD pilot (AdeleV, MeganB, PradeepG, and IT Administrators nested:
admin, JohannaL); all but admin enrolled through account-driven User Enrollment
(tui/sandbox/seeds_enrolled.py). A web-based rollout counts web-based enrollments only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Button, Static

from screens.dialogs.progress import ProgressDialog
from tui.sandbox.server import RunningSandbox, start_sandbox

from .late_steps_support import demo_group, new_session, signed_in_app, until
from .test_review_step import apply_confirmed, outcome, planned


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="enrolled", retry_after=0) as running:
        yield running


def shown(app: object) -> str:
    return str(app.screen.query_one("#progress-text", Static).render())  # type: ignore[attr-defined]


async def test_progress_after_apply_shows_who_has_enrolled(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await planned(pilot)
        await pilot.press("p")  # nothing applied yet: no Progress view
        await pilot.pause()
        assert not isinstance(app.screen, ProgressDialog)
        await apply_confirmed(pilot)
        assert outcome(app).startswith("Applied:")
        app.query_one("#review-progress", Button).focus()  # under the outcome's links
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ProgressDialog))
        text = shown(app)
        assert "Targeted users: 5 (1 group(s), nested members included)" in text
        assert "Enrolled: 4 (80%) · still to enroll: 1" in text
        assert "BYOD pilot" in text
        assert "4 / 5" in text
        assert "admin@contoso.com" in text.split("Still to enroll")[1]
        assert "Megan's iPad · iPadOS" in text
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ProgressDialog))
        await pilot.press("p")  # the key opens it too
        await until(pilot, lambda: isinstance(app.screen, ProgressDialog))
        assert "Enrolled: 4 (80%)" in shown(app)


async def test_a_web_based_rollout_counts_web_based_enrollments_only(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[enrollment_profile] mode = "web-based" for BYOD pilot and All iOS users (9 people):
    only PattiF's web-based enrollment counts; the account-driven ones and AlexW's and
    LeeG's Company Portal device enrollments do not (tui/graph/devices.py)."""
    session = new_session(tmp_path, "review")
    session.update(
        "enrollment_profile",
        {
            "mode": "web-based",
            "name": "iOS – web-based device enrollment",
            "groups": [demo_group("byod-pilot"), demo_group("all-ios-users")],
        },
    )
    session.save()
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await planned(pilot)
        await apply_confirmed(pilot)
        assert outcome(app).startswith("Applied:")
        app.query_one("#review-progress", Button).focus()  # under the outcome's links
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ProgressDialog))
        text = shown(app)
        assert "Rollout progress: web-based device enrollment" in text
        assert "Enrolled: 1 (11%) · still to enroll: 8" in text
        enrolled, still = text.split("Still to enroll")
        assert "PattiF@contoso.com" in enrolled
        assert "Patti's iPhone" in enrolled
        assert "AlexW@contoso.com" in still
        assert "LeeG@contoso.com" in still
        assert "AdeleV@contoso.com" in still  # account-driven: not this rollout's kind
