"""The desired state of a rollout, read from a session's step tables (no Graph, no I/O).

Only steps whose table is present in the session take part: a hand-written file
that leaves out `[authenticator]` leaves Authenticator alone. Every problem is
collected with the session key it concerns and the fix, so a bad file is refused
as a whole before any write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tui.choices import ENROLLMENT_MODES, FILTER_TYPES, PRIORITY_OURS
from tui.graph import sso_keys
from tui.graph.clouds import CLOUDS, DEFAULT_CLOUD
from tui.rollout.applied_inputs import changed_parts
from tui.rollout.modes import facts, session_mode
from tui.validators import bundle_ids_problems, display_name_problem, guid_problem, is_guid
from tui.values import Frozen

if TYPE_CHECKING:
    from tui.graph.models import CheckTargets


class DesiredStateError(ValueError):
    """The session's desired state cannot be used; `problems` name each key and its fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class GroupRef(Frozen):
    """A group as the session names it: by id, by exact display name, or both."""

    id: str = ""
    name: str = ""
    where: str = ""  # the session key it came from, for messages

    @property
    def label(self) -> str:
        return self.name or self.id


class Audience(Frozen):
    """Who gets an object: "All users" and/or groups, less the excluded groups. The SSO
    policy's own; Authenticator's and the web clip's are the same unless the session
    gives Authenticator its own groups."""

    all_users: bool
    groups: tuple[GroupRef, ...]
    exclude_groups: tuple[GroupRef, ...]

    @property
    def group_refs(self) -> tuple[GroupRef, ...]:
        """Every group it names, included or excluded."""
        return (*self.groups, *self.exclude_groups)


class SsoDesired(Audience):
    name: str
    description: str
    bundle_ids: tuple[str, ...]
    browser_sso_interaction_enabled: bool
    policy_id: str
    extra_keys: tuple[tuple[str, str | int | bool], ...] = ()
    written: bool = False  # this session's journal records a write adue made to it


class AuthenticatorDesired(Audience):
    app_id: str
    # This session's journal records an assignment adue made: only then can a difference
    # be a change made outside adue. The app id alone is the wizard's choice, not a write.
    written: bool = False


class ProfileDesired(Frozen):
    name: str
    description: str
    groups: tuple[GroupRef, ...]
    profile_id: str
    all_users: bool = False
    filter_id: str = ""  # an assignment filter on every target of the profile ("" = none)
    filter_type: str = "include"
    mode: str = "account-driven"  # [enrollment_profile] mode: see tui.rollout.modes
    # adue itself added the "All users" target (journal): only then may it remove it.
    owns_all_users: bool = False
    written: bool = False  # this session's journal records a write adue made to it


class WebClipDesired(Audience):
    """The Company Portal web clip: adopted when the tenant has a web app with the cloud's
    portal address, else created; required for the same users as Authenticator."""

    name: str
    app_url: str
    app_id: str
    written: bool = False  # this session's journal records a write adue made to it


ALL_USERS_INTENTS = ("enrollment_profile:assign:all_users", "enrollment_profile:unassign:all_users")


def written(journal: Any, chain: str) -> bool:
    """Whether this session's journal records a successful write of `chain` (the table
    name its action keys start with, e.g. "authenticator"): before one, a difference
    between the session and the tenant is a first apply's work, never drift."""
    prefix = f"{chain}:"
    entries = journal if isinstance(journal, list) else []
    return any(
        isinstance(entry, Mapping)
        and entry.get("result") == "ok"
        and str(entry.get("intent", "")).startswith(prefix)
        for entry in entries
    )


def owns_all_users(journal: Any) -> bool:
    """Whether the last "All users" write this session made to its profile added it."""
    owned = False
    for entry in journal if isinstance(journal, list) else []:
        if isinstance(entry, Mapping) and entry.get("result") == "ok":
            if entry.get("intent") == ALL_USERS_INTENTS[0]:
                owned = True
            elif entry.get("intent") == ALL_USERS_INTENTS[1]:
                owned = False
    return owned


class DesiredState(Frozen):
    sso: SsoDesired | None
    authenticator: AuthenticatorDesired | None
    profile: ProfileDesired | None
    priority: tuple[str, ...] | None  # None = leave priorities alone
    # The iOS order this session's last apply left, and when ([priority] applied_order):
    # a different order now was made outside this session.
    applied_order: tuple[str, ...] = ()
    last_apply: dt.datetime | None = None
    web_clip: WebClipDesired | None = None
    # Parts the session changed since its last successful apply (tui.rollout.applied_inputs):
    # a difference there is the admin's edit, not drift.
    session_changes: frozenset[str] = frozenset()

    def all_group_refs(self) -> list[GroupRef]:
        refs: list[GroupRef] = []
        if self.sso:
            refs += self.sso.group_refs
        if self.authenticator:
            refs += self.authenticator.group_refs
        if self.profile:
            refs += list(self.profile.groups)
        if self.web_clip:
            refs += self.web_clip.group_refs
        return refs


def _groups(table: Mapping[str, Any], table_name: str, key: str) -> tuple[GroupRef, ...]:
    where = f"[{table_name}] {key}"
    refs = []
    for item in table.get(key) or []:
        refs.append(
            GroupRef(str(item.get("id", "")).strip(), str(item.get("name", "")).strip(), where)
        )
    return tuple(refs)


def _group_problems(refs: tuple[GroupRef, ...]) -> list[str]:
    problems = []
    for ref in refs:
        if ref.id and not is_guid(ref.id):
            problems.append(f"{ref.where}: {guid_problem(ref.id, 'group id')}")
    return problems


def desired_state(data: Mapping[str, Any]) -> DesiredState:
    """The desired state from a session's plain data (Session.data); raises DesiredStateError."""
    problems: list[str] = []
    sso = _sso(data, problems)
    authenticator = _authenticator(data, sso, problems)
    profile = _profile(data, problems)
    web_clip = _web_clip(data, sso, authenticator, problems)
    table = data.get("priority")
    priority = _priority(table, problems) if profile is not None else None
    applied: tuple[str, ...] = ()
    if isinstance(table, Mapping):
        applied = tuple(str(o) for o in table.get("applied_order") or [])
    review = data.get("review")
    last_apply = review.get("last_apply") if isinstance(review, Mapping) else None
    if problems:
        raise DesiredStateError(problems)
    values = (
        sso,
        authenticator,
        profile,
        priority,
        applied,
        last_apply if isinstance(last_apply, dt.datetime) else None,
        web_clip,
    )
    return DesiredState(*values, session_changes=changed_parts(data, DesiredState(*values)))


def _sso(data: Mapping[str, Any], problems: list[str]) -> SsoDesired | None:
    """[sso_extension]: the policy, its users and its extra keys."""
    table = data.get("sso_extension")
    if not isinstance(table, Mapping):
        return None
    raw_keys = table.get("extra_keys")
    extra: dict[str, Any] = dict(raw_keys) if isinstance(raw_keys, Mapping) else {}
    name = str(table.get("name", "iOS – Entra ID SSO extension (account-driven UE)"))
    problem = display_name_problem(name, "policy name")
    if problem:
        problems.append(f"[sso_extension] name: {problem}")
    bundle_ids = tuple(str(b) for b in table.get("bundle_ids") or [])
    problems += [f"[sso_extension] bundle_ids: {p}" for p in bundle_ids_problems(bundle_ids)]
    sso = SsoDesired(
        name=name.strip(),
        description=str(table.get("description", "")).strip(),
        bundle_ids=tuple(b.strip() for b in bundle_ids),
        browser_sso_interaction_enabled=bool(table.get("browser_sso_interaction_enabled", True)),
        all_users=bool(table.get("all_users", True)),
        groups=_groups(table, "sso_extension", "groups"),
        exclude_groups=_groups(table, "sso_extension", "exclude_groups"),
        policy_id=str(table.get("policy_id", "")).strip(),
        extra_keys=tuple((str(k).strip(), v) for k, v in extra.items()),
        written=written(data.get("journal"), "sso_extension"),
    )
    problems += _group_problems(sso.group_refs)
    problems += [f"[sso_extension] extra_keys: {p}" for p in sso_keys.problems(extra)]
    if not sso.all_users and not sso.groups:
        problems.append(
            "[sso_extension]: nobody would get the SSO extension: set all_users = true "
            "or list groups"
        )
    return sso


def _authenticator(
    data: Mapping[str, Any], sso: SsoDesired | None, problems: list[str]
) -> AuthenticatorDesired | None:
    """[authenticator]: the app, for the SSO policy's users or its own groups."""
    table = data.get("authenticator")
    app_written = written(data.get("journal"), "authenticator")
    if not isinstance(table, Mapping):
        return None
    app_id = str(table.get("app_id", "")).strip()
    if app_id and not is_guid(app_id):
        problems.append(f"[authenticator] app_id: {guid_problem(app_id, 'app id')}")
    if bool(table.get("same_groups_as_sso", True)):
        if sso is None:
            problems.append(
                "[authenticator] same_groups_as_sso = true but the session has no "
                "[sso_extension] table: add it, or set same_groups_as_sso = false and "
                "list groups"
            )
            authenticator = AuthenticatorDesired(
                all_users=False, groups=(), exclude_groups=(), app_id=app_id
            )
        else:
            authenticator = AuthenticatorDesired(
                all_users=sso.all_users,
                groups=sso.groups,
                exclude_groups=sso.exclude_groups,
                app_id=app_id,
                written=app_written,
            )
    else:
        groups = _groups(table, "authenticator", "groups")
        problems += _group_problems(groups)
        if not groups:
            problems.append(
                "[authenticator] groups: empty while same_groups_as_sso = false: "
                "list the groups that must get Microsoft Authenticator"
            )
        authenticator = AuthenticatorDesired(
            all_users=False, groups=groups, exclude_groups=(), app_id=app_id, written=app_written
        )
    return authenticator


def _profile(data: Mapping[str, Any], problems: list[str]) -> ProfileDesired | None:
    """[enrollment_profile]: the profile, its mode, targets and filter."""
    table = data.get("enrollment_profile")
    if not isinstance(table, Mapping):
        return None
    mode = str(table.get("mode", "account-driven")).strip() or "account-driven"
    if mode not in ENROLLMENT_MODES:
        problems.append(
            f"[enrollment_profile] mode: {mode!r}: use "
            + " or ".join(f'"{m}"' for m in ENROLLMENT_MODES)
        )
    name = str(table.get("name", facts(mode).default_profile_name))
    problem = display_name_problem(name, "profile name")
    if problem:
        problems.append(f"[enrollment_profile] name: {problem}")
    filter_id = str(table.get("filter_id", "")).strip()
    filter_type = str(table.get("filter_type", "include")).strip() or "include"
    profile = ProfileDesired(
        name=name.strip(),
        description=str(table.get("description", "")).strip(),
        groups=_groups(table, "enrollment_profile", "groups"),
        profile_id=str(table.get("profile_id", "")).strip(),
        all_users=bool(table.get("all_users", False)),
        filter_id=filter_id,
        filter_type=filter_type,
        owns_all_users=owns_all_users(data.get("journal")),
        mode=mode,
        written=written(data.get("journal"), "enrollment_profile"),
    )
    problems += _group_problems(profile.groups)
    if not profile.all_users and not profile.groups:
        # A profile nobody is assigned to enrolls nobody: refused like an SSO policy
        # without users, before anything is created.
        problems.append(
            "[enrollment_profile] groups: the enrollment profile has no target, so no "
            "one could enroll with it: choose at least one user group, or switch on "
            '"All users" (step 5, Enrollment profile; all_users = true)'
        )
    if filter_id and not is_guid(filter_id):
        problems.append(f"[enrollment_profile] filter_id: {guid_problem(filter_id, 'filter id')}")
    if filter_type not in FILTER_TYPES:
        problems.append(
            f'[enrollment_profile] filter_type: {filter_type!r}: use "include" or "exclude"'
        )
    return profile


def _priority(table: Any, problems: list[str]) -> tuple[str, ...]:
    """[priority] order (no table means the schema's default: an empty order, ours first)."""
    raw = table.get("order") if isinstance(table, Mapping) else None
    order = tuple(str(o).strip() for o in raw or [])
    for entry in order:
        if entry != PRIORITY_OURS and not is_guid(entry):
            problems.append(
                f"[priority] order: {entry!r} is neither a profile id (GUID) nor "
                f'"{PRIORITY_OURS}" (our profile): fix or remove it'
            )
    if len(set(order)) != len(order):
        problems.append("[priority] order: a profile is listed twice: keep one")
    return order


def _web_clip(
    data: Mapping[str, Any],
    sso: SsoDesired | None,
    authenticator: AuthenticatorDesired | None,
    problems: list[str],
) -> WebClipDesired | None:
    """[web_clip] when enabled: for the Authenticator's users (else the SSO policy's)."""
    table = data.get("web_clip")
    if not isinstance(table, Mapping) or not bool(table.get("enabled", True)):
        return None
    name = str(table.get("name", "Company Portal"))
    problem = display_name_problem(name, "web clip name")
    if problem:
        problems.append(f"[web_clip] name: {problem}")
    app_id = str(table.get("app_id", "")).strip()
    if app_id and not is_guid(app_id):
        problems.append(f"[web_clip] app_id: {guid_problem(app_id, 'app id')}")
    tenant = data.get("tenant")
    cloud = str(tenant.get("cloud", "global")) if isinstance(tenant, Mapping) else "global"
    who: Audience | None = authenticator or sso
    if who is None:
        problems.append(
            "[web_clip]: the web clip goes to the rollout's users, but the session has no "
            "[authenticator] or [sso_extension] table: add one, or set enabled = false"
        )
        return None
    return WebClipDesired(
        name=name.strip(),
        app_url=CLOUDS.get(cloud, CLOUDS[DEFAULT_CLOUD]).company_portal,
        app_id=app_id,
        all_users=who.all_users,
        groups=who.groups,
        exclude_groups=who.exclude_groups,
        written=written(data.get("journal"), "web_clip"),
    )


def check_targets(data: Mapping[str, Any]) -> CheckTargets:
    """Whom the session's rollout targets, for the prerequisite checks (never raises:
    a session still being filled in gives what it has so far)."""
    all_users = False
    ids: list[str] = []
    names: list[str] = []
    labels: dict[str, str] = {}
    for table_name in ("sso_extension", "authenticator", "enrollment_profile"):
        table = data.get(table_name)
        if not isinstance(table, Mapping):
            continue
        if table_name == "sso_extension" and bool(table.get("all_users", True)):
            all_users = True
        try:
            refs = _groups(table, table_name, "groups")
        except (AttributeError, TypeError):  # not a list of tables: the session check says so
            continue
        for ref in refs:
            if ref.id and is_guid(ref.id):
                ids.append(ref.id)
                if ref.name:
                    labels.setdefault(ref.id, ref.name)
            elif ref.name:
                names.append(ref.name)
    # Here: a headless plan builds its desired state before its first request, and the
    # models are imported after it (tui.rollout.pinned_plan); only the checks need this.
    from tui.graph.models import CheckTargets

    return CheckTargets(
        all_users=all_users,
        group_ids=tuple(dict.fromkeys(ids)),
        group_names=tuple(dict.fromkeys(names)),
        labels=tuple(labels.items()),
        user_enrollment=session_mode(data) == "account-driven",
    )
