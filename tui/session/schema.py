"""The session file's schema: every table and key, their kinds and defaults, and validation.

A session holds the desired state of a rollout and what adue has done; format in
docs/session-format.md. Nothing secret is ever stored: the schema has no key that
could hold one, and unknown keys are refused. Validation names the key, the line
and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from tui.choices import (
    AUTH_METHODS,
    ENROLLMENT_MODES,
    FILTER_TYPES,
    IDENTITIES,
    TOKEN_CACHES,
)
from tui.graph.clouds import CLOUD_NAMES
from tui.steps import STATUSES, STEP_IDS
from tui.validators import tenant_value_problem
from tui.values import Frozen

if TYPE_CHECKING:
    from types import ModuleType

    from tomlkit.items import Table
    from tomlkit.toml_document import TOMLDocument

SCHEMA_VERSION = 1

# delete: a duplicate this run created and removed; adopt: an existing object taken over
# (found by name after a lost answer, or the oldest of two made at the same moment).
JOURNAL_ACTIONS = ("create", "update", "assign", "unassign", "set_priority", "delete", "adopt")
JOURNAL_RESULTS = ("pending", "ok", "failed")
APPLY_RESULTS = ("", "ok", "failed", "interrupted")


class SessionError(Exception):
    """A session file that cannot be used; the message names the key, the line and the fix."""


class SessionLockedError(SessionError):
    """Another process holds the session's lock."""


# --- schema -----------------------------------------------------------------

# A key's kind: "str", "bool", "int", "datetime", "strs" (array of strings),
# "groups" (array of {id, name} inline tables), "keys" (an inline table of key = string,
# integer or boolean), or a tuple of allowed strings.
Kind = str | tuple[str, ...]


class Field(Frozen):
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
        "cloud": Field(CLOUD_NAMES, "global", " | ".join(CLOUD_NAMES)),
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
        "token_cache": Field(
            TOKEN_CACHES,
            "keyring",
            "keyring (encrypted; none = not kept) | file (keyring, else a 0600 file) | memory",
        ),
    },
    "prerequisites": {
        "status": _status(),
        "acknowledged_warnings": Field("strs", [], "check ids whose warnings were accepted"),
        "acknowledged_failures": Field(
            "strs", [], "failing check ids the admin chose to apply despite (Review)"
        ),
        "federation_confirmed": Field(
            "bool", False, "Managed Apple Accounts / Apple Business federation"
        ),
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
        "extra_keys": Field("keys", {}, "documented extension keys, e.g. AppPrefixAllowList"),
        "policy_id": Field("str", "", "written by apply"),
    },
    "authenticator": {
        "status": _status(),
        "app_id": Field("str", "", "the iosVppApp id of Microsoft Authenticator"),
        "same_groups_as_sso": Field("bool", True, "required for the SSO policy's users"),
        "groups": Field("groups", [], "required-assignment groups otherwise"),
        "added_targets": Field(
            "strs", [], "assignments apply added (destroy removes only these; written by apply)"
        ),
    },
    # Not a wizard step of its own (a section of the Authenticator step): the Company
    # Portal web clip, adopted when the tenant has one, else created (README, "Web clip").
    "web_clip": {
        "enabled": Field("bool", True, "put the Company Portal on the users' home screen"),
        "name": Field("str", "Company Portal", "the web app's name, if adue creates it"),
        "app_id": Field("str", "", "written by apply"),
        "added_targets": Field(
            "strs", [], "assignments apply added (destroy removes only these; written by apply)"
        ),
    },
    "enrollment_profile": {
        "status": _status(),
        "mode": Field(ENROLLMENT_MODES, "account-driven", "account-driven | web-based"),
        "name": Field("str", "iOS – account-driven user enrollment"),
        "description": Field("str", ""),
        "all_users": Field("bool", False, "assign to all licensed users"),
        "groups": Field("groups", [], "user groups only"),
        "filter_id": Field("str", "", "assignment filter id (optional)"),
        "filter_type": Field(FILTER_TYPES, "include", "include | exclude"),
        "profile_id": Field("str", "", "written by apply"),
    },
    "priority": {
        "status": _status(),
        "order": Field("strs", [], 'profile ids, highest first; "enrollment_profile" = ours'),
        "applied_order": Field("strs", [], "the iOS order apply left (written by apply)"),
    },
    "review": {
        "status": _status(),
        "last_apply": Field("datetime", None),
        "last_result": Field(APPLY_RESULTS, ""),
        "applied_inputs": Field(
            "strs", [], "written by apply: digests of what it wrote, to tell edits from drift"
        ),
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

# Checks of a value beyond its kind: (table, key) -> problem text ("" = fine).
VALUE_CHECKS: dict[tuple[str, str], Callable[[Any], str]] = {
    ("tenant", "tenant_id"): tenant_value_problem,
}

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


def where(text: str, table: str, key: str | None = None) -> str:
    """`[table] key (line N)` in `text`, for messages that send a person to the line."""
    return _where(text, table, key)


def type_problem(kind: Kind, value: Any) -> str | None:
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
    if kind == "keys":
        if not isinstance(value, dict):
            return 'must be an inline table, like { AppPrefixAllowList = "com.contoso." }'
        for name, item in value.items():
            if isinstance(item, (dict, list, float)) or not isinstance(item, (str, int, bool)):
                return f"{name} must be a string, a whole number or true/false"
        return None
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
            _check_key(fields, key, item, text, name, hint=" Fix the spelling or remove it.")
            value_check = VALUE_CHECKS.get((name, key))
            problem = value_check(item) if value_check else ""
            if problem:
                raise SessionError(
                    f"{_where(text, name, key)}: {problem}. The file was not changed."
                )
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
            _check_key(JOURNAL_SCHEMA, key, item, text, "journal", index)


def _check_key(
    fields: Mapping[str, Field],
    key: str,
    item: Any,
    text: str,
    table: str,
    index: int = 0,
    *,
    hint: str = "",
) -> None:
    """A key of [table] (or of the index-th [[journal]] entry) is known and of its kind."""
    # The line is looked up only for a message: a session has hundreds of keys.
    if key not in fields:
        shown = "[[journal]]" if table == "journal" else f"[{table}]"
        raise SessionError(
            f"{_where(text, table, key, index)}: unknown key {key!r} in {shown}."
            f" Known keys: {', '.join(fields)}.{hint}"
        )
    problem = type_problem(fields[key].kind, item)
    if problem:
        raise SessionError(f"{_where(text, table, key, index)}: {key} {problem}.")


# --- building tomlkit items ---------------------------------------------------


def tomlkit_module() -> ModuleType:
    """tomlkit, imported on first write: reads use tomllib, and start-up stays fast."""
    import tomlkit

    return tomlkit


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def toml_item(kind: Kind, value: Any) -> Any:
    """A tomlkit item for `value`: groups become inline tables, arrays go multiline."""
    if kind == "groups":
        array = tomlkit_module().array()
        for group in value:
            inline = tomlkit_module().inline_table()
            inline.update({k: group[k] for k in ("id", "name") if group.get(k)})
            array.append(inline)
        return array.multiline(len(value) > 0)
    if kind == "keys":
        inline = tomlkit_module().inline_table()
        inline.update(dict(value))
        return inline
    if kind == "strs":
        array = tomlkit_module().array()
        array.extend(value)
        return array.multiline(len(value) > 2)
    return value


def add_comment(table: Table, key: str, text: str) -> None:
    item = table.item(key)
    if isinstance(item, tomlkit_module().items.Item):
        item.comment(text)


def new_table(name: str) -> Table:
    table: Table = tomlkit_module().table()
    for key, spec in SCHEMA[name].items():
        if spec.default is None:
            continue
        table.add(key, toml_item(spec.kind, spec.default))
        if spec.comment:
            add_comment(table, key, spec.comment)
    return table


def new_document() -> TOMLDocument:
    doc: TOMLDocument = tomlkit_module().document()
    for line in _HEADER.splitlines():
        doc.add(tomlkit_module().comment(line))
    doc.add(tomlkit_module().nl())
    now = utc_now()
    session = tomlkit_module().table()
    session.add("schema", SCHEMA_VERSION)
    add_comment(session, "schema", SCHEMA["session"]["schema"].comment)
    session.add("id", str(uuid.uuid4()))
    session.add("created", now)
    session.add("updated", now)
    session.add("current_step", "sign_in")
    add_comment(session, "current_step", SCHEMA["session"]["current_step"].comment)
    doc.add("session", session)
    for name in SCHEMA:
        if name != "session":
            doc.add(name, new_table(name))
    return doc


def unwrap(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value
