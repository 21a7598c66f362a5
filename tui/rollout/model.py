"""What a plan is made of: actions a person can read and the engine can carry out.

The wizard's Review step renders `Plan.actions` (kind, object type, title, detail
lines); `adue plan --json` prints `Plan.to_dict()` (docs/plan-json.md). The
`op` of an action holds what the apply engine needs (ids, targets, specs) and is
not part of the JSON shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tui.graph.models import (
    AppAssignment,
    AssignmentTarget,
    EnrollmentProfileSpec,
    SsoPolicySpec,
)

JSON_VERSION = 1  # bump only with a documented, incompatible change of to_dict()


class ActionKind(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ASSIGN = "assign"
    UNASSIGN = "unassign"
    SET_PRIORITY = "set_priority"
    DELETE = "delete"  # adue destroy (tui.rollout.destroy)
    NOTHING = "nothing"


class ObjectType(StrEnum):
    SSO_POLICY = "sso_policy"
    AUTHENTICATOR_APP = "authenticator_app"
    ENROLLMENT_PROFILE = "enrollment_profile"
    WEB_CLIP = "web_clip"


class Chain(StrEnum):
    """Independent sequences of writes; apply runs them concurrently."""

    SSO = "sso_extension"
    AUTHENTICATOR = "authenticator"
    PROFILE = "enrollment_profile"
    WEB_CLIP = "web_clip"


def target_token(target: AssignmentTarget) -> str:
    """An assignment target as the session records it in `added_targets`:
    "groupAssignmentTarget:<group id>", "allLicensedUsersAssignmentTarget", ..."""
    kind, ident = target.key
    name = kind.rsplit(".", 1)[-1]
    return f"{name}:{ident}" if ident else name


# -- what the engine needs to carry an action out ------------------------------------------
@dataclass(frozen=True)
class CreateSso:
    spec: SsoPolicySpec


@dataclass(frozen=True)
class UpdateSso:
    spec: SsoPolicySpec


@dataclass(frozen=True)
class AssignSso:
    targets: tuple[AssignmentTarget, ...]  # the FULL set to post (replace-all)


@dataclass(frozen=True)
class AssignApp:
    assignments: tuple[AppAssignment, ...]  # the FULL set to post (replace-all)
    # Targets this write adds (target_token): recorded in the session before the write, so
    # that destroy removes exactly these and leaves every other assignment as read.
    added: tuple[str, ...] = ()


@dataclass(frozen=True)
class CreateWebClip:
    name: str
    app_url: str


@dataclass(frozen=True)
class DeleteObject:
    """adue destroy: delete an object this session created (404 = gone already = done)."""

    object_type: ObjectType


@dataclass(frozen=True)
class RemoveAppAssignments:
    """adue destroy: post the app's assignments as read without the ones this session
    added (replace-all `/assign`)."""

    assignments: tuple[AppAssignment, ...]  # what stays, exactly as read
    removed: tuple[str, ...]  # target tokens taken out


@dataclass(frozen=True)
class CreateProfile:
    spec: EnrollmentProfileSpec


@dataclass(frozen=True)
class UpdateProfile:
    spec: EnrollmentProfileSpec


@dataclass(frozen=True)
class AddProfileAssignment:
    target: AssignmentTarget  # a user group or "All users", with its assignment filter


@dataclass(frozen=True)
class ReplaceProfileAssignment:
    """Profile assignments have no update: remove the one read, then add it as wanted
    (e.g. with another assignment filter)."""

    assignment_id: str
    target: AssignmentTarget


@dataclass(frozen=True)
class RemoveProfileAssignment:
    assignment_id: str
    group_id: str


@dataclass(frozen=True)
class SetPriority:
    profile_id: str  # "" = our profile (its id is known only after it is created)
    priority: int


@dataclass(frozen=True)
class ConvergePriority:
    """Reach this order of the iOS profiles (ids, highest first; "" = ours while it is
    being created): apply moves, re-reads and repeats (tui.rollout.priority_converge)."""

    order: tuple[str, ...]
    # The iOS order the plan read moments before (None while ours is being created: where
    # it lands is only known from a read after the create). apply makes its first move
    # from it instead of reading the same list again; every move is still checked by a
    # read after it, so an order changed in between is caught and corrected.
    known: tuple[tuple[str, str], ...] | None = None  # (id, display name), highest first


Operation = (
    CreateSso
    | UpdateSso
    | AssignSso
    | AssignApp
    | CreateProfile
    | UpdateProfile
    | AddProfileAssignment
    | RemoveProfileAssignment
    | ReplaceProfileAssignment
    | SetPriority
    | ConvergePriority
    | CreateWebClip
    | DeleteObject
    | RemoveAppAssignments
)


@dataclass(frozen=True)
class Action:
    key: str  # stable within a plan, e.g. "enrollment_profile:assign:<group id>"
    kind: ActionKind
    object_type: ObjectType
    chain: Chain
    title: str  # plain words: "Create the SSO app extension policy 'iOS – …'"
    details: tuple[str, ...] = ()
    object_id: str = ""  # "" until the object exists (created earlier in the same chain)
    drift: bool = False  # restores something changed outside adue (e.g. in the portal)
    # Writes what the session changed since its last successful apply (the admin's edit).
    session_changed: bool = False
    op: Operation | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind.value,
            "object_type": self.object_type.value,
            "object_id": self.object_id,
            "title": self.title,
            "details": list(self.details),
            "drift": self.drift,
            "session_changed": self.session_changed,
        }


@dataclass(frozen=True)
class ObjectState:
    """What the plan found for one object adue manages."""

    object_type: ObjectType
    name: str
    id: str  # "" = not in the tenant yet
    found_by: str  # "stored id", "display name", "bundle id", "" (not found)


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]
    objects: tuple[ObjectState, ...] = ()
    problems: tuple[str, ...] = ()  # refuse to apply: each names the session key and fix
    notes: tuple[str, ...] = ()  # worth knowing, not blocking (e.g. "group renamed")
    # (display name, id) of groups the session gives by name only: apply writes the
    # ids back, so later runs find them in one round trip even after a rename.
    resolved_groups: tuple[tuple[str, str], ...] = ()
    # The iOS profiles' order as read (ours in the tenant): apply records it as the order
    # this session left when it has nothing to move ([priority] applied_order).
    ios_order: tuple[str, ...] = ()

    @property
    def changes(self) -> tuple[Action, ...]:
        return tuple(a for a in self.actions if a.kind is not ActionKind.NOTHING)

    @property
    def is_empty(self) -> bool:
        """Nothing to write (and nothing blocking)."""
        return not self.changes and not self.problems

    @property
    def blocked(self) -> bool:
        return bool(self.problems)

    @property
    def has_drift(self) -> bool:
        return any(a.drift for a in self.changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION,
            "empty": self.is_empty,
            "blocked": self.blocked,
            "drift": self.has_drift,
            "problems": list(self.problems),
            "notes": list(self.notes),
            "objects": [
                {
                    "object_type": o.object_type.value,
                    "name": o.name,
                    "id": o.id,
                    "found_by": o.found_by,
                }
                for o in self.objects
            ],
            "actions": [a.to_dict() for a in self.changes],
        }


def run_json(
    ok: bool, writes: int, done: Sequence[str], failed: list[dict[str, str]]
) -> dict[str, Any]:
    """The head apply's and destroy's --json results share (version 1): the rest is theirs."""
    return {
        "version": 1,
        "result": "ok" if ok else "failed",
        "writes": writes,
        "done": list(done),
        "failed": failed,
    }
