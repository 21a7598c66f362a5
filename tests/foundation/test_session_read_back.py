"""A save's read-back (tui/session/read_back.py): the same reading as tomllib's of the
whole text, for any text and any sequence of versions; and with a long journal a save
parses again only the journal tables that changed."""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.session import Session
from tui.session.read_back import ReadBack

EXAMPLES = int(os.environ.get("ADUE_FUZZ_EXAMPLES", "200"))

# Pieces of session text: journal tables (plain, commented, with sub-tables or arrays of
# arrays that belong to them, multi-line strings hiding header-like lines), other tables
# before, between and after them (twice, quoted, a line inside an array that looks like a
# header), root keys, dotted keys and broken lines.
PIECES = [
    '\n[[journal]]\nintent = "a"\nresult = "ok"\n',
    '\n[[journal]]\nintent = "b"\nresult = "pending"\n',
    '\n[[journal]] # a comment\nintent = "c"\ntime = 2025-01-01T00:00:00Z\n',
    '\n[[ journal ]]\nintent = "d"\n# a note inside\nobject_id = "x"\n',
    "\n[journal.sub]\nx = 1\n",
    "\n[[journal.sub]]\nx = 1\n",
    '\n[[journal]]\ndetail = """\n[[journal]]\nintent = "hidden"\n"""\n',
    "\n[[journal]]\ndetail = '''\n[review]\n'''\n",
    '\n[review]\nstatus = "todo"\n',
    '\n[tenant]\ncloud = "global"\n',
    "\n[tenant.more]\nx = 2\n",
    '\n[guide]\nlanguages = [\n  "en",\n]\n',
    "\nmatrix = [\n[1, 2],\n]\n",
    "\nmatrix = [\n  [1]\n]\n",
    '\n[ "review" ]\nlast_result = "ok"\n',
    "\n[guide] # a comment\nformats = []\n",
    'root = "r"\n',
    "\njournal = 1\n",
    "\n[journal]\nx = 1\n",
    "\n[[journal]]\nbroken = \n",
    '\n[[journal]]\nintent = "e"\nintent = "twice"\n',
    "\n[[journal]]\na.b = 1\n",
    '\n[review]\nnote = """\n',
    '\n[tenant]\nend = """\n',
]


def reading(text: str) -> tuple[str, Any]:
    try:
        return "ok", tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "error", None


def read_back_reading(reader: ReadBack, text: str) -> tuple[str, Any]:
    try:
        return "ok", reader.loads(text)
    except tomllib.TOMLDecodeError:
        return "error", None


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(PIECES), max_size=12), min_size=1, max_size=5))
# A journal table inside a multi-line string of another table, which parses on its own.
@example(
    [
        [
            '\n[review]\nnote = """\n',
            '\n[[journal]]\nintent = "a"\nresult = "ok"\n',
            '\n[tenant]\nend = """\n',
        ]
    ]
)
def test_any_sequence_of_texts_reads_as_tomllib_reads_it(versions: list[list[str]]) -> None:
    reader = ReadBack()
    for pieces in versions:
        text = "".join(pieces)
        assert read_back_reading(reader, text) == reading(text), text


def _history(entries: int) -> str:
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    return "".join(
        f"\n[[journal]]\ntime = {(start + dt.timedelta(minutes=n)).strftime('%Y-%m-%dT%H:%M:%SZ')}"
        f'\nintent = "intent-{n}"\naction = "update"\nobject_type = "sso_policy"\n'
        f'object_id = "id-{n}"\nrequest_id = "req-{n}"\nresult = "ok"\n'
        for n in range(entries)
    )


def test_a_save_parses_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """2,000 distinct intents (nothing to compact): after the first save, a save that adds
    an entry and one that settles it read back a few hundred characters, not the file."""
    path = tmp_path / "s.toml"
    Session.open(path).close()
    path.write_text(path.read_text(encoding="utf-8") + _history(2000), encoding="utf-8")
    parsed: list[int] = []
    real_loads = tomllib.loads

    def counting(text: str) -> dict[str, Any]:
        parsed.append(len(text))
        return real_loads(text)

    with Session.open(path, create=False) as session:
        session.set("review", "status", "in_progress")
        session.save()
        size = len(path.read_text(encoding="utf-8"))
        monkeypatch.setattr(tomllib, "loads", counting)
        index = session.journal_append(
            intent="sso.update", action="update", object_type="sso_policy", result="pending"
        )
        session.save()
        session.journal_update(index, result="ok", object_id="new-id")
        session.save()
    monkeypatch.undo()
    assert parsed, (sum(parsed), size)
    assert sum(parsed) < size / 10, (sum(parsed), size)
    saved = Session.read_only(path)
    assert len(saved.journal()) == 2001
    assert saved.journal()[-1]["object_id"] == "new-id"
    assert saved.get("review", "status") == "in_progress"


def test_the_first_save_after_opening_parses_only_what_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read table by table when it is opened: the first save (a fleet
    tenant's no-op re-run makes only that one) reads back the tables it changed and the
    [session] stamp, not the whole file again."""
    path = tmp_path / "s.toml"
    Session.open(path).close()
    path.write_text(path.read_text(encoding="utf-8") + _history(200), encoding="utf-8")
    size = len(path.read_text(encoding="utf-8"))
    parsed: list[int] = []
    real_loads = tomllib.loads

    def counting(text: str) -> dict[str, Any]:
        parsed.append(len(text))
        return real_loads(text)

    monkeypatch.setattr(tomllib, "loads", counting)
    with Session.open(path, create=False) as session:
        opened = sum(parsed)
        assert session.journal()[-1] == tomllib.loads(path.read_text("utf-8"))["journal"][-1]
        parsed.clear()
        session.set("review", "status", "in_progress")
        session.save()
    monkeypatch.undo()
    assert opened >= size  # the whole file once, to open it
    assert 0 < sum(parsed) < size / 10, (sum(parsed), size)
    saved = Session.read_only(path)
    assert len(saved.journal()) == 200
    assert saved.get("review", "status") == "in_progress"
    assert saved.data == tomllib.loads(path.read_text(encoding="utf-8"))
