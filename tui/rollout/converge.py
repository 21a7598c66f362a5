"""Create an object exactly once, even when Graph's answer is lost or another admin creates
the same object at the same moment (design.md, "Apply engine").

1. A create is sent once: the HTTP pipeline never re-sends it (tui.graph.client,
   `idempotent=False`), because a 503/504 or a dropped connection can come after Graph
   made the object (graph.md, "SDK and HTTP pipeline notes").
2. After such a failure (5xx, no answer, also 429) the object is looked up by exact
   name and type. Found: it is adopted. Not found: it was not made, and is created
   again (at most `attempts` tries in all, waiting what Graph asked for).
3. After a create, the same lookup again (`settle`): when several objects carry our
   exact name and type, the oldest by createdDateTime, then id, survives. A run deletes
   only the object it created itself, never one it did not create, and adopts the
   survivor. Every run that sees the same objects picks the same survivor, so two runs
   at once converge on one object. Duplicates no run can settle (none created by this
   run) are left alone; the plan names them as a conflict (tui.rollout.plan).

The apply engine (tui.rollout.apply) journals each step.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, Protocol, TypeVar

from tui.graph import operations as ops
from tui.graph.client import GraphClient
from tui.graph.models import (
    AssignmentTarget,
    EnrollmentProfile,
    EnrollmentProfileSpec,
    SsoPolicy,
    SsoPolicySpec,
    Written,
)

MAX_WAIT = 180.0  # seconds; like kiota's RetryHandler, never wait longer than this


@dataclass(frozen=True)
class Candidate:
    """An object with our exact name and type."""

    id: str
    created: dt.datetime | None  # createdDateTime; None sorts last (age unknown)


def oldest(candidates: Iterable[Candidate]) -> Candidate:
    """The survivor among same-named objects: oldest createdDateTime, then smallest id.

    Deterministic: every run that sees the same objects picks the same one."""
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    return min(candidates, key=lambda c: (c.created or far, c.id.lower()))


class Creatable(Protocol):
    """One kind of object adue creates, with the lookup that finds it again."""

    @property
    def label(self) -> str:  # "the SSO app extension policy 'iOS – …'"
        ...

    async def create(self) -> tuple[Candidate, str]:
        """POST it once: the new object and Graph's request-id."""
        ...

    async def find(self) -> list[Candidate]:
        """Every object with our exact name and type (for an assignment: our target)."""
        ...

    async def delete(self, object_id: str) -> str:
        """Delete one this run created; Graph's request-id."""
        ...


@dataclass
class Creation:
    made: Candidate | None = None  # created by this run (its id known)
    adopted: Candidate | None = None  # found by name after an answer that was lost
    request_id: str = ""
    lost: list[str] = field(default_factory=list)  # the failures that may have made it


async def create_once(
    kind: Creatable,
    *,
    attempts: int,
    base_delay: float,
    report: Callable[[str], None] = lambda _: None,
) -> Creation:
    """Create `kind`, or adopt it when a failed try made it after all (steps 1-2).

    A lookup that fails, or the last try failing, raises that GraphError: a re-run
    plans from a fresh read, which finds the object by name when it was made."""
    lost: list[str] = []
    for attempt in range(1, max(1, attempts) + 1):
        try:
            made, request_id = await kind.create()
        except ops.MAYBE_MADE as exc:
            lost.append(str(exc))
            # One notice per failed try (the UI counts them as retries).
            report(f"{exc.message}; looking for {kind.label} by name before creating again")
            found = await kind.find()
            if found:  # made after all: adopted (the journal says so)
                return Creation(adopted=oldest(found), request_id=exc.request_id, lost=lost)
            if attempt >= attempts:
                raise
            wait = exc.retry_after if exc.retry_after else base_delay * 2 ** (attempt - 1)
            await asyncio.sleep(min(wait, MAX_WAIT))
            continue
        return Creation(made=made, request_id=request_id, lost=lost)
    raise AssertionError("unreachable: the last try returns or raises")  # pragma: no cover


def settle(found: Iterable[Candidate], mine: Candidate) -> tuple[Candidate, list[Candidate]]:
    """Step 3: (the survivor, what this run must delete: its own object unless it is the
    survivor). Objects this run did not create are never in the second list."""
    everyone = {c.id: c for c in found}
    everyone.setdefault(mine.id, mine)  # a lookup may not show a just-made object yet
    survivor = oldest(everyone.values())
    return survivor, ([] if survivor.id == mine.id else [mine])


# -- the kinds of object adue creates (the web clip's: tui.rollout.web_clip) -----------------
class _Dated(Protocol):
    """An object Graph gives with its createdDateTime (the oldest of twins survives)."""

    @property
    def id(self) -> str: ...

    @property
    def created(self) -> dt.datetime | None: ...


Obj = TypeVar("Obj", bound=_Dated)


@dataclass(frozen=True)
class NamedKind(Generic[Obj]):
    """An object found again by its exact name and type, twins settled on the oldest: the
    SSO policy, the enrollment profile and the web clip differ only in their operations."""

    label: str
    post: Callable[[], Awaitable[Written[Obj]]]
    named: Callable[[], Awaitable[Sequence[Obj]]]
    remove: Callable[[str], Awaitable[Written[None]]]

    async def create(self) -> tuple[Candidate, str]:
        written = await self.post()
        return Candidate(written.value.id, written.value.created), written.request_id

    async def find(self) -> list[Candidate]:
        return [Candidate(o.id, o.created) for o in await self.named()]

    async def delete(self, object_id: str) -> str:
        return (await self.remove(object_id)).request_id


def sso_policy_kind(client: GraphClient, spec: SsoPolicySpec) -> NamedKind[SsoPolicy]:
    return NamedKind(
        f"the SSO app extension policy {spec.display_name!r}",
        partial(ops.create_sso_policy, client, spec),
        partial(ops.find_sso_policies_by_name, client, spec.display_name),
        partial(ops.delete_sso_policy, client),
    )


def enrollment_profile_kind(
    client: GraphClient, spec: EnrollmentProfileSpec
) -> NamedKind[EnrollmentProfile]:
    return NamedKind(
        f"the enrollment profile {spec.display_name!r}",
        partial(ops.create_enrollment_profile, client, spec),
        partial(ops.find_enrollment_profiles_by_name, client, spec.display_name),
        partial(ops.delete_enrollment_profile, client),
    )


class ProfileAssignmentKind:
    """A profile's assignment to one target (Graph refuses a second one for the same
    target, so there is nothing to settle; `find` is the lookup after a lost answer)."""

    def __init__(self, client: GraphClient, profile_id: str, target: AssignmentTarget) -> None:
        self.client, self.profile_id, self.target = client, profile_id, target
        where = f"group {target.group_id}" if target.group_id else "all users"
        self.label = f"the enrollment profile's assignment to {where}"

    async def create(self) -> tuple[Candidate, str]:
        written = await ops.add_profile_assignment(self.client, self.profile_id, self.target)
        return Candidate(written.value.id, None), written.request_id

    async def find(self) -> list[Candidate]:
        found = await ops.find_profile_assignment(self.client, self.profile_id, self.target)
        return [Candidate(found.id, None)] if found is not None else []

    async def delete(self, object_id: str) -> str:
        return (
            await ops.remove_profile_assignment(self.client, self.profile_id, object_id)
        ).request_id
