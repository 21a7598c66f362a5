"""Read every Apple enrollment profile with its assignments and group names, in few round trips.

One list read, then one beta `$batch` for all profiles' assignments (the list
endpoint does not expand them, graph.md) and one v1.0 `$batch` for the names of
the groups they target.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.graph import parse
from tui.graph.batch import answer_error, answer_json, batch_get, group_answers
from tui.graph.client import GraphClient
from tui.graph.models import BatchRead, ProfileAssignment
from tui.graph.operations import PROFILES, Scope, list_enrollment_profiles
from tui.rollout.priority import ProfilesInTenant


async def read_profiles(client: GraphClient) -> ProfilesInTenant:
    # Priorities are per platform: only iOS/iPadOS profiles compete with ours (graph.md).
    profiles = tuple(p for p in await list_enrollment_profiles(client) if p.is_ios)
    reads = [
        BatchRead(f"p{index}", f"{PROFILES}/{profile.id}/assignments")
        for index, profile in enumerate(profiles)
    ]
    answers = await batch_get(client, reads, version="beta") if reads else {}
    assignments: dict[str, tuple[ProfileAssignment, ...]] = {}
    for read, profile in zip(reads, profiles, strict=True):
        answer = answers[read.id]
        if not answer.ok:
            raise answer_error(
                answer,
                f"read the assignments of {profile.display_name!r}",
                Scope.SERVICE_CONFIG_READ,
            )
        found = []
        for item in parse.items(answer_json(answer)):
            target = parse.target(parse.child(item, "target"))
            if target:
                found.append(ProfileAssignment(parse.text(item, "id"), target))
        assignments[profile.id] = tuple(found)
    group_ids = sorted(
        {a.target.group_id for found in assignments.values() for a in found if a.target.group_id}
    )
    return ProfilesInTenant(profiles, assignments, await _group_names(client, group_ids))


async def _group_names(client: GraphClient, group_ids: Sequence[str]) -> dict[str, str]:
    # A deleted group is left out: it keeps its id as its label.
    answers = await group_answers(client, group_ids)
    return {gid: parse.text(answer_json(a), "displayName") for gid, a in answers.items() if a.ok}
