"""The fleet table's service (`adue fleet --fleet FILE`, docs/fleet.md "In the wizard").

What the table shows, read from each tenant's own session file (step states, the last
apply's result and time); the fleet's one sign-in (tui.fleet.sign_in, the device code
handed to the table to show); and the fleet apply (tui.fleet.run, the same code as
`adue fleet apply`). Every method that talks to Graph blocks: the table calls them from
thread workers, never on its event loop. Nothing here imports textual, msgraph or azure
at module level, so the table's first frame does not wait for them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from tui.fleet.connect import SignInConnector
from tui.fleet.file import Fleet, FleetTenant
from tui.fleet.rows import TenantProgress, TenantRow
from tui.records import view_of
from tui.steps import STEPS, StepStatus, step_status

if TYPE_CHECKING:
    from tui.backend import Backend
    from tui.fleet.run import TenantOutcome
    from tui.graph.sign_in_models import DeviceCodePrompt
    from tui.session import Session

PromptFn = Callable[["DeviceCodePrompt"], None]


def _when(value: Any) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return str(value.strftime("%Y-%m-%d %H:%M UTC"))
    return str(value or "")


def placeholder_row(fleet: Fleet, tenant: FleetTenant) -> TenantRow:
    """`tenant`'s row from the fleet file alone (the first frame reads no session)."""
    todo: tuple[StepStatus, ...] = tuple("todo" for _ in STEPS)
    path = fleet.session_path(tenant)
    return TenantRow(tenant.label, tenant.name, tenant.id, todo, "", "", path, known=False)


def read_row(fleet: Fleet, tenant: FleetTenant) -> TenantRow:
    """`tenant`'s row from its session file, read without the lock and never written."""
    from tui.session import Session, SessionError

    path = fleet.session_path(tenant)
    empty: tuple[StepStatus, ...] = tuple("todo" for _ in STEPS)
    if not path.exists():
        return TenantRow(tenant.label, tenant.name, tenant.id, empty, "", "", path)
    try:
        session = Session.read_only(path)
    except SessionError as exc:
        return TenantRow(
            tenant.label, tenant.name, tenant.id, empty, "", "", path, problem=str(exc)
        )
    data = session.data
    table = session.table("tenant")
    review = data.get("review", {})
    return TenantRow(
        label=tenant.label,
        name=str(table.get("organization") or tenant.name),
        tenant_id=str(table.get("tenant_id") or tenant.id),
        steps=tuple(step_status(data, step.id) for step in STEPS),
        last_result=str(review.get("last_result") or ""),
        last_apply=_when(review.get("last_apply")),
        session_path=path,
    )


class _TableConnector(SignInConnector):
    """The fleet's sign-in with the device code handed to the table (not printed: the
    terminal belongs to the TUI). An app secret comes from $AZURE_CLIENT_SECRET, or is the
    one the table asked for (`secret`) before signing in."""

    def __init__(self, fleet: Fleet, prompt: PromptFn, secret: str = "") -> None:
        from tui.fleet.sign_in import FleetSignIn, FleetSignInSettings

        self.settings = FleetSignInSettings.from_table(
            fleet.sign_in_paths(), where=fleet.where_sign_in
        )

        def typed(_question: str) -> str:
            return secret

        self.fleet_sign_in = FleetSignIn(
            self.settings, prompt=prompt, ask_secret=typed if secret else None
        )


class FleetBoard:
    """The fleet table's link to the fleet: rows, the one sign-in, the fleet apply.
    Lives across the table and the tenant wizards it opens (the sign-in is kept)."""

    def __init__(self, fleet: Fleet) -> None:
        self.fleet = fleet
        self.connector: SignInConnector | None = None
        self.account = ""
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[list[TenantOutcome]] | None = None

    @property
    def tenants(self) -> tuple[FleetTenant, ...]:
        return self.fleet.tenants

    def rows(self) -> list[TenantRow]:
        """Every tenant's row from its session file (blocking: a file read each)."""
        return [read_row(self.fleet, t) for t in self.fleet.tenants]

    def placeholder_rows(self) -> list[TenantRow]:
        return [placeholder_row(self.fleet, t) for t in self.fleet.tenants]

    def tenant(self, label: str) -> FleetTenant:
        return next(t for t in self.fleet.tenants if t.label == label)

    @property
    def signed_in(self) -> bool:
        return self.connector is not None

    # --- the one sign-in --------------------------------------------------------------

    def secret_question(self) -> str:
        """What to ask before `sign_in` when the fleet app signs in with a client secret
        that $AZURE_CLIENT_SECRET does not hold; "" when nothing is to be asked (another
        mode, the secret in the environment, signed in already, or sign-in settings that
        `sign_in` will refuse with their own message)."""
        import os

        from tui.fleet.sign_in import FleetSignInSettings
        from tui.graph.auth import SECRET_ENV, SettingsError

        if self.connector is not None or os.environ.get(SECRET_ENV):
            return ""
        try:
            settings = FleetSignInSettings.from_table(
                self.fleet.sign_in_paths(), where=self.fleet.where_sign_in
            )
        except SettingsError:
            return ""
        if settings.mode != "app-secret":
            return ""
        return (
            f"The client secret of the fleet app {settings.client_id} (${SECRET_ENV} is not"
            " set). It is kept in memory for this run only, never written."
        )

    def sign_in(self, prompt: PromptFn, secret: str = "") -> str:
        """Sign in once for every tenant (blocking; gdap calls `prompt` with the device
        code; `secret`: the app's client secret the table asked for). Returns who signed
        in. Raises SettingsError, GraphError, SignInCancelled."""
        if self.connector is not None:
            return self.account
        connector = _TableConnector(self.fleet, prompt, secret)
        try:
            connector.sign_in()
        except BaseException:
            connector.close()
            raise
        self.connector = connector
        self.account = connector.fleet_sign_in.account
        return self.account

    # --- the fleet apply --------------------------------------------------------------

    def apply(
        self,
        on_progress: Callable[[TenantProgress], None],
        labels: Sequence[str] | None = None,
    ) -> list[TenantProgress]:
        """`adue fleet apply --yes` in the calling thread (a worker's): every tenant (or
        `labels`) concurrently, `on_progress` as each starts and ends. Blocking."""
        from tui.fleet.run import FleetRun

        if self.connector is None:
            raise RuntimeError("sign in for the fleet first")
        tenants = [t for t in self.fleet.tenants if labels is None or t.label in labels]

        def started(outcome: TenantOutcome) -> None:
            on_progress(TenantProgress(outcome.label, "running", name=outcome.name))

        def done(outcome: TenantOutcome) -> None:
            on_progress(progress_of(outcome))

        runner = FleetRun(
            self.fleet,
            tenants,
            "apply",
            self.connector,
            concurrency=self.fleet.concurrency,
            on_start=started,
            on_done=done,
        )

        async def main() -> list[TenantOutcome]:
            task = asyncio.current_task()
            with self._lock:
                self._loop = asyncio.get_running_loop()
                self._task = task
            return await runner.run()

        try:
            outcomes = asyncio.run(main())
        except asyncio.CancelledError:
            outcomes = runner.outcomes  # stopped: each tenant recorded where it stood
        finally:
            with self._lock:
                self._loop = self._task = None
        return [progress_of(o) for o in outcomes]

    @property
    def applying(self) -> bool:
        """A fleet apply is in flight (in some thread)."""
        with self._lock:
            return self._task is not None

    def stop(self) -> None:
        """Stop a fleet apply in flight (quitting the table): each tenant in flight
        records the interruption as `adue apply` does; a re-run resumes it."""
        with self._lock:
            loop, task = self._loop, self._task
        if loop is not None and task is not None:
            loop.call_soon_threadsafe(task.cancel)

    # --- a tenant's wizard ------------------------------------------------------------

    def open_session(self, label: str) -> Session:
        """The tenant's session for its wizard: locked, in step with the fleet file
        (created from it on the first open), as `adue fleet apply` opens it."""
        from tui.fleet.sessions import open_for_apply

        return open_for_apply(self.fleet, self.tenant(label))

    def backend_for(self, label: str, session: Session) -> Backend:
        """The wizard's Backend for a tenant: signed in through the fleet's sign-in when
        the table has one (no second device code), else the wizard's own sign-in."""
        from tui.backend import Backend

        if self.connector is None:
            return Backend(session)
        from tui.fleet.tenant_backend import FleetTenantBackend

        return FleetTenantBackend(session, self.fleet, self.tenant(label), self.connector)

    def close(self) -> None:
        self.stop()
        if self.connector is not None:
            self.connector.close()
            self.connector = None


def progress_of(outcome: TenantOutcome) -> TenantProgress:
    return view_of(TenantProgress, outcome)
