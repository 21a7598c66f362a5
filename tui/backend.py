"""The wizard's link to Microsoft Graph, kept off the UI event loop.

One background thread owns an asyncio loop, the credential and the Graph
client (msgraph-sdk's pipeline, built by tui.graph.client). The wizard's thread
workers call the blocking methods here; each runs its coroutine on that loop and
waits for the result, so neither the ~1.6 s first model deserialisation nor any
request ever runs on Textual's event loop. msgraph, azure.identity and the
sandbox are imported only inside these methods, after the first frame.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tui.choices import TOKEN_CACHES
from tui.session import Session

if TYPE_CHECKING:
    from tui.graph.auth import ConnectionSettings, DeviceCodePrompt, SignedIn
    from tui.graph.client import GraphClient
    from tui.graph.models import Organization
    from tui.graph.retry import RetryNotice
    from tui.graph.target import TargetTenant
    from tui.rollout.apply import ApplyResult, ProgressFn
    from tui.rollout.destroy import DestroyPlan, DestroyResult
    from tui.rollout.model import Plan
    from tui.sandbox.server import RunningSandbox

T = TypeVar("T")

# How long `adue --sandbox` waits before approving its own device code, so `make run`
# signs in with no second device at hand. It approves in-process, the code it was
# shown: the sandbox's identity endpoints approve nothing by themselves, or any other
# user of the machine could start a sign-in on the loopback port and get a token.
SANDBOX_AUTO_APPROVE_SECONDS = 4.0


class NotSignedIn(RuntimeError):
    """A Graph call was asked for before sign-in finished."""


@dataclass(frozen=True)
class SandboxInfo:
    graph_url: str
    https_url: str
    tenant_id: str
    organization: str
    sign_in_domain: str
    admin_upn: str
    ca_path: str
    auto_approve_seconds: float


class Backend:
    """Graph access for one wizard run. Thread-safe; every public method blocks."""

    def __init__(
        self,
        session: Session,
        args: argparse.Namespace | None = None,
        *,
        sandbox: bool = False,
        running_sandbox: RunningSandbox | None = None,
    ) -> None:
        self.session = session
        self.args = args or argparse.Namespace()
        self.sandbox_mode = sandbox or running_sandbox is not None
        self._sandbox = running_sandbox
        self._owns_sandbox = running_sandbox is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._client: GraphClient | None = None
        self._pending: set[Future[Any]] = set()
        self._closed = False
        self.signed_in: SignedIn | None = None
        self.target: TargetTenant | None = None  # the signed-in tenant, checked

    # the loop thread

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="adue-graph", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def submit(self, coroutine: Awaitable[T]) -> Future[T]:
        """Schedule a coroutine on the Graph loop; the caller may wait or cancel."""

        async def run() -> T:
            return await coroutine

        if self._closed:
            raise RuntimeError("the wizard is closing")
        future = asyncio.run_coroutine_threadsafe(run(), self._ensure_loop())
        with self._start_lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._start_lock:
            self._pending.discard(future)

    def run(self, coroutine: Awaitable[T], timeout: float | None = None) -> T:
        return self.submit(coroutine).result(timeout)

    def call(self, operation: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
        """Run `operation(client, *args, **kwargs)` (a tui.graph.operations function)."""
        return self.run(operation(self.client, *args, **kwargs))

    @property
    def client(self) -> GraphClient:
        if self._client is None:
            raise NotSignedIn("Sign in first (step 1).")
        return self._client

    # start-up work, after the first frame

    def warm_up(self) -> None:
        """Import what sign-in needs (azure.identity, msgraph's client) in this worker thread.

        About half a second of imports, done while the person reads the first step
        rather than after they press Sign in. adue parses Graph's JSON into its own
        small types, so the ~1.6 s first deserialisation of msgraph's models never
        happens at all.
        """
        import azure.identity  # noqa: F401
        from msgraph.graph_service_client import GraphServiceClient  # noqa: F401

    def start_sandbox(self) -> SandboxInfo | None:
        """In sandbox mode, start the built-in tenant; its state lives beside the session."""
        if not self.sandbox_mode:
            return None
        if self._sandbox is None:
            from tui.sandbox.server import start_sandbox

            # ADUE_SANDBOX_SEED picks another tenant for a first run (e.g. `hostile`);
            # an existing state file beside the session wins, as for `adue sandbox --state`.
            self._sandbox = start_sandbox(
                seed=os.environ.get("ADUE_SANDBOX_SEED") or "demo",
                state_file=sandbox_state_path(self.session.path),
            )
        sb = self._sandbox
        return SandboxInfo(
            graph_url=sb.graph_url,
            https_url=sb.https_url,
            tenant_id=sb.tenant_id,
            organization=sb.organization,
            sign_in_domain=sb.sign_in_domain,
            admin_upn=sb.admin_upn,
            ca_path=str(sb.ca_path),
            auto_approve_seconds=(
                SANDBOX_AUTO_APPROVE_SECONDS
                if self._owns_sandbox
                else sb.device_auto_approve_seconds or 0.0
            ),
        )

    @property
    def sandbox(self) -> RunningSandbox | None:
        return self._sandbox

    # signing in

    def settings(self) -> ConnectionSettings:
        """Connection settings from the command line over the session's [tenant] table."""
        from tui.graph.auth import ConnectionSettings

        settings = ConnectionSettings.from_args_and_session(
            self.args,
            self.session.table("tenant"),
            where=lambda key: self.session.where("tenant", key),
        )
        token_cache = self.session.get("sign_in", "token_cache")
        if token_cache in TOKEN_CACHES:  # the Sign in step's choice
            settings = replace(settings, token_cache=token_cache)
        if self._sandbox is not None:
            sb = self._sandbox
            settings = settings.with_sandbox(
                https_url=sb.https_url,
                ca_path=sb.ca_path,
                graph_url=sb.graph_url,
                tenant_id=sb.tenant_id,
            )
        return settings

    def graph_root_notice(self) -> str:
        """Shown on the Sign in step when the token would go to a root that is not a
        cloud's (given with --graph-url or $ADUE_GRAPH_URL); "" otherwise."""
        from tui.graph.auth import SettingsError

        try:
            return self.settings().graph_root_notice
        except SettingsError as exc:
            return str(exc)  # e.g. a session's graph_url refused: say so before sign-in

    def sign_in(
        self,
        prompt: Callable[[DeviceCodePrompt], None],
        cancel: threading.Event,
        *,
        interactive: bool = True,
    ) -> SignedIn:
        """Sign in (device code by default) and build the Graph client. Blocking.

        interactive=False never prompts: it raises SignInRequired unless a cached
        sign-in (or a non-interactive method) gets a token.
        """
        from tui.graph.auth import build_credential, sign_in
        from tui.graph.client import build_graph_client

        settings = self.settings()
        if self._sandbox is not None and self._owns_sandbox:
            prompt = self._sandbox.approving(prompt, SANDBOX_AUTO_APPROVE_SECONDS)
        credential = build_credential(settings, prompt=prompt, cancel=cancel)
        signed_in = sign_in(credential, cancel=cancel, interactive=interactive)
        client = build_graph_client(
            credential.credential, graph_root=settings.graph_root, scopes=settings.scopes
        )
        # The tenant the token is for must be the session's (TenantMismatch otherwise):
        # a sign-in to another tenant never becomes the wizard's client.
        self.target = self.run(self._confirm_target(client))
        self._client = client
        self.signed_in = signed_in
        return signed_in

    async def _confirm_target(self, client: GraphClient) -> TargetTenant:
        from tui.graph.target import confirm_target

        table = self.session.table("tenant")
        cloud = getattr(self.args, "cloud", None) or table.get("cloud") or "global"
        return await confirm_target(
            client,
            cloud=str(cloud),
            tenant_table=table,
            cli_tenant=getattr(self.args, "tenant", None),
        )

    def apply_fresh(
        self, progress: ProgressFn | None, planned: Callable[[Plan], None] | None = None
    ) -> ApplyResult:
        """What the wizard's Apply runs, in one go on the Graph loop: check the tenant,
        read it and plan afresh, hand the plan to `planned` (to show it), then apply that
        plan. Never a plan made earlier: after a failure, pressing Apply again re-reads
        everything first. Blocking; raises TenantMismatch, ApplyRefused or a GraphError."""
        from tui.rollout.apply import apply_plan
        from tui.rollout.plan import make_plan

        async def fresh() -> ApplyResult:
            self.target = await self._confirm_target(self.client)
            plan = await make_plan(self.client, self.session.data)
            if planned is not None:
                planned(plan)
            return await apply_plan(self.client, self.session, plan, progress)

        return self.run(fresh())

    def destroy_preview(self) -> DestroyPlan:
        """What Review's Undo would remove (tenant checked first; an interrupted apply's
        pending writes settled as the next apply would). Blocking; never deletes."""
        from tui.rollout.destroy import make_destroy_plan, pending_apply, settle_interrupted_apply

        async def preview() -> DestroyPlan:
            self.target = await self._confirm_target(self.client)
            if pending_apply(self.session):
                await settle_interrupted_apply(self.client, self.session)
            return await make_destroy_plan(self.client, self.session.data)

        return self.run(preview())

    def destroy_fresh(self, *, allow_enrolled: bool) -> DestroyResult:
        """Undo, in one go on the Graph loop: check the tenant, read afresh (never the
        preview on screen), then delete. `allow_enrolled`: the person confirmed deleting a
        profile devices are enrolled through. Blocking; raises TenantMismatch,
        DestroyRefused or a GraphError."""
        from tui.rollout.destroy import DestroyRefused, make_destroy_plan, run_destroy

        async def fresh() -> DestroyResult:
            self.target = await self._confirm_target(self.client)
            plan = await make_destroy_plan(self.client, self.session.data)
            if plan.needs_enrolled_confirmation and not allow_enrolled:
                raise DestroyRefused(
                    "devices are now enrolled through the enrollment profile: press Undo "
                    "again to see how many and confirm"
                )
            return await run_destroy(self.client, self.session, plan)

        return self.run(fresh())

    def resume_mode(self) -> str:
        """How a resumed wizard signs in again by itself: "interactive" (the sandbox,
        whose device code approves itself), "silent" (a cached sign-in or a method
        that needs no person), or "" (wait for the person to press Sign in)."""
        from tui.choices import AuthMethod
        from tui.graph.auth import SettingsError, load_record_text

        if self.sandbox_mode:
            return "interactive"
        try:
            settings = self.settings()
        except SettingsError:
            return ""  # the Sign in step shows what to fix
        if settings.auth in (AuthMethod.TOKEN, AuthMethod.AZURE_CLI):
            return "silent"
        if settings.auth is AuthMethod.DEVICE_CODE and load_record_text(settings):
            return "silent"
        return ""

    def organization(self) -> Organization:
        from tui.graph.operations import get_organization

        return self.call(get_organization)

    def on_retry(self, listener: Callable[[RetryNotice], None]) -> Callable[[], None]:
        """Be told of each throttled/unavailable answer the SDK retries; returns an undo."""
        return self.client.add_retry_listener(listener)

    def close(self) -> None:
        """Cancel Graph work in flight (its waiting workers then return), stop the loop."""
        self._closed = True
        with self._start_lock:
            pending = list(self._pending)
        for future in pending:
            future.cancel()
        if self._sandbox is not None and self._owns_sandbox:
            self._sandbox.stop()
            self._sandbox = None
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._loop = None


def sandbox_state_path(session_path: Path) -> Path:
    """Where `adue --sandbox` keeps its tenant between runs: beside the session file."""
    return session_path.with_name(session_path.stem + ".sandbox-state.json")
