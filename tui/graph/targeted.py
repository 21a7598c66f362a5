"""Reads about the users a rollout targets, for the prerequisite checks.

A sample of the targeted users (transitive members of the target groups, or the first
users of the tenant for "All users"; at most 200) is checked for an Intune licence
(`/users/{id}/licenseDetails`, batched), and Microsoft Authenticator's own assignments
(read by id in beta) are checked for a device-licensed one that reaches those users.
Each read that fails is kept as its error, never a false verdict.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from tui.graph import parse
from tui.graph.batch import MAX_BATCH, answer_error, answer_json, batch_get
from tui.graph.client import GraphClient
from tui.graph.errors import GraphError
from tui.graph.models import (
    AppAssignment,
    BatchAnswer,
    BatchRead,
    CheckTargets,
    DirectoryUser,
    TargetKind,
)

SAMPLE_SIZE = 200
NAMED = 10  # users without a licence named in the warning
USER_FIELDS = "id,displayName,userPrincipalName"
LICENCE_SCOPES = ("LicenseAssignment.Read.All",)
MEMBER_SCOPES = ("GroupMember.Read.All",)
APPS_READ = ("DeviceManagementApps.Read.All",)


@dataclass
class TargetedUsers:
    """What the checks know about the targeted users."""

    sample: tuple[DirectoryUser, ...] = ()
    capped: bool = False  # the sample stopped at SAMPLE_SIZE: there are at least that many
    group_ids: tuple[str, ...] = ()  # the target groups, names resolved
    group_names: tuple[tuple[str, str], ...] = ()  # group id -> display name
    unlicensed: tuple[DirectoryUser, ...] = ()
    sample_error: GraphError | None = None
    licence_error: GraphError | None = None
    # Authenticator's assignments with device licensing that reach the sample: (assignment,
    # the group's display name or "all users").
    device_licensed: list[tuple[AppAssignment, str]] = field(default_factory=list)
    app_error: GraphError | None = None


async def _batched(
    client: GraphClient, reads: list[BatchRead], version: str = "v1.0"
) -> dict[str, BatchAnswer]:
    """Many reads at once: batches of 20 sent concurrently (one round trip)."""
    if not reads:
        return {}
    chunks = [reads[i : i + MAX_BATCH] for i in range(0, len(reads), MAX_BATCH)]
    answers: dict[str, BatchAnswer] = {}
    for part in await asyncio.gather(*(batch_get(client, c, version=version) for c in chunks)):
        answers.update(part)
    return answers


def _escape(name: str) -> str:
    return name.replace("'", "''")


async def _resolve_names(client: GraphClient, names: Sequence[str]) -> list[tuple[str, str]]:
    reads = [
        BatchRead(
            f"name{i}",
            "groups",
            (("$filter", f"displayName eq '{_escape(n)}'"), ("$select", "id,displayName")),
        )
        for i, n in enumerate(names)
    ]
    answers = await _batched(client, reads)
    ids: list[tuple[str, str]] = []
    for read, name in zip(reads, names, strict=True):
        answer = answers[read.id]
        if not answer.ok:
            raise answer_error(answer, f"find the group {name!r}", ("Group.Read.All",))
        exact = [
            g for g in parse.items(answer_json(answer)) if parse.text(g, "displayName") == name
        ]
        if len(exact) == 1:
            ids.append((parse.text(exact[0], "id"), name))
    return ids


def _member_read(key: str, group_id: str, top: int) -> BatchRead:
    return BatchRead(
        key,
        f"groups/{group_id}/transitiveMembers/microsoft.graph.user",
        (("$select", USER_FIELDS), ("$top", str(top))),
    )


async def read_targeted_users(
    client: GraphClient, targets: CheckTargets, authenticator_id: str = ""
) -> TargetedUsers:
    """The sample of targeted users, their licences, and Authenticator's device licences."""
    found = TargetedUsers()
    try:
        await _resolve_groups(client, targets, found)
    except GraphError as exc:
        found.sample_error = exc
        return found

    # Round 1: who is targeted (first page of each group), and Authenticator's assignments.
    reads = [_member_read(f"members{i}", gid, SAMPLE_SIZE) for i, gid in enumerate(found.group_ids)]
    if targets.all_users:
        reads.append(
            BatchRead("all_users", "users", (("$select", USER_FIELDS), ("$top", str(SAMPLE_SIZE))))
        )
    app_read = BatchRead(
        "app_assignments", f"deviceAppManagement/mobileApps/{authenticator_id}/assignments"
    )
    app_reads = [app_read] if authenticator_id else []
    try:
        members, app = await asyncio.gather(
            _batched(client, reads), _batched(client, app_reads, version="beta")
        )
    except GraphError as exc:
        found.sample_error = exc
        return found
    found.sample_error = _take_sample(reads, members, found)
    if found.sample_error is not None:
        return found
    device = _device_licensed(_authenticator_assignments(app, found)) if authenticator_id else []

    # Round 2: each sampled user's licences; members and names of device-licensed groups.
    licence_reads = [
        BatchRead(f"lic{i}", f"users/{u.id}/licenseDetails") for i, u in enumerate(found.sample)
    ]
    other_groups = [
        a.target.group_id
        for a in device
        if a.target.kind is TargetKind.GROUP and a.target.group_id not in found.group_ids
    ]
    group_reads = [_member_read(f"dev{i}", gid, 999) for i, gid in enumerate(other_groups)]
    group_reads += [
        BatchRead(f"devname{i}", f"groups/{gid}", (("$select", "id,displayName"),))
        for i, gid in enumerate(a.target.group_id for a in device if a.target.group_id)
    ]
    try:
        answers = await _batched(client, [*licence_reads, *group_reads])
    except GraphError as exc:
        found.licence_error = exc
        return found
    _check_licences(licence_reads, answers, found)
    _reaching_sample(device, other_groups, answers, found)
    return found


async def _resolve_groups(client: GraphClient, targets: CheckTargets, found: TargetedUsers) -> None:
    """The target groups' ids (names the session gives without an id looked up) and labels."""
    group_ids = list(dict.fromkeys(targets.group_ids))
    labels = dict(targets.labels)
    if targets.group_names:
        for gid, name in await _resolve_names(client, targets.group_names):
            group_ids.append(gid)
            labels.setdefault(gid, name)
    found.group_ids = tuple(dict.fromkeys(group_ids))
    found.group_names = tuple(labels.items())


def _take_sample(
    reads: Sequence[BatchRead], members: dict[str, BatchAnswer], found: TargetedUsers
) -> GraphError | None:
    """The sampled users from round 1's member reads; the first failed read's error."""
    sample: dict[str, DirectoryUser] = {}
    for read in reads:
        answer = members[read.id]
        if not answer.ok:
            return answer_error(answer, "read the members of a target group", MEMBER_SCOPES)
        body = answer_json(answer)
        found.capped = found.capped or bool(parse.text(body, "@odata.nextLink"))
        for item in parse.items(body):
            user = parse.directory_user(item)
            if user.id:
                sample.setdefault(user.id, user)
    users = list(sample.values())
    found.capped = found.capped or len(users) > SAMPLE_SIZE
    found.sample = tuple(users[:SAMPLE_SIZE])
    return None


def _authenticator_assignments(
    app: dict[str, BatchAnswer], found: TargetedUsers
) -> list[AppAssignment]:
    answer = app["app_assignments"]
    if not answer.ok:
        found.app_error = answer_error(
            answer, "read Microsoft Authenticator's assignments", APPS_READ
        )
        return []
    found_items = (parse.app_assignment(a) for a in parse.items(answer_json(answer)))
    return [a for a in found_items if a]


def _device_licensed(assignments: Sequence[AppAssignment]) -> list[AppAssignment]:
    """The assignments that install Authenticator with device licensing (not excluded)."""
    return [
        a
        for a in assignments
        if a.use_device_licensing
        and a.intent.value != "uninstall"
        and a.target.kind is not TargetKind.EXCLUDE_GROUP
    ]


def _check_licences(
    licence_reads: Sequence[BatchRead], answers: dict[str, BatchAnswer], found: TargetedUsers
) -> None:
    """The sampled users without an Intune licence; none named when a read failed."""
    unlicensed: list[DirectoryUser] = []
    for read, user in zip(licence_reads, found.sample, strict=True):
        answer = answers[read.id]
        if not answer.ok:
            found.licence_error = answer_error(answer, "read users' licences", LICENCE_SCOPES)
            break
        if not parse.has_intune_licence(answer_json(answer)):
            unlicensed.append(user)
    found.unlicensed = tuple(unlicensed) if found.licence_error is None else ()


def _reaching_sample(
    device: Sequence[AppAssignment],
    other_groups: Sequence[str],
    answers: dict[str, BatchAnswer],
    found: TargetedUsers,
) -> None:
    """The device-licensed assignments that reach the sample, each with its label."""
    sampled = {u.id for u in found.sample}
    names: dict[str, str] = {}
    for i, gid in enumerate(a.target.group_id for a in device if a.target.group_id):
        named = answers.get(f"devname{i}")
        if named is not None and named.ok:
            names[gid] = parse.text(answer_json(named), "displayName")
    for assignment in device:
        target = assignment.target
        if target.kind in (TargetKind.ALL_USERS, TargetKind.ALL_DEVICES):
            found.device_licensed.append((assignment, "all users and devices"))
            continue
        gid = target.group_id
        if not gid:
            continue
        label = f"group {names.get(gid) or gid!r}"
        if gid in found.group_ids:
            found.device_licensed.append((assignment, label))
            continue
        index = other_groups.index(gid) if gid in other_groups else -1
        members_answer = answers.get(f"dev{index}")
        if members_answer is not None and members_answer.ok:
            reached = {parse.text(m, "id") for m in parse.items(answer_json(members_answer))}
            if reached & sampled:
                found.device_licensed.append((assignment, label))
