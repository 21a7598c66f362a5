"""Review after an apply and an edit in the wizard's session: the plan row says the value
was changed in the session, never "restores a change made outside adue" (issue 17: drift is
a change made in the tenant). Through the real Backend on the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from tui.sandbox.server import RunningSandbox, start_sandbox

from .late_steps_support import new_session, signed_in_app
from .test_review_step import apply_confirmed, planned, rows


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo", retry_after=0) as running:
        yield running


async def test_an_edit_after_apply_reads_as_changed_in_the_session(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await planned(pilot)
        await apply_confirmed(pilot)
        # The admin changes the SSO policy's apps (as step 3 saves them), then Check again.
        session.set("sso_extension", "bundle_ids", ["com.contoso.travel"])
        session.save()
        await pilot.click("#review-replan")
        await planned(pilot)
        changed = [r for r in rows(app) if r.action.key == "sso_extension:update"]
        assert changed, [r.action.key for r in rows(app)]
        details = str(changed[0].query_one(".plan-action-details", Static).render())
        assert "changed in the session since the last apply" in details
        assert "outside adue" not in details
        assert not any(r.action.drift for r in rows(app))
