"""The wizard's link to Microsoft Graph, kept off the UI event loop.

One background thread owns an asyncio loop, the credential and the Graph
client (msgraph-sdk's pipeline, built by tui.graph.client). The wizard's thread
workers call the blocking methods here; each runs its coroutine on that loop and
waits for the result, so neither the ~1.6 s first model deserialisation nor any
request ever runs on Textual's event loop. msgraph, azure.identity and the
sandbox are imported only inside these methods, after the first frame.

The screens see only this class's domain methods (sign in, search groups, read
profiles, run checks, check discovery, plan, apply, undo, export the guide, save the
discovery file): they never reach the Graph client, the operations, the engine or the
sandbox themselves (pyproject's import-linter contract "screens import only tui.backend
... and domain models").
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tui.choices import TOKEN_CACHES
from tui.records import view_of
from tui.session import Session
from tui.values import Frozen

if TYPE_CHECKING:
    from azure.core.credentials import TokenCredential

    from tui.discovery.findings import DiscoveryReport
    from tui.graph.auth import ConnectionSettings

    # `X as X`: results the screens name, re-exported so that they import no Graph caller.
    from tui.graph.checks import CheckReport as CheckReport
    from tui.graph.client import GraphClient
    from tui.graph.models import (
        AuthenticatorApps,
        CheckTargets,
        Group,
        GroupKind,
        GroupPage,
        Organization,
        VppApp,
        VppToken,
    )
    from tui.graph.retry import RetryNotice
    from tui.graph.sign_in_models import DeviceCodePrompt, SignedIn
    from tui.graph.target import TargetTenant, TenantPin
    from tui.guide.settings import GuideSettings
    from tui.progress.report import ProgressReport
    from tui.rollout.apply import ApplyResult as ApplyResult
    from tui.rollout.apply import Progress as Progress
    from tui.rollout.apply import ProgressFn
    from tui.rollout.destroy_model import DestroyPlan, DestroyResult
    from tui.rollout.model import Plan
    from tui.rollout.priority import ProfilesInTenant as ProfilesInTenant
    from tui.sandbox.server import RunningSandbox

T = TypeVar("T")

# How long `adue --sandbox` waits before approving its own device code, so `make run`
# signs in with no second device at hand. It approves in-process, the code it was
# shown: the sandbox's identity endpoints approve nothing by themselves, or any other
# user of the machine could start a sign-in on the loopback port and get a token.
SANDBOX_AUTO_APPROVE_SECONDS = 4.0

# Held while a thread imports the Graph stack (azure.identity, msgraph, kiota): the
# start-up worker's warm_up and a sign-in (a resumed one starts at once) would otherwise
# import the same packages in two threads, and msgraph's modules import each other in a
# cycle, so one thread can be handed the other's half-initialised module (ImportError
# "cannot import name ... from partially initialized module").
_GRAPH_IMPORTS = threading.Lock()


class NotSignedIn(RuntimeError):
    """A Graph call was asked for before sign-in finished."""


# tui.values.Frozen, not frozen dataclasses: this module is imported before the first frame.
class WizardOptions(Frozen):
    """What `adue` (the wizard) was given on the command line; None: not given, the
    session's [tenant] value stands. Built by tui.commands.wizard from its arguments."""

    sandbox: bool = False
    cloud: str | None = None
    tenant: str | None = None
    client_id: str | None = None
    graph_url: str | None = None
    auth: str | None = None
    certificate_path: str | None = None
    allow_plaintext_token_cache: bool = False


class AuthenticatorFinding(Frozen):
    """What the tenant has for the Authenticator step, and whether the step can use it."""

    candidates: tuple[VppApp, ...]  # user-licensed VPP apps, most free licences first
    tokens: tuple[VppToken, ...]
    problem: str  # "" = usable
    fix: str = ""

    @property
    def usable(self) -> bool:
        return not self.problem and bool(self.candidates)


def assess_authenticator(
    apps: AuthenticatorApps, tokens: tuple[VppToken, ...]
) -> AuthenticatorFinding:
    """Reuse the prerequisite checks' words: the app first, then the VPP token."""
    import datetime as dt

    from tui.findings import Status
    from tui.graph.checks import check_authenticator, check_vpp_tokens

    candidates = tuple(sorted(apps.user_licensed, key=lambda a: a.free_licenses, reverse=True))
    app_check = check_authenticator(apps)
    if app_check.status is not Status.PASS:
        return AuthenticatorFinding(candidates, tokens, app_check.detail, app_check.fix)
    token_check = check_vpp_tokens(tokens, dt.datetime.now(dt.UTC))
    if token_check.status is Status.FAIL:
        return AuthenticatorFinding(candidates, tokens, token_check.detail, token_check.fix)
    return AuthenticatorFinding(candidates, tokens, "")


def missing_scopes(granted: Sequence[str]) -> list[str]:
    """The permissions a run needs that `granted` lacks (a ReadWrite grant covers Read)."""
    from tui.graph.operations import RUN_SCOPES

    have = {scope.lower() for scope in granted}
    return [
        scope
        for scope in RUN_SCOPES
        if scope.lower() not in have and scope.lower().replace(".read.", ".readwrite.") not in have
    ]


def sso_configurations(
    *, browser_sso: bool, extra_keys: tuple[tuple[str, Any], ...]
) -> list[dict[str, Any]]:
    """The SSO extension's key/value pairs exactly as the policy's body sends them."""
    from tui.graph.models import SsoPolicySpec
    from tui.graph.payloads import sso_extension_body

    spec = SsoPolicySpec("", browser_sso_interaction_enabled=browser_sso, extra_keys=extra_keys)
    return list(sso_extension_body(spec)["configurations"])


class SandboxInfo(Frozen):
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
        options: WizardOptions | None = None,
        *,
        running_sandbox: RunningSandbox | None = None,
    ) -> None:
        self.session = session
        self.options = options or WizardOptions()
        self.sandbox_mode = self.options.sandbox or running_sandbox is not None
        self._sandbox = running_sandbox
        self._owns_sandbox = running_sandbox is None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._client: GraphClient | None = None
        self._pending: set[Future[Any]] = set()
        self._groups: dict[str, Future[Any]] = {}  # the call in flight per exclusive group
        self._clients: list[GraphClient] = []  # every client built: closed by close()
        self._credentials: list[TokenCredential] = []  # those this backend built
        self._kinds: dict[str, GroupKind] = {}  # group id -> users/devices, per run
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

    def _submit(self, coroutine: Awaitable[T], group: str | None = None) -> Future[T]:
        """Schedule a coroutine on the Graph loop. With `group`, the call of that group
        still in flight is cancelled first (its HTTP request closed, its waiter told
        CancelledError): a search superseded by more typing stops at once."""

        async def run() -> T:
            return await coroutine

        if self._closed:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # never awaited: no "coroutine was never awaited" warning
            raise RuntimeError("the wizard is closing")
        future = asyncio.run_coroutine_threadsafe(run(), self._ensure_loop())
        with self._start_lock:
            self._pending.add(future)
            if group is not None:
                previous = self._groups.get(group)
                self._groups[group] = future
            else:
                previous = None
        if previous is not None:
            previous.cancel()
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[Any]) -> None:
        with self._start_lock:
            self._pending.discard(future)
            for group, current in list(self._groups.items()):
                if current is future:
                    del self._groups[group]

    def _call(self, coroutine: Awaitable[T], group: str | None = None) -> T:
        """Run a coroutine on the Graph loop and wait: the domain methods' way (and the
        fleet tenant backend's); nothing outside this class runs coroutines here."""
        return self._submit(coroutine, group).result()

    def cancel(self, group: str) -> None:
        """Cancel the call of `group` in flight, if any (see `_submit`)."""
        with self._start_lock:
            future = self._groups.pop(group, None)
        if future is not None:
            future.cancel()

    @property
    def _graph(self) -> GraphClient:
        """The signed-in Graph client (only the domain methods below use it)."""
        if self._client is None:
            raise NotSignedIn("Sign in first (step 1).")
        return self._client

    def _build_client(
        self, credential: TokenCredential, *, graph_root: str, scopes: Sequence[str]
    ) -> GraphClient:
        """A Graph client this backend closes; its first build imports msgraph and kiota
        (under _GRAPH_IMPORTS: the start-up worker may be importing them too)."""
        from tui.graph.client import build_graph_client

        with _GRAPH_IMPORTS:
            client = build_graph_client(credential, graph_root=graph_root, scopes=scopes)
        self._clients.append(client)
        return client

    def _use_client(self, client: GraphClient) -> None:
        self._client = client
        self._clients.append(client)

    # start-up work, after the first frame

    def warm_up(self) -> None:
        """Import what sign-in needs (azure.identity, msgraph's client) in this worker thread.

        About half a second of imports, done while the person reads the first step
        rather than after they press Sign in. adue parses Graph's JSON into its own
        small types, so the ~1.6 s first deserialisation of msgraph's models never
        happens at all.
        """
        with _GRAPH_IMPORTS:
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
        return view_of(
            SandboxInfo,
            sb,
            ca_path=str(sb.ca_path),
            auto_approve_seconds=(
                SANDBOX_AUTO_APPROVE_SECONDS
                if self._owns_sandbox
                else sb.device_auto_approve_seconds or 0.0
            ),
        )

    # signing in

    def settings(self) -> ConnectionSettings:
        """Connection settings from the command line over the session's [tenant] table."""
        from tui.graph.auth import ConnectionSettings

        settings = ConnectionSettings.from_args_and_session(
            self.options,
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

        settings = self.settings()
        if self._sandbox is not None and self._owns_sandbox:
            prompt = self._sandbox.approving(prompt, SANDBOX_AUTO_APPROVE_SECONDS)
        with _GRAPH_IMPORTS:  # both import what they need: never beside warm_up
            credential = build_credential(settings, prompt=prompt, cancel=cancel)
            self._credentials.append(credential.credential)
        signed_in = sign_in(credential, cancel=cancel, interactive=interactive)
        client = self._build_client(
            credential.credential, graph_root=settings.graph_root, scopes=settings.scopes
        )
        # The tenant the token is for must be the session's (TenantMismatch otherwise):
        # a sign-in to another tenant never becomes the wizard's client.
        self.target = self._call(self._confirm_target(client))
        self._use_client(client)
        self.signed_in = signed_in
        return signed_in

    async def _confirm_target(self, client: GraphClient) -> TargetTenant:
        return await self._pin(client).confirm(client)

    def _pin(self, client: GraphClient) -> TenantPin:
        from tui.graph.target import tenant_pin

        table = self.session.table("tenant")
        cloud = self.options.cloud or table.get("cloud") or "global"
        return tenant_pin(
            client, cloud=str(cloud), tenant_table=table, cli_tenant=self.options.tenant
        )

    def apply_fresh(
        self, progress: ProgressFn | None, planned: Callable[[Plan], None] | None = None
    ) -> ApplyResult:
        """What the wizard's Apply runs, in one go on the Graph loop: check the tenant,
        read it and plan afresh, hand the plan to `planned` (to show it), then apply that
        plan. Never a plan made earlier: after a failure, pressing Apply again re-reads
        everything first. Blocking; raises TenantMismatch, ApplyRefused or a GraphError."""
        from tui.rollout.apply import apply_plan
        from tui.rollout.pinned_plan import pinned_plan

        async def fresh() -> ApplyResult:
            # The tenant check rides in the plan's first $batch: passed before any use.
            pin = self._pin(self._graph)
            self.target, plan = await pinned_plan(self._graph, self.session.data, pin)
            if planned is not None:
                planned(plan)
            return await apply_plan(self._graph, self.session, plan, progress)

        return self._call(fresh())

    def destroy_preview(self) -> DestroyPlan:
        """What Review's Undo would remove (tenant checked first; an interrupted apply's
        pending writes settled as the next apply would). Blocking; never deletes."""
        from tui.rollout.destroy import make_destroy_plan, pending_apply, settle_interrupted_apply

        async def preview() -> DestroyPlan:
            self.target = await self._confirm_target(self._graph)
            if pending_apply(self.session):
                await settle_interrupted_apply(self._graph, self.session)
            return await make_destroy_plan(self._graph, self.session.data)

        return self._call(preview())

    def destroy_fresh(self, *, allow_enrolled: bool) -> DestroyResult:
        """Undo, in one go on the Graph loop: check the tenant, read afresh (never the
        preview on screen), then delete. `allow_enrolled`: the person confirmed deleting a
        profile devices are enrolled through. Blocking; raises TenantMismatch,
        DestroyRefused or a GraphError."""
        from tui.rollout.destroy import DestroyRefused, make_destroy_plan, run_destroy

        async def fresh() -> DestroyResult:
            self.target = await self._confirm_target(self._graph)
            plan = await make_destroy_plan(self._graph, self.session.data)
            if plan.needs_enrolled_confirmation and not allow_enrolled:
                raise DestroyRefused(
                    "devices are now enrolled through the enrollment profile: press Undo "
                    "again to see how many and confirm"
                )
            return await run_destroy(self._graph, self.session, plan)

        return self._call(fresh())

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

    # reading the tenant (each blocks; the screens call them from thread workers)

    def organization(self) -> Organization:
        from tui.graph.operations import get_organization

        return self._call(get_organization(self._graph))

    def search_groups(self, text: str, *, top: int, group: str | None = None) -> GroupPage:
        """The first page of groups matching `text`; a later call of the same `group`
        (a picker's search) cancels this one's request."""
        from tui.graph.operations import search_groups

        return self._call(search_groups(self._graph, text, top=top), group)

    def next_group_page(self, page: GroupPage, *, group: str | None = None) -> GroupPage:
        from tui.graph.operations import next_group_page

        return self._call(next_group_page(self._graph, page), group)

    def known_group_kind(self, group: Group) -> GroupKind | None:
        """Users or devices without a request: remembered this run, or read from a
        dynamic group's rule. Every picker shares these answers."""
        from tui.graph.operations import kind_from_rule

        if group.id in self._kinds:
            return self._kinds[group.id]
        if group.membership_rule:
            from_rule = kind_from_rule(group.membership_rule)
            if from_rule is not None:
                self._kinds[group.id] = from_rule
                return from_rule
        return None

    def remembered_group_kind(self, group_id: str) -> GroupKind | None:
        return self._kinds.get(group_id)

    def group_kinds(self, groups: Sequence[Group]) -> list[GroupKind | BaseException]:
        """Whether each group holds users or devices (an assigned group costs a `$batch`),
        in order; a failed answer is its exception. Answers are remembered."""
        from tui.graph.operations import get_group_kind

        client = self._graph

        async def look_up() -> list[GroupKind | BaseException]:
            return await asyncio.gather(
                *(get_group_kind(client, g) for g in groups), return_exceptions=True
            )

        answers = self._call(look_up())
        for group, answer in zip(groups, answers, strict=True):
            if not isinstance(answer, BaseException):
                self._kinds[group.id] = answer
        return answers

    def read_profiles(self) -> ProfilesInTenant:
        """The tenant's iOS enrollment profiles with their groups (the Priority step)."""
        from tui.rollout.priority_read import read_profiles

        return self._call(read_profiles(self._graph))

    def user_groups(self, user: str) -> tuple[Group, ...]:
        """The groups `user` (UPN or id) is in, transitively."""
        from tui.graph.operations import list_user_groups

        return self._call(list_user_groups(self._graph, user))

    def run_checks(self, targets: CheckTargets) -> CheckReport:
        """The prerequisite checks for whom the session targets so far."""
        from tui.graph.checks import run_checks

        return self._call(run_checks(self._graph, targets=targets))

    def authenticator_state(self) -> AuthenticatorFinding:
        """The tenant's Microsoft Authenticator VPP apps and tokens, assessed."""
        from tui.graph.operations import find_authenticator_apps, list_vpp_tokens

        client = self._graph

        async def read() -> tuple[AuthenticatorApps, tuple[VppToken, ...]]:
            apps, tokens = await asyncio.gather(
                find_authenticator_apps(client), list_vpp_tokens(client)
            )
            return apps, tokens

        return assess_authenticator(*self._call(read()))

    def check_discovery(self, domain: str, *, tenant_id: str | None, cloud: str) -> DiscoveryReport:
        """Fetch `domain`'s service-discovery file as an iPhone would. In sandbox mode the
        sandbox's HTTPS listener serves it, trusted through the sandbox's own CA."""
        from urllib.parse import urlsplit

        from tui.discovery.check import check_domain

        verify: str | bool = True
        connect_to: tuple[str, int] | None = None
        sandbox = self._sandbox
        if sandbox is not None:
            parts = urlsplit(sandbox.https_url)
            connect_to = (parts.hostname or "127.0.0.1", parts.port or 443)
            verify = str(sandbox.ca_path)
        return self._call(
            check_domain(
                domain, tenant_id=tenant_id, cloud=cloud, verify=verify, connect_to=connect_to
            )
        )

    def plan(self) -> Plan:
        """Compare the session with the tenant (never writes)."""
        from tui.rollout.plan import make_plan

        return self._call(make_plan(self._graph, self.session.data))

    def read_progress(
        self, targets: CheckTargets, *, mode: str, profile_name: str
    ) -> ProgressReport:
        """Who of the rollout's users has enrolled so far."""
        from tui.progress.read import read_progress

        return self._call(read_progress(self._graph, targets, mode=mode, profile_name=profile_name))

    def export_guide(self, settings: GuideSettings, folder: Path) -> list[Path]:
        """Write the employee guide's files into `folder` (no Graph: file IO, off the UI)."""
        from tui.guide import export_all

        return list(export_all(settings, folder))

    def save_discovery_file(self, path: Path, tenant_id: str, cloud: str) -> None:
        """Write the well-known file at `path` (no Graph: one small file, published: 0644)."""
        from tui.discovery.save import save

        save(path, tenant_id, cloud)

    def on_retry(self, listener: Callable[[RetryNotice], None]) -> Callable[[], None]:
        """Be told of each throttled/unavailable answer the SDK retries; returns an undo."""
        return self._graph.add_retry_listener(listener)

    def close(self) -> None:
        """Cancel Graph work in flight (its waiting workers then return), close the Graph
        clients (their httpx connections) and the credentials this backend built, on the
        Graph loop, then stop the loop."""
        self._closed = True
        with self._start_lock:
            pending = list(self._pending)
        for future in pending:
            future.cancel()
        if self._loop is not None:
            self._close_clients(self._loop)
        if self._sandbox is not None and self._owns_sandbox:
            self._sandbox.stop()
            self._sandbox = None
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._loop = None

    def _close_clients(self, loop: asyncio.AbstractEventLoop) -> None:
        clients, self._clients = self._clients, []
        credentials, self._credentials = self._credentials, []

        async def close_all() -> None:
            # Let cancelled calls finish cancelling before the loop stops: a task left
            # pending is reported at exit ("Task was destroyed but it is pending!").
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            if others:
                await asyncio.wait(others, timeout=2)
            for client in clients:
                with contextlib.suppress(Exception):  # closing what is half broken: no error
                    await client.aclose()
            for credential in credentials:
                close = getattr(credential, "close", None)
                if callable(close):
                    with contextlib.suppress(Exception):
                        close()

        future = asyncio.run_coroutine_threadsafe(close_all(), loop)
        with contextlib.suppress(Exception):
            future.result(timeout=5)


def sandbox_state_path(session_path: Path) -> Path:
    """Where `adue --sandbox` keeps its tenant between runs: beside the session file."""
    return session_path.with_name(session_path.stem + ".sandbox-state.json")
