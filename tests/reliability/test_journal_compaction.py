"""Journal compaction: what it keeps (pending entries, each intent's newest entry, the
newest create of each type, the last 10), that a compacted file still loads and keeps
everything outside the journal, and that an apply on the real sandbox resumes from a
long history with a pending entry left by a killed run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.plan.helpers import apply_file, session_with_ids
from tui.sandbox.server import start_sandbox
from tui.session import Session
from tui.session.document import JOURNAL_KEEP_RECENT, journal_entries_to_keep

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
INTENTS = ("sso:update", "sso:assign", "profile:assign:g1", "profile:priority")


def _entry(n: int, intent: str, action: str = "update", result: str = "ok", **extra: Any) -> str:
    fields = {
        "time": (START + dt.timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "intent": f'"{intent}"',
        "action": f'"{action}"',
        "object_type": f'"{extra.get("object_type", "sso_policy")}"',
        "object_id": f'"id-{n}"',
        "request_id": f'"req-{n}"',
        "result": f'"{result}"',
    }
    return "\n[[journal]]\n" + "".join(f"{k} = {v}\n" for k, v in fields.items())


def _history(old_runs: int) -> tuple[str, dict[str, str]]:
    """Old runs (every 50th starts with a create, then the usual writes), two pending
    entries (killed runs), and a failed create after the last good one; returns the text
    and what must survive: the last good create's id and the number of entries."""
    parts: list[str] = []
    n = 0
    last_create = -1
    for run in range(old_runs):
        if run % 50 == 0:
            parts.append(_entry(n, "sso:create", "create"))
            last_create = n
            n += 1
        for intent in INTENTS:
            result = "pending" if run in (17, old_runs // 2) and intent == "sso:assign" else "ok"
            parts.append(_entry(n, intent, "assign" if "assign" in intent else "update", result))
            n += 1
    parts.append(_entry(n, "sso:create", "create", "failed"))
    return "".join(parts), {"last_create": f"id-{last_create}", "entries": str(n + 1)}


def test_the_rule_keeps_what_resume_and_a_person_need() -> None:
    entries: list[dict[str, Any]] = []
    for n in range(1000):
        entries.append({"intent": INTENTS[n % 4], "action": "update", "result": "ok"})
    entries[3] = {"intent": "sso:create", "action": "create", "result": "ok", "object_type": "s"}
    entries[40] = {"intent": "sso:create", "action": "create", "result": "ok", "object_type": "s"}
    entries[41] = {"intent": "sso:create", "action": "create", "result": "failed"}
    entries[500] = {"intent": "sso:assign", "action": "assign", "result": "pending"}
    keep = journal_entries_to_keep(entries)
    assert keep == sorted(set(keep))
    assert 500 in keep  # pending
    assert 40 in keep
    assert 3 not in keep  # the newest good create of the type
    assert 41 in keep  # the newest entry of the create intent (a failure)
    assert set(range(1000 - JOURNAL_KEEP_RECENT, 1000)) <= set(keep)
    # Each intent's newest entry is there; nothing else old.
    for intent in INTENTS:
        newest = max(i for i, e in enumerate(entries) if e["intent"] == intent)
        assert newest in keep
    assert len(keep) <= JOURNAL_KEEP_RECENT + len(INTENTS) + 3


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)


def test_compaction_keeps_pending_entries_creates_and_the_rest_of_the_file(
    tmp_path: Path,
) -> None:
    history, expect = _history(old_runs=600)
    head = '[session]\nschema = 1\n\n[tenant]\n# a hand-written note\ncloud = "global"\n'
    for parsed_first in (False, True):  # before and after tomlkit parsed the document
        path = tmp_path / f"rollout-{parsed_first}.toml"
        _write(path, head + history)
        before = Session.read_only(path).journal()
        assert len(before) == int(expect["entries"])
        with Session.open(path, create=False) as session:
            if parsed_first:
                session.set("tenant", "cloud", "global")
                _ = session.doc
            dropped = session.compact_journal()
            session.save()
        after = Session.read_only(path).journal()
        assert dropped == len(before) - len(after)
        assert len(after) < 30
        # Every pending entry survives, with its fields intact.
        pending = [e for e in before if e["result"] == "pending"]
        assert len(pending) == 2
        assert [e for e in after if e["result"] == "pending"] == pending
        # The newest good create, and each intent's newest entry.
        assert any(e["object_id"] == expect["last_create"] for e in after)
        for intent in (*INTENTS, "sso:create"):
            newest = [e for e in before if e["intent"] == intent][-1]
            assert newest in after
        assert after[-JOURNAL_KEEP_RECENT:] == before[-JOURNAL_KEEP_RECENT:]
        assert after == sorted(after, key=lambda e: e["time"])  # order kept
        text = path.read_text(encoding="utf-8")
        assert "# a hand-written note" in text
        assert Session.read_only(path).table("tenant") == {"cloud": "global"}


async def test_apply_resumes_from_a_compacted_long_history(tmp_path: Path) -> None:
    history, _ = _history(old_runs=750)  # 3,000 entries of old runs, two left pending
    with start_sandbox(seed="demo") as sb:
        path = session_with_ids(sb, tmp_path)
        _write(path, path.read_text(encoding="utf-8") + history)
        assert len(Session.read_only(path).journal()) > 3000
        started = dt.datetime.now(dt.UTC).replace(microsecond=0)
        result = await apply_file(sb, path)
        assert result.ok, result.failed
        session = Session.read_only(path)
        journal = session.journal()
        # The killed runs' entries are settled, not lost; the new run is there in full.
        assert not [e for e in journal if e["result"] == "pending"]
        settled = [e for e in journal if "interrupted" in e.get("detail", "")]
        assert len(settled) == 2
        assert {e["intent"] for e in settled} == {"sso:assign"}
        run = [e for e in journal if e["time"] >= started]
        assert len(run) >= result.writes > 0
        assert all(e["result"] == "ok" for e in run)
        assert len(journal) < 40
        # The ids this run created are in the session and in the journal.
        for object_type, object_id in result.created.items():
            assert any(e["object_id"] == object_id and e["action"] == "create" for e in journal), (
                object_type
            )
        assert session.get("sso_extension", "policy_id") == result.created["sso_policy"]
        # A second apply has nothing to do and keeps the journal small.
        again = await apply_file(sb, path)
        assert again.ok
        assert again.writes == 0
        assert len(Session.read_only(path).journal()) <= len(journal)
