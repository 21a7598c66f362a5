"""Each fleet tenant's own session file, `<sessions_dir>/<label>.toml`, kept in step with
the fleet file (docs/fleet.md, "Per-tenant sessions").

An ordinary session (every single-tenant command works on it). At each fleet run its
desired-state keys follow the fleet file again: [tenant] from [sign_in] and the
[[tenant]] entry, the step tables from the template and the tenant's overrides (a key
the fleet file no longer sets goes back to the session format's default). What apply
and the wizard wrote stays: created ids, added targets, the applied order, the group ids
of group names that did not change, step states, the journal and [review].

Only the tables the fleet file names are in the session, so a fleet that leaves out
[web_clip] leaves the web clip alone in every tenant, as a hand-written session does.
`adue fleet apply` writes the file (through tui.session: atomic, 0600, locked); the
read-only fleet commands use the same document in memory and write nothing.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Protocol

from tui.fleet.file import (
    APPLY_WRITTEN,
    AUTH_FOR_MODE,
    DESIRED_TABLES,
    Fleet,
    FleetTenant,
    desired_keys,
)
from tui.session import Session, SessionError
from tui.session.schema import (
    SCHEMA,
    add_comment,
    new_table,
    toml_item,
    tomlkit_module,
    unwrap,
    utc_now,
)
from tui.validators import is_guid

if TYPE_CHECKING:
    from tomlkit.toml_document import TOMLDocument

# [tenant] keys the fleet's sign-in decides (FLEET.md): one sign-in for every tenant.
SIGN_IN_KEYS = ("cloud", "auth", "client_id", "graph_url", "certificate_path")


class TenantSessionError(SessionError):
    """This tenant's session cannot follow the fleet file; nothing was written to it."""


def tenant_keys(fleet: Fleet, tenant: FleetTenant) -> dict[str, str]:
    """The [tenant] keys the fleet decides for `tenant` (tenant_id apart: see refresh)."""
    sign_in = fleet.sign_in
    certificate = ""
    if fleet.mode == "app-certificate":
        # Relative to the fleet file, as the file is written; stored whole, so that the
        # single-tenant commands find it from any folder. The path only, never the key.
        certificate = fleet.sign_in_paths().get("certificate_path", "")
    return {
        "cloud": fleet.cloud,
        "auth": AUTH_FOR_MODE[fleet.mode],
        "client_id": sign_in.get("client_id", "").strip(),
        "graph_url": sign_in.get("graph_url", "").strip().rstrip("/"),
        "certificate_path": certificate,
        "sign_in_domain": str(tenant.desired.get("tenant", {}).get("sign_in_domain", "")),
    }


def new_session_document(fleet: Fleet, tenant: FleetTenant) -> TOMLDocument:
    """The document a tenant's session starts as: [session], [tenant], the fleet's tables."""
    from tui.text import safe_text

    tomlkit = tomlkit_module()
    doc: TOMLDocument = tomlkit.document()
    header = (
        f"adue session of tenant {tenant.label} in the fleet {safe_text(fleet.name)}"
        f" ({fleet.path.name}).",
        "adue fleet writes the desired state here from the fleet file at each run: change",
        "it there. What apply did (ids, the journal) is kept. Never holds a secret.",
    )
    for line in header:
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())
    now = utc_now()
    session = tomlkit.table()
    session.add("schema", SCHEMA["session"]["schema"].default)
    session.add("id", str(uuid.uuid4()))
    session.add("created", now)
    session.add("updated", now)
    session.add("current_step", "sign_in")
    doc.add("session", session)
    doc.add("tenant", tomlkit.table())
    for table in DESIRED_TABLES:
        if table != "tenant" and table in tenant.desired:
            doc.add(table, tomlkit.table())
    refresh_document(doc, fleet, tenant)
    return doc


class _Edits(Protocol):
    """What `_refresh` changes the session through: a tomlkit document being made, or an
    open Session (whose saves then render and read back only the tables that changed)."""

    def table(self, name: str) -> dict[str, Any] | None: ...
    def set(self, table: str, key: str, value: Any) -> None: ...
    def add_table(self, table: str) -> None: ...
    def remove_table(self, table: str) -> None: ...


class _DocumentEdits:
    def __init__(self, doc: TOMLDocument) -> None:
        self.doc = doc

    def table(self, name: str) -> dict[str, Any] | None:
        value = self.doc.get(name)
        return None if value is None else dict(unwrap(value))

    def set(self, table: str, key: str, value: Any) -> None:
        _set(_table(self.doc, table), table, key, value)

    def add_table(self, table: str) -> None:
        if table not in self.doc:
            self.doc.add(table, tomlkit_module().table())

    def remove_table(self, table: str) -> None:
        if table in self.doc:
            del self.doc[table]


class _SessionEdits:
    def __init__(self, session: Session) -> None:
        self.session = session

    def table(self, name: str) -> dict[str, Any] | None:
        return self.session.table(name) if self.session.has_table(name) else None

    def set(self, table: str, key: str, value: Any) -> None:
        self.session.set(table, key, value)

    def add_table(self, table: str) -> None:
        self.session.add_table(table)

    def remove_table(self, table: str) -> None:
        self.session.remove_table(table)


def refresh_document(doc: TOMLDocument, fleet: Fleet, tenant: FleetTenant) -> None:
    """Bring `doc` (the tenant's session) in step with the fleet file, in place.

    Raises TenantSessionError (before changing anything) when the session belongs to
    another tenant, or would lose ids apply recorded."""
    _refresh(_DocumentEdits(doc), fleet, tenant)


def refresh_session(session: Session, fleet: Fleet, tenant: FleetTenant) -> None:
    """`refresh_document` on an open session, through its own setters: when the fleet
    file did not change, nothing is changed (and nothing parsed with tomlkit)."""
    _refresh(_SessionEdits(session), fleet, tenant)


def _refresh(edits: _Edits, fleet: Fleet, tenant: FleetTenant) -> None:
    _refuse_if_unsafe(edits, fleet, tenant)
    tenant_table = edits.table("tenant") or {}
    stored = str(tenant_table.get("tenant_id", "")).strip()
    # A GUID recorded at the first checked sign-in stays (the fleet file may give the
    # tenant by a domain): the pin then holds however the domains change.
    if not (is_guid(stored) and not is_guid(tenant.id)):
        edits.set("tenant", "tenant_id", tenant.id)
    for key, text in tenant_keys(fleet, tenant).items():
        edits.set("tenant", key, text or None)  # "" is the default: left out
    if tenant.name and not tenant_table.get("organization", ""):
        edits.set("tenant", "organization", tenant.name)
    for table in DESIRED_TABLES:
        if table == "tenant":
            continue
        wanted = tenant.desired.get(table)
        if wanted is None:
            edits.remove_table(table)  # _refuse_if_unsafe made sure it holds no id
            continue
        current = edits.table(table)
        if current is None:
            edits.add_table(table)
            current = {}
        for key in desired_keys(table):
            spec = SCHEMA[table][key]
            if key in wanted:
                value: Any = wanted[key]
            elif (table, key) == ("guide", "output_dir"):
                value = tenant.label  # each tenant's guide in its own folder
            else:
                # Not set by the fleet: left out, which means the session format's default.
                # A lean file is also a cheaper one: apply saves it about twenty times.
                value = None
            if spec.kind == "groups" and value:
                value = _keep_group_ids(current.get(key) or [], value)
            edits.set(table, key, value)


def _refuse_if_unsafe(edits: _Edits, fleet: Fleet, tenant: FleetTenant) -> None:
    path = fleet.session_path(tenant)
    tenant_table = edits.table("tenant") or {}
    stored = str(tenant_table.get("tenant_id", "")).strip()
    if is_guid(stored) and is_guid(tenant.id) and stored.lower() != tenant.id.lower():
        raise TenantSessionError(
            f"{path}: [tenant] tenant_id is {stored}, but {fleet.path.name} gives tenant"
            f" {tenant.label!r} the id {tenant.id}. The session holds what adue did in"
            f" {stored}: give the new tenant another label, or move {path.name} away."
            " Nothing was written."
        )
    for table in DESIRED_TABLES:
        current = edits.table(table)
        if table == "tenant" or table in tenant.desired or current is None:
            continue
        ids = [
            f"{table}.{key}" for t, key in sorted(APPLY_WRITTEN) if t == table and current.get(key)
        ]
        if ids:
            raise TenantSessionError(
                f"{path}: {fleet.path.name} no longer sets [{table}] for tenant"
                f" {tenant.label!r}, but its session records {', '.join(ids)} (made by apply)."
                f" To stop managing it keep the table with its off switch (e.g."
                f' "web_clip.enabled" = false), or remove the objects first with adue destroy'
                f" --session {path}. Nothing was written."
            )


def _table(doc: TOMLDocument, name: str) -> Any:
    container = doc.get(name)
    if container is None:
        container = new_table(name)
        doc.add(name, container)
    return container


def _set(container: Any, table: str, key: str, value: Any) -> None:
    """Set `key` when its value differs (None: remove it), keeping comments and layout."""
    spec = SCHEMA[table][key]
    if value is None:
        if key in container:
            del container[key]
        return
    if key in container and unwrap(container[key]) == value:
        return
    fresh = key not in container
    container[key] = toml_item(spec.kind, value)
    if fresh and spec.comment:
        add_comment(container, key, spec.comment)


def _keep_group_ids(current: list[Any], wanted: list[dict[str, str]]) -> list[dict[str, str]]:
    """The fleet's groups (by name), each with the id apply resolved for that same name."""
    ids = {
        str(g.get("name")): str(g.get("id"))
        for g in current
        if isinstance(g, dict) and g.get("name") and g.get("id")
    }
    return [
        {"id": ids[g["name"]], "name": g["name"]} if g.get("name") in ids else dict(g)
        for g in wanted
    ]


# --- opening --------------------------------------------------------------------------


def open_for_apply(fleet: Fleet, tenant: FleetTenant) -> Session:
    """The tenant's session, locked, in step with the fleet file and saved when that
    changed anything (created on the first run). Raises SessionError (the file is unusable,
    or in use by another adue) or TenantSessionError; the file is then unchanged."""
    path = fleet.session_path(tenant)
    make_sessions_folder(fleet)
    session = Session.open(path, create=True, new=lambda: new_session_document(fleet, tenant))
    try:
        refresh_session(session, fleet, tenant)
        if session.changed:
            session.save()
    except BaseException:
        session.close()
        raise
    return session


def open_read_only(fleet: Fleet, tenant: FleetTenant) -> Session:
    """The tenant's session as `open_for_apply` would make it, in memory only: no lock,
    nothing written (plan, status, check, guide)."""
    path = fleet.session_path(tenant)
    if not path.exists():
        return Session(path.absolute(), None, doc=new_session_document(fleet, tenant))
    session = Session.read_only(path)
    refresh_session(session, fleet, tenant)
    return session


def make_sessions_folder(fleet: Fleet) -> None:
    folder = fleet.sessions_dir
    # No check before the mkdir: tenants open their sessions in worker threads at once,
    # and one that looked before another made the folder took it for a file (a tenant
    # failed 2 runs in 9 of bench/fleet_apply.py). exist_ok lets a folder made by another
    # through; only something else at that path raises FileExistsError.
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:
        raise SessionError(
            f"{fleet.path.name}: [fleet] sessions_dir {folder} is a file, not a folder:"
            " give a folder for the tenants' session files."
        ) from None
    except OSError as exc:
        raise SessionError(
            f"{fleet.path.name}: cannot create the sessions folder {folder} ({exc.strerror})."
        ) from None
