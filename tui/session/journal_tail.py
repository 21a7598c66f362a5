"""The newest [[journal]] entries of a session, kept as plain values and their text
instead of tomlkit tables (tui.session.document, "the journal's tail").

An apply journals each write twice (`pending`, then its outcome) and saves after each:
made into tomlkit tables, the entries cost more than everything else a save does
(tomlkit builds each key through its containers, ~0.3 ms an entry, and renders it
again after each change). An entry is a header and a few `key = value` lines, which
`entry_text` writes as tomlkit would write the table made of it, where tomlkit would
put it: at the end of the document's array of tables. The tail is folded into the
tomlkit document (`fold_into`) only when something needs the document itself.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from tui.session.schema import tomlkit_module

# What tomlkit escapes in a basic string (its _basic_escapes: the control characters,
# the quote and the backslash); a string without any is written as it is, in quotes.
_ESCAPED = re.compile(r'[\x00-\x1f\x7f"\\]')
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def value_text(value: Any) -> str | None:
    """`value` as tomlkit writes it (tomlkit.item(value).as_string()); None for a value
    that is not a str or a datetime (the tail then is not used)."""
    kind = type(value)
    if kind is str:
        if _ESCAPED.search(value) is None:
            return f'"{value}"'
        text: str = tomlkit_module().item(value).as_string()
        return text
    if kind is dt.datetime:
        stamp: str = tomlkit_module().item(value).as_string()
        return stamp
    return None


def entry_text(entry: dict[str, Any], indent: str) -> str | None:
    """The text tomlkit renders for a [[journal]] table made with `table.update(entry)`
    and appended to the document's array of tables, whose header then starts with
    `indent` (a blank line, "\\n", where tomlkit adds one: tui.session.document).
    None when a key or value is one this does not write (then tomlkit does)."""
    lines = [indent, "[[journal]]\n"]
    for key, value in entry.items():
        text = value_text(value)
        if text is None or _BARE_KEY.fullmatch(key) is None:
            return None
        lines.append(f"{key} = {text}\n")
    return "".join(lines)


class JournalTail:
    """Entries appended after the `base` entries the document (or text) holds.

    A plain class: a session is opened before a headless command's first request, and a
    dataclass would be compiled then (tests/plan/test_headless_imports.py)."""

    def __init__(self, indent: str = "", base: int = 0) -> None:
        self.indent = indent  # what each entry's header line starts with
        self.base = base
        self.entries: list[dict[str, Any]] = []
        self.texts: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.entries)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def append(self, entry: dict[str, Any]) -> int | None:
        """Add `entry` (a copy is kept); its journal index, or None (nothing added) when
        `entry_text` cannot write it."""
        text = entry_text(entry, self.indent)
        if text is None:
            return None
        self.entries.append(dict(entry))
        self.texts.append(text)
        return self.base + len(self.entries) - 1

    def update(self, index: int, fields: dict[str, Any]) -> bool:
        """Change the entry at journal index `index` (a key it has keeps its place, a new
        one goes last, as in a tomlkit table); False (nothing changed) when that entry
        is not in the tail or `entry_text` cannot write the result."""
        at = index - self.base
        if index < 0 or not 0 <= at < len(self.entries):
            return False
        changed = {**self.entries[at], **fields}
        text = entry_text(changed, self.indent)
        if text is None:
            return False
        self.entries[at] = changed
        self.texts[at] = text
        return True

    def fold_into(self, entries: Any) -> None:
        """Append the entries to the tomlkit array of tables `entries`, as journal_append
        does without a tail; the tail is then empty."""
        tomlkit = tomlkit_module()
        for entry in self.entries:
            table = tomlkit.table()
            table.update(entry)
            entries.append(table)
        self.entries = []
        self.texts = []
