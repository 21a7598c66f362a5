"""A save renders and reads back only what changed (tui/session/document.py: a table
edited alone in text mode, the rendered tables kept in the whole document's mode), and
writes exactly what a full tomlkit dump of the same edits writes: the same session
edited through `Session.doc` (every save a full `tomlkit.dumps`) is the reference."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.session import Session
from tui.session import document as session_document
from tui.session.schema import tomlkit_module

EXAMPLES = int(os.environ.get("ADUE_FUZZ_EXAMPLES", "200"))

STAMP = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
G1 = {"id": "58dd4bbb-2bf0-4492-a817-529b0ab7bde5", "name": "BYOD pilot"}
G2 = {"id": "da8f7445-f53b-4b15-aaba-6af2921e11ee", "name": "All iOS users"}

# (table, key, value): None removes the key.
SETS: list[tuple[str, str, Any]] = [
    ("review", "last_result", "ok"),
    ("review", "last_result", "failed"),
    ("review", "status", "done"),
    ("review", "status", None),
    ("tenant", "organization", "Fabrikam"),
    ("tenant", "organization", 'Quote " and \\ back'),
    ("tenant", "organization", None),
    ("tenant", "sign_in_domain", "fabrikam.example"),
    ("sso_extension", "groups", [G1, G2]),
    ("sso_extension", "groups", []),
    ("sso_extension", "policy_id", "a2eac55a-843e-4cee-8133-810980f97224"),
    ("guide", "languages", ["en", "fr"]),
    ("guide", "organization", "Contoso"),
    ("priority", "applied_order", ["95a5614b-4430-4f40-96f4-96b1644842be"]),
    ("web_clip", "enabled", False),
    ("session", "current_step", "review"),
]

OPS = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(SETS)),
    st.tuples(st.just("append"), st.sampled_from(["pending", "ok", "failed"])),
    st.tuples(st.just("update"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("compact"), st.integers(min_value=0, max_value=3)),
    st.tuples(st.just("table"), st.sampled_from(["web_clip", "guide", "priority"])),
    st.tuples(st.just("save"), st.none()),
)

# Session files to start from: a new one, a hand-edited one (comments, odd spacing, a
# table after the journal, no newline at the end), one whose text cannot be split into
# simple tables (a quoted table name: every edit then takes the whole document).
HAND_EDITED = """# my notes about this rollout

[session]
schema = 1
id = "f7d62b44-0f55-414d-9399-ea78a0e5bff2"
created = 2026-12-02T05:06:00Z
updated = 2026-12-02T05:06:05Z   # stamped at each save
current_step = "sign_in"

[tenant]
tenant_id   =   "0d6bcab7-7717-4f3c-8092-5ac87a4f71e8" # pinned
cloud = "global"


[sso_extension]
groups = [
    {id = "58dd4bbb-2bf0-4492-a817-529b0ab7bde5", name = "BYOD pilot"},
] # pilot first
# a comment at the end of a table

[[journal]]
intent = "sso_extension:create"
action = "create"
object_type = "sso_policy"
object_id = ""
request_id = ""
result = "pending"
time = 2026-12-02T05:06:01Z
[review]
status = "todo"
last_result = "interrupted\""""  # (the last line, with no newline after it)

QUOTED_HEADER = HAND_EDITED.replace("[review]", '[ "review" ]', 1)


def _start(kind: str, folder: Path) -> str:
    if kind == "new":
        with Session.open(folder / "new.toml") as session:
            session.set("tenant", "organization", "Adatum")
            session.save()
        return (folder / "new.toml").read_text(encoding="utf-8")
    return HAND_EDITED if kind == "hand" else QUOTED_HEADER


def _apply(session: Session, op: str, arg: Any) -> None:
    if op == "set":
        table, key, value = arg
        session.set(table, key, value)
    elif op == "append":
        session.journal_append(
            intent=f"x:{len(session.journal())}",
            action="create",
            object_type="sso_policy",
            object_id="",
            request_id="",
            result=arg,
            time=STAMP,
        )
    elif op == "update":
        entries = session.journal()
        if entries:
            session.journal_update(arg % len(entries), result="ok", object_id="id-1")
    elif op == "compact":
        session.compact_journal(keep_recent=arg)
    elif op == "table":
        session.remove_table(arg) if session.has_table(arg) else session.add_table(arg)
    else:
        session.save()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    start=st.sampled_from(["new", "hand", "quoted"]),
    ops=st.lists(OPS, max_size=25),
)
def test_each_save_writes_what_a_full_dump_writes(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    start: str,
    ops: list[tuple[str, Any]],
) -> None:
    # Both sessions stamp the same `updated`.
    monkeypatch.setattr(session_document, "utc_now", lambda: STAMP)
    folder = tmp_path_factory.mktemp("incremental")
    text = _start(start, folder)
    ours, reference = folder / "ours.toml", folder / "reference.toml"
    ours.write_text(text, encoding="utf-8")
    reference.write_text(text, encoding="utf-8")
    with Session.open(ours) as fast, Session.open(reference) as slow:
        _ = slow.doc  # edited through the document: each save is a full tomlkit dump
        for op, arg in [*ops, ("save", None)]:
            _apply(fast, op, arg)
            _apply(slow, op, arg)
            if op == "save":
                fast.save()
                slow.save()
                assert ours.read_text(encoding="utf-8") == reference.read_text(encoding="utf-8")
            assert fast.data == slow.data


def test_a_no_op_refresh_and_a_review_save_never_parse_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fleet's no-op re-run: the keys it sets already hold their values, and apply's
    two saves change [review] only. tomlkit parses [review] and [session] alone."""
    path = tmp_path / "s.toml"
    path.write_text(HAND_EDITED + "\n", encoding="utf-8")
    parsed: list[int] = []
    tomlkit = tomlkit_module()
    real_parse = tomlkit.parse

    def counting_parse(text: str) -> Any:
        parsed.append(len(text))
        return real_parse(text)

    monkeypatch.setattr(tomlkit, "parse", counting_parse)
    with Session.open(path) as session:
        session.set("tenant", "cloud", "global")  # as it is: no change
        assert not session.changed
        session.set("review", "last_result", "interrupted")
        session.save()
        session.set("review", "last_result", "ok")
        session.save()
    assert len(parsed) == 2  # [review] and [session], each once
    assert max(parsed) < len(HAND_EDITED) / 3
