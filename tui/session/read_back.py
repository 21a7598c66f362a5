"""Reading back the text a save is about to write, without re-parsing the whole journal.

`Session.save` writes nothing it could not read back (tomlkit has corrupted edits
before), so every save parses its text with tomllib. With a long history that parse was
most of a save's cost, and an apply saves about twenty times. Between two saves only the
newest one or two `[[journal]]` tables change. So `ReadBack` parses the rest of the file
and only the journal tables whose text it has not read before; the others come from what
it read last time.

That gives exactly what parsing the whole text gives, when:
- each journal table's text (its header up to the next line starting with `[`) parses on
  its own as one `[[journal]]` table and nothing else: then it held no sub-table or
  array of arrays, and ended where the next table begins;
- the rest (every other line, in order) parses and has no `journal` key: TOML tables do
  not depend on where they stand, except `[[journal]]` tables among themselves (kept in
  order) and sub-tables of a journal entry (which would put `journal` in the rest);
- the text has no multi-line string (three quotes in a row), the only place a line can look
  like a table header without being one.
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
        self._pieces: dict[str, dict[str, Any]] = {}  # a journal table's text -> its entry

    def remember(self, pieces: list[str], entries: list[dict[str, Any]]) -> None:
        """Journal tables read elsewhere (compaction), so the next save need not parse them."""
        self._pieces = dict(zip(pieces, entries, strict=True))

    def loads(self, text: str) -> dict[str, Any]:
        split = split_journal(text)
        if split is not None:
            head, pieces = split
            try:
                data = tomllib.loads(head)
                if "journal" not in data:
                    known = self._pieces
                    entries = [known.get(piece) or one_entry(piece) for piece in pieces]
                    self._pieces = dict(zip(pieces, entries, strict=True))
                    data["journal"] = [dict(entry) for entry in entries]
                    return data
            except (tomllib.TOMLDecodeError, NotOneEntry):
                pass
        self._pieces = {}
        return tomllib.loads(text)


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
    data = tomllib.loads(piece)
    journal = data.get("journal")
    if set(data) != {"journal"} or not isinstance(journal, list) or len(journal) != 1:
        raise NotOneEntry(piece)
    entry = journal[0]
    if not isinstance(entry, dict):
        raise NotOneEntry(piece)
    return entry
