"""A loaded session: read with tomllib, written with tomlkit, saved atomically (0600).

Saves are atomic (temp file, fsync, re-parse, os.replace, fsync of the folder) so that
comments and hand edits survive and a crash never leaves half a file. The process
holds the session's lock (tui.session.lock) while it has the session open.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import os
import threading
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.files import read_utf8, write_private
from tui.session.journal_tail import JournalTail
from tui.session.lock import SessionLock
from tui.session.read_back import (
    JOURNAL,
    NotOneEntry,
    ReadBack,
    one_entry,
    split_journal,
    split_tables,
)
from tui.session.schema import (
    JOURNAL_SCHEMA,
    MIGRATIONS,
    SCHEMA,
    SCHEMA_VERSION,
    SessionError,
    add_comment,
    new_document,
    new_table,
    toml_item,
    tomlkit_module,
    type_problem,
    unwrap,
    utc_now,
    validate,
    where,
)
from tui.steps import STEP_IDS

if TYPE_CHECKING:
    import asyncio

    from tomlkit.items import AoT
    from tomlkit.toml_document import TOMLDocument

# --- journal compaction -------------------------------------------------------------

# The journal keeps what apply and a person need, not every write ever made: every
# save rewrites the whole file, so a journal that only grew would make each apply
# slower (about 1 ms per entry). See README, "[[journal]]", and docs/session-format.md.
JOURNAL_KEEP_RECENT = 10


def journal_entries_to_keep(
    entries: Sequence[Mapping[str, Any]], keep_recent: int = JOURNAL_KEEP_RECENT
) -> list[int]:
    """Indices (in order) of the entries compaction keeps:

    - the newest `keep_recent` entries, in full (the last run, usually);
    - every `pending` entry (a write whose outcome is unknown: resume settles it);
    - the newest entry of every intent (the last outcome and object id of each write;
      every write of the last run is one);
    - the newest successful `create` of every object type (the id adue made and put in
      the session, even when a later create of it failed).

    Dropped: older repeats of an intent, superseded by a newer entry of the same intent
    (an older create's object was gone, or the plan would not have created it again).
    """
    keep = set(range(max(0, len(entries) - keep_recent), len(entries)))
    newest: dict[object, int] = {}
    created: dict[object, int] = {}
    for index, entry in enumerate(entries):
        newest[entry.get("intent")] = index
        if entry.get("result") == "pending":
            keep.add(index)
        elif entry.get("action") == "create" and entry.get("result") == "ok":
            created[entry.get("object_type")] = index
    keep.update(newest.values())
    keep.update(created.values())
    return sorted(keep)


# --- the session ------------------------------------------------------------------


class Session:
    """A loaded session. Change it with `set`/`journal_*`, then `save()`.

    Thread-safe: the wizard's workers and the apply engine may call it from threads.
    """

    def __init__(
        self,
        path: Path,
        lock: SessionLock | None,
        *,
        doc: TOMLDocument | None = None,
        loaded: tuple[str, dict[str, Any]] | None = None,
        read_back: ReadBack | None = None,
    ) -> None:
        self.path = path
        self._lock = lock
        self._mutex = threading.RLock()
        self._write_lock = threading.Lock()
        self._saves_made = 0
        self._saves_written = 0
        # Parses again only what changed since the last save (or the load, which may have
        # read the file through it: the first save then parses only the tables it changed).
        self._read_back = read_back or ReadBack()
        self._batch: asyncio.Future[None] | None = None  # save_async's save not yet serialised
        # Reads are served from tomllib's plain dict until a write needs the comment-
        # preserving tomlkit document: parsing a whole session with tomlkit costs ~20 ms,
        # more than the rest of a fleet tenant's no-op run. A write to a key of a table
        # the file has parses that table alone (`_edited`, "text mode"); the whole
        # document is parsed only for other changes (a journal entry, a new table).
        self._doc = doc
        self._text, self._plain = loaded if loaded else ("", {})
        self._edited: dict[str, TOMLDocument] = {}  # text mode: tables edited, each alone
        self._dirty: set[str] = set()  # text mode: those changed since the text was made
        # The whole document's mode: the text of each top-level table (and journal entry)
        # as last rendered, by id, until a change to it; the first render of a tomlkit
        # document is most of a save's cost. Not used once `doc` is handed out (changes
        # made through it are not seen).
        self._rendered: dict[int, tuple[object, str]] = {}
        self._exposed = False
        self._changed = doc is not None
        # Either mode: the newest journal entries, kept as plain entries and their text
        # (tui.session.journal_tail) until something needs them as tomlkit tables in the
        # document (`_document` folds them in). Text mode's plain dict has them too.
        self._tail = JournalTail()

    @property
    def doc(self) -> TOMLDocument:
        """The tomlkit document, for a caller that edits it directly (every save then
        renders all of it)."""
        with self._mutex:
            self._exposed = True
            return self._document()

    def _document(self) -> TOMLDocument:
        """The whole tomlkit document, the journal's tail folded into it."""
        with self._mutex:
            doc = self._whole()
            if self._tail:
                self._tail.fold_into(doc["journal"])
            return doc

    def _whole(self) -> TOMLDocument:
        """The tomlkit document (parsed now in text mode), the journal's tail left out:
        for a change to a table that is there, which the tail does not change."""
        with self._mutex:
            if self._doc is None:
                self._doc = tomlkit_module().parse(self._base_text())
                self._edited = {}
                self._dirty = set()
                self._rendered = {}
            return self._doc

    @property
    def changed(self) -> bool:
        """Whether anything changed since the last save (or the load)."""
        with self._mutex:
            return self._changed or self._exposed

    def _current_text(self) -> str:
        """The text a save would write now (before the `updated` stamp)."""
        with self._mutex:
            if self._doc is None:
                return self._base_text() + self._tail.text
            if self._exposed:  # (the tail is empty: `doc` folded it)
                whole: str = tomlkit_module().dumps(self._doc)
                return whole
            text = _render(self._doc, self._rendered, self._tail.text)
            if text is None:  # tomlkit renders this document at once, the tail in it
                text = _render(self._document(), self._rendered)
            assert text is not None
            return text

    def _base_text(self) -> str:
        """Text mode: the text with the edited tables as they stand, without the tail."""
        with self._mutex:
            if not self._dirty:
                return self._text
            parts = split_tables(self._text)
            assert parts is not None  # tables are edited alone only in a text that splits
            out: list[str] = []
            for index, (name, piece) in enumerate(parts):
                text = piece
                if name in self._dirty:
                    text = tomlkit_module().dumps(self._edited[name])
                if index + 1 < len(parts) and not text.rstrip(" ").endswith("\n"):
                    text += "\n"  # as tomlkit puts a table after text ending mid-line
                out.append(text)
            return "".join(out)

    def _table_alone(self, table: str) -> Any:
        """Text mode: the tomlkit table `table` parsed on its own, to change a key in it;
        None when the whole document is needed (not text mode, or the text does not split
        into simple tables, or has `table` not exactly once)."""
        if self._doc is not None:
            return None
        tomlkit = tomlkit_module()
        alone = self._edited.get(table)
        if alone is None:
            parts = split_tables(self._text)
            pieces = [piece for name, piece in parts or () if name == table]
            if len(pieces) != 1 or not pieces[0].endswith("\n"):
                return None
            alone = tomlkit.parse(pieces[0])
            self._edited[table] = alone
        item = alone.get(table)
        return item if isinstance(item, tomlkit.items.Table) else None

    def _touched(self, table: str, container: Any) -> None:
        """`container` (the table `table`) changed: re-read or re-render it."""
        self._changed = True
        if self._doc is None:
            self._plain[table] = unwrap(container)
            self._dirty.add(table)
        elif isinstance(container, tomlkit_module().items.Table):
            self._rendered.pop(id(container), None)
        else:  # a proxy over a table given in parts: start afresh
            self._rendered.clear()

    def _tail_in_doc(self) -> int:
        """How many entries the journal has beside the document's (the tail's: the plain
        dict of text mode holds them)."""
        return len(self._tail.entries) if self._doc is not None else 0

    def _tail_takes_entries(self) -> bool:
        """Whether journal_append may keep its entry in the tail: where it then writes
        the entry's text is where tomlkit would put the entry's table. That is after the
        last entry of the journal, which must be there (else tomlkit makes the array and
        its place), and with a blank line before it when tomlkit adds one: in an array it
        made, not in one it parsed (whatever the file had there)."""
        if self._tail:
            return True
        if self._doc is None:
            count = self._text_journal_count()
            if count is None:
                return False
            self._tail = JournalTail("", count)  # the array a parse of the text makes
            return True
        if self._exposed:
            return False
        entries = self._journal_for_tail()
        if entries is None:
            return False
        self._tail = JournalTail("" if entries._parsed else "\n", len(entries))
        return True

    def _text_journal_count(self) -> int | None:
        """Text mode: how many entries the journal has, when its tables end the text
        (which ends with a newline) and the first has a plain `[[journal]]` header;
        else None."""
        parts = split_tables(self._text) if self._text.endswith("\n") else None
        names = [name for name, _ in parts or ()]
        if JOURNAL not in names or parts is None:
            return None
        first = names.index(JOURNAL)
        journal = self._plain.get("journal")
        if (
            any(name != JOURNAL for name in names[first:])
            or not parts[first][1].startswith("[[journal]]")
            or not isinstance(journal, list)
            or len(journal) != len(names) - first
        ):
            return None
        return len(journal)

    def _journal_for_tail(self) -> AoT | None:
        """The whole document's mode: the journal's array of tables, when it has an
        entry, renders as `[[journal]]` with no indent of its own, and its last entry
        ends with a newline; else None."""
        assert self._doc is not None
        entries = self._doc.get("journal")
        if not isinstance(entries, tomlkit_module().items.AoT) or not entries.body:
            return None
        if " " in entries.trivia.indent:  # tomlkit indents each new entry as much
            return None
        key = next((k for k, value in self._doc.body if value is entries), None)
        if key is None or key.as_string() != "journal":
            return None
        last = entries.body[-1]
        cached = self._rendered.get(id(last))
        if cached is None or cached[0] is not last:
            cached = (last, self._doc._render_aot_table(last, prefix="journal"))
            self._rendered[id(last)] = cached
        return entries if cached[1].endswith("\n") else None

    # opening and closing

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        create: bool = True,
        lock: bool = True,
        new: Callable[[], TOMLDocument] | None = None,
    ) -> Session:
        """Load `path` (or create it when missing and `create`), holding its lock if `lock`.
        `new` makes the document a missing file starts as (default: every table, as the
        wizard starts; the fleet starts each tenant's session from its fleet file).

        Invalid content raises SessionError and leaves the file untouched.
        """
        path = Path(path).expanduser().absolute()
        if path.is_dir():
            raise SessionError(
                f"--session {path} is a folder: give a session file, e.g. "
                f"{path / 'adue-session.toml'}"
            )
        if not path.parent.is_dir():
            raise SessionError(
                f"--session {path}: the folder {path.parent} does not exist. Create it first."
            )
        if not create and not path.exists():
            # Refused before the lock is taken: no stray `.lock` is left behind.
            raise SessionError(_missing(path))
        holder = SessionLock(path) if lock else None
        if holder:
            holder.acquire()
        try:
            if holder:
                _remove_stale_temp_files(path)
            if path.exists():
                reader = ReadBack()
                session = cls(path, holder, loaded=load_document(path, reader), read_back=reader)
            else:
                if not create:
                    raise SessionError(_missing(path))
                session = cls(path, holder, doc=(new or new_document)())
                session.save()
        except BaseException:
            if holder:
                holder.discard()  # a refused open leaves no lock file it made
            raise
        return session

    @classmethod
    def read_only(cls, path: str | Path) -> Session:
        """Load without the lock, for commands that never write (plan, status, guide)."""
        return cls.open(path, create=False, lock=False)

    def close(self) -> None:
        if self._lock:
            if self._saves_written:
                self._lock.release()
            else:  # a command that wrote nothing (e.g. refused) leaves no lock file it made
                self._lock.discard()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # reading

    @property
    def data(self) -> dict[str, Any]:
        """The whole session as plain Python values (a copy)."""
        with self._mutex:
            if self._doc is None:
                copied: dict[str, Any] = _plain_copy(self._plain)
                return copied
            result: dict[str, Any] = self._doc.unwrap()
            if self._tail:
                result["journal"] += [_plain_copy(entry) for entry in self._tail.entries]
            return result

    def has_table(self, name: str) -> bool:
        with self._mutex:
            return name in (self._plain if self._doc is None else self._doc)

    def table(self, name: str) -> dict[str, Any]:
        with self._mutex:
            source: Any = self._plain if self._doc is None else self._doc
            value = source.get(name)
            return _plain_copy(dict(unwrap(value))) if value is not None else {}

    def get(self, table: str, key: str, default: Any = None) -> Any:
        with self._mutex:
            source: Any = self._plain if self._doc is None else self._doc
            container = source.get(table)
            if container is None or key not in container:
                spec = SCHEMA.get(table, {}).get(key)
                if default is None and spec is not None:
                    return spec.default
                return default
            return _plain_copy(unwrap(container[key]))

    @property
    def current_step(self) -> str:
        step = self.get("session", "current_step")
        return step if step in STEP_IDS else "sign_in"

    def where(self, table: str, key: str) -> str:
        """`[table] key (line N)` as the file stands, for messages that name the line."""
        return where(self._current_text(), table, key)

    # writing

    def set(self, table: str, key: str, value: Any) -> None:
        """Set one key (None removes it); validated against the schema before it is stored."""
        spec = SCHEMA.get(table, {}).get(key)
        if spec is None:
            raise KeyError(f"[{table}] {key} is not part of the session schema")
        with self._mutex:
            if self._doc is None and table in self._plain:
                # Nothing to change (the fleet sets every key at each run): nothing parsed.
                current = self._plain[table]
                if value is None and key not in current:
                    return
                if value is not None and key in current and current[key] == value:
                    return
            container = self._table_alone(table)
            if container is None:
                doc = self._whole()
                container = doc.get(table)
                if container is None:
                    doc = self._document()  # the new table goes after the whole journal
                    container = new_table(table)
                    doc.add(table, container)
                    self._rendered.clear()  # where tomlkit puts it may change its neighbours
                    self._changed = True
            if value is None:
                if key in container:
                    del container[key]
                    self._touched(table, container)
                return
            problem = type_problem(spec.kind, value)
            if problem:
                raise SessionError(f"[{table}] {key} {problem}.")
            if unwrap(container.get(key)) == value:
                return
            comment = spec.comment if key not in container else None
            container[key] = toml_item(spec.kind, value)
            if comment:
                add_comment(container, key, comment)
            self._touched(table, container)

    def add_table(self, table: str) -> None:
        """Add `table` empty, where tomlkit puts a new table (no-op when it is there)."""
        if table not in SCHEMA:
            raise KeyError(f"[{table}] is not part of the session schema")
        with self._mutex:
            if self.has_table(table):
                return
            self._document().add(table, tomlkit_module().table())
            self._rendered.clear()
            self._changed = True

    def remove_table(self, table: str) -> None:
        """Remove `table` and everything in it (no-op when it is not there)."""
        with self._mutex:
            if not self.has_table(table):
                return
            del self._document()[table]
            self._rendered.clear()
            self._changed = True

    def update(self, table: str, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            self.set(table, key, value)

    def journal(self) -> list[dict[str, Any]]:
        with self._mutex:
            source: Any = self._plain if self._doc is None else self._doc
            entries = source.get("journal")
            result = [_plain_copy(dict(unwrap(e))) for e in entries] if entries is not None else []
            if self._doc is not None:  # (in text mode the plain dict has the tail)
                result += [_plain_copy(entry) for entry in self._tail.entries]
            return result

    def journal_append(self, **entry: Any) -> int:
        """Add a [[journal]] entry (time defaults to now); returns its index."""
        entry.setdefault("time", utc_now())
        for key, value in entry.items():
            spec = JOURNAL_SCHEMA.get(key)
            if spec is None:
                raise KeyError(f"[[journal]] {key} is not part of the session schema")
            problem = type_problem(spec.kind, value)
            if problem:
                raise SessionError(f"[[journal]] {key} {problem}.")
        with self._mutex:
            index = self._tail.append(entry) if self._tail_takes_entries() else None
            if index is not None:
                if self._doc is None:
                    self._plain["journal"].append(_plain_copy(entry))
                self._changed = True
                return index
            doc = self._document()
            entries = doc.get("journal")
            if entries is None:
                entries = tomlkit_module().aot()
                doc.add(tomlkit_module().nl())
                doc.append("journal", entries)
                self._rendered.clear()
            assert isinstance(entries, tomlkit_module().items.AoT)
            table = tomlkit_module().table()
            table.update(entry)
            entries.append(table)  # changes no other entry (tomlkit's AoT.insert at the end)
            self._changed = True
            return len(entries) - 1

    def journal_update(self, index: int, **fields: Any) -> None:
        """Change keys of the index-th [[journal]] entry; all are checked first (an
        invalid one raises before any is changed)."""
        for key, value in fields.items():
            problem = type_problem(JOURNAL_SCHEMA[key].kind, value)
            if problem:
                raise SessionError(f"[[journal]] {key} {problem}.")
        with self._mutex:
            if self._tail.update(index, fields):
                if self._doc is None:
                    self._plain["journal"][index].update(fields)
                self._changed = True
                return
            # An entry before the tail changes in the document, the tail left as it is.
            before = 0 <= index < self._tail.base
            entries = (self._whole() if before else self._document())["journal"]
            assert isinstance(entries, tomlkit_module().items.AoT)
            for key, value in fields.items():
                entries[index][key] = value
            self._rendered.pop(id(entries[index]), None)
            self._changed = True

    def compact_journal(self, keep_recent: int = JOURNAL_KEEP_RECENT) -> int:
        """Drop superseded old [[journal]] entries (journal_entries_to_keep says which);
        returns how many were dropped. Indices of earlier journal_append calls change.
        Comments inside dropped entries go with them."""
        with self._mutex:
            source: Any = self._plain if self._doc is None else self._doc
            entries = source.get("journal")
            if entries is None or len(entries) + self._tail_in_doc() <= keep_recent:
                return 0
            plain = [dict(unwrap(e)) for e in entries]
            if self._tail_in_doc():
                plain += self._tail.entries
            keep = journal_entries_to_keep(plain, keep_recent)
            dropped = len(plain) - len(keep)
            if not dropped:
                return 0
            self._changed = True
            if self._tail:
                self._document()  # compacted as the document it would have been
            elif self._doc is None and self._compact_text(plain, keep):
                return dropped
            tomlkit = tomlkit_module()
            doc = self._document()
            old = doc["journal"]
            assert isinstance(old, tomlkit.items.AoT)
            kept = tomlkit.aot()
            for index in keep:
                kept.append(old[index])  # may change a kept entry's leading blank line
            doc["journal"] = kept
            self._rendered.clear()
            return dropped

    def _compact_text(self, plain: list[dict[str, Any]], keep: list[int]) -> bool:
        """Compaction before tomlkit has parsed the file: cut the [[journal]] tables out of
        the text and put the kept ones back as they were written (comments and all), so
        a huge journal is never parsed by tomlkit (~0.25 ms per entry) nor serialised
        again. False (nothing changed) when the cut text does not read back as exactly
        the rest of the session and each kept table as its entry (tui.session.read_back)."""
        if self._dirty:  # the text does not hold those changes yet: not the whole story
            return False
        split = split_journal(self._text)
        if split is None or len(split[1]) != len(plain):
            return False
        rest, pieces = split
        kept = [pieces[i] if pieces[i].endswith("\n") else pieces[i] + "\n" for i in keep]
        expected = {k: v for k, v in self._plain.items() if k != "journal"}
        try:
            entries = [one_entry(piece) for piece in kept]
            if tomllib.loads(rest) != expected or entries != [plain[i] for i in keep]:
                return False
        except (tomllib.TOMLDecodeError, NotOneEntry):
            return False
        self._text = rest.rstrip("\n") + "\n\n" + "".join(kept)
        self._plain = {**expected, "journal": entries}
        self._read_back.remember(kept, entries)
        return True

    def save(self) -> None:
        """Atomically replace the file with the current document (stamping `updated`)."""
        self._write(*self._serialise())

    async def save_async(self) -> None:
        """`save` for a coroutine: the write and its fsyncs wait in a worker thread, so
        that an event loop running other work (the other chains, a fleet's other tenants)
        does not stand still while the disk syncs. Returns once the file holds every
        change made before the call.

        Group commit: coroutines that save in the same turn of the event loop (a plan's
        chains journalling the writes they send together) share one serialisation and
        one write. A caller joins only a save not yet serialised, so its changes (made
        before it called) are in the text written; it returns only after that write."""
        import asyncio

        with self._mutex:
            batch = self._batch
            if batch is None:
                batch = self._batch = asyncio.ensure_future(self._save_batch())
        # Shielded: a cancelled caller does not cancel the save the others wait for.
        await asyncio.shield(batch)

    async def _save_batch(self) -> None:
        import asyncio

        await asyncio.sleep(0)  # the other coroutines ready in this turn join first
        with self._mutex:
            self._batch = None
            number, text = self._serialise()
        await asyncio.to_thread(self._write, number, text)

    def _serialise(self) -> tuple[int, str]:
        with self._mutex:
            session = self._table_alone("session")
            if session is None:
                session = self._whole()["session"]
                assert isinstance(session, tomlkit_module().items.Table)
            session["updated"] = utc_now()
            self._touched("session", session)
            text = self._current_text()
            # Never write what we could not read back (tomlkit has corrupted edits before).
            data = self._read_back.loads(text)
            validate(data, text)
            if self._doc is None:
                # The text without the tail: its entries stay in the tail, to be changed there.
                self._text = text[: len(text) - len(self._tail.text)]
                self._plain = data
                self._dirty = set()  # the text holds each edited table as it stands
            self._changed = False
            self._saves_made += 1
            return self._saves_made, text

    def _write(self, number: int, text: str) -> None:
        # The write and its fsyncs happen outside the mutex, so that readers (the UI)
        # never wait for the disk; saves still land in order, the newest last.
        with self._write_lock:
            if number > self._saves_written:
                write_private(self.path, text)
                self._saves_written = number

    @contextmanager
    def saving(self) -> Iterator[Session]:
        """`with session.saving(): session.set(...)` — save once after a group of changes."""
        with self._mutex:
            yield self
            self.save()


# What TOML's values are made of that cannot change (a datetime is one): shared, not copied.
_IMMUTABLE = frozenset({str, int, float, bool, dt.datetime, dt.date, dt.time})


def _plain_copy(value: Any) -> Any:
    """copy.deepcopy of a session's plain values (dicts, lists and TOML's scalars), an
    equal copy without deepcopy's dispatch and memo per object: a fleet tenant's whole
    session in 0.03 ms instead of 0.125, and its data, tables and journal are copied
    about twenty times in a no-op re-run. Anything else is handed to deepcopy."""
    kind = type(value)
    if kind is dict:
        return {key: _plain_copy(item) for key, item in value.items()}
    if kind is list:
        return [_plain_copy(item) for item in value]
    if kind in _IMMUTABLE:
        return value
    return copy.deepcopy(value)


def _missing(path: Path) -> str:
    if path.is_symlink():
        return (
            f"--session {path}: a symbolic link to {Path(os.path.realpath(path))}, which does "
            "not exist. Fix the link or give the session file itself."
        )
    return (
        f"--session {path}: no such session file. "
        "Start the wizard (adue --session PATH) to create one."
    )


def _remove_stale_temp_files(path: Path) -> None:
    """Delete temp files a killed writer left behind; safe because we hold the lock.

    For a symlinked session the writer's temp files sit beside the link's target."""
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    prefix = f".{target.name}."
    try:
        for leftover in target.parent.iterdir():
            if leftover.name.startswith(prefix) and leftover.name.endswith(".tmp"):
                leftover.unlink(missing_ok=True)
    except OSError:
        pass  # a folder we cannot list or write: the save says so, with the fix


def load_document(path: Path, read_back: ReadBack | None = None) -> tuple[str, dict[str, Any]]:
    """Read and validate a session file: its text and plain data (older schemas migrated).
    `read_back`: parse it through that ReadBack (table by table, as a save reads back), so
    that the session's first save parses again only the tables it changed."""
    text = read_utf8(
        path,
        SessionError,
        unreadable=lambda exc: f"--session {path}: cannot read it ({exc.strerror}).",
        save_hint="Save it as UTF-8 or start a new session.",
    )
    try:
        data = read_back.loads(text) if read_back is not None else tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SessionError(
            f"{path}: not valid TOML: {exc}. Fix that line, or move the file away "
            "to start a new session."
        ) from None
    except RecursionError:
        raise SessionError(_too_deep(path)) from None
    try:
        text, data = _migrate(text, data)
        validate(data, text)
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
    except RecursionError:
        raise SessionError(_too_deep(path)) from None
    return text, data


def _too_deep(path: Path) -> str:
    return (
        f"{path}: arrays or tables nested too deeply to read (a session is never nested more "
        "than a few levels). Fix the file, or move it away to start a new session."
    )


def _migrate(text: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Bring an older schema up to SCHEMA_VERSION; refuse numbers adue never wrote."""
    session = data.get("session")
    schema = session.get("schema") if isinstance(session, dict) else None
    if not isinstance(schema, int) or isinstance(schema, bool) or schema >= SCHEMA_VERSION:
        return text, data  # not a number or a newer one: validate() names the problem
    # Schema 1 was the first; below it (or with a migration missing) nothing can be done.
    if schema < 1 or any(v not in MIGRATIONS for v in range(schema, SCHEMA_VERSION)):
        raise SessionError(
            f"{where(text, 'session', 'schema')}: schema = {schema} is not a format version "
            f"adue ever wrote (the first is 1, this adue writes {SCHEMA_VERSION}). Set "
            f"`schema = {SCHEMA_VERSION}` if the rest of the file is in today's format, or move "
            "the file away to start a new session."
        )
    doc = tomlkit_module().parse(text)
    for version in range(schema, SCHEMA_VERSION):
        MIGRATIONS[version](doc)
    text = tomlkit_module().dumps(doc)
    return text, tomllib.loads(text)


def _render(
    doc: TOMLDocument, rendered: dict[int, tuple[object, str]], tail: str = ""
) -> str | None:
    """`tomlkit.dumps(doc)`, from `rendered` for the tables (and journal entries) that did
    not change since it was filled, and `tail` (the journal's tail) after the journal's
    last entry. As tomlkit's Container.as_string (0.15), which renders each top-level
    item on its own; tests/foundation compare the two on random edits. None when tomlkit
    renders the document at once and there is a tail (fold it in first)."""
    from tomlkit import container as tk_container
    from tomlkit._compat import decode

    items = tomlkit_module().items
    body = doc.body

    # tomlkit renders an emptied array of tables, or one under a table that emits no
    # header, at the top of the document: not item by item. A session has neither (it
    # holds no super table); should it, the whole document is rendered as tomlkit does.
    def whole(value: object) -> bool:
        if isinstance(value, items.AoT):
            return not value.body
        if not isinstance(value, items.Table):
            return False
        # A table whose text is kept was rendered on its own, so it was no super table
        # then, and it has not changed since: tomlkit's is_super_table walks every key of
        # the table (a key object made for each), at every save, for each table.
        cached = rendered.get(id(value))
        return (cached is None or cached[0] is not value) and value.is_super_table()

    if any(whole(value) for _, value in body):
        return None if tail else doc.as_string()
    journal = doc.get("journal") if tail else None

    def table_text(table: object, render: Callable[[], str]) -> str:
        cached = rendered.get(id(table))
        if cached is None or cached[0] is not table:
            cached = rendered[id(table)] = (table, render())
        return cached[1]

    out: list[str] = []
    last = ""  # the last character of the text so far that is not a space
    for key, value in body:
        if key is not None and tk_container._is_empty_aot(value):
            continue
        if key is not None and isinstance(value, items.Table | items.AoT):
            if last and last != "\n" and "\n" not in value.trivia.indent:
                out.append("\n")
                last = "\n"
            if isinstance(value, items.Table):
                text = table_text(value, functools.partial(doc._render_table, key, value))
            else:
                prefix = decode(key.as_string())
                text = "".join(
                    table_text(t, functools.partial(doc._render_aot_table, t, prefix=prefix))
                    for t in value.body
                )
                if value is journal:
                    text += tail
                    tail = ""
        else:
            text = doc._render_simple_item(key, value)
        out.append(text)
        stripped = text.rstrip(" ")
        if stripped:
            last = stripped[-1]
    return None if tail else "".join(out)  # (a tail it found no place for: fold it in)
