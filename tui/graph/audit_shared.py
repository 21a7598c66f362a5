"""Policies that reach the rollout's users through other groups they are in.

A profile assigned to "Sales iPhones" reaches every targeted user who is also in that
group, though the group is neither a rollout group nor one containing it. To find them,
the audit reads the transitive user members of the rollout's groups and of each group a
suspect policy is assigned to (or excludes), and intersects: Graph v1.0 "List group
transitive members", `GET /groups/{id}/transitiveMembers/microsoft.graph.user`
(GroupMember.Read.All, 100 a page by default, `$top` up to 999), paged together in
`$batch` (tui.graph.paging) like the progress report's reads (tui.progress.read).

Cost is bounded: a group that is not a rollout group is read for at most
`MEMBER_LIMIT` members (a few pages); a larger one is skipped and named in a note,
since reading a 200,000-member "All staff" group for every audit is not worth it. Group
names come from `GET /groups/{id}?$select=id,displayName` in one `$batch`; an assignment
to a group that no longer exists (404) reaches nobody.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tui.graph import parse
from tui.graph.batch import answer_error, answer_json, group_answers
from tui.graph.client import GraphClient
from tui.graph.models import BatchRead
from tui.graph.paging import CollectionRead, read_collections, read_collections_capped

MEMBER_LIMIT = 5_000  # members read at most for a group that is not a rollout group
PAGE = 999  # Graph's largest $top for transitiveMembers
EXAMPLES = 2
MEMBERS_READ = ("GroupMember.Read.All",)
_USER_FIELDS = "id,displayName,userPrincipalName"


@dataclass(frozen=True)
class SharedReach:
    """A policy's group that shares members with the rollout: how many targeted users
    it reaches and a few of their names (tenant text: data, never markup)."""

    group_id: str
    group_name: str
    users: int
    examples: tuple[str, ...]

    def word(self) -> str:
        shown = ", ".join(repr(name) for name in self.examples)
        more = f", e.g. {shown}" if shown else ""
        return f"group {self.group_name!r} (also has {self.users} of the rollout's users{more})"


@dataclass(frozen=True)
class GroupUsers:
    """Who is in which group, as far as the bounded read went."""

    names: Mapping[str, str]  # group id (lower case) -> display name
    members: Mapping[str, Mapping[str, str]]  # group id -> {user id: display name}
    too_large: frozenset[str]  # groups not read: more than MEMBER_LIMIT members
    targeted: Mapping[str, str]  # every targeted user: id -> display name


def _member_read(key: str, gid: str, what: str) -> CollectionRead:
    return CollectionRead(
        BatchRead(
            key,
            f"groups/{gid}/transitiveMembers/microsoft.graph.user",
            (("$select", _USER_FIELDS), ("$top", str(PAGE))),
        ),
        what=what,
        scopes=MEMBERS_READ,
    )


def _users(items: Iterable[parse.Json]) -> dict[str, str]:
    return {
        parse.text(u, "id").lower(): parse.text(u, "displayName")
        or parse.text(u, "userPrincipalName")
        or parse.text(u, "id")
        for u in items
        if parse.text(u, "id")
    }


async def _existing_names(client: GraphClient, ids: Sequence[str]) -> dict[str, str]:
    """Display names of the groups that exist (a deleted one is left out)."""
    names: dict[str, str] = {}
    for gid, answer in (await group_answers(client, ids)).items():
        if answer.status == 404:
            continue
        if not answer.ok:
            raise answer_error(answer, f"read the group {gid}", MEMBERS_READ)
        names[gid] = parse.text(answer_json(answer), "displayName") or gid
    return names


async def read_group_users(
    client: GraphClient,
    rollout: Mapping[str, str],
    others: Sequence[str],
    *,
    limit: int = MEMBER_LIMIT,
) -> GroupUsers:
    """The rollout groups' users in full, and those of `others` (group ids) up to
    `limit` members each. Raises GraphError when a read fails."""
    rollout_ids = list(rollout)
    names = await _existing_names(client, list(dict.fromkeys(others)))
    other_ids = list(names)
    pages = max(1, -(-(limit + 1) // PAGE))  # enough pages to see one member over the limit
    whole, (capped, cut) = await asyncio.gather(
        read_collections(
            client,
            [
                _member_read(f"r{i}", gid, f"read the members of the group {name!r}")
                for i, (gid, name) in enumerate(rollout.items())
            ],
        ),
        read_collections_capped(
            client,
            [
                _member_read(f"o{i}", gid, f"read the members of the group {names[gid]!r}")
                for i, gid in enumerate(other_ids)
            ],
            pages,
        ),
    )
    members: dict[str, dict[str, str]] = {}
    targeted: dict[str, str] = {}
    for i, gid in enumerate(rollout_ids):
        members[gid] = _users(whole[f"r{i}"])
        targeted |= members[gid]
    too_large: set[str] = set()
    for i, gid in enumerate(other_ids):
        users = _users(capped[f"o{i}"])
        if f"o{i}" in cut or len(users) > limit:
            too_large.add(gid)
        else:
            members[gid] = users
    return GroupUsers(
        names={**rollout, **names},
        members=members,
        too_large=frozenset(too_large),
        targeted=targeted,
    )


def shared_reach(group_id: str, excluded: Iterable[str], users: GroupUsers) -> SharedReach | None:
    """The targeted users an assignment to `group_id` reaches, minus the members of the
    policy's excluded groups (an exclusion wins in Intune); None when it reaches none or
    the group was not read."""
    inside = users.members.get(group_id)
    if not inside:
        return None
    reached = {uid: name for uid, name in inside.items() if uid in users.targeted}
    for gone in excluded:
        for uid in users.members.get(gone, {}):
            reached.pop(uid, None)
    if not reached:
        return None
    examples = sorted(reached.values(), key=str.casefold)[:EXAMPLES]
    return SharedReach(group_id, users.names.get(group_id, group_id), len(reached), tuple(examples))


def too_large_note(users: GroupUsers, limit: int = MEMBER_LIMIT) -> tuple[str, ...]:
    """One note per group skipped for its size."""
    return tuple(
        f"group {users.names.get(gid, gid)!r} has more than {limit:,} members: the policies"
        " assigned to it (or excluding it) were not checked for the rollout's users it"
        " also contains"
        for gid in sorted(users.too_large, key=lambda g: users.names.get(g, g).casefold())
    )
