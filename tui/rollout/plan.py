"""Desired state (the session) + tenant state (Graph) -> an ordered plan of actions.

`make_plan` reads the tenant (tui.rollout.read) and `build_plan` compares, purely:
objects are found by the id stored in the session, else by exact display name
and type (several = a conflict to resolve, never a guess); assignments of the
policy and the profile are the session's set exactly (what else is there is
removed), Authenticator's are merged (the app is shared: others' assignments
stay); priorities are reached with the fewest `setPriority` moves. Differences on
an object adue recorded (stored id) are drift and say exactly what differs.
The apply engine is tui.rollout.apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from tui.graph import parse
from tui.graph.client import GraphClient
from tui.graph.models import (
    AppAssignment,
    AppIntent,
    AssignmentTarget,
    EnrollmentProfile,
    GroupKind,
    SsoPolicySpec,
    TargetKind,
)
from tui.graph.operations import merge_targets
from tui.graph.payloads import (
    changed_fields,
    enrollment_profile_body,
    foreign_pairs,
    sso_extension_body,
    sso_policy_body,
    strip_read_only,
)
from tui.rollout.applied_inputs import (
    APP_TARGETS,
    PRIORITY,
    PROFILE_SETTINGS,
    PROFILE_TARGETS,
    SSO_SETTINGS,
    SSO_TARGETS,
    WEB_CLIP_TARGETS,
)
from tui.rollout.desired import (
    Audience,
    AuthenticatorDesired,
    DesiredState,
    DesiredStateError,
    GroupRef,
    ProfileDesired,
    SsoDesired,
    desired_state,
)
from tui.rollout.model import (
    Action,
    ActionKind,
    AddProfileAssignment,
    AssignApp,
    AssignSso,
    Chain,
    ConvergePriority,
    CreateProfile,
    CreateSso,
    ObjectState,
    ObjectType,
    Plan,
    RemoveProfileAssignment,
    ReplaceProfileAssignment,
    UpdateProfile,
    UpdateSso,
)
from tui.rollout.modes import facts, profile_spec
from tui.rollout.priority import OURS
from tui.rollout.priority_converge import max_rounds
from tui.rollout.read import Found, Json, TenantState, read_tenant
from tui.rollout.required_app import required_assignments
from tui.rollout.web_clip import web_clip_actions

__all__ = [
    "DesiredStateError",
    "Plan",
    "build_plan",
    "make_plan",
    "plan_from_problems",
]


async def make_plan(client: GraphClient, session_data: Mapping[str, Any]) -> Plan:
    """Read the tenant and compare it with the session (Session.data). Never writes.

    Bad session content gives a plan whose `problems` name each key and the fix.
    Graph failures raise tui.graph.errors.GraphError.
    """
    try:
        desired = desired_state(session_data)
    except DesiredStateError as exc:
        return plan_from_problems(exc.problems)
    state = await read_tenant(client, desired)
    return build_plan(desired, state)


def plan_from_problems(problems: list[str]) -> Plan:
    return Plan(actions=(), problems=tuple(problems))


# -- wording -----------------------------------------------------------------------------------
class _Names:
    """Group id -> display name, for detail lines."""

    def __init__(self, state: TenantState) -> None:
        self.by_id = dict(state.other_group_names)
        self.by_id.update({g.id.lower(): g.display_name for g in state.groups.values()})

    def target(self, target: AssignmentTarget) -> str:
        name = self.by_id.get(target.group_id.lower(), target.group_id)
        if target.kind is TargetKind.ALL_USERS:
            return "all users"
        if target.kind is TargetKind.ALL_DEVICES:
            return "all devices"
        if target.kind is TargetKind.GROUP:
            return f"group {name!r}"
        if target.kind is TargetKind.EXCLUDE_GROUP:
            return f"excluded group {name!r}"
        return f"{target.odata_type.rsplit('.', 1)[-1]} {target.group_id}".strip()


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value).replace("'", '"')
    return text if len(text) <= 120 else text[:117] + "..."


def _sso_key_lines(desired: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """What differs inside iosSingleSignOnExtension, key by key."""
    lines = []
    for key, want in desired.items():
        have = current.get(key)
        if key == "configurations" and isinstance(have, list):
            wanted = {c["key"]: c for c in want}
            present = {str(c.get("key", "")): c for c in have if isinstance(c, Mapping)}
            for name, pair in wanted.items():
                got = present.get(name)
                if got is None:
                    lines.append(
                        f"extension key {name} is missing (should be {_short(pair['value'])})"
                    )
                elif (
                    got.get("value") != pair["value"]
                    or got.get("@odata.type") != pair["@odata.type"]
                ):
                    kind = pair["@odata.type"].rsplit(".", 1)[-1]
                    lines.append(
                        f"extension key {name} is {_short(got.get('value'))}, "
                        f"should be {_short(pair['value'])} ({kind})"
                    )
            for name in present:
                if name not in wanted:
                    lines.append(
                        f"extension key {name!r} is not in the session: it will be removed"
                    )
            if not lines and [c.get("key") for c in have] != list(wanted):
                lines.append("extension keys are in a different order")
        elif key == "bundleIdAccessControlList" and isinstance(have, list):
            added = [b for b in want if b not in have]
            removed = [b for b in have if b not in want]
            lines += [f"bundle id {b} will be added" for b in added]
            lines += [f"bundle id {b} will be removed" for b in removed]
        elif have != want:
            lines.append(f"{key} is {_short(have)}, should be {_short(want)}")
    return lines


def _create(
    chain: Chain,
    object_type: ObjectType,
    label: str,
    details: list[str],
    found: Found,
    op: CreateSso | CreateProfile,
) -> Action:
    """Create the object; restoring one adue recorded that is gone is drift."""
    return Action(
        f"{chain}:create",
        ActionKind.CREATE,
        object_type,
        chain,
        f"Create {label}",
        tuple(details),
        drift=found.stored_id_missing,
        op=op,
    )


def _update(
    chain: Chain,
    object_type: ObjectType,
    label: str,
    desired_body: Mapping[str, Any],
    found: Found,
    *,
    drift: bool,
    op: UpdateSso | UpdateProfile,
) -> tuple[dict[str, Any], Action | None]:
    """The PATCH the object as read needs (only fields that differ) and its action, if any."""
    current = strip_read_only(found.body or {})
    patch = changed_fields(desired_body, current, keep=("@odata.type",))
    if not patch:
        return patch, None
    return patch, Action(
        f"{chain}:update",
        ActionKind.UPDATE,
        object_type,
        chain,
        f"Update {label}",
        tuple(_field_lines(patch, current)),
        object_id=found.id,
        drift=drift,
        op=op,
    )


def _field_lines(patch: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    lines = []
    for key, want in patch.items():
        if key == "@odata.type":
            continue
        have = current.get(key)
        if key == "iosSingleSignOnExtension" and isinstance(have, Mapping):
            lines += _sso_key_lines(want, have)
        else:
            lines.append(f"{key} is {_short(have)}, should be {_short(want)}")
    return lines


# -- the three chains --------------------------------------------------------------------------
def _group_ids(state: TenantState, refs: tuple[GroupRef, ...]) -> list[str]:
    """The ids of the groups the tenant has for `refs`. A group it does not have (unknown
    name or id, several of one name) is a problem of the plan and no target: a plan line
    for it would contradict that problem (and name a group '')."""
    found = (state.groups.get(ref) for ref in refs)
    return list(dict.fromkeys(group.id for group in found if group is not None and group.id))


def _sso_targets(state: TenantState, audience: Audience) -> list[AssignmentTarget]:
    targets = [AssignmentTarget.all_users()] if audience.all_users else []
    targets += [AssignmentTarget.group(g) for g in _group_ids(state, audience.groups)]
    targets += [AssignmentTarget.exclude(g) for g in _group_ids(state, audience.exclude_groups)]
    return targets


def _refused_by_name(where: str, what: str, found: Found, problems: list[str]) -> bool:
    """Whether adue will not touch the object it found by name (the problem is added):
    several have the name and none is ours, or ours has twins."""
    if found.conflict:
        problems.append(_conflict(where, what, found))
    elif found.twins:
        problems.append(_twins_problem(where, what, found))
    return bool(found.conflict or found.twins)


def _conflict(where: str, what: str, found: Found) -> str:
    ids = ", ".join(found.conflict)
    return (
        f"{where}: {len(found.conflict)} {what} have exactly this name (ids {ids}); adue will "
        "not guess: rename ours in the session, delete or rename the extra ones in the admin "
        "center, or put the right id in the session"
    )


def _overlap(
    ours: list[AssignmentTarget], theirs: tuple[AssignmentTarget, ...], names: _Names
) -> str:
    """Whom two assignment sets both reach, in words ("" = no shared target).

    Direct targets only: users in two different groups are not looked up (nested groups
    would need a membership read per user)."""
    include = (TargetKind.ALL_USERS, TargetKind.ALL_DEVICES, TargetKind.GROUP)
    mine = [t for t in ours if t.kind in include]
    others = [t for t in theirs if t.kind in include]
    if not mine or not others:
        return ""
    everyone = (TargetKind.ALL_USERS, TargetKind.ALL_DEVICES)
    for target in others:
        if target.kind in everyone:
            return names.target(target)
    if any(t.kind in everyone for t in mine):
        return names.target(others[0])
    mine_ids = {t.group_id.lower() for t in mine}
    shared = [names.target(t) for t in others if t.group_id.lower() in mine_ids]
    return ", ".join(shared)


def _sso_conflicts(sso: SsoDesired, state: TenantState, names: _Names) -> list[str]:
    """Another SSO extension payload for the same users: the two conflict on the device."""
    ours = _sso_targets(state, sso)
    lines = []
    for other in state.other_sso:
        via = _overlap(ours, other.targets, names)
        if via:
            lines.append(
                f"[sso_extension]: warning: the {other.kind} {other.name!r} (id {other.id}) "
                f"also carries an SSO extension and is assigned to {via}, like this "
                "rollout's policy: two SSO payloads conflict on the device; remove the "
                "extension from one of them, or assign them to different users"
            )
    return lines


def _twins_problem(where: str, what: str, found: Found) -> str:
    def created(body: Json) -> str:
        return parse.text(body, "createdDateTime") or "at an unknown time"

    others = ", ".join(f"{parse.text(t, 'id')} (created {created(t)})" for t in found.twins)
    return (
        f"{where}: besides the one this session records (id {found.id}, created "
        f"{created(found.body or {})}), "
        f"{len(found.twins)} other {what} with exactly this name exist: {others}. adue deletes "
        "only a copy the same run created, so it will not settle this: delete the extra "
        "ones in the Intune admin center (keep the oldest), or rename ours in the session"
    )


def _sso_actions(
    sso: SsoDesired, state: TenantState, names: _Names, problems: list[str], notes: list[str]
) -> list[Action]:
    found = state.sso
    if _refused_by_name("[sso_extension] name", "iOS device features policies", found, problems):
        return []
    spec = SsoPolicySpec(
        sso.name,
        sso.description,
        sso.bundle_ids,
        sso.browser_sso_interaction_enabled,
        sso.extra_keys,
    )
    desired_targets = _sso_targets(state, sso)
    label = f"the SSO app extension policy {sso.name!r}"
    actions: list[Action] = []
    if found.body is None:
        extension = sso_extension_body(spec)
        details = [
            "bundle ids: " + (", ".join(spec.bundle_ids) or "none (Microsoft apps only)"),
            *(
                f"extension key {c['key']} = {_short(c['value'])} "
                f"({c['@odata.type'].rsplit('.', 1)[-1]})"
                for c in extension["configurations"]
            ),
        ]
        if found.stored_id_missing:
            details.insert(
                0, f"the policy adue created (id {sso.policy_id}) is gone from the tenant"
            )
        actions.append(
            _create(Chain.SSO, ObjectType.SSO_POLICY, label, details, found, CreateSso(spec))
        )
        if desired_targets:
            actions.append(
                Action(
                    "sso_extension:assign",
                    ActionKind.ASSIGN,
                    ObjectType.SSO_POLICY,
                    Chain.SSO,
                    f"Assign {label}",
                    tuple(f"+ {names.target(t)}" for t in desired_targets),
                    op=AssignSso(tuple(desired_targets)),
                )
            )
        return actions
    # Drift: a difference on the object adue wrote (its stored id and a journalled write).
    drift = found.found_by == "stored id" and sso.written
    body, op = sso_policy_body(spec, found.body), UpdateSso(spec)
    update = _update(Chain.SSO, ObjectType.SSO_POLICY, label, body, found, drift=drift, op=op)[1]
    kept = [
        str(c.get("key", ""))
        for c in foreign_pairs(found.body.get("iosSingleSignOnExtension"), spec)
    ]
    if kept:
        notes.append(
            f"[sso_extension]: the policy {sso.name!r} has keys adue does not manage "
            f"({', '.join(kept)}): they stay as they are"
        )
    if update is not None:
        actions.append(update)
    have = state.sso_targets
    wanted_keys = {t.key for t in desired_targets}
    removed = [t for t in have if t.key not in wanted_keys]
    merged = merge_targets(have, desired_targets, removed)
    if {t.key for t in merged} != {t.key for t in have}:
        have_keys = {t.key for t in have}
        added = [t for t in desired_targets if t.key not in have_keys]
        lines = [f"+ {names.target(t)}" for t in added] + [f"- {names.target(t)}" for t in removed]
        actions.append(
            Action(
                "sso_extension:assign",
                ActionKind.ASSIGN if added else ActionKind.UNASSIGN,
                ObjectType.SSO_POLICY,
                Chain.SSO,
                f"{'Assign' if added else 'Unassign'} {label}",
                tuple(lines),
                object_id=found.id,
                drift=drift,
                op=AssignSso(merged),
            )
        )
    return actions


def _app_actions(
    app: AuthenticatorDesired, state: TenantState, names: _Names, problems: list[str]
) -> list[Action]:
    if state.app_problem:
        problems.append(state.app_problem)
        return []
    if state.app.body is None:  # pragma: no cover - read_tenant sets a problem instead
        return []
    wanted = [
        AppAssignment(t, AppIntent.REQUIRED, use_device_licensing=False)
        for t in _sso_targets(state, app)
    ]

    def fix(have: AppAssignment) -> tuple[AppAssignment, str] | None:
        if have.intent is AppIntent.REQUIRED and not have.use_device_licensing:
            return None
        # Keep the target as read (its assignment filter) and fix intent and licensing.
        licensing = "device" if have.use_device_licensing else "user"
        return replace(have, intent=AppIntent.REQUIRED, use_device_licensing=False), (
            f"{have.intent.value} with {licensing} licensing, "
            "should be required with user licensing"
        )

    diff = required_assignments(
        wanted,
        state.app_assignments,
        words=names.target,
        new="required, user licensing",
        fix=fix,
        kept=_app_assignment_words,
    )
    if diff is None:
        return []
    name = parse.text(state.app.body, "displayName") or "Microsoft Authenticator"
    return [
        Action(
            "authenticator:assign",
            ActionKind.ASSIGN,
            ObjectType.AUTHENTICATOR_APP,
            Chain.AUTHENTICATOR,
            f"Make {name} required (user licensing)",
            diff.lines,
            object_id=state.app.id,
            # The stored app id is the wizard's choice, not proof of a write: only after
            # adue assigned the app can its assignments have been changed outside adue.
            drift=state.app.found_by == "stored id" and app.written,
            op=AssignApp(diff.merged, diff.added),
        )
    ]


def _app_assignment_words(a: AppAssignment) -> str:
    licensing = "device" if a.use_device_licensing else "user"
    words = f"{a.intent.value}, {licensing} licensing"
    if a.target.filter_id:
        words += f", assignment filter {a.target.filter_id} ({a.target.filter_type or 'include'})"
    return words


def _with_filter(target: AssignmentTarget, profile: ProfileDesired) -> AssignmentTarget:
    if not profile.filter_id:
        return target
    return replace(target, filter_id=profile.filter_id, filter_type=profile.filter_type)


def _filter_key(target: AssignmentTarget) -> tuple[str, str]:
    """An assignment's filter, compared: no filter id = no filter, whatever the type says."""
    if not target.filter_id:
        return ("", "")
    return (target.filter_id.lower(), target.filter_type or "include")


def _profile_targets(profile: ProfileDesired, group_ids: list[str]) -> list[AssignmentTarget]:
    """What the session asks for: "All users" and/or user groups, each with the filter."""
    targets = [AssignmentTarget.all_users()] if profile.all_users else []
    targets += [AssignmentTarget.group(g) for g in group_ids]
    return [_with_filter(t, profile) for t in targets]


def _target_slug(target: AssignmentTarget) -> str:
    return "all_users" if target.kind is TargetKind.ALL_USERS else target.group_id


def _profile_assignment_actions(
    profile: ProfileDesired,
    wanted: list[AssignmentTarget],
    state: TenantState,
    names: _Names,
    label: str,
    drift: bool,
    notes: list[str],
) -> list[Action]:
    """Add what is missing, re-add what has another filter, remove what the session does
    not ask for, except an "All users" target this session did not add (an admin's)."""
    found = state.profile
    current = {a.target.key: a for a in state.profile_assignments} if found.body else {}
    actions: list[Action] = []

    def words(target: AssignmentTarget) -> str:
        text = names.target(target)
        if target.filter_id:
            name = state.filter_name or target.filter_id
            text += f" (filter {name!r}, {target.filter_type or 'include'})"
        return text

    for target in wanted:
        have = current.get(target.key)
        slug = _target_slug(target)
        if have is None:
            actions.append(
                Action(
                    f"enrollment_profile:assign:{slug}",
                    ActionKind.ASSIGN,
                    ObjectType.ENROLLMENT_PROFILE,
                    Chain.PROFILE,
                    f"Assign {label} to {words(target)}",
                    object_id=found.id,
                    drift=drift,
                    op=AddProfileAssignment(target),
                )
            )
        elif _filter_key(have.target) != _filter_key(target):
            before = "no filter"
            if have.target.filter_id:
                before = f"filter {have.target.filter_id} ({have.target.filter_type or 'include'})"
            key = "assign:all_users" if slug == "all_users" else f"filter:{slug}"
            actions.append(
                Action(
                    f"enrollment_profile:{key}",
                    ActionKind.ASSIGN,
                    ObjectType.ENROLLMENT_PROFILE,
                    Chain.PROFILE,
                    f"Assign {label} to {words(target)}",
                    (f"the assignment has {before} now: adue removes it and adds it again",),
                    object_id=found.id,
                    drift=drift,
                    op=ReplaceProfileAssignment(have.id, target),
                )
            )
    wanted_keys = {t.key for t in wanted}
    for assignment in state.profile_assignments if found.body else ():
        target = assignment.target
        if target.key in wanted_keys:
            continue
        if target.kind is TargetKind.ALL_USERS and not profile.owns_all_users:
            notes.append(
                f"[enrollment_profile]: the profile {profile.name!r} is assigned to All users, "
                "which this session did not add: adue keeps it (set all_users = true to manage "
                "it here, or remove it in the admin center)"
            )
            continue
        slug = "all_users" if target.kind is TargetKind.ALL_USERS else assignment.id
        actions.append(
            Action(
                f"enrollment_profile:unassign:{slug}",
                ActionKind.UNASSIGN,
                ObjectType.ENROLLMENT_PROFILE,
                Chain.PROFILE,
                f"Unassign {label} from {names.target(target)}",
                ("not in the session's targets",),
                object_id=found.id,
                drift=drift,
                op=RemoveProfileAssignment(assignment.id, target.group_id),
            )
        )
    return actions


def _profile_actions(
    profile: ProfileDesired,
    desired: DesiredState,
    state: TenantState,
    names: _Names,
    problems: list[str],
    notes: list[str],
) -> list[Action]:
    found = state.profile
    if _refused_by_name("[enrollment_profile] name", "enrollment profiles", found, problems):
        return []
    refused: set[str] = set()  # device groups: a problem, so no target either
    for ref in profile.groups:
        group = state.groups.get(ref)
        kind = state.group_kinds.get(group.id) if group else None
        if group and kind in (GroupKind.DEVICES, GroupKind.MIXED):
            holds = "devices" if kind is GroupKind.DEVICES else "devices as well as users"
            refused.add(group.id)
            problems.append(
                f"{ref.where}: the group {group.display_name!r} holds {holds}: enrollment "
                "profiles for user enrollment apply to users only (device groups are not "
                "supported); choose a group of users"
            )
    spec = profile_spec(profile.name, profile.description, profile.mode)
    label = f"the enrollment profile {profile.name!r}"
    drift = found.found_by == "stored id" and profile.written
    actions: list[Action] = []
    group_ids = [g for g in _group_ids(state, profile.groups) if g not in refused]
    wanted = _profile_targets(profile, group_ids)
    if found.body is None:
        details = [facts(profile.mode).plan_line]
        if found.stored_id_missing:
            details.insert(
                0, f"the profile adue created (id {profile.profile_id}) is gone from the tenant"
            )
        if profile.mode != "account-driven":  # the default needs no word; the other does
            notes.append(facts(profile.mode).difference)
        what, create = ObjectType.ENROLLMENT_PROFILE, CreateProfile(spec)
        actions.append(_create(Chain.PROFILE, what, label, details, found, create))
    else:
        body, op = enrollment_profile_body(spec), UpdateProfile(spec)
        what = ObjectType.ENROLLMENT_PROFILE
        patch, update = _update(Chain.PROFILE, what, label, body, found, drift=drift, op=op)
        if "defaultEnrollmentType" in patch:
            notes.append(
                "The profile changes its enrollment type: employees who already enrolled "
                "keep their enrollment; new enrollments get the new type. "
                + facts(profile.mode).difference
            )
        if update is not None:
            actions.append(update)
    actions += _profile_assignment_actions(profile, wanted, state, names, label, drift, notes)
    if desired.priority is not None:
        actions += _priority_actions(profile, desired, state, drift, problems, notes)
    return actions


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


def _outside_change(
    applied: tuple[str, ...], current: list[str], profiles: dict[str, EnrollmentProfile]
) -> tuple[bool, dt.datetime | None]:
    """Whether the order differs from the one this session's last apply left (profiles
    added or deleted since do not count), and the latest change among the moved ones."""
    common = [p for p in current if p in applied]
    before = [p for p in applied if p in common]
    if common == before:
        return False, None
    moved = [p for i, p in enumerate(common) if before[i] != p]
    stamps = [m for p in moved if (m := profiles[p].last_modified) is not None]
    return True, max(stamps) if stamps else None


def _priority_actions(
    profile: ProfileDesired,
    desired: DesiredState,
    state: TenantState,
    drift: bool,
    problems: list[str],
    notes: list[str],
) -> list[Action]:
    """One action: reach the order of the iOS profiles. apply moves, re-reads and repeats
    (tui.rollout.priority_converge): where a new profile lands and how setPriority shifts
    the others are not documented, so the moves are not planned here."""
    order = desired.priority or ()
    edited = False
    ours = state.profile.id  # "" = ours is created by this plan; where it lands is unknown
    ios = [p for p in state.profiles if p.is_ios]
    by_id = {p.id: p for p in ios}
    names = {p.id: p.display_name for p in ios}
    names[ours] = profile.name
    current = [p.id for p in ios]
    wanted: list[str] = []
    for entry in order or (OURS,):
        pid = ours if entry == OURS else entry
        if pid and pid not in by_id:
            problems.append(
                f"[priority] order: no iOS Apple enrollment profile has the id {entry}: "
                "remove it from the order"
            )
            continue
        wanted.append(pid)
    rest = [p for p in current if p not in wanted]
    target = wanted + rest
    if not ours:  # until it exists its place is a guess; the order says where it must go
        current_words = ", ".join(repr(names[p]) for p in current) or "none"
        details = [f"now: {current_words}; ours is created first and lands where Graph puts it"]
    else:
        if target == current:
            return []
        details = [f"now: {', '.join(repr(names[p]) for p in current)}"]
        changed, when = _outside_change(desired.applied_order, current, by_id)
        if changed:
            since = _when(desired.last_apply)
            what = (
                f"the order was changed outside this session (last change {_when(when)}, "
                f"after this session's last apply at {since})"
            )
            if not order:
                notes.append(
                    f"[priority]: {what}: now {', '.join(repr(names[p]) for p in current)}. "
                    "adue leaves it, because this session asks for no particular order; "
                    "choose an order in the Priority step ([priority] order) to restore one"
                )
                return []
            details.append(f"{what}: apply restores the order this session asks for")
            drift = True
        elif PRIORITY in desired.session_changes:
            drift, edited = False, True  # the admin chose another order since the last apply
    listed = ", ".join(f"{i + 1}. {names.get(p, p)!r}" for i, p in enumerate(target))
    details.append(
        "adue moves one profile at a time and reads the order again until it matches "
        f"(at most {max_rounds(len(target))} moves)"
    )
    return [
        Action(
            "priority:order",
            ActionKind.SET_PRIORITY,
            ObjectType.ENROLLMENT_PROFILE,
            Chain.PROFILE,
            f"Order the iOS enrollment profiles, highest first: {listed}",
            tuple(details),
            object_id=ours,
            drift=drift and bool(ours),
            session_changed=edited,
            op=ConvergePriority(
                tuple(target), tuple((p, names[p]) for p in current) if ours else None
            ),
        )
    ]


def _part(action: Action) -> str:
    """Which part of the session (tui.rollout.applied_inputs) an action on an existing
    object writes; "" for creates and the iOS order (_priority_actions decides that one)."""
    if not action.object_id or action.kind is ActionKind.CREATE:
        return ""
    table, _, verb = action.key.partition(":")
    if table == "priority":
        return ""
    if verb == "update":
        return {"sso_extension": SSO_SETTINGS, "enrollment_profile": PROFILE_SETTINGS}.get(
            table, ""
        )
    return {
        "sso_extension": SSO_TARGETS,
        "authenticator": APP_TARGETS,
        "enrollment_profile": PROFILE_TARGETS,
        "web_clip": WEB_CLIP_TARGETS,
    }.get(table, "")


def _session_edits(actions: list[Action], changes: frozenset[str]) -> list[Action]:
    """An action on a part the admin changed in the session since the last successful
    apply writes that edit: it is no drift (drift is a change made in the tenant)."""
    return [
        replace(a, drift=False, session_changed=True) if _part(a) in changes else a for a in actions
    ]


def _nothing(object_type: ObjectType, chain: Chain, title: str, object_id: str) -> Action:
    return Action(
        f"{chain.value}:nothing", ActionKind.NOTHING, object_type, chain, title, (), object_id
    )


def _or_nothing(
    mine: list[Action], problems: list[str], keys: tuple[str, ...], nothing: Action
) -> list[Action]:
    """The chain's actions, else its "already right" line, unless a problem concerns the
    chain (a key of its table or of one of its groups): that line would contradict it."""
    if mine:
        return mine
    return [] if any(p.startswith(keys) for p in problems) else [nothing]


def _keys(table: str, refs: tuple[GroupRef, ...]) -> tuple[str, ...]:
    return (table, *(ref.where for ref in refs if ref.where))


def build_plan(desired: DesiredState, state: TenantState) -> Plan:
    """Compare; pure (no I/O). The order of actions is the order within each chain."""
    problems = list(state.problems)
    notes: list[str] = []
    names = _Names(state)
    actions: list[Action] = []
    objects: list[ObjectState] = []
    if desired.sso:
        mine = _sso_actions(desired.sso, state, names, problems, notes)
        notes += _sso_conflicts(desired.sso, state, names)
        sso_refs = desired.sso.group_refs
        actions += _or_nothing(
            mine,
            problems,
            _keys("[sso_extension]", sso_refs),
            _nothing(
                ObjectType.SSO_POLICY,
                Chain.SSO,
                f"The SSO app extension policy {desired.sso.name!r} is up to date",
                state.sso.id,
            ),
        )
        objects.append(
            ObjectState(ObjectType.SSO_POLICY, desired.sso.name, state.sso.id, state.sso.found_by)
        )
    if desired.authenticator:
        app = desired.authenticator
        mine = _app_actions(app, state, names, problems)
        app_name = parse.text(state.app.body or {}, "displayName") or "Microsoft Authenticator"
        app_refs = app.group_refs
        actions += _or_nothing(
            mine,
            problems,
            _keys("[authenticator]", app_refs),
            _nothing(
                ObjectType.AUTHENTICATOR_APP,
                Chain.AUTHENTICATOR,
                f"{app_name} is already required for the chosen users",
                state.app.id,
            ),
        )
        objects.append(
            ObjectState(ObjectType.AUTHENTICATOR_APP, app_name, state.app.id, state.app.found_by)
        )
    if desired.profile:
        mine = _profile_actions(desired.profile, desired, state, names, problems, notes)
        actions += _or_nothing(
            mine,
            problems,
            _keys("[enrollment_profile]", desired.profile.groups),
            _nothing(
                ObjectType.ENROLLMENT_PROFILE,
                Chain.PROFILE,
                f"The enrollment profile {desired.profile.name!r} is up to date",
                state.profile.id,
            ),
        )
        objects.append(
            ObjectState(
                ObjectType.ENROLLMENT_PROFILE,
                desired.profile.name,
                state.profile.id,
                state.profile.found_by,
            )
        )
    if desired.web_clip:
        clip = desired.web_clip
        mine = web_clip_actions(clip, state, _sso_targets(state, clip), names.target, problems)
        clip_name = parse.text(state.web_clip.body or {}, "displayName") or clip.name
        actions += _or_nothing(
            mine,
            problems,
            _keys("[web_clip]", clip.group_refs),
            _nothing(
                ObjectType.WEB_CLIP,
                Chain.WEB_CLIP,
                f"The Company Portal web clip {clip_name!r} is already required for the "
                "chosen users",
                state.web_clip.id,
            ),
        )
        objects.append(
            ObjectState(ObjectType.WEB_CLIP, clip_name, state.web_clip.id, state.web_clip.found_by)
        )
    resolved: list[tuple[str, str]] = []
    for ref, group in state.groups.items():
        if ref.id and ref.name and group.display_name and group.display_name != ref.name:
            notes.append(
                f"{ref.where}: the group {ref.name!r} is now named {group.display_name!r} "
                "(found by its id)"
            )
        if not ref.id:
            resolved.append((ref.name, group.id))
    ios_order: tuple[str, ...] = ()
    if desired.profile and desired.priority is not None and state.profile.id:
        ios_order = tuple(p.id for p in state.profiles if p.is_ios)
    return Plan(
        ios_order=ios_order,
        actions=tuple(_session_edits(actions, desired.session_changes)),
        objects=tuple(objects),
        problems=tuple(dict.fromkeys(problems)),
        notes=tuple(dict.fromkeys(notes)),
        resolved_groups=tuple(dict.fromkeys(resolved)),
    )
