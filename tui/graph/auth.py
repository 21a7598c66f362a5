"""Sign-in through azure-identity: settings, credentials, the token cache and resume.

Everything here blocks (network, device-code polling): callers run it in a
thread. Nothing is ever printed: the device code goes to a caller-supplied
function (the TUI shows a modal with a countdown and a QR code), and a client
secret comes from the environment or a caller-supplied masked prompt, never
stored. azure.identity is imported inside functions only.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.choices import AuthMethod
from tui.graph.clouds import (
    Cloud,
    custom_root_notice,
    get_cloud,
    normalize_graph_root,
    resolve_graph_root,
    session_graph_root,
)

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken, TokenCredential

    # Made only once signing in starts: the sign-in form's first frame reads this
    # module's settings and needs neither these nor tui.graph.jwt.
    from tui.graph.sign_in_models import DeviceCodePrompt, SignedIn, TokenCacheChoice

# "Microsoft Graph Command Line Tools", a public client admin tools use (graph.md).
DEFAULT_CLIENT_ID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
TOKEN_ENV = "ADUE_ACCESS_TOKEN"
SECRET_ENV = "AZURE_CLIENT_SECRET"
CERT_PASSWORD_ENV = "AZURE_CLIENT_CERTIFICATE_PASSWORD"
CACHE_NAME = "adue"
# Tenants that are not one directory: fine for delegated sign-in, not for app-only.
MULTI_TENANT = frozenset({"", "organizations", "common"})


class SettingsError(ValueError):
    """Bad connection settings; the message names the option and the fix."""


PromptFn = Callable[["DeviceCodePrompt"], None]
SecretPromptFn = Callable[[str], str]


@dataclass(frozen=True)
class ConnectionSettings:
    """Where and how to sign in, from CLI options over the session's [tenant] table."""

    cloud: Cloud
    tenant: str  # directory id or verified domain; "organizations" when unknown
    client_id: str
    graph_root: str  # the cloud's, or a custom root (--graph-url)
    auth: AuthMethod
    certificate_path: str = ""
    allow_plaintext_token_cache: bool = False
    # [sign_in] token_cache, the wizard's choice: "keyring", "file" (the keyring, else a
    # 0600 file, as --allow-plaintext-token-cache) or "memory" (never kept).
    token_cache: str = "keyring"
    # The login authority: the cloud's, or a sandbox's https identity emulator.
    authority: str = ""
    # CA bundle for the authority (a sandbox's throw-away CA); None = system trust.
    connection_verify: str | None = None
    account: str = ""  # last signed-in UPN (a hint only)

    @property
    def scopes(self) -> list[str]:
        return [self.cloud.scope]

    @property
    def authority_url(self) -> str:
        return self.authority or self.cloud.authority_url

    @property
    def graph_root_notice(self) -> str:
        """Shown before sign-in when the token goes to a root that is not a cloud's."""
        return custom_root_notice(self.graph_root)

    @property
    def is_custom_authority(self) -> bool:
        return bool(self.authority) and self.authority != self.cloud.authority_url

    @classmethod
    def from_args_and_session(
        cls,
        args: object,
        tenant_table: Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        where: Callable[[str], str] | None = None,
    ) -> ConnectionSettings:
        """Command-line options win over the session's [tenant] values.

        `args`: an argparse.Namespace or the wizard's WizardOptions (tui.backend), read by
        attribute name (cloud, tenant, client_id, graph_url, auth, certificate_path).

        `where(key)` names a [tenant] key with its line in the session file, for
        messages (Session.where).

        The auth method: --auth, else `token` when $ADUE_ACCESS_TOKEN is set (a
        pipeline's explicit per-run choice), else the session's, else device code.
        """
        env = os.environ if environ is None else environ
        table = dict(tenant_table or {})

        def pick(arg: str, key: str) -> str:
            value = getattr(args, arg, None)
            if value is None or value == "":
                value = table.get(key, "")
            if not isinstance(value, str):
                raise SettingsError(f"[tenant] {key} in the session must be a string")
            return value.strip()

        try:
            cloud = get_cloud(pick("cloud", "cloud") or None)
        except ValueError as exc:
            raise SettingsError(f"--cloud / [tenant] cloud: {exc}") from None
        graph_root = _graph_root(cloud, args, table, where)

        auth_text = getattr(args, "auth", None) or ""
        if not auth_text and env.get(TOKEN_ENV):
            auth_text = AuthMethod.TOKEN.value
        if not auth_text:
            stored = table.get("auth", "")
            auth_text = stored if isinstance(stored, str) else ""
        try:
            auth = AuthMethod(auth_text.strip() or AuthMethod.DEVICE_CODE.value)
        except ValueError:
            choices = ", ".join(m.value for m in AuthMethod)
            raise SettingsError(
                f"--auth / [tenant] auth: unknown sign-in method {auth_text!r}; choose one of "
                f"{choices}"
            ) from None

        from tui.validators import tenant_value_problem

        tenant = pick("tenant", "tenant_id")
        problem = tenant_value_problem(tenant)
        if problem:
            if getattr(args, "tenant", None):
                named = "--tenant"
            else:
                named = where("tenant_id") if where else "[tenant] tenant_id"
            raise SettingsError(f"{named}: {problem}")
        settings = cls(
            cloud=cloud,
            tenant=tenant or "organizations",
            client_id=pick("client_id", "client_id") or DEFAULT_CLIENT_ID,
            graph_root=graph_root,
            auth=auth,
            certificate_path=pick("certificate_path", "certificate_path"),
            allow_plaintext_token_cache=bool(getattr(args, "allow_plaintext_token_cache", False)),
            account=str(table.get("account") or ""),
        )
        settings.validate(env)
        return settings

    def validate(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        if self.auth in (AuthMethod.SECRET, AuthMethod.CERTIFICATE):
            if self.tenant.lower() in MULTI_TENANT:
                raise SettingsError(
                    f"--auth {self.auth.value} signs in as an app and needs one directory: "
                    "give --tenant <tenant id or verified domain> (or [tenant] tenant_id)"
                )
            if self.client_id == DEFAULT_CLIENT_ID:
                raise SettingsError(
                    f"--auth {self.auth.value} needs your own app registration: give --client-id"
                    " (the default Graph Command Line Tools app has no secret or certificate)"
                )
        if self.auth is AuthMethod.CERTIFICATE:
            if not self.certificate_path:
                raise SettingsError(
                    "--auth certificate needs --certificate-path PEM "
                    "(or [tenant] certificate_path in the session)"
                )
            if not Path(self.certificate_path).expanduser().is_file():
                raise SettingsError(
                    f"--certificate-path {self.certificate_path!r} is not a readable file: "
                    "give the PEM holding the certificate and its private key"
                )
        if self.auth is AuthMethod.TOKEN and not env.get(TOKEN_ENV):
            raise SettingsError(
                f"--auth token needs the bearer token in ${TOKEN_ENV} (it is never stored)"
            )

    def with_sandbox(
        self, *, https_url: str, ca_path: str | os.PathLike[str], graph_url: str, tenant_id: str
    ) -> ConnectionSettings:
        """The same settings aimed at a sandbox: its Graph root and identity emulator."""
        return replace(
            self,
            graph_root=resolve_graph_root(self.cloud, graph_url),
            authority=https_url.rstrip("/"),
            connection_verify=str(ca_path),
            tenant=tenant_id,
        )

    def to_tenant_table(self) -> dict[str, str]:
        """The [tenant] keys these settings own (docs/session-format.md); no secrets."""
        return {
            "cloud": self.cloud.name,
            "tenant_id": "" if self.tenant == "organizations" else self.tenant,
            "graph_url": "" if self.graph_root == self.cloud.graph_root else self.graph_root,
            "client_id": "" if self.client_id == DEFAULT_CLIENT_ID else self.client_id,
            "auth": self.auth.value,
            "certificate_path": self.certificate_path,
        }


def _graph_root(
    cloud: Cloud,
    args: object,
    table: Mapping[str, Any],
    where: Callable[[str], str] | None,
) -> str:
    """--graph-url / $ADUE_GRAPH_URL as given; a session's [tenant] graph_url only when it
    is a cloud's own root or loopback (a session file may come from anyone)."""
    explicit = str(getattr(args, "graph_url", None) or "")
    if explicit.strip():
        try:
            return normalize_graph_root(explicit)
        except ValueError as exc:
            raise SettingsError(str(exc)) from None
    stored = table.get("graph_url", "")
    name = where("graph_url") if where else "[tenant] graph_url"
    if not isinstance(stored, str):
        raise SettingsError(f"{name} in the session must be a string")
    if not stored.strip():
        return cloud.graph_root
    try:
        return session_graph_root(stored, where=name)
    except ValueError as exc:
        message = str(exc)
        if not message.startswith(name):  # not a URL at all: say where it came from
            message = f"{name}: {message.replace('--graph-url ', '', 1)}"
        raise SettingsError(message) from None


# -- the token cache and the authentication record ---------------------------------------
def keyring_problem() -> str:
    """Why the OS keyring cannot encrypt the token cache here ("" = it can)."""
    if not sys.platform.startswith("linux"):
        return ""  # Keychain (macOS) and DPAPI (Windows) are always there
    try:
        import msal_extensions

        with tempfile.TemporaryDirectory(prefix="adue-keyring-probe-") as folder:
            msal_extensions.LibsecretPersistence(
                os.path.join(folder, "probe"),
                "adue-keyring-probe",
                {"MsalClientID": "adue-keyring-probe"},
                label="adue keyring probe",
            )
    except Exception as exc:
        detail = (str(exc) or type(exc).__name__).strip().splitlines()[0]
        return (
            "no usable keyring (libsecret) for encrypting the token cache, e.g. in an SSH"
            f" session: {detail}"
        )
    return ""


def choose_token_cache(allow_plaintext: bool, *, keep: bool = True) -> TokenCacheChoice:
    """Where the token cache goes: the OS keyring; without one, a 0600 file when
    `allow_plaintext`, else memory only. keep=False: memory only, keyring or not."""
    from tui.graph.sign_in_models import TokenCacheChoice

    if not keep:
        return TokenCacheChoice(
            False, False, "tokens are kept in memory only, as asked: the next run signs in again"
        )
    problem = keyring_problem()
    if not problem:
        return TokenCacheChoice(True, False, "tokens are kept in the OS keyring")
    if allow_plaintext:
        return TokenCacheChoice(
            True,
            True,
            f"{problem}. As asked (--allow-plaintext-token-cache), tokens are kept UNENCRYPTED"
            " in a 0600 file under ~/.IdentityService/",
            problem,
        )
    return TokenCacheChoice(
        False,
        False,
        f"{problem}. Tokens are kept in memory only, so the next run signs in again;"
        " --allow-plaintext-token-cache keeps them in a 0600 file instead",
        problem,
    )


def state_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir("adue", appauthor=False))


def record_path(settings: ConnectionSettings) -> Path:
    """Where this authority/tenant/client's AuthenticationRecord lives."""
    key = "|".join(
        (settings.authority_url.lower(), settings.tenant.lower(), settings.client_id.lower())
    )
    import hashlib  # here: the sign-in form's first frame reads this module's settings

    digest = hashlib.sha256(key.encode()).hexdigest()[:20]
    return state_dir() / "accounts" / f"{digest}.json"


def load_record_text(settings: ConnectionSettings) -> str:
    path = record_path(settings)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


def forget_account(settings: ConnectionSettings) -> None:
    """Sign out locally: drop the stored AuthenticationRecord (the cache entry expires)."""
    record_path(settings).unlink(missing_ok=True)


# -- credentials -----------------------------------------------------------------------------
class StaticTokenCredential:
    """A TokenCredential for a bearer token handed in ($ADUE_ACCESS_TOKEN): pipelines, tests."""

    def __init__(self, token: str) -> None:
        if not token.strip():
            raise SettingsError(f"${TOKEN_ENV} is empty: put a bearer token in it")
        self._token = token.strip()
        from tui.graph import jwt

        self._expires_on = jwt.expiry(self._token) or int(time.time()) + 3600

    def get_token(self, *_scopes: str, **_kwargs: Any) -> AccessToken:
        from azure.core.credentials import AccessToken
        from azure.core.exceptions import ClientAuthenticationError

        if self._expires_on <= int(time.time()):
            raise ClientAuthenticationError(
                message=f"the token in ${TOKEN_ENV} has expired; put a fresh one there"
            )
        return AccessToken(self._token, self._expires_on)

    def close(self) -> None:
        return None


def browser_problem(environ: Mapping[str, str] | None = None) -> str:
    """Why a local browser cannot be used for sign-in ("" = it can)."""
    env = os.environ if environ is None else environ
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return "this is an SSH session: the browser would open on the remote machine"
    if sys.platform.startswith("linux") and not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return "no graphical display (DISPLAY/WAYLAND_DISPLAY unset)"
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return "no web browser found"
    return ""


@dataclass
class Credential:
    """A credential plus what the person should know about it."""

    credential: TokenCredential
    settings: ConnectionSettings
    cache: TokenCacheChoice | None = None  # interactive methods only


def _identity_kwargs(settings: ConnectionSettings, transport: Any = None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"authority": settings.authority_url}
    if settings.is_custom_authority:
        # A sandbox's identity emulator: no instance discovery against Microsoft.
        kwargs["disable_instance_discovery"] = True
    if transport is not None:
        # Its maker gave it the CA bundle (connection_verify is a transport's option).
        kwargs["transport"] = transport
    elif settings.connection_verify:
        kwargs["connection_verify"] = settings.connection_verify
    return kwargs


def build_credential(
    settings: ConnectionSettings,
    *,
    prompt: PromptFn | None = None,
    cancel: threading.Event | None = None,
    ask_secret: SecretPromptFn | None = None,
    environ: Mapping[str, str] | None = None,
    allowed_tenants: Sequence[str] = (),
    transport: Any = None,
) -> Credential:
    """The azure-identity credential for `settings.auth`.

    prompt: receives the device code (required for device-code sign-in).
    cancel: set it to stop a device-code or browser sign-in; the waiting call
            then raises SignInCancelled at its next poll.
    ask_secret: a masked prompt, used when $AZURE_CLIENT_SECRET is not set.
    allowed_tenants: interactive sign-ins only: other tenants the same sign-in may get
            tokens for (`get_token(..., tenant_id=...)`; "*" any), as a fleet's GDAP does.
    transport: an azure-core transport the credential sends through instead of one of its
            own (tui.graph.identity_transport, shared by a fleet's credentials), made with
            `settings.connection_verify`.
    """
    env = os.environ if environ is None else environ
    auth = settings.auth
    if auth is AuthMethod.TOKEN:
        # A bearer token handed in needs nothing of azure.identity (0.15-0.20 s to import):
        # `adue plan` in a pipeline starts that much sooner (bench/headless_plan.py).
        return Credential(StaticTokenCredential(env.get(TOKEN_ENV, "")), settings)
    import azure.identity as identity

    quiet_identity_logging()
    if auth is AuthMethod.AZURE_CLI:
        tenant = "" if settings.tenant.lower() in MULTI_TENANT else settings.tenant
        return Credential(identity.AzureCliCredential(tenant_id=tenant), settings)
    if auth is AuthMethod.SECRET:
        secret = env.get(SECRET_ENV, "")
        if not secret and ask_secret is not None:
            secret = ask_secret(f"Client secret of app {settings.client_id}: ")
        if not secret:
            raise SettingsError(
                f"--auth secret needs the client secret in ${SECRET_ENV} or typed at the prompt"
                " (it is never stored)"
            )
        return Credential(
            identity.ClientSecretCredential(
                settings.tenant, settings.client_id, secret, **_identity_kwargs(settings, transport)
            ),
            settings,
        )
    if auth is AuthMethod.CERTIFICATE:
        return Credential(
            identity.CertificateCredential(
                settings.tenant,
                settings.client_id,
                certificate_path=str(Path(settings.certificate_path).expanduser()),
                password=env.get(CERT_PASSWORD_ENV) or None,
                **_identity_kwargs(settings, transport),
            ),
            settings,
        )

    # Interactive: device code or browser, with the persistent cache and the record.
    cache = choose_token_cache(
        settings.allow_plaintext_token_cache or settings.token_cache == "file",
        keep=settings.token_cache != "memory",
    )
    kwargs = _identity_kwargs(settings, transport)
    kwargs.update(
        client_id=settings.client_id,
        tenant_id=settings.tenant,
        disable_automatic_authentication=True,
    )
    if allowed_tenants:
        kwargs["additionally_allowed_tenants"] = list(allowed_tenants)
    if cache.persistent:
        kwargs["cache_persistence_options"] = identity.TokenCachePersistenceOptions(
            name=CACHE_NAME, allow_unencrypted_storage=cache.plaintext
        )
    record_text = load_record_text(settings)
    if record_text:
        try:
            kwargs["authentication_record"] = identity.AuthenticationRecord.deserialize(record_text)
            # The record carries the authority (and client id) it was made with;
            # azure-identity refuses a second one.
            kwargs.pop("authority", None)
        except (ValueError, KeyError, TypeError):
            forget_account(settings)  # unreadable: sign in afresh
    if cancel is not None:
        kwargs["raw_request_hook"] = _cancel_hook(cancel)
    if auth is AuthMethod.BROWSER:
        problem = browser_problem(env)
        if problem:
            raise SettingsError(
                f"--auth browser is not possible: {problem}; use --auth device-code"
            )
        return Credential(identity.InteractiveBrowserCredential(**kwargs), settings, cache)
    if prompt is None:
        raise SettingsError("device-code sign-in needs a prompt function to show the code")
    return Credential(
        identity.DeviceCodeCredential(prompt_callback=_device_code_callback(prompt), **kwargs),
        settings,
        cache,
    )


def quiet_identity_logging() -> None:
    """Keep azure-identity's warnings off the terminal (they would corrupt the TUI).

    Without any handler Python prints warnings to stderr ("last resort"); a
    NullHandler on the package stops that, while an app that configures
    logging still receives them through propagation.
    """
    import logging

    for name in ("azure.identity", "azure.core", "msal"):
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _device_code_callback(prompt: PromptFn) -> Callable[[str, str, dt.datetime], None]:
    def callback(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        if expires_on.tzinfo is None:
            expires_on = expires_on.replace(tzinfo=dt.UTC)
        from tui.graph.sign_in_models import DeviceCodePrompt

        prompt(DeviceCodePrompt(verification_uri, user_code, expires_on))

    return callback


def _cancel_hook(cancel: threading.Event) -> Callable[[Any], None]:
    # azure-core calls this before every identity request (each device-code poll
    # included): raising here is how a waiting sign-in stops.
    def hook(_request: Any) -> None:
        if cancel.is_set():
            from tui.graph.errors import SignInCancelled

            raise SignInCancelled("sign-in cancelled")

    return hook


# -- signing in ---------------------------------------------------------------------------------
def sign_in(
    credential: Credential, *, cancel: threading.Event | None = None, interactive: bool = True
) -> SignedIn:
    """Get a token, signing in interactively only when the cache cannot (blocking).

    interactive=False (cron): never prompt; raise SignInRequired instead.
    Raises SignInCancelled, SignInRequired or SignInFailed.
    """
    from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

    from tui.graph.errors import SignInCancelled, SignInRequired, sign_in_failed
    from tui.graph.jwt import decode_access_token
    from tui.graph.sign_in_models import SignedIn

    settings = credential.settings
    cred: Any = credential.credential
    scopes = settings.scopes
    try:
        try:
            token = cred.get_token(*scopes, enable_cae=True)
        except ClientAuthenticationError as exc:
            if not needs_interactive_sign_in(exc):
                raise
            if not interactive:
                raise SignInRequired(
                    "Signing in is needed again (no valid token in the cache)",
                    fix="run adue interactively once to sign in, or use --auth token",
                ) from None
            record = cred.authenticate(scopes=scopes, enable_cae=True)
            from tui.files import write_private

            write_private(record_path(settings), record.serialize())
            token = cred.get_token(*scopes, enable_cae=True)
    except (ClientAuthenticationError, ServiceRequestError) as exc:
        if (cancel is not None and cancel.is_set()) or _caused_by_cancel(exc):
            raise SignInCancelled("sign-in cancelled") from None
        raise sign_in_failed(exc, service=settings.authority_url) from exc
    _tighten_plaintext_cache(credential)
    access = decode_access_token(token.token)
    return SignedIn(
        account=access.account or settings.account,
        tenant_id=access.tenant_id or settings.tenant,
        scopes=tuple(sorted(access.scopes | access.roles)),
        expires_on=dt.datetime.fromtimestamp(token.expires_on, dt.UTC),
        cache_notice=credential.cache.notice if credential.cache else "",
        cache=credential.cache,
    )


def needs_interactive_sign_in(exc: BaseException) -> bool:
    """azure.identity's AuthenticationRequiredError (the cache cannot sign in silently).

    Looked up only when azure.identity is imported already: an error of its class can come
    only from a credential it made, and the token method (StaticTokenCredential) must not
    pay for importing it."""
    import sys

    identity = sys.modules.get("azure.identity")
    wanted = getattr(identity, "AuthenticationRequiredError", None)
    return isinstance(wanted, type) and isinstance(exc, wanted)


def _caused_by_cancel(exc: BaseException) -> bool:
    from tui.graph.errors import SignInCancelled

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SignInCancelled):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _tighten_plaintext_cache(credential: Credential) -> None:
    """The plaintext cache must be 0600 whatever the umask was."""
    if not (credential.cache and credential.cache.plaintext):
        return
    folder = Path.home() / ".IdentityService"
    for path in folder.glob(f"{CACHE_NAME}*"):
        if path.is_file():
            path.chmod(0o600)
