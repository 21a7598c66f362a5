"""The fault matrix through the wizard: the real AdueApp at Review & apply on a sandbox
tenant (the Backend's msgraph-sdk pipeline over loopback HTTP), then, under one fault
kind (throttling, 5xx, dropped connections, lost answers, token expiry, a mix), the
admin presses Apply until done: each press confirms, waits for the apply worker, and
when the last stop asks for a sign-in, signs in again in step 1 with a fresh token.

Afterwards the tenant holds exactly one SSO policy and one enrollment profile with every
assignment (exactly as after one clean apply), the session points at them, and the
wizard's own Check again (faults cleared) finds nothing to change. Every stop on the way
is a clean one: a message on screen and no journal entry left pending.

One seed per kind in `make test`; more seeds with `make soak`. (A fault cleared by hand
and Apply pressed again in place is test_review_step's
test_apply_again_in_place_after_a_failure_reads_the_tenant_first.)
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Button, Static

from screens.dialogs.confirm import ConfirmDialog
from tests.plan.helpers import apply_file, plan_file, snapshot
from tui.app import AdueApp
from tui.sandbox.faults import parse_rule
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

from .late_steps_support import DEMO_PROFILE_NAME, SSO_NAME, new_session, signed_in_app, until

# A guard against a wizard that never gets there, not a target: at these rates one press
# in two or three stops (the fresh plan's reads fail as often as a write), and token
# expiry costs a sign-in and a press per token. 25 stops in a row at 1 in 2 is ~3e-8.
MAX_PRESSES = 25
FAULTS: dict[str, list[str]] = {
    "throttled": ["429:0.25"],
    # Each 503 costs the SDK's backoff (1 s, then 2 s... when Retry-After is 0): a low
    # rate; 500 and 502 are not retried, the press stops at once.
    "5xx": ["503:0.08", "502:0.04", "500:0.04"],
    "drops": ["drop:0.2"],
    "lost-answers": ["lost:0.3"],
    "token-expiry": [],  # each token stops working after EXPIRE_AFTER requests
    "mixed": ["429:0.15", "503:0.15", "drop:0.1", "lost:0.15"],
}
# A sign-in and the plans it starts use about 6 requests, a press's fresh plan 3 more; at
# 15 each token carries a press 5-6 writes further (a clean apply makes about 12).
EXPIRE_AFTER = 15
# The seed of each kind `make test` runs (a few presses, and a fault hits); drops and the
# mix only with `make soak`.
QUICK_SEEDS = {"throttled": 10, "5xx": 4, "lost-answers": 10, "token-expiry": 3}
SOAK_SEEDS = range(1, 11)


def _cases() -> list[Any]:
    cases = []
    for kind in FAULTS:
        for seed in SOAK_SEEDS:
            marks = () if QUICK_SEEDS.get(kind) == seed else (pytest.mark.soak,)
            cases.append(pytest.param(kind, seed, marks=marks, id=f"{kind}-{seed}"))
    return cases


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The tenant after one clean apply of the same session, without faults."""
    folder = tmp_path_factory.mktemp("reference")
    with start_sandbox(seed="demo") as sb:
        session = new_session(folder, "review")
        session.close()
        assert asyncio.run(apply_file(sb, session.path)).ok
        return snapshot(sb)


@pytest.fixture
def sb(request: pytest.FixtureRequest) -> Iterator[RunningSandbox]:
    kind, seed = request.node.callspec.params["kind"], request.node.callspec.params["seed"]
    assert kind in FAULTS
    with start_sandbox(seed="demo", fault_seed=seed, retry_after=0) as running:
        yield running


def _status(app: AdueApp) -> str:
    return str(app.query_one("#review-status", Static).render())


def _outcome(app: AdueApp) -> str:
    return "\n".join(str(w.render()) for w in app.query("#review-outcome Static"))


async def _settled(pilot: Any) -> None:
    """Until Review is neither planning nor applying (every worker finished)."""
    app = pilot.app
    await until(
        pilot,
        lambda: (
            not app.query_one("#review").applying
            and "Comparing" not in _status(app)
            and "Applying" not in _status(app)
            and "Reading the tenant" not in _status(app)
        ),
        timeout=60,
    )


async def _press_apply(pilot: Any) -> None:
    app = pilot.app
    await pilot.click("#review-apply")
    await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
    await pilot.click("#confirm-ok")
    await _settled(pilot)


async def _sign_in_again(pilot: Any, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the admin does when Graph says the token expired: a fresh token in
    $ADUE_ACCESS_TOKEN, step 1, Sign in, back to step 7 (which plans again)."""
    app = pilot.app
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", sb.mint_token())
    await pilot.click("#step-list", offset=(2, 0))
    await until(pilot, lambda: app.current_step == "sign_in")
    await pilot.click("#sign-in-button")
    await until(pilot, lambda: not app.query_one("#sign-in-button", Button).disabled)
    assert "Sign-in failed" not in str(app.query_one("#sign-in-result", Static).render())
    await pilot.click("#step-list", offset=(2, 6))
    await until(pilot, lambda: app.current_step == "review")
    await _settled(pilot)


def _check_clean_stop(app: AdueApp, path: Path) -> None:
    """A press that did not finish says why on screen and leaves no write pending."""
    text = _outcome(app) or _status(app)
    assert text.strip(), "a stop without a message"
    assert "Traceback" not in text
    journal = Session.read_only(path).journal()
    assert all(entry["result"] in ("ok", "failed") for entry in journal), journal


def _ours(sb: RunningSandbox) -> tuple[list[str], list[str]]:
    with sb.lock:
        state = sb.state
        policies = [
            k for k, c in state.device_configurations.items() if c["displayName"] == SSO_NAME
        ]
        profiles = [
            k for k, p in state.enrollment_profiles.items() if p["displayName"] == DEMO_PROFILE_NAME
        ]
    return policies, profiles


def _count_faults(sb: RunningSandbox, tally: Counter[str]) -> int:
    hit = Counter(r.fault for r in sb.requests if r.fault and r.fault != "latency")
    for fault, count in hit.items():
        tally[f"wizard: faults injected: {fault}"] += count
    return sum(hit.values())


@pytest.mark.parametrize(("kind", "seed"), _cases())
async def test_press_apply_until_done_under_faults(
    kind: str,
    seed: int,
    sb: RunningSandbox,
    reference: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tally: Counter[str],
) -> None:
    session = new_session(tmp_path, "review")
    app = signed_in_app(session, sb, monkeypatch)
    async with app.run_test(size=(100, 40)) as pilot:
        await _settled(pilot)
        assert not app.query_one("#review-apply", Button).disabled, _status(app)
        # The faults start here: every press's fresh plan, writes and re-reads meet them.
        sb.faults.rules = [parse_rule(spec) for spec in FAULTS[kind]]
        if kind == "token-expiry":
            sb.faults.expire_token_after = EXPIRE_AFTER
        presses = sign_ins = 0
        while Session.read_only(session.path).get("review", "last_result") != "ok":
            assert presses < MAX_PRESSES, f"not done after {presses} presses: {_outcome(app)}"
            if app.query_one("#review-apply", Button).disabled:
                # The plan could not be read (nothing to apply on screen): check again.
                assert "Could not read the tenant" in _status(app), _status(app)
                await pilot.click("#review-replan")
                await _settled(pilot)
                if "sign in again" in _status(app):
                    sign_ins += 1
                    await _sign_in_again(pilot, sb, monkeypatch)
                continue
            presses += 1
            await _press_apply(pilot)
            if Session.read_only(session.path).get("review", "last_result") == "ok":
                break
            _check_clean_stop(app, session.path)
            if "sign in again" in _outcome(app) + _status(app):
                sign_ins += 1
                await _sign_in_again(pilot, sb, monkeypatch)
        tally["wizard: Apply presses"] += presses
        tally["wizard: sign-ins again after a token expired"] += sign_ins
        tally["wizard: most presses one case needed"] = max(
            tally["wizard: most presses one case needed"], presses
        )
        faults_hit = _count_faults(sb, tally)
        if kind == "token-expiry":
            assert sign_ins >= 1, "no token expired: the case proves nothing"
        elif QUICK_SEEDS.get(kind) == seed:  # chosen so that a fault hits
            assert faults_hit, "no fault was injected: the case proves nothing"

        # The wizard itself, faults cleared: Check again finds nothing to change.
        sb.faults.rules = []
        sb.faults.expire_token_after = None
        if "sign in again" in _status(app):
            await _sign_in_again(pilot, sb, monkeypatch)
        await pilot.click("#review-replan")
        await _settled(pilot)
        assert _status(app).startswith("Nothing to change"), _status(app)

    policies, profiles = _ours(sb)
    tally["wizard: duplicates"] += max(0, len(policies) - 1) + max(0, len(profiles) - 1)
    assert (len(policies), len(profiles)) == (1, 1), (policies, profiles)
    assert snapshot(sb) == reference  # every assignment, nothing lost or extra
    saved = Session.read_only(session.path)
    assert saved.get("sso_extension", "policy_id") == policies[0]
    assert saved.get("enrollment_profile", "profile_id") == profiles[0]
    assert all(entry["result"] in ("ok", "failed") for entry in saved.journal())
    assert (await plan_file(sb, session.path)).is_empty
    tally["wizard: tenants checked identical to a clean apply"] += 1
