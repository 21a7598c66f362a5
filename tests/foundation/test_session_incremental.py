"""A save renders and reads back only what changed (tui/session/document.py: a table
edited alone in text mode, the rendered tables kept in the whole document's mode, the
journal's newest entries kept as text: tui/session/journal_tail.py), and writes exactly
what a full tomlkit dump of the same edits writes: the same session edited through
`Session.doc` (every save a full `tomlkit.dumps`, every entry a tomlkit table) is the
reference."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.session import Session
from tui.session import document as session_document
from tui.session import schema as session_schema
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

# Journal values: plain ones, and ones tomlkit escapes or writes in its own way.
DETAILS = ["", "HTTP 409", 'Quote " and \\ back', "tab\there", "été ☃", "line\nbreak", "\x7f"]
STAMPS = [STAMP, dt.datetime(2026, 1, 1, 5, 6, 7, 890, tzinfo=dt.UTC)]

OPS = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(SETS)),
    st.tuples(
        st.just("append"),
        st.tuples(
            st.sampled_from(["pending", "ok", "failed"]),
            st.sampled_from([None, *DETAILS]),
            st.sampled_from(STAMPS),
        ),
    ),
    st.tuples(
        st.just("update"),
        st.tuples(
            st.integers(min_value=0, max_value=30),
            st.sampled_from([None, *DETAILS]),
            st.sampled_from([None, *STAMPS]),
        ),
    ),
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
# The journal last (where text mode keeps new entries as text), its header indented.
JOURNAL_LAST = HAND_EDITED.split("[review]", 1)[0]
INDENTED = JOURNAL_LAST.replace("[[journal]]", "  [[journal]] # indented", 1)
STARTS = {"hand": HAND_EDITED, "quoted": QUOTED_HEADER, "last": JOURNAL_LAST, "indented": INDENTED}


def _start(kind: str, folder: Path) -> str | None:
    """The text both session files start with; None: each is made by Session.open (a
    document in memory, not parsed from a file)."""
    if kind == "created":
        return None
    if kind == "new":
        with Session.open(folder / "new.toml") as session:
            session.set("tenant", "organization", "Adatum")
            session.save()
        return (folder / "new.toml").read_text(encoding="utf-8")
    return STARTS[kind]


def _apply(session: Session, op: str, arg: Any) -> None:
    if op == "set":
        table, key, value = arg
        session.set(table, key, value)
    elif op == "append":
        result, detail, stamp = arg
        extra = {} if detail is None else {"detail": detail}
        session.journal_append(
            intent=f"x:{len(session.journal())}",
            action="create",
            object_type="sso_policy",
            object_id="",
            request_id="",
            result=result,
            time=stamp,
            **extra,
        )
    elif op == "update":
        index, detail, stamp = arg
        entries = session.journal()
        fields: dict[str, Any] = {"result": "ok", "object_id": "id-1"}
        if detail is not None:
            fields["detail"] = detail  # a key the entry may not have yet: it goes last
        if stamp is not None:
            fields["time"] = stamp
        if entries:
            session.journal_update(index % len(entries), **fields)
    elif op == "compact":
        session.compact_journal(keep_recent=arg)
    elif op == "table":
        session.remove_table(arg) if session.has_table(arg) else session.add_table(arg)
    elif op != "reopen":
        session.save()


def _open_pair(ours: Path, reference: Path) -> tuple[Session, Session]:
    fast, slow = Session.open(ours), Session.open(reference)
    _ = slow.doc  # edited through the document: each save is a full tomlkit dump
    return fast, slow


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    start=st.sampled_from(["new", "created", *STARTS]),
    ops=st.lists(st.one_of(OPS, st.tuples(st.just("reopen"), st.none())), max_size=25),
)
def test_each_save_writes_what_a_full_dump_writes(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    start: str,
    ops: list[tuple[str, Any]],
) -> None:
    # Both sessions stamp the same `updated`, and a new one the same id.
    monkeypatch.setattr(session_document, "utc_now", lambda: STAMP)
    monkeypatch.setattr(session_schema, "utc_now", lambda: STAMP)
    monkeypatch.setattr(uuid, "uuid4", lambda: "4b0d1d86-0b7e-4f0e-9a36-1b2b6c4e5d6f")
    folder = tmp_path_factory.mktemp("incremental")
    text = _start(start, folder)
    ours, reference = folder / "ours.toml", folder / "reference.toml"
    if text is not None:
        ours.write_text(text, encoding="utf-8")
        reference.write_text(text, encoding="utf-8")
    fast, slow = _open_pair(ours, reference)
    try:
        for op, arg in [*ops, ("save", None)]:
            _apply(fast, op, arg)
            _apply(slow, op, arg)
            if op in ("save", "reopen"):
                fast.save()
                slow.save()
                assert ours.read_text(encoding="utf-8") == reference.read_text(encoding="utf-8")
            if op == "reopen":  # read from the file again: text mode
                fast.close()
                slow.close()
                fast, slow = _open_pair(ours, reference)
            assert fast.data == slow.data
            assert fast.journal() == slow.journal()
    finally:
        fast.close()
        slow.close()


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


def _journal_write(session: Session) -> None:
    """An apply's write as it journals it: pending, saved, then its outcome, saved."""
    index = session.journal_append(
        intent="sso_extension:create", action="create", object_type="sso_policy",
        object_id="", request_id="", result="pending",
    )  # fmt: skip
    session.save()
    session.journal_update(index, result="ok", object_id="id-1")
    session.save()


def test_an_apply_journals_without_a_tomlkit_table_per_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new session (a fleet tenant's first apply): after the journal's first entry
    (which makes the array of tables), entries are written as text, not made tomlkit
    tables, until something needs the document itself."""
    tomlkit = tomlkit_module()
    real_table = tomlkit.table
    made: list[int] = []

    def counting_table(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real_table(*args, **kwargs)

    with Session.open(tmp_path / "s.toml") as session:
        monkeypatch.setattr(tomlkit, "table", counting_table)
        for _ in range(5):
            _journal_write(session)
        session.journal_update(0, detail="settled")  # the first entry, before the tail
        session.save()
        assert len(made) == 1  # the first entry's
        assert [e["result"] for e in session.journal()] == ["ok"] * 5
        assert session.journal()[0]["detail"] == "settled"
        _ = session.doc  # handed out: the entries are tables in it now
        assert len(made) == 5
        entries = session.doc["journal"]
        assert isinstance(entries, tomlkit.items.AoT)
        assert len(entries) == 5


def test_a_resumed_apply_journals_without_parsing_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session read from its file, its journal last: new entries and their outcomes
    are written as text; tomlkit parses only [session] (for its `updated` stamp)."""
    path = tmp_path / "s.toml"
    path.write_text(JOURNAL_LAST, encoding="utf-8")
    parsed: list[int] = []
    real_parse = tomlkit_module().parse

    def counting_parse(text: str) -> Any:
        parsed.append(len(text))
        return real_parse(text)

    monkeypatch.setattr(tomlkit_module(), "parse", counting_parse)
    with Session.open(path) as session:
        for _ in range(5):
            _journal_write(session)
        assert len(session.journal()) == 6
    assert parsed
    assert max(parsed) < len(JOURNAL_LAST) / 3
    written = path.read_text(encoding="utf-8")
    assert written.startswith(JOURNAL_LAST.split("updated =", 1)[0])
    assert written.count('result = "ok"') == 5
