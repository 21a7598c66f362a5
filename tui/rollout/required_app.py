"""Making a shared app required for the rollout's users: Authenticator and the web clip.

Both apps are an admin's as much as adue's: `/assign` replaces the whole set, so every
assignment adue does not change goes back exactly as read (and the plan says so), and a
target new to the app is recorded (target_token) so that destroy removes only those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tui.graph.models import AppAssignment, AssignmentTarget
from tui.graph.operations import merge_app_assignments
from tui.rollout.model import target_token


@dataclass(frozen=True)
class RequiredAssignments:
    merged: tuple[AppAssignment, ...]  # the FULL set to post (replace-all)
    added: tuple[str, ...]  # target tokens new to the app
    lines: tuple[str, ...]  # the plan's details, one a target


def required_assignments(
    wanted: Sequence[AppAssignment],
    current: Sequence[AppAssignment],
    *,
    words: Callable[[AssignmentTarget], str],
    new: str,
    fix: Callable[[AppAssignment], tuple[AppAssignment, str] | None],
    kept: Callable[[AppAssignment], str],
) -> RequiredAssignments | None:
    """What to post so that every `wanted` target is assigned as wanted; None when all are.

    Each line names its target with `words`: `+ target: new` for one the app does not
    have; `target: why` for one that `fix` puts right (with why; None: it is as wanted);
    `= target: kept (kept as it is)` for one that goes back as read, in `kept`'s words.
    """
    by_key = {a.key: a for a in current}
    add: list[AppAssignment] = []
    lines: list[str] = []
    added: list[str] = []
    for assignment in wanted:
        have = by_key.get(assignment.key)
        if have is None:
            add.append(assignment)
            added.append(target_token(assignment.target))
            lines.append(f"+ {words(assignment.target)}: {new}")
        elif (fixed := fix(have)) is not None:
            add.append(fixed[0])
            lines.append(f"{words(have.target)}: {fixed[1]}")
    if not add:
        return None
    changed = {a.key for a in add}
    lines += [
        f"= {words(a.target)}: {kept(a)} (kept as it is)" for a in current if a.key not in changed
    ]
    return RequiredAssignments(merge_app_assignments(current, add), tuple(added), tuple(lines))
