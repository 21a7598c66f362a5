"""A lost answer at every write kind of a fresh apply, one at a time: the sandbox makes the
write, then answers 503 or 504 or drops the connection (`lost-*` faults). A create is never
sent twice by the HTTP layer; adue looks the object up by exact name and type and adopts
it. Afterwards the tenant holds exactly one of each object, exactly as after a clean apply,
and the next plan is empty. (Every kind with one answer form in `make test`; all three
forms in `make soak`.)"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import apply_file, count_named, plan_file, session_with_ids, snapshot
from tui.sandbox.faults import parse_rule
from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import start_sandbox
from tui.session import Session

CONFIGS = "/beta/deviceManagement/deviceConfigurations"
PROFILES = "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles"
APPS = "/*/deviceAppManagement/mobileApps"  # assigned in beta (v1.0 drops beta-only settings)
# write kind -> (the path pattern its request has, whether it creates an object)
WRITE_KINDS: dict[str, tuple[str, bool]] = {
    "create-sso-policy": (CONFIGS, True),
    "assign-sso-policy": (f"{CONFIGS}/*/assign", False),
    "assign-authenticator": (f"{APPS}/*/assign", False),
    "create-enrollment-profile": (PROFILES, True),
    "assign-enrollment-profile": (f"{PROFILES}/*/assignments", True),
    "set-priority": (f"{PROFILES}/*/setPriority", False),
}
FORMS = ("503", "504", "drop")
MAX_RUNS = 4


def _cases() -> list[Any]:
    cases = []
    for index, kind in enumerate(WRITE_KINDS):
        quick = FORMS[index % len(FORMS)]
        for form in FORMS:
            marks = () if form == quick else (pytest.mark.soak,)
            cases.append(pytest.param(kind, form, marks=marks, id=f"{kind}-{form}"))
    return cases


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with start_sandbox(seed="demo") as sb:
        path = session_with_ids(sb, tmp_path_factory.mktemp("reference"))
        assert asyncio.run(apply_file(sb, path)).ok
        return snapshot(sb)


@pytest.mark.parametrize(("kind", "form"), _cases())
async def test_one_lost_answer_at_each_write_kind(
    kind: str, form: str, reference: dict[str, Any], tmp_path: Path
) -> None:
    pattern, creates = WRITE_KINDS[kind]
    with start_sandbox(seed="demo", retry_after=0) as sb:
        path = session_with_ids(sb, tmp_path)
        rule = parse_rule(f"lost-{form}:1@{pattern}")
        hits: list[RequestRecord] = []

        def once(record: RequestRecord) -> None:  # one lost answer, then the network is fine
            if record.fault == f"lost-{form}" and rule in sb.faults.rules:
                sb.faults.rules.remove(rule)
                hits.append(record)

        sb.on_request(once)
        sb.faults.rules.append(rule)
        results = []
        for _ in range(MAX_RUNS):
            results.append(await apply_file(sb, path))
            if results[-1].ok:
                break
        assert len(hits) == 1, "the lost answer did not happen: the case proves nothing"
        assert hits[0].method == "POST"
        assert results[-1].ok, results[-1].failed
        if creates or form != "drop":
            # A create is adopted in the same run; a 503/504 on an idempotent write is
            # retried by the SDK. Only a dropped connection on an idempotent write stops
            # the run (httpx raises; nothing is retried blindly) and a re-run finishes.
            assert len(results) == 1, [r.failed for r in results]
        # The lost write was sent exactly once: a create is never repeated blindly.
        same = [r for r in sb.requests if r.method == "POST" and rule.matches(r.path)]
        if kind in ("create-sso-policy", "create-enrollment-profile"):
            assert len([r for r in same if r.path == pattern]) == 1
        elif kind == "assign-enrollment-profile":
            assert len({r.path for r in same}) == 1
            assert len(same) == 2  # one per group
        assert count_named(sb) == (1, 1)
        assert snapshot(sb) == reference
        assert (await plan_file(sb, path)).is_empty
        journal = Session.read_only(path).journal()
        assert all(e["result"] in ("ok", "failed") for e in journal)
        if kind in ("create-sso-policy", "create-enrollment-profile"):
            adopted = [e for e in journal if e["action"] == "adopt"]
            assert len(adopted) == 1, journal
            assert adopted[0]["object_id"], journal
            assert "lost" in adopted[0]["detail"] or "lost" in str(journal)
