"""The fleet file: one rollout template and the tenants it goes to (docs/fleet.md).

Read with the standard library's tomllib and validated as a whole before anything is
written: every template and override value is checked with the session schema
(tui/session/schema.py), and a problem names the fleet file, the tenant's label, the
`table.key`, its line and the fix. Ids that apply writes into each tenant's session
(policy_id, profile_id, app_id, added_targets, applied_order, group ids) differ per
tenant and are refused here. Nothing in this module writes a file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tui.files import read_utf8
from tui.graph.clouds import CLOUD_NAMES
from tui.session.schema import SCHEMA, VALUE_CHECKS, type_problem
from tui.validators import is_guid, tenant_value_problem

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
SIGN_IN_MODES = ("gdap", "app-secret", "app-certificate")
# The session [tenant] keys each sign-in mode writes: auth method (FLEET.md).
AUTH_FOR_MODE = {"gdap": "device-code", "app-secret": "secret", "app-certificate": "certificate"}
LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")

# Keys apply writes into each tenant's own session: never part of a fleet's desired state.
APPLY_WRITTEN: frozenset[tuple[str, str]] = frozenset(
    {
        ("sso_extension", "policy_id"),
        ("authenticator", "app_id"),
        ("authenticator", "added_targets"),
        ("web_clip", "app_id"),
        ("web_clip", "added_targets"),
        ("enrollment_profile", "profile_id"),
        ("priority", "applied_order"),
    }
)
# A step's progress, kept by the wizard and apply in each session.
STATE_KEYS = frozenset({"status"})
# The session tables a template may hold, and which of their keys.
DESIRED_TABLES = (
    "tenant",
    "sso_extension",
    "authenticator",
    "web_clip",
    "enrollment_profile",
    "priority",
    "guide",
)
# [tenant]: only the employees' sign-in domain is desired state; the sign-in keys come
# from [sign_in] and each [[tenant]] id; organization and account from the sign-in.
TENANT_DESIRED = ("sign_in_domain",)
# Each tenant's guide goes to its own folder beside its session (a shared one would
# have every tenant overwrite the same onboarding-en.html).
PER_TENANT_ONLY = frozenset({("guide", "output_dir")})

FLEET_KEYS = {"name": "str", "sessions_dir": "str", "concurrency": "int"}
SIGN_IN_KEYS = (
    "mode",
    "partner_tenant",
    "client_id",
    "certificate_path",
    "cloud",
    "graph_url",
    "authority",
    "ca_file",
)
TENANT_KEYS = ("id", "label", "name", "overrides")
TOP_TABLES = ("fleet", "sign_in", "template", "tenant")


def desired_keys(table: str) -> tuple[str, ...]:
    """The keys of session table `table` a fleet file may set."""
    if table == "tenant":
        return TENANT_DESIRED
    return tuple(
        key for key in SCHEMA[table] if (table, key) not in APPLY_WRITTEN and key not in STATE_KEYS
    )


class FleetFileError(ValueError):
    """A fleet file that cannot be used; the message names the file, the place and the fix."""


@dataclass(frozen=True)
class FleetTenant:
    """One [[tenant]] of the fleet file, with its desired state resolved."""

    id: str  # a GUID or a verified domain: the tenant every token must be for
    label: str  # unique; the session file's name
    name: str  # display name before the first sign-in ("" = none given)
    desired: Mapping[str, Mapping[str, Any]]  # session table -> key -> value
    index: int  # position in the file (0-based), for messages and the run's order

    @property
    def display(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Fleet:
    path: Path
    name: str
    sessions_dir: Path
    concurrency: int
    sign_in: Mapping[str, str]  # the [sign_in] table as written (tui.fleet.sign_in reads it)
    template: Mapping[str, Mapping[str, Any]]
    tenants: tuple[FleetTenant, ...]
    text: str = field(repr=False, default="")

    @property
    def mode(self) -> str:
        return self.sign_in.get("mode", "gdap")

    @property
    def cloud(self) -> str:
        return self.sign_in.get("cloud", "") or "global"

    def session_path(self, tenant: FleetTenant) -> Path:
        return self.sessions_dir / f"{tenant.label}.toml"

    def sign_in_paths(self) -> dict[str, str]:
        """[sign_in] with its file paths (certificate_path, ca_file) taken relative to the
        fleet file, as every path in it is."""
        table = dict(self.sign_in)
        for key in ("certificate_path", "ca_file"):
            if table.get(key, "").strip():
                table[key] = str((self.path.parent / Path(table[key]).expanduser()).absolute())
        return table

    def where_sign_in(self, key: str) -> str:
        """`fleet.toml: [sign_in] key (line N)`, for tui.fleet.sign_in's messages."""
        return f"{self.path.name}: {_Lines(self.text).where('sign_in', key)}"

    def select(self, labels: list[str] | None) -> list[FleetTenant]:
        """The tenants `--only` names (all when none); FleetFileError for an unknown label."""
        if not labels:
            return list(self.tenants)
        known = {t.label: t for t in self.tenants}
        wanted = [label.strip() for value in labels for label in value.split(",") if label.strip()]
        unknown = [label for label in wanted if label not in known]
        if unknown:
            raise FleetFileError(
                f"--only {', '.join(unknown)}: no such tenant label in {self.path.name}."
                f" Its labels: {', '.join(known)}."
            )
        return [t for t in self.tenants if t.label in set(wanted)]


# --- where things are in the file -------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\-" ']+?)\s*=""")


def _norm(name: str) -> str:
    """A TOML header or key as a plain dotted name (quotes and spaces around dots gone)."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s"\']+)', name)
    return ".".join(a or b or c for a, b, c in parts)


class _Lines:
    """Line numbers of headers and keys in a fleet file's text (tomllib gives none)."""

    def __init__(self, text: str) -> None:
        self.keys: dict[tuple[str, int, str], int] = {}
        self.headers: dict[tuple[str, int], int] = {}
        header, tenant = "", -1
        for number, line in enumerate(text.splitlines(), start=1):
            match = _HEADER.match(line)
            if match and "=" not in line.split("]")[0]:
                header = _norm(match.group(2))
                if match.group(1) == "[[" and header == "tenant":
                    tenant += 1
                index = tenant if header.split(".")[0] == "tenant" else -1
                self.headers.setdefault((header, index), number)
                continue
            key = _KEY.match(line)
            if key:
                index = tenant if header.split(".")[0] == "tenant" else -1
                self.keys.setdefault((header, index, _norm(key.group(1))), number)

    def line(self, header: str, key: str | None = None, tenant: int = -1) -> int | None:
        if key is None:
            return self.headers.get((header, tenant))
        # `[a.b] c = 1`, `[a] b.c = 1` and `[a] b = { c = 1 }` all set a.b.c
        full = f"{header}.{key}" if header else key
        parts = full.split(".")
        for cut in range(len(parts), 0, -1):
            head, rest = ".".join(parts[:cut]), parts[cut:]
            for length in range(len(rest), 0, -1):
                found = self.keys.get((head, tenant, ".".join(rest[:length])))
                if found:
                    return found
        return None

    def where(self, header: str, key: str | None = None, tenant: int = -1) -> str:
        line = self.line(header, key, tenant)
        name = f"[{header}] {key}" if key else f"[{header}]"
        return f"{name} (line {line})" if line else name


# --- reading --------------------------------------------------------------------------


def load_fleet(path: str | Path) -> Fleet:
    """Read and validate the fleet file at `path`; FleetFileError names the first problem."""
    path = Path(path).expanduser()
    text = read_utf8(
        path,
        FleetFileError,
        unreadable=lambda exc: _unreadable(path, exc),
        save_hint="Save it as UTF-8.",
    )
    return parse_fleet(text, path)


def _unreadable(path: Path, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return (
            f"--fleet {path}: no such fleet file. Write one (see docs/fleet.md and"
            " examples/fleet.toml), or `adue sandbox --tenants N --fleet-dir DIR` writes one."
        )
    if isinstance(exc, IsADirectoryError):
        return f"--fleet {path} is a folder: give the fleet file (.toml)"
    return f"--fleet {path}: cannot read it ({exc.strerror})."


def parse_fleet(text: str, path: Path) -> Fleet:
    """Validate the fleet file's `text` (read from `path`, which names it in messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FleetFileError(f"{path.name}: not valid TOML: {exc}. Fix that line.") from None
    except RecursionError:
        raise FleetFileError(f"{path.name}: tables or arrays nested too deeply to read.") from None
    return _Reader(text, path).fleet(data)


class _Reader:
    def __init__(self, text: str, path: Path) -> None:
        self.text = text
        self.path = path
        self.lines = _Lines(text)

    def fail(self, message: str) -> FleetFileError:
        return FleetFileError(f"{self.path.name}: {message}")

    def fleet(self, data: dict[str, Any]) -> Fleet:
        for name in data:
            if name not in TOP_TABLES:
                raise self.fail(
                    f"{self.lines.where(name)}: unknown table {name!r}. Known tables:"
                    f" {', '.join(f'[{t}]' for t in TOP_TABLES[:3])}, [[tenant]]."
                    " Fix the spelling or remove it."
                )
        settings = self.table(data, "fleet")
        for key, value in settings.items():
            if key not in FLEET_KEYS:
                raise self.fail(
                    f"{self.lines.where('fleet', key)}: unknown key {key!r} in [fleet]."
                    f" Known keys: {', '.join(FLEET_KEYS)}."
                )
            problem = type_problem(FLEET_KEYS[key], value)
            if problem:
                raise self.fail(f"{self.lines.where('fleet', key)}: {key} {problem}.")
        concurrency = settings.get("concurrency", DEFAULT_CONCURRENCY)
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise self.fail(
                f"{self.lines.where('fleet', 'concurrency')}: concurrency {concurrency} is out"
                f" of range: give 1 to {MAX_CONCURRENCY} (tenants run at the same time)."
            )
        sessions = str(settings.get("sessions_dir", "")).strip() or f"{self.path.stem}.tenants"
        template = self.template(data.get("template", {}))
        tenants = self.tenants(data.get("tenant"), template)
        return Fleet(
            path=self.path,
            name=str(settings.get("name", "")).strip() or self.path.stem,
            sessions_dir=(self.path.parent / Path(sessions).expanduser()),
            concurrency=concurrency,
            sign_in=self.sign_in(data),
            template=template,
            tenants=tenants,
            text=self.text,
        )

    def table(self, data: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(f"{self.lines.where('', name)}: {name} must be a table, like [{name}].")
        return value

    def sign_in(self, data: Mapping[str, Any]) -> dict[str, str]:
        table = self.table(data, "sign_in")
        for key, value in table.items():
            where = self.lines.where("sign_in", key)
            if key not in SIGN_IN_KEYS:
                raise self.fail(
                    f"{where}: unknown key {key!r} in [sign_in]. Known keys:"
                    f" {', '.join(SIGN_IN_KEYS)}. (A secret is never in the file: adue reads"
                    " $AZURE_CLIENT_SECRET or asks for it.)"
                )
            if not isinstance(value, str):
                raise self.fail(f"{where}: {key} must be a string.")
        mode = table.get("mode", "gdap")
        if mode not in SIGN_IN_MODES:
            raise self.fail(
                f"{self.lines.where('sign_in', 'mode')}: mode {mode!r} is not a fleet sign-in:"
                f" choose one of {', '.join(SIGN_IN_MODES)} (docs/fleet.md, Sign-in)."
            )
        cloud = table.get("cloud", "global") or "global"
        if cloud not in CLOUD_NAMES:
            raise self.fail(
                f"{self.lines.where('sign_in', 'cloud')}: cloud {cloud!r}: choose one of"
                f" {', '.join(CLOUD_NAMES)}."
            )
        return dict(table)

    # the template and the overrides

    def template(self, value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict):
            raise self.fail(f"{self.lines.where('', 'template')}: template must be a table.")
        result: dict[str, dict[str, Any]] = {}
        for table, keys in value.items():
            here = f"template.{table}"
            self.check_table(table, self.lines.where(here))
            if not isinstance(keys, dict):
                raise self.fail(
                    f"{self.lines.where('template', table)}: template.{table} must be a table,"
                    f" like [template.{table}]."
                )
            for key, item in keys.items():
                where = self.lines.where(here, key)
                if (table, key) in PER_TENANT_ONLY:
                    raise self.fail(
                        f"{where}: {table}.{key} cannot be shared: each tenant's guide goes to"
                        f" its own folder (default: beside its session, in <label>/). Set it per"
                        f' tenant in [tenant.overrides] "{table}.{key}", or remove it here.'
                    )
                self.check_value(table, key, item, where)
            result[table] = dict(keys)
        return result

    def check_table(self, table: str, where: str, label: str = "") -> None:
        if table in DESIRED_TABLES:
            return
        known = ", ".join(DESIRED_TABLES)
        if table in SCHEMA or table == "journal":
            why = (
                f"[{table}] is not desired state: each tenant's session keeps its own"
                " (apply and the wizard write it)"
            )
        else:
            why = f"unknown session table {table!r}"
        what = f"tenant {label!r}: " if label else ""
        raise self.fail(f"{what}{where}: {why}. Tables a fleet file may set: {known}.")

    def check_value(self, table: str, key: str, value: Any, where: str, label: str = "") -> None:
        what = f"tenant {label!r}: " if label else ""
        if (table, key) in APPLY_WRITTEN or key in STATE_KEYS:
            raise self.fail(
                f"{what}{where}: {table}.{key} is written by apply (or the wizard) into each"
                " tenant's own session, as it differs per tenant: remove it from the fleet"
                " file."
            )
        allowed = desired_keys(table)
        if key not in allowed:
            if table == "tenant":
                why = (
                    "the sign-in keys come from [sign_in] and each [[tenant]] id;"
                    " organization and account from the sign-in"
                )
            else:
                why = "unknown key"
            raise self.fail(
                f"{what}{where}: {table}.{key}: {why}. Keys of [{table}] a fleet file may set:"
                f" {', '.join(allowed)}."
            )
        spec = SCHEMA[table][key]
        problem = type_problem(spec.kind, value)
        if problem:
            raise self.fail(f"{what}{where}: {table}.{key} {problem}.")
        check = VALUE_CHECKS.get((table, key))
        problem = check(value) if check else ""
        if problem:
            raise self.fail(f"{what}{where}: {problem}.")
        if spec.kind == "groups" and any("id" in group for group in value):
            raise self.fail(
                f"{what}{where}: {table}.{key}: give groups by name only, like"
                ' [{ name = "BYOD iOS" }]: a group\'s id differs per tenant, and apply writes'
                " each tenant's group ids into its own session."
            )

    def overrides(self, value: Any, index: int, label: str) -> dict[str, dict[str, Any]]:
        here = "tenant.overrides"
        if not isinstance(value, dict):
            raise self.fail(
                f"tenant {label!r}: {self.lines.where('tenant', 'overrides', index)}: overrides"
                f" must be a table of table.key = value, like [tenant.overrides]."
            )
        result: dict[str, dict[str, Any]] = {}
        flat: list[tuple[str, Any]] = []
        for name, item in value.items():
            if "." not in name and isinstance(item, dict):  # `sso_extension.name = ...`
                flat.extend((f"{name}.{key}", inner) for key, inner in item.items())
            else:
                flat.append((name, item))
        for name, item in flat:
            where = self.lines.where(here, name, index)
            table, dot, key = name.partition(".")
            if not dot or not key:
                raise self.fail(
                    f"tenant {label!r}: {where}: {name!r} is not a table.key: write each"
                    f' override as "table.key" = value, e.g. "guide.organization" = "Fabrikam".'
                )
            self.check_table(table, where, label)
            self.check_value(table, key, item, where, label)
            result.setdefault(table, {})[key] = item
        return result

    # the tenants

    def tenants(
        self, value: Any, template: Mapping[str, Mapping[str, Any]]
    ) -> tuple[FleetTenant, ...]:
        if value is None or value == []:
            raise self.fail(
                "no [[tenant]]: list each customer tenant, e.g.\n"
                '  [[tenant]]\n  id = "fabrikam.example"   # tenant id or verified domain\n'
                '  label = "fabrikam"'
            )
        if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
            raise self.fail(
                f"{self.lines.where('', 'tenant')}: tenant must be an array of [[tenant]] tables."
            )
        tenants: list[FleetTenant] = []
        labels: dict[str, int] = {}
        ids: dict[str, int] = {}
        for index, entry in enumerate(value):
            tenant = self.tenant(entry, index, template)
            checks = ((labels, tenant.label, "label"), (ids, tenant.id.lower(), "id"))
            for seen, key, name in checks:
                if key in seen:
                    first = self.lines.line("tenant", name, seen[key])
                    raise self.fail(
                        f"{self.lines.where('tenant', name, index)}: [[tenant]] {name}"
                        f" {getattr(tenant, name)!r} appears twice (first"
                        f"{f' at line {first}' if first else ''}): each tenant is listed"
                        f" once{', with its own label' if name == 'label' else ''}."
                    )
                seen[key] = index
            tenants.append(tenant)
        return tuple(tenants)

    def tenant(
        self, entry: dict[str, Any], index: int, template: Mapping[str, Mapping[str, Any]]
    ) -> FleetTenant:
        number = f"[[tenant]] number {index + 1}"
        header = self.lines.line("tenant", None, index)
        at = f"{number}{f' (line {header})' if header else ''}"
        for key, item in entry.items():
            if key not in TENANT_KEYS:
                raise self.fail(
                    f"{self.lines.where('tenant', key, index)}: unknown key {key!r} in"
                    f" [[tenant]]. Known keys: {', '.join(TENANT_KEYS)}; per-tenant settings go"
                    ' under [tenant.overrides] as "table.key" = value.'
                )
            if key != "overrides" and not isinstance(item, str):
                where = self.lines.where("tenant", key, index)
                raise self.fail(f"{where}: {key} must be a string.")
        label = str(entry.get("label", "")).strip()
        if not label:
            raise self.fail(
                f'{at}: label is missing: add label = "name" (a-z, 0-9 and -; it names the'
                " tenant's session file)."
            )
        if not LABEL.match(label):
            raise self.fail(
                f"{self.lines.where('tenant', 'label', index)}: label {label!r}: use a-z, 0-9"
                " and - only (not first or last), up to 63 characters: it names the tenant's"
                " session file."
            )
        tenant_id = str(entry.get("id", "")).strip()
        where_id = self.lines.where("tenant", "id", index)
        if not tenant_id or tenant_id.lower() in ("organizations", "common"):
            raise self.fail(
                f"tenant {label!r}: {where_id if 'id' in entry else at}: id is missing: give"
                " the tenant's directory (tenant) id or one of its verified domains; every"
                " token is checked to be for exactly that tenant."
            )
        problem = tenant_value_problem(tenant_id)
        if problem:
            raise self.fail(f"tenant {label!r}: {where_id}: {problem}.")
        if is_guid(tenant_id):
            tenant_id = tenant_id.strip("{}").lower()
        overrides = self.overrides(entry.get("overrides", {}), index, label)
        desired = {table: dict(keys) for table, keys in template.items()}
        for table, keys in overrides.items():
            desired.setdefault(table, {}).update(keys)
        return FleetTenant(
            id=tenant_id,
            label=label,
            name=str(entry.get("name", "")).strip(),
            desired=desired,
            index=index,
        )
