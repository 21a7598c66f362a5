"""Start and stop a sandbox in-process: two uvicorn listeners on loopback, one thread.

    with start_sandbox(seed="demo") as sb:
        sb.graph_url   # http://127.0.0.1:<port>   (Graph root: /v1.0/... and /beta/...)
        sb.token       # full-scope token for admin@contoso.com
        sb.https_url   # https://127.0.0.1:<port2> (identity endpoints, discovery host)
        sb.admin_token # the bearer token every /sandbox/* control route requires

Both secrets are random per run: `admin_token` guards the control routes (another
user on this machine can reach a loopback port, so reaching it must not be enough),
and `token_secret` signs every access token the sandbox issues; the Graph routes
accept no other. Only the in-process caller learns them, and `adue sandbox` writes
the admin token to a 0600 file (see `write_admin_token`).

Both servers run on their own event loop in a background thread, so tests, benchmarks
and `adue --sandbox` can talk to them over real HTTP from any thread or loop.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from tui.files import write_private
from tui.sandbox.device_flows import IdentityState, approve_user_code
from tui.sandbox.faults import FaultPlan
from tui.sandbox.recording import RequestRecord
from tui.sandbox.seeds import build_seed
from tui.sandbox.state_file import load_state, save_fleet_texts, save_state, tenant_json
from tui.sandbox.tenant import Tenant
from tui.sandbox.tls import make_tls_files
from tui.sandbox.tokens import ALL_SCOPES, mint_app_token, mint_token, new_secret

if TYPE_CHECKING:
    import uvicorn

    from tui.sandbox.fleet import FleetAccess, FleetTenantInfo

log = logging.getLogger("adue.sandbox")

HOST = "127.0.0.1"
STATE_SAVE_DELAY = 0.2  # seconds: several quick writes make one save of the state file


class SandboxStartError(RuntimeError):
    pass


def _listen(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only disables Nagle's algorithm on accepted
    # sockets whose listening socket says TCP, and with Nagle each answer on a reused
    # connection waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise SandboxStartError(
            f"cannot listen on {host}:{port} ({error.strerror}); choose another port "
            "or 0 for a free one"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


class RunningSandbox:
    """A sandbox tenant being served. Attributes are the contract other code relies on."""

    def __init__(
        self,
        tenant: Tenant,
        faults: FaultPlan,
        *,
        state_file: Path | None,
        discovery_variant: str,
        device_auto_approve_seconds: float | None,
    ) -> None:
        self.state: Tenant = tenant
        self.faults: FaultPlan = faults
        self.state_file = state_file
        self.discovery_variant = discovery_variant
        self.device_auto_approve_seconds = device_auto_approve_seconds
        # Added to every identity-platform answer (the Graph latency is the fault plan's):
        # login.microsoftonline.com is as far away as Graph, so a bench that adds latency
        # to Graph alone gets its tokens kinder than Entra ID hands them out.
        self.identity_latency_ms = 0.0
        # Whether its answers keep the connection open, as Entra ID's do (else each
        # closes it: a client's idle connection would hold up stop() for 2 s).
        self.identity_keep_alive = False
        self.lock = threading.RLock()  # held while a request reads or changes the tenant
        self.requests: list[RequestRecord] = []
        self.graph_url = ""
        self.https_url = ""
        self.ca_path = Path()
        self.tls_dir = Path()
        self.token = ""
        self.token_secret: bytes = new_secret()
        self.admin_token: str = secrets.token_urlsafe(32)
        self.admin_token_file: Path | None = None
        self.identity = IdentityState()  # pending device-code sign-ins
        self._callbacks: list[Callable[[RequestRecord], None]] = []
        self._records_lock = threading.Lock()
        self._seq = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None
        self._save_pending = False
        self._stopped = False
        # Every tenant this sandbox serves, by id: Graph answers for the tenant of the
        # token's `tid`. One for `start_sandbox`; a fleet sandbox (tui/sandbox/fleet.py)
        # adds its customer tenants, who they are, and what its identity emulator grants.
        self.tenants: dict[str, Tenant] = {tenant.tenant_id: tenant}
        self.tenant_faults: dict[str, FaultPlan] = {}  # per tenant id, over `faults`
        self.fleet: list[FleetTenantInfo] = []
        self.fleet_access: FleetAccess | None = None
        self.partner_tenant_id = ""
        self.fleet_client_id = ""
        self.fleet_client_secret = ""
        self.fleet_certificate_pem = ""  # the app's certificate and key (app-certificate)
        self._changed: set[str] = set()  # tenants written since the last state save
        self._state_texts: dict[str, str] = {}  # each tenant's JSON at the last save
        self._identify()

    # ---- who the tenant is -------------------------------------------------------------

    def _identify(self) -> None:
        tenant = self.state
        self.tenant_id: str = tenant.tenant_id
        self.sign_in_domain: str = tenant.sign_in_domain
        self.admin_upn: str = f"admin@{self.sign_in_domain}"
        self.organization: str = str(tenant.organization.get("displayName", ""))

    @property
    def seed(self) -> str:
        return self.state.seed

    def tenant_for(self, tenant_id: str) -> Tenant:
        """The served tenant with this id; KeyError naming the served ones otherwise."""
        try:
            return self.tenants[tenant_id]
        except KeyError:
            raise KeyError(
                f"this sandbox serves no tenant {tenant_id!r} (it serves {len(self.tenants)})"
            ) from None

    def faults_for(self, tenant_id: str) -> FaultPlan:
        """The fault plan for requests with a token for `tenant_id`."""
        return self.tenant_faults.get(tenant_id, self.faults)

    def mint_token(
        self,
        upn: str | None = None,
        scopes: Sequence[str] = ALL_SCOPES,
        expires_in: int = 3600,
        *,
        tenant_id: str | None = None,
    ) -> str:
        """A token for `upn` (default the admin) with exactly `scopes`, for `tenant_id`
        (default the sandbox's own tenant; a fleet sandbox's partner tenant)."""
        tenant = self.tenant_for(tenant_id) if tenant_id else self.state
        upn = upn or (self.admin_upn if tenant is self.state else f"admin@{tenant.sign_in_domain}")
        user = tenant.find_user(upn)
        return mint_token(
            secret=self.token_secret,
            tenant_id=tenant.tenant_id,
            upn=upn,
            scopes=scopes,
            expires_in=expires_in,
            name=str(user["displayName"]) if user else "",
            oid=str(user["id"]) if user else None,
        )

    def mint_app_token(
        self, *, tenant_id: str, roles: Sequence[str], expires_in: int = 3600
    ) -> str:
        """An app-only token of the fleet's multi-tenant app in `tenant_id` with `roles`."""
        tenant = self.tenant_for(tenant_id)
        return mint_app_token(
            secret=self.token_secret,
            tenant_id=tenant.tenant_id,
            app_id=self.fleet_client_id,
            app_name=self.fleet_access.app_name if self.fleet_access else "adue sandbox",
            roles=roles,
            expires_in=expires_in,
        )

    # ---- observability ---------------------------------------------------------------

    def on_request(self, callback: Callable[[RequestRecord], None]) -> Callable[[], None]:
        """Call `callback(record)` in the server thread after each handled request (and each
        `$batch` sub-request, `record.in_batch`), before the answer is sent. Returns a
        function that removes the callback."""
        self._callbacks.append(callback)

        def remove() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return remove

    def clear_requests(self) -> None:
        with self._records_lock:
            self.requests.clear()

    def writes(self) -> list[RequestRecord]:
        """Requests that may have changed the tenant, including those inside `$batch`."""
        with self._records_lock:
            return [r for r in self.requests if r.is_write]

    def top_level_requests(self) -> list[RequestRecord]:
        """HTTP round trips as the client made them (a `$batch` counts once)."""
        with self._records_lock:
            return [r for r in self.requests if not r.in_batch]

    def _next_seq(self) -> int:
        with self._records_lock:
            self._seq += 1
            return self._seq

    def _record(self, record: RequestRecord) -> None:
        with self._records_lock:
            self.requests.append(record)
        for callback in list(self._callbacks):
            try:
                callback(record)
            except Exception:
                log.exception("sandbox on_request callback failed")

    def info(self) -> dict[str, Any]:
        return {
            "graph_url": self.graph_url,
            "https_url": self.https_url,
            "ca_path": str(self.ca_path),
            "tenant_id": self.tenant_id,
            "sign_in_domain": self.sign_in_domain,
            "admin_upn": self.admin_upn,
            "organization": self.organization,
            "seed": self.seed,
            "faults": self.faults.describe(),
            "discovery_variant": self.discovery_variant,
            "state_file": str(self.state_file) if self.state_file else None,
        }

    def approve_device_code(self, user_code: str) -> bool:
        """Approve a pending device-code sign-in from this process (no admin token needed:
        the caller already holds the sandbox)."""
        return approve_user_code(self.identity, user_code)

    def approving(self, prompt: Callable[[Any], None], after: float) -> Callable[[Any], None]:
        """`prompt` (called with a device-code prompt that has `user_code`), then approve
        exactly that code `after` seconds later, in-process, as the admin would. For the
        sandboxes adue starts for itself (`adue --sandbox`, `adue --sandbox check`): they
        approve nothing over HTTP by themselves, so a sign-in another local user starts on
        their loopback port stays pending."""

        def show(code: Any) -> None:
            prompt(code)
            timer = threading.Timer(after, self.approve_device_code, [code.user_code])
            timer.daemon = True
            timer.start()

        return show

    def write_admin_token(self, path: Path) -> None:
        """Write the admin token to `path` (mode 0600, atomic) for a tool in another process;
        removed again when the sandbox stops."""
        write_private(path, self.admin_token + "\n")
        self.admin_token_file = path

    # ---- state file ----------------------------------------------------------------------

    def _tenant_changed(self, tenant_id: str = "") -> None:
        """Called (tenant lock held, server thread) after a successful write."""
        self._changed.add(tenant_id or self.tenant_id)
        if self.state_file is None or self._save_pending or self._loop is None:
            return
        self._save_pending = True
        self._loop.call_later(STATE_SAVE_DELAY, self.save_state)

    def save_state(self) -> None:
        if self.state_file is None:
            return
        with self.lock:
            self._save_pending = False
            if self.fleet:
                # Only the tenants written since the last save are serialised again: 100
                # tenants are 5 MB of JSON, and the save runs on the server's loop.
                for tenant_id, tenant in self.tenants.items():
                    if tenant_id in self._changed or tenant_id not in self._state_texts:
                        self._state_texts[tenant_id] = tenant_json(tenant)
                self._changed.clear()
                save_fleet_texts(self.state_file, [self._state_texts[t] for t in self.tenants])
            else:
                save_state(self.state_file, self.state)

    # ---- lifecycle -------------------------------------------------------------------------

    def _serve(self, sockets: list[socket.socket], ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve_all(sockets, ready))
        finally:
            loop.close()

    async def _serve_all(self, sockets: list[socket.socket], ready: threading.Event) -> None:
        tasks = [
            asyncio.create_task(server.serve(sockets=[sock]))
            for server, sock in zip(self._servers, sockets, strict=True)
        ]
        while not all(server.started for server in self._servers):
            if any(task.done() for task in tasks):
                break
            await asyncio.sleep(0.001)
        ready.set()
        await asyncio.gather(*tasks, return_exceptions=True)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.state_file is not None:
            self._state_texts.clear()  # all of it: a caller may have changed a tenant in-process
            self.save_state()
        shutil.rmtree(self.tls_dir, ignore_errors=True)
        if self.admin_token_file is not None:
            self.admin_token_file.unlink(missing_ok=True)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        _exc_type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()


def _fault_plan(
    faults: FaultPlan | Iterable[str] | None,
    latency_ms: float,
    fault_seed: int,
    expire_token_after: int | None,
    retry_after: int,
) -> FaultPlan:
    if isinstance(faults, FaultPlan):
        plan = faults
        if latency_ms:
            plan.latency_ms = latency_ms
        if expire_token_after is not None:
            plan.expire_token_after = expire_token_after
        return plan
    return FaultPlan.parse(
        faults or (),
        latency_ms=latency_ms,
        seed=fault_seed,
        retry_after=retry_after,
        expire_token_after=expire_token_after,
    )


def _https_routes(sb: RunningSandbox) -> list[Any]:
    from tui.sandbox import discovery_host

    routes: list[Any] = []
    try:
        from tui.sandbox import identity
    except ModuleNotFoundError as error:
        if error.name != "tui.sandbox.identity":
            raise
    else:
        routes.extend(identity.routes(sb))
    routes.extend(discovery_host.routes(sb))
    return routes


def start_sandbox(
    seed: str = "demo",
    *,
    port: int = 0,
    https_port: int = 0,
    latency_ms: float = 0,
    faults: FaultPlan | Iterable[str] | None = None,
    state_file: str | Path | None = None,
    discovery_variant: str = "ok",
    device_auto_approve_seconds: float | None = None,
    fault_seed: int = 0,
    expire_token_after: int | None = None,
    retry_after: int = 1,
    host: str = HOST,
    priority_mode: str | None = None,
    new_profile_lands: str | None = None,
    directory: str = "contoso",
) -> RunningSandbox:
    """Serve a sandbox tenant; returns once both listeners accept connections.

    `faults`: a FaultPlan or fault specs like "429:0.3", "503:0.1@/beta/deviceManagement",
    "drop:0.05", "latency:200@/v1.0/groups". `state_file`: a JSON file the tenant is loaded
    from (when it exists) and saved to after each change. Raises ValueError for a bad
    seed or fault spec, SandboxStartError when a port is taken. `priority_mode` ("insert"
    or "swap") and `new_profile_lands` ("last" or "first") choose how setPriority and a
    new enrollment profile behave (Graph documents neither).
    `directory="fabrikam"` serves the demo seed as a second, unrelated tenant
    (seeds.DIRECTORIES).
    """
    plan = _fault_plan(faults, latency_ms, fault_seed, expire_token_after, retry_after)
    state_path = Path(state_file) if state_file is not None else None
    if state_path is not None and state_path.exists():
        tenant = load_state(state_path)
    else:
        tenant = build_seed(seed, directory=directory)
    if priority_mode is not None:
        if priority_mode not in ("insert", "swap"):
            raise ValueError(f"priority_mode {priority_mode!r}: choose insert or swap")
        tenant.priority_mode = priority_mode
    if new_profile_lands is not None:
        if new_profile_lands not in ("last", "first"):
            raise ValueError(f"new_profile_lands {new_profile_lands!r}: choose last or first")
        tenant.new_profile_lands = new_profile_lands
    tenant.group_index  # noqa: B018 - build the search index now, not on the first search
    sb = RunningSandbox(
        tenant,
        plan,
        state_file=state_path,
        discovery_variant=discovery_variant,
        device_auto_approve_seconds=device_auto_approve_seconds,
    )
    if state_path is not None and not state_path.exists():
        sb.save_state()
    domains = tuple(str(d["name"]) for d in tenant.organization.get("verifiedDomains", []))
    return launch(sb, host=host, port=port, https_port=https_port, hostnames=domains)


def launch(
    sb: RunningSandbox, *, host: str, port: int, https_port: int, hostnames: Sequence[str]
) -> RunningSandbox:
    """Listen and serve `sb` (its tenants already built); returns once both listeners
    accept connections. `hostnames`: the discovery host's certificate names."""
    import uvicorn
    from starlette.applications import Starlette

    from tui.sandbox import routes_devices, routes_directory, routes_intune
    from tui.sandbox.graph_app import GraphApp
    from tui.sandbox.routing import Router

    graph_sock = _listen(host, port)
    try:
        https_sock = _listen(host, https_port)
    except SandboxStartError:
        graph_sock.close()
        raise
    sb.graph_url = f"http://{host}:{graph_sock.getsockname()[1]}"
    sb.https_url = f"https://{host}:{https_sock.getsockname()[1]}"
    sb.tls_dir = Path(tempfile.mkdtemp(prefix="adue-sandbox-tls-"))
    tls = make_tls_files(sb.tls_dir, hostnames=tuple(hostnames))
    sb.ca_path = tls.ca_path
    sb.token = sb.mint_token()

    router = Router(routes_directory.routes() + routes_intune.routes() + routes_devices.routes())
    https_app = Starlette(routes=_https_routes(sb))
    common: dict[str, Any] = {
        "log_level": "warning",
        "access_log": False,
        "lifespan": "off",
        "http": "h11",
        "ws": "none",
        "loop": "asyncio",
        "timeout_graceful_shutdown": 2,
        "server_header": False,
    }
    sb._servers = [
        uvicorn.Server(uvicorn.Config(GraphApp(sb, router), **common)),
        uvicorn.Server(
            uvicorn.Config(
                https_app,
                ssl_certfile=str(tls.cert_path),
                ssl_keyfile=str(tls.key_path),
                **common,
            )
        ),
    ]
    ready = threading.Event()
    sb._thread = threading.Thread(
        target=sb._serve, args=([graph_sock, https_sock], ready), name="adue-sandbox", daemon=True
    )
    started = time.monotonic()
    sb._thread.start()
    ready.wait(timeout=30)
    if not all(server.started for server in sb._servers):
        sb.stop()
        raise SandboxStartError(
            f"the sandbox did not start within {time.monotonic() - started:.1f} s"
        )
    return sb
