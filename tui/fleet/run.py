"""Run one command in every tenant of a fleet: concurrently, in one process, one event loop.

Each tenant is what the single-tenant command does, with the same guarantees: its own
session (tui.fleet.sessions), a client built from the fleet's one sign-in, the tenant
checked before any answer is used (in the plan's first $batch, tui.rollout.pinned_plan.pinned_plan;
alone for check: a token for another tenant is refused, naming both, with nothing
written), a fresh plan, and for apply
`tui.rollout.apply.apply_plan` (write-ahead journal, never a blind create retry, a
re-run resumes where a failed or killed run stopped). A tenant that fails is recorded
with its reason and never stops the others.

At most `concurrency` tenants are in flight; each client is closed when its tenant is
done, so memory stays that of `concurrency` tenants however long the fleet. Ctrl-C or
SIGTERM cancels the tenants in flight: each records it in its session as `adue apply`
does (apply's own bookkeeping, and `[review] last_result = "interrupted"`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from tui.fleet.file import Fleet, FleetTenant
from tui.fleet.rows import FAILED, Result

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from tui.commands.check import DiscoveryTarget
    from tui.graph.client import GraphClient
    from tui.graph.target import TargetTenant
    from tui.rollout.apply import ApplyResult
    from tui.rollout.model import Plan
    from tui.session import Session

Command = Literal["plan", "apply", "status", "check"]


class Connector(Protocol):
    """Where each tenant's token and Graph root come from (the fleet's one sign-in)."""

    def credential_for(self, tenant: FleetTenant) -> TokenCredential:
        """A credential whose tokens are for `tenant` (may raise GraphError/SettingsError)."""
        ...

    def graph_root_for(self, tenant: FleetTenant) -> str: ...

    def scopes_for(self, tenant: FleetTenant) -> Sequence[str]: ...


@dataclass
class TenantOutcome:
    """One tenant's result, as printed and as --json gives it."""

    tenant: FleetTenant
    result: Result = "not started"
    tenant_id: str = ""
    name: str = ""
    cloud: str = ""
    changes: int = 0
    writes: int = 0
    seconds: float = 0.0
    reason: str = ""
    plan: Plan | None = None
    applied: ApplyResult | None = None
    details: dict[str, Any] = field(default_factory=dict)  # status / check report

    @property
    def label(self) -> str:
        return self.tenant.label

    @property
    def failed(self) -> bool:
        return self.result in FAILED

    def target_dict(self) -> dict[str, str]:
        return {"id": self.tenant_id or self.tenant.id, "name": self.name}


@dataclass
class _Tenant:
    """What a job gets for one tenant: its session, a checked client and the tenant."""

    fleet: Fleet
    entry: FleetTenant
    session: Session
    client: GraphClient
    target: TargetTenant
    outcome: TenantOutcome
    plan: Plan | None  # read with the tenant check (plan, apply, status); None for check

    @property
    def planned(self) -> Plan:
        assert self.plan is not None, "this job starts from the plan"
        return self.plan


Job = Callable[[_Tenant], Awaitable[None]]
DoneFn = Callable[[TenantOutcome], None]


class FleetRun:
    """Run `command` in `tenants`; `outcomes` holds every tenant's result, also after an
    interruption (what finished, what was in flight, what never started)."""

    def __init__(
        self,
        fleet: Fleet,
        tenants: Sequence[FleetTenant],
        command: Command,
        connector: Connector,
        *,
        concurrency: int,
        on_done: DoneFn | None = None,
        on_start: DoneFn | None = None,
        retry: Any = None,
    ) -> None:
        self.fleet = fleet
        self.command = command
        self.connector = connector
        self.concurrency = max(1, concurrency)
        self.on_done = on_done
        self.on_start = on_start
        self.retry = retry  # a tui.graph.retry.RetryPolicy (tests: no waiting)
        self.outcomes = [
            TenantOutcome(t, name=t.name, tenant_id=t.id, cloud=fleet.cloud) for t in tenants
        ]
        self.running = 0
        self._tls: Any = None
        # run()'s pools of Graph connections not in use; None: each client makes its own.
        self._idle_pools: list[Any] | None = None
        self._tokens: dict[int, asyncio.Future[None]] = {}  # id(outcome) -> its first token

    def tls_context(self) -> Any:
        """One TLS context for every tenant's client: httpx would load the CA bundle
        again for each (~0.1 s of CPU apiece, most of a tenant's start on a big fleet)."""
        if self._tls is None:
            from tui.graph.client import lean_httpx

            self._tls = lean_httpx().create_ssl_context()
        return self._tls

    def _lend_pool(self) -> Any:
        """A pool of Graph connections for a tenant's client, handed on to the next tenant
        when it is done (`_give_back`): Graph is one host for the whole fleet and each
        request carries its own tenant's token, so the next tenant's requests go over the
        connections this one opened, not two to five new ones (a TCP and TLS handshake
        each). One tenant's at a time: a pool shared by all the tenants in flight would
        hold all their connections, and httpcore looks through every connection of a
        pool, more than once, for each request. None outside run(): a pool of its own."""
        if self._idle_pools is None:
            return None
        if self._idle_pools:
            return self._idle_pools.pop()
        from tui.graph.client import lean_httpx

        return lean_httpx().AsyncHTTPTransport(verify=self.tls_context())

    def _give_back(self, pool: Any) -> None:
        if pool is not None and self._idle_pools is not None:
            self._idle_pools.append(pool)

    async def run(self) -> list[TenantOutcome]:
        from concurrent.futures import ThreadPoolExecutor

        gate = asyncio.Semaphore(self.concurrency)
        # Tokens are fetched ahead of the tenants' turns, `concurrency` more at a time than
        # the tenants run: a first token is one or two round trips to the identity
        # platform (MSAL reads the tenant's openid-configuration, then asks for the
        # token), which would otherwise stand before each tenant's first Graph request,
        # wave after wave. azure-identity blocks: its own threads, not the loop's default
        # executor (min(32, cores + 4) threads, shared with the session saves).
        ahead = asyncio.Semaphore(2 * self.concurrency)
        pool = ThreadPoolExecutor(2 * self.concurrency, thread_name_prefix="adue-token")
        loop = asyncio.get_running_loop()

        async def token(outcome: TenantOutcome) -> None:
            async with ahead:
                credential = self.connector.credential_for(outcome.tenant)
                scopes = list(self.connector.scopes_for(outcome.tenant))
                await loop.run_in_executor(
                    pool, functools.partial(credential.get_token, *scopes, enable_cae=True)
                )

        async def one(outcome: TenantOutcome) -> None:
            async with gate:
                await self._tenant(outcome)

        self._tokens = {id(o): asyncio.ensure_future(token(o)) for o in self.outcomes}
        self._idle_pools = []  # at most `concurrency`: a tenant gives its pool back when done
        try:
            await asyncio.gather(*(one(o) for o in self.outcomes))
        finally:
            for fetch in self._tokens.values():
                fetch.cancel()  # a tenant that never started: its token is not wanted
                if fetch.done() and not fetch.cancelled():
                    fetch.exception()  # seen by its tenant, or not wanted: not "unretrieved"
            self._tokens = {}
            pool.shutdown(wait=False, cancel_futures=True)
            idle, self._idle_pools = self._idle_pools, None
            for connections in idle:  # every tenant has given its pool back by now
                await connections.aclose()
        return self.outcomes

    async def _first_token(self, outcome: TenantOutcome) -> None:
        """The tenant's token, fetched ahead (run) or now (a runner used without run)."""
        fetch = self._tokens.get(id(outcome))
        if fetch is None:
            credential = self.connector.credential_for(outcome.tenant)
            scopes = list(self.connector.scopes_for(outcome.tenant))
            await asyncio.to_thread(credential.get_token, *scopes, enable_cae=True)
            return
        # Shielded: a tenant cancelled while it waits leaves the fetch to run()'s cleanup.
        await asyncio.shield(fetch)

    async def _tenant(self, outcome: TenantOutcome) -> None:
        from tui.fleet.sessions import open_for_apply, open_read_only
        from tui.graph.auth import SettingsError
        from tui.graph.errors import GraphError, SignInCancelled
        from tui.session import SessionError

        started = time.monotonic()
        self.running += 1
        outcome.result = "failed"  # until it says otherwise
        if self.on_start:
            self.on_start(outcome)
        session: Session | None = None
        try:
            opener = open_for_apply if self.command == "apply" else open_read_only
            session = await _in_thread(opener, self.fleet, outcome.tenant)
            outcome.name = outcome.name or str(session.table("tenant").get("organization", ""))
            await self._with_client(session, outcome)
        except asyncio.CancelledError:
            outcome.result = "interrupted"
            outcome.reason = "stopped before it finished; run the fleet command again"
            if session is not None and self.command == "apply":
                with contextlib.suppress(Exception):  # the disk may be what failed
                    session.set("review", "last_result", "interrupted")
                    session.save()
            raise
        except (SettingsError, GraphError, SignInCancelled, SessionError) as exc:
            outcome.result = "failed"
            outcome.reason = str(exc) or type(exc).__name__
        except Exception as exc:  # a bug in one tenant's run must not stop the others
            outcome.result = "failed"
            outcome.reason = f"unexpected error: {type(exc).__name__}: {exc}"
        finally:
            if session is not None:
                session.close()
            outcome.seconds = time.monotonic() - started
            self.running -= 1
            if self.on_done:
                self.on_done(outcome)

    async def _with_client(self, session: Session, outcome: TenantOutcome) -> None:
        from tui.graph.client import build_graph_client, sign_in_error
        from tui.graph.target import record_target, tenant_pin
        from tui.rollout.pinned_plan import pinned_plan

        tenant = outcome.tenant
        credential = self.connector.credential_for(tenant)
        scopes = list(self.connector.scopes_for(tenant))
        # The first token (fetched ahead, in a worker thread: run). The credential caches
        # it; the client's own calls are then answered from memory.
        try:
            await self._first_token(outcome)
        except Exception as exc:
            from azure.core.exceptions import ClientAuthenticationError

            if isinstance(exc, ClientAuthenticationError):
                raise sign_in_error(exc) from exc
            raise
        kwargs: dict[str, Any] = {"retry": self.retry} if self.retry is not None else {}
        kwargs["verify"] = self.tls_context()
        pool = self._lend_pool()
        try:
            client = build_graph_client(
                credential,
                graph_root=self.connector.graph_root_for(tenant),
                scopes=scopes,
                pool=pool,
                **kwargs,
            )
        except BaseException:
            self._give_back(pool)
            raise
        try:
            table = session.table("tenant")
            pin = tenant_pin(client, cloud=str(table.get("cloud") or "global"), tenant_table=table)
            plan: Plan | None = None
            if self.command == "check":
                target = await pin.confirm(client)
            else:
                # plan, apply, status start from the plan: the tenant check rides in its
                # first $batch (one round trip fewer) and passes before any answer is used.
                target, plan = await pinned_plan(client, session.data, pin)
            outcome.tenant_id, outcome.name, outcome.cloud = target.id, target.name, target.cloud
            if self.command == "apply":
                recorded = record_target(table, target)
                if recorded:  # pinned to the tenant's GUID from now on, as adue apply does
                    session.update("tenant", recorded)
                    await session.save_async()  # off the loop: the other tenants go on
            job = _JOBS[self.command]
            await job(_Tenant(self.fleet, tenant, session, client, target, outcome, plan))
        finally:
            try:
                await client.aclose()  # leaves the pool open (its connections too)
            finally:
                self._give_back(pool)


async def _in_thread(opener: Callable[[Fleet, FleetTenant], Session], *args: Any) -> Session:
    """Open a tenant's session in a worker thread: its lock, its first save (a new
    session) and their fsyncs would otherwise stop every other tenant on the loop. A
    cancelled caller still gets the session closed (its lock released) once it opens."""
    opening = asyncio.ensure_future(asyncio.to_thread(opener, *args))
    try:
        return await asyncio.shield(opening)
    except asyncio.CancelledError:
        opening.add_done_callback(_close_opened)
        raise


def _close_opened(opening: asyncio.Future[Session]) -> None:
    if not opening.cancelled() and opening.exception() is None:
        opening.result().close()


# --- the jobs ---------------------------------------------------------------------------


async def _plan(t: _Tenant) -> None:
    _record_plan(t.outcome, t.planned)


def _record_plan(outcome: TenantOutcome, plan: Plan) -> None:
    outcome.plan = plan
    outcome.changes = len(plan.changes)
    if plan.blocked:
        outcome.result = "refused"
        outcome.reason = "; ".join(plan.problems)
    else:
        outcome.result = "in sync" if plan.is_empty else "changes"


async def _apply(t: _Tenant) -> None:
    from tui.rollout.apply import apply_plan

    plan = t.planned
    _record_plan(t.outcome, plan)
    if plan.blocked:
        t.outcome.reason = "nothing written: " + t.outcome.reason
        return
    # Also with nothing to change, as adue apply: apply_plan first settles what a killed
    # run left (a pending write, ids the plan found) and records the run in [review].
    result = await apply_plan(t.client, t.session, plan)
    t.outcome.applied = result
    t.outcome.writes = result.writes
    if result.ok:
        t.outcome.result = "applied" if plan.changes else "in sync"
    else:
        t.outcome.result = "failed"
        # The first failure in full (the rest are in --json and the tenant's journal):
        # a tenant missing a permission fails every write for the same reason. First in
        # the plan's order: the chains write at once, so which fails first is a race.
        order = {action.key: index for index, action in enumerate(plan.changes)}
        key, message = min(result.failed.items(), key=lambda kv: order.get(kv[0], len(order)))
        more = len(result.failed) - 1
        t.outcome.reason = f"{key}: {message}" + (f" (and {more} more)" if more else "")
        if result.skipped:
            t.outcome.reason += f" ({len(result.skipped)} write(s) not tried)"


async def _status(t: _Tenant) -> None:
    from tui.commands.status import local_status

    data = t.session.data
    plan = t.planned
    _record_plan(t.outcome, plan)
    report = local_status(data)
    report["drift"] = {
        "checked": True,
        "error": "",
        "in_sync": plan.is_empty,
        "plan": plan.to_dict(),
    }
    t.outcome.details = report


async def _check(t: _Tenant) -> None:
    from tui.commands.check import (
        discovery_target,
        exit_code,
        report_json,
        run_session_checks,
        web_based,
    )
    from tui.rollout.desired import check_targets

    data = t.session.data
    # As `adue check`: the discovery file on the session's sign-in domain, unless the
    # rollout is web-based (employees enroll in Safari; no discovery file needed).
    web = web_based(data)
    domain = "" if web else str(data.get("tenant", {}).get("sign_in_domain", ""))
    discovery = _on_sandbox(
        t.fleet, discovery_target(domain, field=f"{t.entry.label}: tenant.sign_in_domain")
    )
    report, found = await run_session_checks(
        t.client, targets=check_targets(data), discovery=discovery, cloud=t.target.cloud
    )
    code = exit_code(report, found)
    t.outcome.details = report_json(t.target, report, found, web)
    failing = [
        f"{r.title}: {r.detail}" for r in report.results if r.status.value in ("fail", "error")
    ]
    if found is not None and found.status in ("fail", "error"):
        failing.append(f"service discovery on {found.domain}")
    t.outcome.result = "pass" if code == 0 else "checks fail" if code == 2 else "failed"
    t.outcome.reason = "; ".join(failing)


def _on_sandbox(fleet: Fleet, target: DiscoveryTarget | None) -> DiscoveryTarget | None:
    """On a loopback sandbox fleet the discovery files are served by the sandbox's https
    host (the [sign_in] authority, trusted with its ca_file), as `adue --sandbox check`
    reaches its own; a real fleet fetches them from each domain as an iPhone does."""
    import dataclasses
    from urllib.parse import urlsplit

    from tui.graph.clouds import is_loopback_host

    url = urlsplit(fleet.sign_in.get("authority", ""))
    if target is None or url.scheme != "https" or not is_loopback_host(url.hostname or ""):
        return target
    ca_file = fleet.sign_in_paths().get("ca_file", "")
    return dataclasses.replace(
        target,
        verify=ca_file or True,
        connect_to=(url.hostname or "127.0.0.1", url.port or 443),
    )


_JOBS: dict[str, Job] = {"plan": _plan, "apply": _apply, "status": _status, "check": _check}
