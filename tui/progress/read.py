"""Read the progress of a rollout from the tenant: the targeted users and the managed
iPhones and iPads, in as few round trips as paging allows.

Whom a rollout targets: its enrollment profile's targets ([enrollment_profile] groups and
all_users: the profile decides who can enroll); a session without that step falls back to
the SSO extension's users. Group members are transitive (nested groups count), read in
v1.0 (`groups/{id}/transitiveMembers/microsoft.graph.user`, 999 a page); "All users" is
every user of the directory (`users`, 999 a page). The devices are read in beta (see
tui.graph.devices). All those collections page together, 20 per `$batch`
(tui.graph.paging): 50,000 users and their devices take about as many round trips as the
largest collection has pages.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from tui.graph import parse
from tui.graph.batch import answer_json, group_answers
from tui.graph.client import GraphClient
from tui.graph.devices import apple_devices_read, managed_device
from tui.graph.models import BatchRead, CheckTargets
from tui.graph.paging import CollectionRead, read_collections
from tui.graph.targeted import _resolve_names
from tui.progress.report import ProgressReport, TargetGroup, TargetUser, build_report

USER_FIELDS = "id,displayName,userPrincipalName,mail"
MEMBER_SCOPES = ("GroupMember.Read.All",)
USER_SCOPES = ("User.ReadBasic.All",)
ALL_USERS = "all_users"


def _user(item: parse.Json) -> TargetUser:
    return TargetUser(
        id=parse.text(item, "id"),
        display_name=parse.text(item, "displayName"),
        user_principal_name=parse.text(item, "userPrincipalName"),
        mail=parse.text(item, "mail"),
    )


async def _group_names(client: GraphClient, ids: list[str]) -> dict[str, str]:
    """Display names of groups the session names only by id (a missing one keeps its id)."""
    answers = await group_answers(client, ids)
    return {
        gid: parse.text(answer_json(a), "displayName") or gid for gid, a in answers.items() if a.ok
    }


async def read_progress(
    client: GraphClient,
    targets: CheckTargets,
    *,
    now: dt.datetime | None = None,
    mode: str = "account-driven",
    profile_name: str = "",
) -> ProgressReport:
    """The rollout's progress; raises GraphError when a read fails (nothing partial).
    `profile_name` (the session's enrollment profile) tells web-based enrollments from
    Company Portal device enrollments (tui.graph.devices)."""
    labels = dict(targets.labels)
    group_ids = list(dict.fromkeys(targets.group_ids))
    notes: list[str] = []
    if targets.group_names:
        resolved = dict(await _resolve_names(client, targets.group_names))
        for name in targets.group_names:
            if name not in resolved.values():
                notes.append(f"group {name!r} was not found (or its name is not unique)")
        for gid, name in resolved.items():
            group_ids.append(gid)
            labels.setdefault(gid, name)
        group_ids = list(dict.fromkeys(group_ids))
    collections = [
        CollectionRead(
            BatchRead(
                f"g{i}",
                f"groups/{gid}/transitiveMembers/microsoft.graph.user",
                (("$select", USER_FIELDS), ("$top", "999")),
            ),
            what=f"read the members of the group {labels.get(gid) or gid}",
            scopes=MEMBER_SCOPES,
        )
        for i, gid in enumerate(group_ids)
    ]
    if targets.all_users:
        collections.append(
            CollectionRead(
                BatchRead(ALL_USERS, "users", (("$select", USER_FIELDS), ("$top", "999"))),
                what="read the directory's users",
                scopes=USER_SCOPES,
            )
        )
    unnamed = [gid for gid in group_ids if gid not in labels]
    devices_read = apple_devices_read()
    members, devices, names = await asyncio.gather(
        read_collections(client, collections),
        read_collections(client, [devices_read], version="beta"),
        _group_names(client, unnamed),
    )
    labels.update(names)
    users: dict[str, TargetUser] = {}
    groups: list[TargetGroup] = []
    for i, gid in enumerate(group_ids):
        found = [_user(item) for item in members[f"g{i}"]]
        groups.append(TargetGroup(gid, labels.get(gid, gid), tuple(u.id for u in found if u.id)))
        for user in found:
            if user.id:
                users.setdefault(user.id.lower(), user)
    for item in members.get(ALL_USERS, []):
        user = _user(item)
        if user.id:
            users.setdefault(user.id.lower(), user)
    if not targets.any:
        notes.append("the session targets nobody yet: add groups or All users to the profile")
    return build_report(
        users=sorted(users.values(), key=lambda u: (u.display_name.casefold(), u.id)),
        groups=groups,
        devices=(managed_device(d) for d in devices[devices_read.read.id]),
        all_users=targets.all_users,
        read_at=now or dt.datetime.now(dt.UTC),
        notes=notes,
        mode=mode,
        profile_name=profile_name,
    )
