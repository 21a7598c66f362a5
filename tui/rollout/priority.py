"""The order of Apple enrollment profiles, and which one wins for a user (no Graph, no I/O).

The wizard's Priority step lists every Apple enrollment-type profile in the
tenant plus ours (possibly not created yet), lets the admin reorder them, and
stores the order in `[priority] order` (docs/session-format.md): profile ids,
highest first, with the literal `"enrollment_profile"` standing for ours. When a
user is targeted by several profiles the highest one applies (graph.md, Step 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from tui.choices import PRIORITY_OURS
from tui.graph.models import EnrollmentProfile, ProfileAssignment, TargetKind

# In [priority] order: stands for the profile adue manages (its id is not known before
# apply creates it).
OURS = PRIORITY_OURS

# What each enrollment type means to an admin, in the admin center's words.
ENROLLMENT_TYPE_LABELS: dict[str, str] = {
    "accountDrivenUserEnrollment": "account-driven user enrollment",
    "user": "user enrollment with Company Portal",
    "device": "device enrollment with Company Portal",
    "webDeviceEnrollment": "web-based device enrollment",
    "unknown": "determine based on user choice",
}


@dataclass(frozen=True)
class GroupTarget:
    id: str
    name: str


@dataclass(frozen=True)
class PriorityEntry:
    """One row of the priority list."""

    key: str  # the profile id, or OURS for the profile adue manages
    name: str
    enrollment_type: str  # plain words (ENROLLMENT_TYPE_LABELS)
    groups: tuple[GroupTarget, ...] = ()
    excluded: tuple[GroupTarget, ...] = ()
    all_users: bool = False
    is_ours: bool = False
    is_new: bool = False  # ours, not in the tenant yet (apply creates it)
    default_type: str = ""  # Graph's defaultEnrollmentType, e.g. "webDeviceEnrollment"

    @property
    def label(self) -> str:
        return f"new: {self.name}" if self.is_new else self.name

    @property
    def targets_text(self) -> str:
        """Who the profile is assigned to, in a few words."""
        parts = ["all users"] if self.all_users else []
        parts += [g.name or g.id for g in self.groups]
        text = ", ".join(parts) if parts else "not assigned"
        if self.excluded:
            text += " (except " + ", ".join(g.name or g.id for g in self.excluded) + ")"
        return text


def enrollment_type_label(profile: EnrollmentProfile) -> str:
    return ENROLLMENT_TYPE_LABELS.get(
        profile.default_enrollment_type, profile.default_enrollment_type or "unknown type"
    )


def tenant_entry(
    profile: EnrollmentProfile,
    assignments: Iterable[ProfileAssignment],
    group_names: Mapping[str, str],
    *,
    is_ours: bool = False,
) -> PriorityEntry:
    """A row for a profile the tenant has, with its assignments' group names."""
    groups: list[GroupTarget] = []
    excluded: list[GroupTarget] = []
    all_users = False
    for assignment in assignments:
        target = assignment.target
        if target.kind is TargetKind.ALL_USERS:
            all_users = True
        elif target.kind is TargetKind.GROUP:
            groups.append(GroupTarget(target.group_id, group_names.get(target.group_id, "")))
        elif target.kind is TargetKind.EXCLUDE_GROUP:
            excluded.append(GroupTarget(target.group_id, group_names.get(target.group_id, "")))
    return PriorityEntry(
        key=OURS if is_ours else profile.id,
        name=profile.display_name,
        enrollment_type=enrollment_type_label(profile),
        groups=tuple(groups),
        excluded=tuple(excluded),
        all_users=all_users,
        is_ours=is_ours,
        default_type=profile.default_enrollment_type,
    )


def with_session_groups(
    entry: PriorityEntry, groups: Sequence[Mapping[str, str]], all_users: bool = False
) -> PriorityEntry:
    """Ours as it will be after apply: its tenant groups plus the session's (by id or name)."""
    merged = list(entry.groups)
    known = {(g.id.lower(), g.name) for g in merged}
    known_ids = {g.id.lower() for g in merged if g.id}
    for group in groups:
        gid, name = str(group.get("id", "")).strip(), str(group.get("name", "")).strip()
        if (gid and gid.lower() in known_ids) or (gid.lower(), name) in known:
            continue
        merged.append(GroupTarget(gid, name))
        known.add((gid.lower(), name))
        if gid:
            known_ids.add(gid.lower())
    return PriorityEntry(
        key=entry.key,
        name=entry.name,
        enrollment_type=entry.enrollment_type,
        groups=tuple(merged),
        excluded=entry.excluded,
        all_users=entry.all_users or all_users,
        is_ours=entry.is_ours,
        is_new=entry.is_new,
        default_type=entry.default_type,
    )


def new_ours(name: str, default_type: str = "accountDrivenUserEnrollment") -> PriorityEntry:
    """Ours before apply has created it."""
    return PriorityEntry(
        key=OURS,
        name=name,
        enrollment_type=ENROLLMENT_TYPE_LABELS[default_type],
        is_ours=True,
        is_new=True,
        default_type=default_type,
    )


def with_session_type(entry: PriorityEntry, default_type: str) -> PriorityEntry:
    """Ours with the enrollment type the session sets (apply changes the tenant's to it)."""
    label = ENROLLMENT_TYPE_LABELS.get(default_type, default_type)
    return replace(entry, default_type=default_type, enrollment_type=label)


def find_ours(
    profiles: Sequence[EnrollmentProfile], profile_id: str, name: str
) -> EnrollmentProfile | None:
    """Ours in the tenant: by the stored id, else by exact display name (like the plan)."""
    if profile_id:
        for profile in profiles:
            if profile.id.lower() == profile_id.lower():
                return profile
    named = [p for p in profiles if p.display_name.strip() == name.strip()]
    return named[0] if len(named) == 1 else None


def arrange(
    entries: Sequence[PriorityEntry], order: Sequence[str], ours_id: str = ""
) -> list[PriorityEntry]:
    """`entries` (tenant order, ours anywhere) in the stored `order`.

    An empty order means ours first and the rest in the tenant's order (the
    schema's default). Ids no longer in the tenant are skipped; profiles the
    order does not name follow in the tenant's order. Ours may be named by
    `ours_id` (its id in the tenant) as well as by the literal OURS.
    """
    keyed = {e.key.lower(): e for e in entries}
    alias = {ours_id.strip().lower(): OURS} if ours_id.strip() else {}
    wanted = [k.strip().lower() for k in order if k.strip()] or [OURS]
    wanted = [alias.get(k, k) for k in wanted]
    result: list[PriorityEntry] = []
    for key in wanted:
        entry = keyed.pop(key, None)
        if entry is not None:
            result.append(entry)
    result += [e for e in entries if e.key.lower() in keyed]
    return result


def order_keys(entries: Iterable[PriorityEntry]) -> list[str]:
    """What `[priority] order` stores for this list."""
    return [e.key for e in entries]


@dataclass(frozen=True)
class Match:
    """A profile that targets the user, and through which of their groups."""

    position: int  # 1-based place in the list (1 = highest priority)
    entry: PriorityEntry
    via: tuple[str, ...]  # group names (or "all users")


@dataclass(frozen=True)
class Verdict:
    matches: tuple[Match, ...]  # highest first
    excluded: tuple[Match, ...]  # profiles that would target the user but exclude a group of theirs

    @property
    def winner(self) -> Match | None:
        return self.matches[0] if self.matches else None


def who_wins(
    entries: Sequence[PriorityEntry], user_group_ids: Iterable[str], user_group_names: Iterable[str]
) -> Verdict:
    """Which profile applies to a user in these groups (ids and display names, transitive).

    Session groups given only by name match by exact display name.
    """
    ids = {g.lower() for g in user_group_ids}
    names = set(user_group_names)

    def member(group: GroupTarget) -> bool:
        return (group.id.lower() in ids) if group.id else (group.name in names)

    matches: list[Match] = []
    excluded: list[Match] = []
    for position, entry in enumerate(entries, start=1):
        via = tuple(g.name or g.id for g in entry.groups if member(g))
        if entry.all_users:
            via = ("all users", *via)
        if not via:
            continue
        blocked = tuple(g.name or g.id for g in entry.excluded if member(g))
        if blocked:
            excluded.append(Match(position, entry, blocked))
        else:
            matches.append(Match(position, entry, via))
    return Verdict(tuple(matches), tuple(excluded))


def shared_targets(a: PriorityEntry, b: PriorityEntry) -> str:
    """Whom both profiles target directly, in words ("" = no shared target). Users in two
    different groups are not looked up: "Who wins" below answers that per user."""
    if a.all_users and b.all_users:
        return "all users"
    if a.all_users or b.all_users:
        other = b if a.all_users else a
        names = [g.name or g.id for g in other.groups]
        return ("all users, so " + ", ".join(names)) if names else ""

    def key(g: GroupTarget) -> str:
        return g.id.lower() or g.name

    mine = {key(g) for g in a.groups}
    return ", ".join(g.name or g.id for g in b.groups if key(g) in mine)


def outranking_warnings(entries: Sequence[PriorityEntry]) -> list[str]:
    """Profiles above ours that take its users away from the enrollment adue sets up:
    "Determine based on user choice" (since 2024 "I own this device" leads to account-driven
    user enrollment, so its users need that path's prerequisites) and a profile of the
    other personal-device type (web-based device enrollment vs account-driven user
    enrollment: a device enrollment is not a user enrollment)."""
    ours_at = next((i for i, e in enumerate(entries) if e.is_ours), None)
    if ours_at is None:
        return []
    ours = entries[ours_at]
    our_type = ours.default_type or "accountDrivenUserEnrollment"  # adue's default mode
    ours_label = ENROLLMENT_TYPE_LABELS.get(our_type, our_type)
    personal = ("accountDrivenUserEnrollment", "webDeviceEnrollment")
    lines = []
    for position, entry in enumerate(entries[:ours_at], start=1):
        via = shared_targets(ours, entry)
        if entry.default_type == "unknown" and via:
            needs = (
                "the same prerequisites"
                if our_type == "accountDrivenUserEnrollment"
                else "the service-discovery file and a Managed Apple Account or federation"
            )
            lines.append(
                f"“{entry.name}” (place {position}, determine based on user choice) also "
                f"targets {via} and outranks ours: its users choose, and “I own this device” "
                f"now leads to account-driven user enrollment, so they need {needs}; move "
                "ours above it to decide for them."
            )
        elif (
            entry.default_type in personal
            and our_type in personal
            and entry.default_type != our_type
        ):
            theirs = ENROLLMENT_TYPE_LABELS[entry.default_type]
            whom = f"targets {via}" if via else "outranks ours"
            lines.append(
                f"“{entry.name}” (place {position}, {theirs}) {whom}: a user it targets gets "
                f"{theirs}, not {ours_label}; move ours above it for users in both."
            )
    return lines


@dataclass(frozen=True)
class ProfilesInTenant:
    """The tenant's Apple enrollment profiles as tui.rollout.priority_read reads them."""

    profiles: tuple[EnrollmentProfile, ...]  # highest priority first
    assignments: Mapping[str, tuple[ProfileAssignment, ...]] = field(default_factory=dict)
    group_names: Mapping[str, str] = field(default_factory=dict)  # group id -> display name


def entries(
    tenant: ProfilesInTenant,
    ours_id: str,
    ours_name: str,
    ours_groups: Sequence[Mapping[str, str]],
    ours_all_users: bool = False,
    ours_type: str = "accountDrivenUserEnrollment",
) -> list[PriorityEntry]:
    """Rows in the tenant's order; ours where the tenant has it, else last as "new".
    Ours shows the session's groups and enrollment type (what apply will make it)."""
    ours = find_ours(tenant.profiles, ours_id, ours_name)
    rows = [
        tenant_entry(
            profile,
            tenant.assignments.get(profile.id, ()),
            tenant.group_names,
            is_ours=ours is not None and profile.id == ours.id,
        )
        for profile in tenant.profiles
    ]
    if ours is None:
        rows.append(new_ours(ours_name, ours_type))
    return [
        with_session_type(with_session_groups(r, ours_groups, ours_all_users), ours_type)
        if r.is_ours
        else r
        for r in rows
    ]
