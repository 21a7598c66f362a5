"""Reaching a priority order when Graph does not say how setPriority moves the others.

Where a new profile lands and how `setPriority` shifts the rest are undocumented
(graph.md, Step 4): one tenant inserts and shifts, another swaps. So apply never plans
the moves up front: it reads the iOS order, moves the first profile that is out of
place to its index, reads again, and repeats. Either behaviour puts that index right
and leaves the ones above it alone, so each round fixes one more place; a bound on the
rounds turns someone moving profiles at the same time into a clear failure. Pure: the
loop that talks to Graph is in tui.rollout.apply.
"""

from __future__ import annotations

from collections.abc import Sequence

OURS_NEW = ""  # in a ConvergePriority order: our profile before apply knew its id


def target_order(wanted: Sequence[str], current: Sequence[str], ours_id: str) -> list[str]:
    """The full order to reach: `wanted` (with OURS_NEW resolved to `ours_id`) where the
    tenant has those profiles, then every other profile in the tenant's current order."""
    resolved = [ours_id if w == OURS_NEW else w for w in wanted]
    present = {c.lower(): c for c in current}
    head: list[str] = []
    for pid in resolved:
        found = present.get(pid.lower())
        if found is not None and found not in head:
            head.append(found)
    return head + [c for c in current if c not in head]


def next_move(current: Sequence[str], target: Sequence[str]) -> tuple[str, int] | None:
    """(profile id, priority) of the next setPriority, or None when the order matches."""
    for index, pid in enumerate(target):
        if index >= len(current) or current[index] != pid:
            return pid, index
    return None


def max_rounds(count: int) -> int:
    """Moves allowed before giving up: one per place is enough under either behaviour,
    plus slack for a profile created by someone else meanwhile."""
    return count + 2
