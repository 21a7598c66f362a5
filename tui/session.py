"""The session file: one TOML document holding a rollout's desired state and progress.

Format: docs/session-format.md. Written with tomlkit so that comments and hand
edits survive; read and re-checked with stdlib tomllib. Saves are atomic (temp
file, fsync, re-parse, os.replace, fsync of the folder) and the file is 0600.
An advisory lock on `<session>.lock` keeps a second process from writing the
same session. Nothing secret is ever stored here: the schema has no key that
could hold one, and unknown keys are refused.
"""

from __future__ import annotations

import copy
import datetime as dt
import errno
import fcntl
import os
import re
import socket
import threading
import time
import tomllib
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.files import write_private
from tui.steps import STATUSES, STEP_IDS

if TYPE_CHECKING:
    from types import ModuleType

    from tomlkit.items import Table
    from tomlkit.toml_document import TOMLDocument

SCHEMA_VERSION = 1

CLOUDS = ("global", "usgov", "usgov-dod", "china")
AUTH_METHODS = ("device-code", "browser", "secret", "certificate", "azure-cli", "token")
IDENTITIES = ("federated", "managed_apple_id")
GUIDE_FORMATS = ("md", "html", "pdf")
JOURNAL_ACTIONS = ("create", "update", "assign", "unassign", "set_priority")
JOURNAL_RESULTS = ("pending", "ok", "failed")
APPLY_RESULTS = ("", "ok", "failed", "interrupted")


class SessionError(Exception):
    """A session file that cannot be used; the message names the key, the line and the fix."""


class SessionLockedError(SessionError):
    """Another process holds the session's lock."""


# --- schema -----------------------------------------------------------------

# A key's kind: "str", "bool", "int", "datetime", "strs" (array of strings),
# "groups" (array of {id, name} inline tables), or a tuple of allowed strings.
Kind = str | tuple[str, ...]


@dataclass(frozen=True)
class Field:
    kind: Kind
    default: Any  # None = no default: the key is written only when set
    comment: str = ""


def _status() -> Field:
    return Field(STATUSES, "todo", "todo | in_progress | done")


SCHEMA: dict[str, dict[str, Field]] = {
    "session": {
        "schema": Field("int", SCHEMA_VERSION, "format version; adue migrates older files"),
        "id": Field("str", None),
        "created": Field("datetime", None),
        "updated": Field("datetime", None),
        "current_step": Field(STEP_IDS, "sign_in", "the step the wizard reopens at"),
    },
    "tenant": {
        "cloud": Field(CLOUDS, "global", "global | usgov | usgov-dod | china"),
        "tenant_id": Field("str", "", "directory (tenant) id, or a verified domain"),
        "graph_url": Field("str", "", "custom Graph root (a sandbox); empty = the cloud's"),
        "client_id": Field("str", "", "app registration; empty = Graph Command Line Tools"),
        "auth": Field(AUTH_METHODS, "device-code", " | ".join(AUTH_METHODS)),
        "certificate_path": Field("str", "", "for auth = certificate: the PEM's path only"),
        "account": Field("str", "", "the signed-in account"),
        "organization": Field("str", "", "the tenant's display name"),
        "sign_in_domain": Field("str", "", "the domain employees sign in with"),
    },
    "sign_in": {
        "status": _status(),
        "scopes": Field("strs", [], "delegated scopes granted at the last sign-in"),
    },
    "prerequisites": {
        "status": _status(),
        "acknowledged_warnings": Field("strs", [], "check ids whose warnings were accepted"),
        "federation_confirmed": Field("bool", False, "managed Apple IDs / ABM federation"),
        "last_checked": Field("datetime", None),
    },
    "sso_extension": {
        "status": _status(),
        "name": Field("str", "iOS – Entra ID SSO extension (account-driven UE)"),
        "description": Field("str", ""),
        "bundle_ids": Field("strs", [], "non-Microsoft apps that use the extension"),
        "browser_sso_interaction_enabled": Field("bool", True),
        "all_users": Field("bool", True, "assign to all licensed users"),
        "groups": Field("groups", []),
        "exclude_groups": Field("groups", []),
        "policy_id": Field("str", "", "written by apply"),
    },
    "authenticator": {
        "status": _status(),
        "app_id": Field("str", "", "the iosVppApp id of Microsoft Authenticator"),
        "same_groups_as_sso": Field("bool", True, "required for the SSO policy's users"),
        "groups": Field("groups", [], "required-assignment groups otherwise"),
    },
    "enrollment_profile": {
        "status": _status(),
        "name": Field("str", "iOS – account-driven user enrollment"),
        "description": Field("str", ""),
        "groups": Field("groups", [], "user groups only"),
        "profile_id": Field("str", "", "written by apply"),
    },
    "priority": {
        "status": _status(),
        "order": Field("strs", [], 'profile ids, highest first; "enrollment_profile" = ours'),
    },
    "review": {
        "status": _status(),
        "last_apply": Field("datetime", None),
        "last_result": Field(APPLY_RESULTS, ""),
    },
    "guide": {
        "status": _status(),
        "organization": Field("str", ""),
        "support_contact": Field("str", "", "e-mail, phone or URL"),
        "identity": Field(IDENTITIES, "federated", "federated | managed_apple_id"),
        "languages": Field("strs", ["en"]),
        "formats": Field("strs", ["html"], "md | html | pdf"),
        "output_dir": Field("str", "."),
        "link_url": Field("str", "", "optional URL shown as a QR code"),
    },
}

JOURNAL_SCHEMA: dict[str, Field] = {
    "time": Field("datetime", None),
    "intent": Field("str", None),
    "action": Field(JOURNAL_ACTIONS, None),
    "object_type": Field("str", None),
    "object_id": Field("str", ""),
    "request_id": Field("str", ""),
    "result": Field(JOURNAL_RESULTS, None),
    "detail": Field("str", ""),
}

_HEADER = """\
adue session: the desired state of an account-driven Apple User Enrollment rollout,
and what adue has done so far. Safe to edit by hand while adue is not running; see
README.md, "The session file". Never holds a token, secret, password or certificate."""

# Migrations: MIGRATIONS[n] turns a schema-n document into schema n+1, in place.
MIGRATIONS: dict[int, Callable[[TOMLDocument], None]] = {}


# --- validation ---------------------------------------------------------------


def _line_of(text: str, table: str | None, key: str | None, index: int = 0) -> int | None:
    """1-based line of `key` inside `[table]` (or of the header itself) in raw TOML text."""
    header = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_\-\"'. ]+?)\s*\]\]?\s*(#.*)?$")
    current: str | None = None
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            current = match.group(1).strip().strip("\"'")
            if current == table:
                seen += 1
                if key is None and seen == index:
                    return number
            continue
        key_here = key is not None and re.match(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", line)
        if current == table and seen == index and key_here:
            return number
    return None


def _where(text: str, table: str, key: str | None = None, index: int = 0) -> str:
    line = _line_of(text, table, key, index)
    name = f"[{table}] {key}" if key else f"[{table}]"
    return f"{name} (line {line})" if line else name


def _type_problem(kind: Kind, value: Any) -> str | None:
    """What is wrong with `value` for `kind`, or None."""
    if isinstance(kind, tuple):
        if not isinstance(value, str) or value not in kind:
            return f"must be one of {', '.join(repr(k) for k in kind)}"
        return None
    if kind == "str":
        return None if isinstance(value, str) else "must be a string"
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "must be a whole number"
    if kind == "datetime":
        return None if isinstance(value, dt.datetime) else "must be a date-time"
    if kind == "strs":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        return None if ok else "must be an array of strings"
    if kind == "groups":
        if not isinstance(value, list):
            return 'must be an array of { id = "...", name = "..." }'
        for item in value:
            if not isinstance(item, dict) or not item or set(item) - {"id", "name"}:
                return 'each group must be { id = "...", name = "..." } (id or name or both)'
            if not all(isinstance(v, str) and v.strip() for v in item.values()):
                return "a group's id and name must be non-empty strings"
        return None
    raise AssertionError(kind)


def validate(data: Mapping[str, Any], text: str) -> None:
    """Raise SessionError naming the first problem's key and line, with the fix."""
    session = data.get("session")
    if isinstance(session, dict):
        schema = session.get("schema")
        if isinstance(schema, int) and schema > SCHEMA_VERSION:
            raise SessionError(
                f"{_where(text, 'session', 'schema')}: this file has schema {schema}, "
                f"written by a newer adue; this adue understands schema {SCHEMA_VERSION}. "
                "Upgrade adue to open it."
            )
    for name, value in data.items():
        if name == "journal":
            _validate_journal(value, text)
            continue
        if name not in SCHEMA:
            known = ", ".join([*SCHEMA, "journal"])
            raise SessionError(
                f"{_where(text, name)}: unknown table {name!r}. Known tables: {known}. "
                "Remove or rename it."
            )
        if not isinstance(value, dict):
            raise SessionError(f"{_where(text, name)}: {name!r} must be a table, like [{name}].")
        fields = SCHEMA[name]
        for key, item in value.items():
            if key not in fields:
                raise SessionError(
                    f"{_where(text, name, key)}: unknown key {key!r} in [{name}]. "
                    f"Known keys: {', '.join(fields)}. Fix the spelling or remove it."
                )
            problem = _type_problem(fields[key].kind, item)
            if problem:
                raise SessionError(f"{_where(text, name, key)}: {key} {problem}.")
    if not isinstance(session, dict) or "schema" not in session:
        raise SessionError(
            "[session] schema is missing: add `schema = 1` under a [session] table "
            "(or start a new session)."
        )


def _validate_journal(value: Any, text: str) -> None:
    if not isinstance(value, list):
        raise SessionError(f"{_where(text, 'journal')}: journal must be an array of [[journal]].")
    for index, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise SessionError(f"[[journal]] entry {index + 1} must be a table.")
        for key, item in entry.items():
            if key not in JOURNAL_SCHEMA:
                raise SessionError(
                    f"{_where(text, 'journal', key, index)}: unknown key {key!r} in [[journal]]. "
                    f"Known keys: {', '.join(JOURNAL_SCHEMA)}."
                )
            problem = _type_problem(JOURNAL_SCHEMA[key].kind, item)
            if problem:
                raise SessionError(f"{_where(text, 'journal', key, index)}: {key} {problem}.")


# --- building tomlkit items ---------------------------------------------------


def _tk() -> ModuleType:
    """tomlkit, imported on first write: reads use tomllib, and start-up stays fast."""
    import tomlkit

    return tomlkit


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _item(kind: Kind, value: Any) -> Any:
    """A tomlkit item for `value`: groups become inline tables, arrays go multiline."""
    if kind == "groups":
        array = _tk().array()
        for group in value:
            inline = _tk().inline_table()
            inline.update({k: group[k] for k in ("id", "name") if group.get(k)})
            array.append(inline)
        return array.multiline(len(value) > 0)
    if kind == "strs":
        array = _tk().array()
        array.extend(value)
        return array.multiline(len(value) > 2)
    return value


def _comment(table: Table, key: str, text: str) -> None:
    item = table.item(key)
    if isinstance(item, _tk().items.Item):
        item.comment(text)


def _new_table(name: str) -> Table:
    table: Table = _tk().table()
    for key, spec in SCHEMA[name].items():
        if spec.default is None:
            continue
        table.add(key, _item(spec.kind, spec.default))
        if spec.comment:
            _comment(table, key, spec.comment)
    return table


def new_document() -> TOMLDocument:
    doc: TOMLDocument = _tk().document()
    for line in _HEADER.splitlines():
        doc.add(_tk().comment(line))
    doc.add(_tk().nl())
    now = _now()
    session = _tk().table()
    session.add("schema", SCHEMA_VERSION)
    _comment(session, "schema", SCHEMA["session"]["schema"].comment)
    session.add("id", str(uuid.uuid4()))
    session.add("created", now)
    session.add("updated", now)
    session.add("current_step", "sign_in")
    _comment(session, "current_step", SCHEMA["session"]["current_step"].comment)
    doc.add("session", session)
    for name in SCHEMA:
        if name != "session":
            doc.add(name, _new_table(name))
    return doc


def _unwrap(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


# --- the lock -------------------------------------------------------------------


class SessionLock:
    """An advisory flock on `<session>.lock`, which names its holder for the next comer.

    The lock file (not the session) is locked because saves replace the session's
    inode. The kernel drops the lock when the holder dies, so a crash never leaves
    a stale lock behind.
    """

    def __init__(self, session_path: Path) -> None:
        self.path = session_path.with_name(session_path.name + ".lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _read_holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise SessionLockedError(
                    f"{self.path.with_suffix('').name} is in use by {holder}. "
                    "Close that adue first (one process per session), or use another --session."
                ) from None
            raise
        info = {
            "pid": os.getpid(),
            "user": _user(),
            "host": socket.gethostname(),
            "since": _now().isoformat(),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, "".join(f"{key}={value}\n" for key, value in info.items()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None


def _user() -> str:
    """Who runs adue, as getpass.getuser() says it (not imported: it costs start-up time)."""
    for name in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        if os.environ.get(name):
            return os.environ[name]
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return str(os.getuid())


def _holder_details(text: str) -> dict[str, str]:
    """The lock file's `key=value` lines (the holder's pid, user, host and since)."""
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


# The holder writes its details just after it takes the lock; a comer in between waits
# this long for them rather than naming nobody.
HOLDER_WAIT_SECONDS = 1.0


def _read_holder(fd: int) -> str:
    deadline = time.monotonic() + HOLDER_WAIT_SECONDS
    while True:
        try:
            info = _holder_details(os.pread(fd, 4096, 0).decode())
            # Details left by an earlier holder that was killed are not the new holder's.
            if info["host"] == socket.gethostname() and not _alive(int(info["pid"])):
                raise ValueError("the details of a dead process")
            return (
                f"adue (pid {info['pid']}, user {info['user']} on {info['host']}, "
                f"since {info['since']})"
            )
        except (ValueError, KeyError, TypeError, OSError):
            if time.monotonic() >= deadline:
                return "another adue process"
            time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


# --- atomic write ------------------------------------------------------------------


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
    ) -> None:
        self.path = path
        self._lock = lock
        self._mutex = threading.RLock()
        self._write_lock = threading.Lock()
        self._saves_made = 0
        self._saves_written = 0
        # Reads are served from tomllib's plain dict until the first write needs the
        # comment-preserving tomlkit document: tomlkit costs start-up time.
        self._doc = doc
        self._text, self._plain = loaded if loaded else ("", {})

    @property
    def doc(self) -> TOMLDocument:
        with self._mutex:
            if self._doc is None:
                self._doc = _tk().parse(self._text)
            return self._doc

    # opening and closing

    @classmethod
    def open(cls, path: str | Path, *, create: bool = True, lock: bool = True) -> Session:
        """Load `path` (or create it when missing and `create`), holding its lock if `lock`.

        Invalid content raises SessionError and leaves the file untouched.
        """
        path = Path(path).expanduser().absolute()
        if not path.parent.is_dir():
            raise SessionError(
                f"--session {path}: the folder {path.parent} does not exist. Create it first."
            )
        holder = SessionLock(path) if lock else None
        if holder:
            holder.acquire()
            _remove_stale_temp_files(path)
        try:
            if path.exists():
                session = cls(path, holder, loaded=load_document(path))
            else:
                if not create:
                    raise SessionError(
                        f"--session {path}: no such session file. "
                        "Start the wizard (adue --session PATH) to create one."
                    )
                session = cls(path, holder, doc=new_document())
                session.save()
        except BaseException:
            if holder:
                holder.release()
            raise
        return session

    @classmethod
    def read_only(cls, path: str | Path) -> Session:
        """Load without the lock, for commands that never write (plan, status, guide)."""
        return cls.open(path, create=False, lock=False)

    def close(self) -> None:
        if self._lock:
            self._lock.release()

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
                return copy.deepcopy(self._plain)
            result: dict[str, Any] = self._doc.unwrap()
            return result

    def table(self, name: str) -> dict[str, Any]:
        with self._mutex:
            source: Any = self._plain if self._doc is None else self._doc
            value = source.get(name)
            return copy.deepcopy(dict(_unwrap(value))) if value is not None else {}

    def get(self, table: str, key: str, default: Any = None) -> Any:
        with self._mutex:
            source: Any = self._plain if self._doc is None else self._doc
            container = source.get(table)
            if container is None or key not in container:
                spec = SCHEMA.get(table, {}).get(key)
                if default is None and spec is not None:
                    return spec.default
                return default
            return copy.deepcopy(_unwrap(container[key]))

    @property
    def current_step(self) -> str:
        step = self.get("session", "current_step")
        return step if step in STEP_IDS else "sign_in"

    # writing

    def set(self, table: str, key: str, value: Any) -> None:
        """Set one key (None removes it); validated against the schema before it is stored."""
        spec = SCHEMA.get(table, {}).get(key)
        if spec is None:
            raise KeyError(f"[{table}] {key} is not part of the session schema")
        with self._mutex:
            container = self.doc.get(table)
            if container is None:
                container = _new_table(table)
                self.doc.add(table, container)
            if value is None:
                if key in container:
                    del container[key]
                return
            problem = _type_problem(spec.kind, value)
            if problem:
                raise SessionError(f"[{table}] {key} {problem}.")
            if _unwrap(container.get(key)) == value:
                return
            comment = spec.comment if key not in container else None
            container[key] = _item(spec.kind, value)
            if comment:
                _comment(container, key, comment)

    def update(self, table: str, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            self.set(table, key, value)

    def journal(self) -> list[dict[str, Any]]:
        with self._mutex:
            source: Any = self._plain if self._doc is None else self._doc
            entries = source.get("journal")
            return [copy.deepcopy(dict(_unwrap(e))) for e in entries] if entries is not None else []

    def journal_append(self, **entry: Any) -> int:
        """Add a [[journal]] entry (time defaults to now); returns its index."""
        entry.setdefault("time", _now())
        for key, value in entry.items():
            spec = JOURNAL_SCHEMA.get(key)
            if spec is None:
                raise KeyError(f"[[journal]] {key} is not part of the session schema")
            problem = _type_problem(spec.kind, value)
            if problem:
                raise SessionError(f"[[journal]] {key} {problem}.")
        with self._mutex:
            entries = self.doc.get("journal")
            if entries is None:
                entries = _tk().aot()
                self.doc.add(_tk().nl())
                self.doc.append("journal", entries)
            assert isinstance(entries, _tk().items.AoT)
            table = _tk().table()
            table.update(entry)
            entries.append(table)
            return len(entries) - 1

    def journal_update(self, index: int, **fields: Any) -> None:
        with self._mutex:
            entries = self.doc["journal"]
            assert isinstance(entries, _tk().items.AoT)
            for key, value in fields.items():
                spec = JOURNAL_SCHEMA[key]
                problem = _type_problem(spec.kind, value)
                if problem:
                    raise SessionError(f"[[journal]] {key} {problem}.")
                entries[index][key] = value

    def save(self) -> None:
        """Atomically replace the file with the current document (stamping `updated`)."""
        with self._mutex:
            session = self.doc["session"]
            assert isinstance(session, _tk().items.Table)
            session["updated"] = _now()
            text = _tk().dumps(self.doc)
            # Never write what we could not read back (tomlkit has corrupted edits before).
            validate(tomllib.loads(text), text)
            self._saves_made += 1
            number = self._saves_made
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


def _remove_stale_temp_files(path: Path) -> None:
    """Delete temp files a killed writer left behind; safe because we hold the lock."""
    prefix = f".{path.name}."
    for leftover in path.parent.iterdir():
        if leftover.name.startswith(prefix) and leftover.name.endswith(".tmp"):
            leftover.unlink(missing_ok=True)


def load_document(path: Path) -> tuple[str, dict[str, Any]]:
    """Read and validate a session file: its text and plain data (older schemas migrated)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SessionError(f"--session {path}: cannot read it ({exc.strerror}).") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SessionError(
            f"{path}: not UTF-8 text (byte {exc.start}). Save it as UTF-8 or start a new session."
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SessionError(
            f"{path}: not valid TOML: {exc}. Fix that line, or move the file away "
            "to start a new session."
        ) from None
    session = data.get("session")
    schema = session.get("schema") if isinstance(session, dict) else None
    if isinstance(schema, int) and schema < SCHEMA_VERSION:
        doc = _tk().parse(text)
        for version in range(schema, SCHEMA_VERSION):
            MIGRATIONS[version](doc)
        text = _tk().dumps(doc)
        data = tomllib.loads(text)
    try:
        validate(data, text)
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
    return text, data
