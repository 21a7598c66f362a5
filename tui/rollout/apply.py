"""Carry out a plan: write-ahead journalled, resumable after a kill at any point, concurrent.

Before each write a `pending` [[journal]] entry is saved; right after it the
result, the new object's id and Graph's request-id are saved (and a created id
goes into the session at once). A run killed between the write and that save
leaves an object the next plan finds by its exact display name, so a re-run
adopts it instead of creating a duplicate. Assignments are merged and priorities
are set to absolute positions: repeating any write is harmless.

The three chains (SSO policy, Authenticator, enrollment profile + priority) run
concurrently in one event loop; inside a chain a create comes first and the
writes that need its id follow together. Throttling and transient failures are
retried by the SDK pipeline (tui.graph.client), except for creates: those are sent
once, looked up by name after a failure that may have made them, and settled
against a same-named object another run made at the same moment
(tui.rollout.converge). Beyond that the chain stops with the error (and Graph's
request-id) and a re-run resumes.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from tui.graph import operations as ops
from tui.graph.client import GraphClient
from tui.graph.errors import GraphError
from tui.graph.retry import RetryNotice
from tui.rollout import converge
from tui.rollout.applied_inputs import as_entries, input_digests
from tui.rollout.desired import DesiredStateError, desired_state
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
    CreateWebClip,
    ObjectType,
    Plan,
    RemoveProfileAssignment,
    ReplaceProfileAssignment,
    SetPriority,
    UpdateProfile,
    UpdateSso,
    run_json,
)
from tui.rollout.plan import make_plan
from tui.rollout.priority_converge import max_rounds, next_move, target_order
from tui.rollout.settle import settle_pending
from tui.rollout.web_clip import web_clip_kind
from tui.session import Session

ProgressEvent = Literal["start", "retry", "done", "failed"]
GROUP_KEYS = (
    ("sso_extension", "groups"),
    ("sso_extension", "exclude_groups"),
    ("authenticator", "groups"),
    ("enrollment_profile", "groups"),
)
ID_KEYS = {
    ObjectType.SSO_POLICY: ("sso_extension", "policy_id"),
    ObjectType.AUTHENTICATOR_APP: ("authenticator", "app_id"),
    ObjectType.ENROLLMENT_PROFILE: ("enrollment_profile", "profile_id"),
    ObjectType.WEB_CLIP: ("web_clip", "app_id"),
}
# Where an app's `added_targets` are recorded (destroy removes only those assignments).
ADDED_KEYS = {
    ObjectType.AUTHENTICATOR_APP: ("authenticator", "added_targets"),
    ObjectType.WEB_CLIP: ("web_clip", "added_targets"),
}
STEP_TABLES = ("sso_extension", "authenticator", "enrollment_profile", "priority")


@dataclass(frozen=True)
class Progress:
    """One step of a running apply, for the UI: `action_key` is "" for a general notice."""

    action_key: str
    event: ProgressEvent
    message: str
    request_id: str = ""


ProgressFn = Callable[[Progress], None]


class ApplyRefused(Exception):
    """The plan has problems (bad input, conflicts, device groups): nothing was written."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class ApplyResult:
    plan: Plan
    done: list[str] = field(default_factory=list)  # action keys written successfully
    failed: dict[str, str] = field(default_factory=dict)  # action key -> message
    skipped: list[str] = field(default_factory=list)  # not tried: an earlier write failed
    request_ids: dict[str, str] = field(default_factory=dict)  # action key -> Graph's
    created: dict[str, str] = field(default_factory=dict)  # object type -> new id
    writes: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.skipped

    def to_dict(self) -> dict[str, Any]:
        failed = [
            {"key": k, "message": m, "request_id": self.request_ids.get(k, "")}
            for k, m in self.failed.items()
        ]
        return {
            **run_json(self.ok, self.writes, self.done, failed),
            "skipped": list(self.skipped),
            "created": dict(self.created),
            "plan": self.plan.to_dict(),
        }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class _Runner:
    def __init__(
        self,
        client: GraphClient,
        session: Session,
        plan: Plan,
        progress: ProgressFn | None,
    ) -> None:
        self.client = client
        self.session = session
        self.result = ApplyResult(plan)
        self._progress = progress
        self._progress_lock = threading.Lock()
        self._in_flight: dict[str, str] = {}  # action key -> a URL fragment it writes to
        self._notes: dict[str, str] = {}  # action key -> a detail for its journal entry
        # A create this run made, to be checked for a same-named twin (converge step 3).
        self._unsettled: dict[str, tuple[converge.Creatable, converge.Candidate]] = {}

    # -- reporting -----------------------------------------------------------------------
    def report(self, key: str, event: ProgressEvent, message: str, request_id: str = "") -> None:
        if self._progress is None:
            return
        with self._progress_lock:
            self._progress(Progress(key, event, message, request_id))

    def on_retry(self, notice: RetryNotice) -> None:
        key = next((k for k, hint in self._in_flight.items() if hint and hint in notice.url), "")
        self.report(key, "retry", notice.describe())

    async def save(self) -> None:
        """Save the session before going on (the journal is write-ahead). Its disk write
        and fsyncs wait in a worker thread, not on the event loop (the other chains, a
        fleet's other tenants run on it meanwhile)."""
        await self.session.save_async()

    # -- one write ------------------------------------------------------------------------
    async def _begin(self, action: Action, object_id: str) -> int:
        """The pending journal entry, saved before the write (write-ahead); its index."""
        index = self.session.journal_append(
            intent=action.key,
            action=action.kind.value,
            object_type=action.object_type.value,
            object_id=object_id,
            request_id="",
            result="pending",
        )
        await self.save()
        self._in_flight[action.key] = object_id or _collection_hint(action)
        self.report(action.key, "start", action.title)
        return index

    @contextlib.contextmanager
    def _writing(self, action: Action, index: int) -> Iterator[None]:
        """Around the Graph call of journal entry `index`: a failure is journalled and
        reported (then raised on); either way the write is no longer in flight."""
        try:
            yield
        except GraphError as exc:
            self._fail(action, index, str(exc), exc.request_id)
            raise
        except Exception as exc:
            self._fail(action, index, f"{type(exc).__name__}: {exc}", "")
            raise
        finally:
            self._in_flight.pop(action.key, None)

    async def write(
        self, action: Action, object_id: str, call: Callable[[], Awaitable[tuple[str, str]]]
    ) -> str:
        """Journal, write, journal: returns the object id (a new one for a create)."""
        index = await self._begin(action, object_id)
        with self._writing(action, index):
            new_id, request_id = await call()
        final_id = new_id or object_id
        self.session.journal_update(index, result="ok", object_id=final_id, request_id=request_id)
        if action.key in self._notes:
            self.session.journal_update(index, detail=self._notes.pop(action.key)[:1000])
        if action.kind is ActionKind.CREATE:
            table, key = ID_KEYS[action.object_type]
            self.session.set(table, key, final_id)
            self.result.created[action.object_type.value] = final_id
        await self.save()
        self.result.writes += 1
        self.result.done.append(action.key)
        self.result.request_ids[action.key] = request_id
        self.report(action.key, "done", action.title, request_id)
        return final_id

    # -- one create (tui.rollout.converge) ------------------------------------------------------
    async def create(self, action: Action, kind: converge.Creatable) -> str:
        """Journal, create once (adopting what a lost answer made), journal: returns the id.
        What this run made is settled by `chain` (a twin made at the same moment)."""
        index = await self._begin(action, "")
        with self._writing(action, index):
            creation = await converge.create_once(
                kind,
                attempts=self.client.retry.max_retries + 1,
                base_delay=self.client.retry.base_delay,
                report=lambda message: self.report(action.key, "retry", message),
            )
        if creation.made is not None:
            kept = creation.made
            self.session.journal_update(
                index, result="ok", object_id=kept.id, request_id=creation.request_id
            )
            await self._keep(action, kept.id)
            self.result.writes += 1
            self._unsettled[action.key] = (kind, kept)
        else:
            assert creation.adopted is not None
            kept = creation.adopted
            self.session.journal_update(
                index,
                result="failed",
                request_id=creation.request_id,
                detail=(
                    "the answer was lost, so whether this create made it is unknown: "
                    f"{creation.lost[-1]}"
                )[:1000],
            )
            await self._adopt(
                action,
                kept.id,
                f"found {kind.label} by exact name and type after the lost answer, "
                "instead of creating it again",
            )
        self.result.done.append(action.key)
        self.result.request_ids[action.key] = creation.request_id
        self.report(action.key, "done", action.title, creation.request_id)
        return kept.id

    async def _reread(
        self, action: Action, kind: converge.Creatable, mine: converge.Candidate
    ) -> tuple[converge.Candidate, list[converge.Candidate]]:
        """Re-read by name: (the survivor, this run's object to delete when it is not)."""
        try:
            found = await kind.find()
        except GraphError as exc:  # ours is made and recorded; a later plan sees duplicates
            self.report(action.key, "retry", f"could not check for a duplicate: {exc}")
            return mine, []
        return converge.settle(found, mine)

    async def _replace(
        self,
        action: Action,
        kind: converge.Creatable,
        mine: converge.Candidate,
        survivor: converge.Candidate,
        delete: list[converge.Candidate],
    ) -> None:
        """Another run made the same object first: delete ours (only ever the one this run
        created), adopt the survivor, journal both."""
        for duplicate in delete:  # only ever the object this run created
            index = self.session.journal_append(
                intent=action.key,
                action="delete",
                object_type=action.object_type.value,
                object_id=duplicate.id,
                request_id="",
                result="pending",
            )
            await self.save()
            self.report(
                action.key,
                "retry",
                f"another run created {kind.label} at the same moment: keeping the oldest "
                f"(id {survivor.id}), deleting ours (id {duplicate.id})",
            )
            try:
                request_id = await kind.delete(duplicate.id)
            except GraphError as exc:
                self._fail(
                    action,
                    index,
                    f"another run created {kind.label} at the same moment; adue keeps the "
                    f"oldest (id {survivor.id}) but could not delete its own copy (id "
                    f"{duplicate.id}): {exc}. Delete that copy in the Intune admin center",
                    exc.request_id,
                )
                raise
            self.session.journal_update(index, result="ok", request_id=request_id)
            self.result.writes += 1
            await self.save()
        created = survivor.created.isoformat() if survivor.created else "at an unknown time"
        await self._adopt(
            action,
            survivor.id,
            f"another run created {kind.label} at the same moment: kept the oldest "
            f"(created {created}), deleted the one this run created (id {mine.id})",
        )

    async def _keep(self, action: Action, object_id: str) -> None:
        table, key = ID_KEYS[action.object_type]
        self.session.set(table, key, object_id)
        self.result.created[action.object_type.value] = object_id
        await self.save()

    async def _adopt(self, action: Action, object_id: str, why: str) -> None:
        self.session.journal_append(
            intent=action.key,
            action="adopt",
            object_type=action.object_type.value,
            object_id=object_id,
            request_id="",
            result="ok",
            detail=why[:1000],
        )
        await self._keep(action, object_id)

    def _fail(self, action: Action, index: int, message: str, request_id: str) -> None:
        self.session.journal_update(
            index, result="failed", detail=message[:1000], request_id=request_id
        )
        self.session.save()
        self.result.failed[action.key] = message
        if request_id:
            self.result.request_ids[action.key] = request_id
        self.report(action.key, "failed", message, request_id)

    async def perform(self, action: Action, object_id: str) -> str:
        op = action.op
        client = self.client
        call: Callable[[], Awaitable[tuple[str, str]]]
        match op:
            case CreateSso():
                return await self.create(action, converge.sso_policy_kind(client, op.spec))
            case CreateProfile():
                return await self.create(action, converge.enrollment_profile_kind(client, op.spec))
            case CreateWebClip():
                return await self.create(action, web_clip_kind(client, op.name, op.app_url))
            case UpdateSso():
                call = _written(
                    object_id, lambda: ops.update_sso_policy(client, object_id, op.spec)
                )
            case AssignSso():
                call = _written(
                    object_id, lambda: ops.assign_configuration(client, object_id, op.targets)
                )
            case AssignApp():
                self._record_added(action, op.added)
                what = (
                    "assign the Company Portal web clip"
                    if action.object_type is ObjectType.WEB_CLIP
                    else "assign Microsoft Authenticator"
                )
                call = _written(
                    object_id,
                    lambda: ops.assign_app(client, object_id, op.assignments, what=what),
                )
            case UpdateProfile():
                call = _written(
                    object_id, lambda: ops.update_enrollment_profile(client, object_id, op.spec)
                )
            case AddProfileAssignment():
                kind = converge.ProfileAssignmentKind(client, object_id, op.target)

                async def call() -> tuple[str, str]:
                    creation = await self._create_assignment(action, kind)
                    if creation.adopted is not None:
                        self._notes[action.key] = (
                            "the answer was lost; found the assignment afterwards: "
                            f"{creation.lost[-1]}"
                        )
                    return object_id, creation.request_id

            case ReplaceProfileAssignment():
                replacement = converge.ProfileAssignmentKind(client, object_id, op.target)

                async def call() -> tuple[str, str]:
                    await ops.remove_profile_assignment(client, object_id, op.assignment_id)
                    creation = await self._create_assignment(action, replacement)
                    return object_id, creation.request_id

            case RemoveProfileAssignment():
                call = _written(
                    object_id,
                    lambda: ops.remove_profile_assignment(client, object_id, op.assignment_id),
                )
            case SetPriority():
                object_id = op.profile_id or object_id
                profile_id = object_id
                call = _written(
                    profile_id, lambda: ops.set_profile_priority(client, profile_id, op.priority)
                )
            case _:  # pragma: no cover - every Operation is handled above
                raise AssertionError(f"no way to carry out {action.key}")
        return await self.write(action, object_id, call)

    def _record_added(self, action: Action, added: tuple[str, ...]) -> None:
        """Before the write (saved with its pending journal entry): the targets it adds, so
        that a destroy after a crash anywhere still knows which assignments are this
        session's. Recording one that then fails is harmless: destroy removes only what it
        finds assigned."""
        if not added or action.object_type not in ADDED_KEYS:
            return
        table, key = ADDED_KEYS[action.object_type]
        if not self.session.table(table):
            return
        have = [str(t) for t in self.session.get(table, key) or []]
        self.session.set(table, key, list(dict.fromkeys([*have, *added])))

    async def _create_assignment(
        self, action: Action, kind: converge.ProfileAssignmentKind
    ) -> converge.Creation:
        """Add a profile assignment once (never re-sent blindly), reporting each retry."""
        return await converge.create_once(
            kind,
            attempts=self.client.retry.max_retries + 1,
            base_delay=self.client.retry.base_delay,
            report=lambda message: self.report(action.key, "retry", message),
        )

    # -- chains ----------------------------------------------------------------------------
    async def chain(self, actions: list[Action]) -> None:
        """A create first; then every other write of the chain together (priority moves
        in order, since each one shifts the others).

        After a create, the re-read by name (converge step 3) runs alongside those writes,
        so a fresh apply costs no extra round trip. When another run made the same object
        first, ours is deleted once its writes are done and the writes are made again on
        the survivor (all of them are safe to repeat)."""
        first = [a for a in actions if a.kind is ActionKind.CREATE]
        rest = [a for a in actions if a.kind is not ActionKind.CREATE]
        object_id = next((a.object_id for a in actions if a.object_id), "")
        for action in first:
            try:
                object_id = await self.perform(action, object_id)
            except Exception:
                self.result.skipped += [a.key for a in rest]
                return
        unsettled = [(a, *self._unsettled.pop(a.key)) for a in first if a.key in self._unsettled]
        if not unsettled:
            await self._rest(rest, object_id)
            return
        created, kind, mine = unsettled[0]
        found: list[tuple[converge.Candidate, list[converge.Candidate]]] = []

        async def reread() -> None:
            found.append(await self._reread(created, kind, mine))

        await self._rest(rest, object_id, alongside=reread())
        survivor, delete = found[0]
        if survivor.id == mine.id:
            return
        try:
            await self._replace(created, kind, mine, survivor, delete)
        except Exception:
            return
        for action in rest:  # the first pass wrote to our copy: write to the survivor now
            self.result.failed.pop(action.key, None)
            self.result.done = [k for k in self.result.done if k != action.key]
            self.result.skipped = [k for k in self.result.skipped if k != action.key]
        await self._rest(rest, survivor.id)

    async def _rest(
        self, rest: list[Action], object_id: str, alongside: Awaitable[None] | None = None
    ) -> None:
        """The chain's writes after its create, together; `alongside` runs with them,
        started last, so that its request goes out after every write's journal save
        (saves block the loop) and travels with theirs: no extra round trip."""
        moves = [a for a in rest if a.kind is ActionKind.SET_PRIORITY]
        others = [a for a in rest if a.kind is not ActionKind.SET_PRIORITY]

        async def one(action: Action) -> None:
            try:
                await self.perform(action, action.object_id or object_id)
            except Exception:
                return

        async def in_order() -> None:
            for index, action in enumerate(moves):
                try:
                    if isinstance(action.op, ConvergePriority):
                        await self.converge(action, action.object_id or object_id)
                        continue
                    ours = isinstance(action.op, SetPriority) and not action.op.profile_id
                    await self.perform(action, object_id if ours else action.object_id)
                except Exception:
                    self.result.skipped += [a.key for a in moves[index + 1 :]]
                    return

        extra = [alongside] if alongside is not None else []
        await asyncio.gather(*(one(a) for a in others), in_order(), *extra)

    async def converge(self, action: Action, ours_id: str) -> None:
        """Reach the order of `action` (ConvergePriority): read the iOS order, move the first
        profile out of place, read again, repeat; a bounded number of rounds."""
        assert isinstance(action.op, ConvergePriority)
        self.report(action.key, "start", action.title)
        try:
            final = await self._converge(action, action.op.order, ours_id)
        except PriorityNotSettled as exc:
            self.result.failed[action.key] = str(exc)
            self.report(action.key, "failed", str(exc))
            raise
        except Exception as exc:
            self.result.failed.setdefault(action.key, f"a move failed: {exc}")
            self.report(action.key, "failed", str(exc), getattr(exc, "request_id", ""))
            raise
        self.session.set("priority", "applied_order", final)
        await self.save()
        self.result.done.append(action.key)
        # Graph's request-id of the last move (none when nothing had to move).
        last = next(
            (
                self.result.request_ids[k]
                for k in reversed(self.result.done)
                if k.startswith("priority:") and k in self.result.request_ids
            ),
            "",
        )
        if last:
            self.result.request_ids[action.key] = last
        self.report(action.key, "done", action.title, last)

    async def _converge(self, action: Action, order: tuple[str, ...], ours_id: str) -> list[str]:
        names: dict[str, str] = {}

        async def read() -> list[str]:
            found = [p for p in await ops.list_enrollment_profiles(self.client) if p.is_ios]
            names.update({p.id: p.display_name for p in found})
            return [p.id for p in found]

        assert isinstance(action.op, ConvergePriority)
        known = action.op.known
        if known is None:
            current = await read()
        else:
            names.update(known)
            current = [pid for pid, _ in known]
        target = target_order(order, current, ours_id)
        bound = max_rounds(len(target))
        for _ in range(bound):
            if set(current) != set(target):  # someone added or deleted a profile meanwhile
                target = target_order(target, current, ours_id)
            move = next_move(current, target)
            if move is None:
                return current
            pid, index = move
            step = Action(
                f"priority:{pid}:{index}",
                ActionKind.SET_PRIORITY,
                action.object_type,
                action.chain,
                f"Move the enrollment profile {names.get(pid, pid)!r} to priority {index}",
                object_id=pid,
                drift=action.drift,
                op=SetPriority(pid, index),
            )
            await self.perform(step, pid)
            current = await read()
        if next_move(current, target) is None:
            return current
        raise PriorityNotSettled(
            f"the order of the iOS enrollment profiles did not settle after {bound} moves "
            f"(now: {', '.join(repr(names.get(p, p)) for p in current)}; wanted: "
            f"{', '.join(repr(names.get(p, p)) for p in target)}): someone may be changing "
            "it at the same time; run apply again once they are done"
        )


class PriorityNotSettled(Exception):
    """The profiles' order did not match after the bounded number of moves."""


def _collection_hint(action: Action) -> str:
    return {
        ObjectType.SSO_POLICY: ops.CONFIGURATIONS,
        ObjectType.AUTHENTICATOR_APP: ops.MOBILE_APPS,
        ObjectType.ENROLLMENT_PROFILE: ops.PROFILES,
        ObjectType.WEB_CLIP: ops.MOBILE_APPS,
    }[action.object_type]


def _prepare(session: Session, plan: Plan) -> None:
    """Before the first write: settle what a killed run left, and record what the plan
    found (adopted ids, group ids resolved from names) so a re-run starts from it."""
    # Compact first (it keeps every pending entry): the saves of this run then write a
    # short journal, however long the history (tui.session.document, JOURNAL_KEEP_RECENT).
    session.compact_journal()
    settle_pending(session, plan)
    for found in plan.objects:
        table, key = ID_KEYS[found.object_type]
        if found.id and session.get(table, key) != found.id:
            session.set(table, key, found.id)
    resolved = dict(plan.resolved_groups)
    for table, key in GROUP_KEYS:
        if not session.table(table) or key not in session.table(table):
            continue
        groups: list[dict[str, str]] = session.get(table, key) or []
        changed = False
        for group in groups:
            if not group.get("id") and group.get("name") in resolved:
                group["id"] = resolved[group["name"]]
                changed = True
        if changed:
            session.set(table, key, groups)
    session.set("review", "last_result", "interrupted")


def _finish(session: Session, result: ApplyResult, *, interrupted: bool = False) -> None:
    # A write still `pending` means the run stopped mid-write: never call that "ok".
    pending = any(entry.get("result") == "pending" for entry in session.journal())
    interrupted = interrupted or pending
    moved = any(k == "priority:order" for k in result.done)
    if (
        result.ok
        and not interrupted
        and result.plan.ios_order
        and not moved
        and session.table("priority")
    ):
        # Nothing to move: the order as read is the one this session now stands by.
        session.set("priority", "applied_order", list(result.plan.ios_order))
    session.set("review", "last_apply", _now())
    word = "interrupted" if interrupted else "ok" if result.ok else "failed"
    session.set("review", "last_result", word)
    if result.ok and not interrupted:
        _record_inputs(session)
        for table in (*STEP_TABLES, "review"):
            if session.table(table) or table == "review":
                session.set(table, "status", "done")


def _record_inputs(session: Session) -> None:
    """After a successful apply the tenant holds what the session asks for: record it
    per part, so that a later edit of the session is not taken for drift."""
    try:
        desired = desired_state(session.data)
    except DesiredStateError:  # pragma: no cover - the plan just applied had no problems
        return
    session.set("review", "applied_inputs", as_entries(input_digests(desired)))


async def apply_plan(
    client: GraphClient,
    session: Session,
    plan: Plan,
    progress: ProgressFn | None = None,
) -> ApplyResult:
    """Carry out `plan` (from make_plan on the same session). Raises ApplyRefused when the
    plan has problems. Graph failures do not raise: they are in the result and the journal.
    The session's disk writes wait in a worker thread (Session.save_async).

    `progress` is called from the thread running this coroutine (a UI must hand the
    event to its own thread, e.g. Textual's call_from_thread); calls never overlap.
    """
    if plan.blocked:
        raise ApplyRefused(plan.problems)
    runner = _Runner(client, session, plan, progress)
    _prepare(session, plan)
    if plan.changes:
        await runner.save()  # before the first write (write-ahead)
    # With nothing to write there is nothing to be ahead of: the one save at the end
    # records the run (a kill before it leaves the session as it was; the re-run
    # settles and records the same). A no-op fleet re-run saves once a tenant, not twice.
    chains: dict[Chain, list[Action]] = {}
    for action in plan.changes:
        chains.setdefault(action.chain, []).append(action)
    remove = client.add_retry_listener(runner.on_retry)
    interrupted = True  # until the chains finish: Ctrl-C/SIGTERM cancels them
    try:
        await asyncio.gather(*(runner.chain(actions) for actions in chains.values()))
        interrupted = False
    finally:
        remove()
        _finish(session, runner.result, interrupted=interrupted)
        if interrupted:  # cancelled: no await may stand between the outcome and the disk
            session.save()
        else:
            await runner.save()
    return runner.result


async def apply_session(
    client: GraphClient, session: Session, progress: ProgressFn | None = None
) -> ApplyResult:
    """Plan against the tenant as it is now, then apply (what the wizard's Apply runs)."""
    plan = await make_plan(client, session.data)
    return await apply_plan(client, session, plan, progress)


def _written(
    object_id: str, write: Callable[[], Awaitable[Any]]
) -> Callable[[], Awaitable[tuple[str, str]]]:
    """A write whose answer carries Graph's request-id, on an object whose id it keeps."""

    async def call() -> tuple[str, str]:
        written = await write()
        return object_id, str(written.request_id)

    return call
