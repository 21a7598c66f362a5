"""Reading back the text a save is about to write, without parsing all of it again.

`Session.save` writes nothing it could not read back (tomlkit has corrupted edits
before), so every save parses its text with tomllib. An apply saves about twenty times,
and between two saves only a few tables change: [session] (its `updated` stamp), the
table a step recorded an id in, the newest one or two `[[journal]]` tables. So `ReadBack`
parses only the tables whose text it has not read before; the others come from what it
read last time.

That gives exactly what parsing the whole text gives, when:
- the text has no multi-line string (three quotes in a row), the only place a line can
  look like a table header without being one;
- every header is `[name]` (a bare name) or `[[journal]]`: a table then ends where the
  next line starting with `[` begins, and TOML tables do not depend on where they stand,
  except `[[journal]]` tables among themselves (kept in order);
- each table's text parses on its own as that one table and nothing else (a line inside
  a multi-line array that looks like a header leaves the text before it unclosed: it
  does not parse), and no name is given twice (which would not parse whole).
Otherwise it parses the whole text.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

_JOURNAL_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*journal[ \t]*\]\][ \t]*(#.*)?$", re.MULTILINE)
_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


class ReadBack:
    """tomllib's reading of successive versions of one session's text."""

    def __init__(self) -> None:
        self._pieces: dict[str, dict[str, Any]] = {}  # a table's text -> what it reads as

    def remember(self, pieces: list[str], entries: list[dict[str, Any]]) -> None:
        """Journal tables read elsewhere (compaction), so the next save need not parse them."""
        self._pieces = {
            piece: {"journal": [entry]} for piece, entry in zip(pieces, entries, strict=True)
        }

    def loads(self, text: str) -> dict[str, Any]:
        parts = split_tables(text)
        if parts is not None:
            try:
                return self._merge(parts)
            except (tomllib.TOMLDecodeError, NotOneEntry):
                pass
        self._pieces = {}
        return tomllib.loads(text)

    def _merge(self, parts: list[tuple[str, str]]) -> dict[str, Any]:
        """What the whole text reads as, from what each of its tables reads as alone."""
        known = self._pieces
        seen: dict[str, dict[str, Any]] = {}
        data: dict[str, Any] = {}
        journal: list[dict[str, Any]] = []
        for name, piece in parts:
            read = known.get(piece)
            if read is None:
                read = tomllib.loads(piece)
            seen[piece] = read
            if name == JOURNAL:
                journal.append(dict(_only_entry(read, piece)))
                continue
            # The text before the first table holds comments (or top-level keys); a
            # [name] table holds that one table, and no two pieces give the same key
            # (the whole text would not parse: a duplicate table).
            if name and set(read) != {name}:
                raise NotOneEntry(piece)
            for key, value in read.items():
                if key in data or key == "journal":
                    raise NotOneEntry(piece)
                data[key] = dict(value) if isinstance(value, dict) else value
        self._pieces = seen
        if journal:
            data["journal"] = journal
        return data


JOURNAL = "[[journal]]"
_TABLE_HEADER = re.compile(r"[ \t]*\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\][ \t]*(#.*)?$", re.MULTILINE)


def split_tables(text: str) -> list[tuple[str, str]] | None:
    """The text cut where each table begins: ("", what precedes the first table), then
    (its name, its text) for each `[name]` table and (JOURNAL, its text) for each
    `[[journal]]` table, in order; joined they give the text again. None when the text
    has a multi-line string, or a table header of another form (`[a.b]`, a quoted name,
    another array of tables): then only a whole parse reads it right."""
    if '"""' in text or "'''" in text:
        return None
    bounds = [match.start() for match in _HEADER.finditer(text)]
    parts = [("", text[: bounds[0]] if bounds else text)]
    for start, end in zip(bounds, [*bounds[1:], len(text)][: len(bounds)], strict=True):
        segment = text[start:end]
        line = segment.split("\n", 1)[0]
        if _JOURNAL_HEADER.match(line):
            parts.append((JOURNAL, segment))
            continue
        match = _TABLE_HEADER.match(line)
        if match is None:
            return None
        parts.append((match.group(1), segment))
    return parts


def split_journal(text: str) -> tuple[str, list[str]] | None:
    """The text without its journal tables, and each journal table's text (each ends
    where the next line starting with `[` begins); None when there is no journal or
    the text has a multi-line string."""
    if '"""' in text or "'''" in text:
        return None
    bounds = [match.start() for match in _HEADER.finditer(text)]
    if not bounds:
        return None
    rest = [text[: bounds[0]]]
    pieces: list[str] = []
    for start, end in zip(bounds, [*bounds[1:], len(text)], strict=True):
        segment = text[start:end]
        (pieces if _JOURNAL_HEADER.match(segment) else rest).append(segment)
    return ("".join(rest), pieces) if pieces else None


class NotOneEntry(ValueError):
    """A journal table's text that is not one [[journal]] table on its own."""


def one_entry(piece: str) -> dict[str, Any]:
    """The entry of one journal table's text; raises NotOneEntry (or TOMLDecodeError)."""
    return _only_entry(tomllib.loads(piece), piece)


def _only_entry(data: dict[str, Any], piece: str) -> dict[str, Any]:
    journal = data.get("journal")
    if set(data) != {"journal"} or not isinstance(journal, list) or len(journal) != 1:
        raise NotOneEntry(piece)
    entry = journal[0]
    if not isinstance(entry, dict):
        raise NotOneEntry(piece)
    return entry
