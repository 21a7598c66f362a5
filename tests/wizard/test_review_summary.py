"""Review names the tenant, whom each object reaches and the unfinished steps (issue 17,
point 2), on the `expired-apns` seed with steps 2-6 untouched, through the real Backend
over loopback HTTP; and the targetless profile is refused there (Apply stays off)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Static

from screens.widgets.plan_view import PlanView
from tui.app import AdueApp
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

from .late_steps_support import signed_in_app, until


@pytest.fixture(scope="module")
def expired() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="expired-apns") as running:
        # The seed's certificate expired 12 days before the sandbox started; the snapshot
        # shows its date, so it is fixed here (the date the snapshot was taken with).
        certificate = running.state.apns_certificate
        assert certificate is not None
        certificate["expirationDateTime"] = "2026-11-20T09:00:00Z"
        yield running


def _untouched_app(tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> AdueApp:
    """Signed in, then straight to Review: every other step at its defaults."""
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("session", "current_step", "review")
    session.update("tenant", {"cloud": "global", "organization": "Contoso"})
    session.set("sign_in", "status", "done")
    session.save()
    return signed_in_app(session, sb, monkeypatch)


def _text(app: AdueApp, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def _planned(pilot: Any) -> None:
    app = pilot.app
    await until(
        pilot,
        lambda: bool(app.query(PlanView)) and "Comparing" not in _text(app, "#review-status"),
    )


async def test_review_names_tenant_targets_unfinished_steps_and_refuses_no_target(
    tmp_path: Path, expired: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _untouched_app(tmp_path, expired, monkeypatch)
    async with app.run_test(size=(120, 40)) as pilot:
        await _planned(pilot)
        summary = _text(app, "#review-summary")
        assert f"Tenant: Contoso ({expired.tenant_id}) · cloud: global" in summary
        assert "SSO app extension policy: All users (every licensed user" in summary
        assert "Microsoft Authenticator, required (one VPP licence per user): All users" in (
            summary
        )
        assert "Enrollment profile: nobody yet: choose groups or All users in step 5" in summary
        for step in ("2 Prerequisites", "3 SSO extension", "4 Authenticator", "6 Priority"):
            assert f"○ {step}: to do" in summary, summary
        assert "1 Sign in" not in summary
        problems = [str(w.render()) for w in app.query(".plan-problem")]
        assert any("the enrollment profile has no target" in p for p in problems), problems
        assert app.query_one("#review-apply", Button).disabled


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_review_summary_snapshot(
    snap_compare: Any,
    tmp_path: Path,
    expired: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    app = _untouched_app(tmp_path, expired, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=_planned)
