"""Undo (`adue destroy`): remove exactly what this session created, nothing else (issue 18.3).

What this session created is what its journal says it created: a `create` that succeeded
(or a pending one the next run settled as made), or an object adopted after this run's own
create lost its answer. Those objects (SSO policy, enrollment profile, web clip) are
deleted. An object the session only adopted (found by name, another run's twin, the
tenant's own Company Portal web app) stays; of a shared app (Authenticator, an adopted
web clip) only the assignments this session added (`added_targets`) are taken out, and
every other assignment goes back exactly as read (replace-all `/assign`, beta).

Crash-safe like apply: each write is journalled `pending` first and its result saved right
after; a re-run plans from a fresh read, so a delete whose answer was lost (the object is
gone: 404) is simply done, and a pending entry is settled from what the read shows.
Afterwards the session is ready to apply again: created ids cleared, step states kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.graph import operations as ops
from tui.graph import parse
from tui.graph.client import GraphClient
from tui.graph.devices import enrolled_through_profile, list_apple_devices
from tui.graph.errors import GraphError
from tui.graph.models import AppAssignment
from tui.rollout.destroy_model import DestroyPlan, DestroyResult
from tui.rollout.model import (
    Action,
    ActionKind,
    Chain,
    DeleteObject,
    ObjectState,
    ObjectType,
    Plan,
    RemoveAppAssignments,
    target_token,
)
from tui.rollout.modes import session_mode
from tui.rollout.settle import settle_pending
from tui.session import Session

# object type -> (session table, id key, chain)
OBJECTS = {
    ObjectType.SSO_POLICY: ("sso_extension", "policy_id", Chain.SSO),
    ObjectType.ENROLLMENT_PROFILE: ("enrollment_profile", "profile_id", Chain.PROFILE),
    ObjectType.WEB_CLIP: ("web_clip", "app_id", Chain.WEB_CLIP),
    ObjectType.AUTHENTICATOR_APP: ("authenticator", "app_id", Chain.AUTHENTICATOR),
}
LOST_ANSWER_ADOPTED = "after the lost answer"  # tui.rollout.apply's adopt detail


def created_ids(journal: Any) -> dict[str, set[str]]:
    """object type -> ids this session's runs created (from the journal)."""
    made: dict[str, set[str]] = {}
    for entry in journal if isinstance(journal, list) else []:
        if not isinstance(entry, Mapping) or entry.get("result") != "ok":
            continue
        own_adopt = entry.get("action") == "adopt" and LOST_ANSWER_ADOPTED in str(
            entry.get("detail", "")
        )
        if entry.get("action") == "create" or own_adopt:
            made.setdefault(str(entry.get("object_type")), set()).add(
                str(entry.get("object_id", ""))
            )
    return made


class DestroyRefused(Exception):
    """Not confirmed for what the fresh read shows (e.g. devices enrolled since)."""


@dataclass
class _Reading:
    actions: list[Action] = field(default_factory=list)
    objects: list[ObjectState] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gone: list[ObjectType] = field(default_factory=list)


async def _get(client: GraphClient, object_type: ObjectType, object_id: str) -> Any:
    """The object as Graph has it (beta), or None when it is gone."""
    collection = {
        ObjectType.SSO_POLICY: ops.CONFIGURATIONS,
        ObjectType.ENROLLMENT_PROFILE: ops.PROFILES,
        ObjectType.WEB_CLIP: ops.MOBILE_APPS,
        ObjectType.AUTHENTICATOR_APP: ops.MOBILE_APPS,
    }[object_type]
    scopes = {
        ObjectType.SSO_POLICY: ops.Scope.CONFIG_READ,
        ObjectType.ENROLLMENT_PROFILE: ops.Scope.SERVICE_CONFIG_READ,
    }.get(object_type, ops.Scope.APPS_READ)
    apps = object_type in (ObjectType.WEB_CLIP, ObjectType.AUTHENTICATOR_APP)
    response = await client.request(
        "GET",
        f"{collection}/{object_id}",
        version="beta",
        # An app's assignments by id, in beta (never the deprecated LIST expansion).
        query={"$expand": "assignments"} if apps else None,
        what=f"read {object_type.value.replace('_', ' ')} {object_id}",
        required_scopes=scopes,
        ok_statuses=frozenset({404}),
    )
    return None if response.status == 404 else response.json()


LABELS = {
    ObjectType.SSO_POLICY: "the SSO app extension policy",
    ObjectType.ENROLLMENT_PROFILE: "the enrollment profile",
    ObjectType.WEB_CLIP: "the Company Portal web clip",
    ObjectType.AUTHENTICATOR_APP: "Microsoft Authenticator",
}


async def _read_object(
    client: GraphClient,
    data: Mapping[str, Any],
    object_type: ObjectType,
    made: dict[str, set[str]],
    found: _Reading,
) -> None:
    table_name, key, chain = OBJECTS[object_type]
    table = data.get(table_name)
    if not isinstance(table, Mapping):
        return
    object_id = str(table.get(key, "")).strip()
    if not object_id:
        return
    body = await _get(client, object_type, object_id)
    if body is None:
        found.gone.append(object_type)
        found.notes.append(
            f"{LABELS[object_type]} this session recorded (id {object_id}) is gone already"
        )
        return
    name = parse.text(body, "displayName") or table_name
    label = f"{LABELS[object_type]} {name!r}"
    found.objects.append(ObjectState(object_type, name, object_id, "stored id"))
    ours = object_id in made.get(object_type.value, set())
    if ours and object_type is not ObjectType.AUTHENTICATOR_APP:
        found.actions.append(
            Action(
                f"destroy:{object_type.value}",
                ActionKind.DELETE,
                object_type,
                chain,
                f"Delete {label}",
                ("this session created it",),
                object_id=object_id,
                op=DeleteObject(object_type),
            )
        )
        return
    added = {str(t) for t in table.get("added_targets") or []}
    if object_type in (ObjectType.SSO_POLICY, ObjectType.ENROLLMENT_PROFILE):
        found.notes.append(
            f"{label} (id {object_id}) was not created by this session (adopted): left as it is"
        )
        return
    current = [a for a in (parse.app_assignment(x) for x in parse.items(body, "assignments")) if a]
    if not isinstance(body.get("assignments"), list):
        raise GraphError(
            f"Graph did not return the assignments of {label}; adue will not replace "
            "assignments it cannot see: run again"
        )
    removed = [a for a in current if target_token(a.target) in added]
    kept: tuple[AppAssignment, ...] = tuple(a for a in current if a not in removed)
    if not removed:
        return
    lines = [f"- {target_token(a.target)}: added by this session" for a in removed]
    lines += [f"= {target_token(a.target)}: {a.intent.value} (kept as it is)" for a in kept]
    found.actions.append(
        Action(
            f"destroy:{object_type.value}:assignments",
            ActionKind.UNASSIGN,
            object_type,
            chain,
            f"Remove the assignments this session added to {label}",
            tuple(lines),
            object_id=object_id,
            op=RemoveAppAssignments(kept, tuple(target_token(a.target) for a in removed)),
        )
    )


async def make_destroy_plan(client: GraphClient, data: Mapping[str, Any]) -> DestroyPlan:
    """Read what the session's objects are now; never writes."""
    made = created_ids(data.get("journal"))
    found = _Reading()
    for object_type in (
        ObjectType.SSO_POLICY,
        ObjectType.AUTHENTICATOR_APP,
        ObjectType.WEB_CLIP,
        ObjectType.ENROLLMENT_PROFILE,
    ):
        await _read_object(client, data, object_type, made, found)
    enrolled: int | None = 0
    problem = ""
    profile = next(
        (o for o in found.objects if o.object_type is ObjectType.ENROLLMENT_PROFILE), None
    )
    if profile is not None and any(
        a.object_type is ObjectType.ENROLLMENT_PROFILE for a in found.actions
    ):
        try:
            devices = await list_apple_devices(client)
            enrolled = len(enrolled_through_profile(devices, profile.name, session_mode(data)))
        except GraphError as exc:
            enrolled, problem = None, f"could not count the devices enrolled through it: {exc}"
    plan = Plan(
        actions=tuple(found.actions),
        objects=tuple(found.objects),
        notes=tuple(found.notes),
    )
    return DestroyPlan(plan, enrolled, problem, tuple(found.gone))


# -- carrying it out ------------------------------------------------------------------------------
ProgressFn = Callable[[str, str, str], None]  # (action key, event, message)


def _clear(session: Session, object_type: ObjectType) -> None:
    table, key, _ = OBJECTS[object_type]
    if session.table(table):
        session.set(table, key, "")
        if "added_targets" in session.table(table):
            session.set(table, "added_targets", [])


async def _write(client: GraphClient, action: Action) -> str:
    op = action.op
    if isinstance(op, DeleteObject):
        delete = {
            ObjectType.SSO_POLICY: ops.delete_sso_policy,
            ObjectType.ENROLLMENT_PROFILE: ops.delete_enrollment_profile,
            ObjectType.WEB_CLIP: ops.delete_mobile_app,
        }[op.object_type]
        return (await delete(client, action.object_id)).request_id
    assert isinstance(op, RemoveAppAssignments)
    written = await ops.assign_app(
        client,
        action.object_id,
        op.assignments,
        what=f"remove this session's assignments of {LABELS[action.object_type]}",
    )
    return written.request_id


async def run_destroy(
    client: GraphClient,
    session: Session,
    destroy: DestroyPlan,
    progress: ProgressFn | None = None,
) -> DestroyResult:
    """Carry out `destroy` (from make_destroy_plan on the same session), one write at a time,
    journalled ahead; a failure stops it (a re-run resumes from a fresh read)."""
    report = progress or (lambda _key, _event, _message: None)
    result = DestroyResult(destroy)
    settle_pending(session, destroy.plan)
    for object_type in destroy.gone:
        _clear(session, object_type)
    session.save()
    for action in destroy.plan.changes:
        index = session.journal_append(
            intent=action.key,
            action="delete" if action.kind is ActionKind.DELETE else "unassign",
            object_type=action.object_type.value,
            object_id=action.object_id,
            request_id="",
            result="pending",
        )
        session.save()
        report(action.key, "start", action.title)
        try:
            request_id = await _write(client, action)
        except GraphError as exc:
            session.journal_update(
                index, result="failed", detail=str(exc)[:1000], request_id=exc.request_id
            )
            session.save()
            result.failed[action.key] = str(exc)
            report(action.key, "failed", str(exc))
            break
        session.journal_update(index, result="ok", request_id=request_id)
        if isinstance(action.op, DeleteObject):
            _clear(session, action.object_type)
            if action.object_type is ObjectType.ENROLLMENT_PROFILE and session.table("priority"):
                session.set("priority", "applied_order", [])
        else:
            table = OBJECTS[action.object_type][0]
            session.set(table, "added_targets", [])
        session.save()
        result.writes += 1
        result.done.append(action.key)
        report(action.key, "done", action.title)
    return result


def pending_apply(session: Session) -> bool:
    """A write an apply left pending (killed between the write and its save)."""
    return any(
        e.get("result") == "pending" and not str(e.get("intent", "")).startswith("destroy:")
        for e in session.journal()
    )


async def settle_interrupted_apply(client: GraphClient, session: Session) -> None:
    """Before planning a destroy after an interrupted apply: settle its pending writes from
    a fresh apply plan (a create found = made, its id recorded), as the next apply would."""
    from tui.rollout.apply import ID_KEYS
    from tui.rollout.plan import make_plan

    plan = await make_plan(client, session.data)
    settle_pending(session, plan)
    for found in plan.objects:
        table, key = ID_KEYS[found.object_type]
        if found.id and not session.get(table, key):
            session.set(table, key, found.id)
    session.save()
