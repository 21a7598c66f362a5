"""HTTP plumbing for the discovery check: trust store, one request, naming network errors.

Requests go through httpx with redirects NOT followed (the checker walks them itself
to report each hop). `connect_to` sends a request to another host:port while the URL,
the Host header and the TLS server name (SNI, and so the certificate check) stay the
domain's — like `curl --connect-to`.
"""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui import __version__
from tui.discovery.findings import Finding, failed

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"adue/{__version__} (discovery check, like iOS account-driven enrollment)"
MAX_BODY = 64 * 1024  # the real file is ~170 bytes; an HTML error page may be large

# OpenSSL reasons for "the other side does not speak TLS" (usually plain HTTP).
_PLAIN_HTTP_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"}
)
_RESERVED_NEVER_RESOLVES = (".invalid",)  # RFC 6761 §6.4


def trust_context(verify: ssl.SSLContext | str | bool) -> ssl.SSLContext:
    """The TLS context the check uses.

    True: the system trust store, as the device trusts public CAs; OpenSSL's default
    paths honour SSL_CERT_FILE / SSL_CERT_DIR (corporate CAs). If the system store is
    empty (a bare container), certifi's bundle stands in. A str is a CA bundle file
    trusted alone (tests, sandbox). False: no verification (the certificate finding
    then warns).
    """
    if isinstance(verify, ssl.SSLContext):
        return verify
    if isinstance(verify, str):
        return _load_ca(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT), verify, "CA file")
    if verify is False:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx
    ctx = ssl.create_default_context()
    env_file = os.environ.get("SSL_CERT_FILE")
    if env_file:
        _load_ca(ctx, env_file, "SSL_CERT_FILE")
    elif not ctx.get_ca_certs() and not os.environ.get("SSL_CERT_DIR"):
        import certifi

        ctx.load_verify_locations(cafile=certifi.where())
    return ctx


def _load_ca(ctx: ssl.SSLContext, path: str, field: str) -> ssl.SSLContext:
    try:
        ctx.load_verify_locations(cafile=path)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(
            f"{field}: {path} is not a readable PEM certificate bundle ({exc}); give the CA "
            "certificate(s) in PEM form"
        ) from exc
    return ctx


@dataclass(frozen=True)
class Reply:
    """One HTTP answer (redirects included), the body capped at MAX_BODY."""

    status: int
    content_type: str | None
    location: str | None
    body: bytes
    peer: str  # "ip:port" the connection went to
    tls: str  # e.g. "TLSv1.3"
    certificate: str  # subject / issuer / expiry of the server's certificate, if known


class NetworkProblem(Exception):
    """A request got no HTTP answer; `finding` names why and how to fix it."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.evidence)
        self.finding = finding


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException, url: str, target: str, timeout: float) -> Finding:
    """Name a transport exception as the finding the admin can act on."""
    import httpx

    host = urlsplit(url).hostname or url
    chain = _chain(exc)
    # First: a timeout's context chain holds the SSLWantReadError it interrupted.
    if isinstance(exc, httpx.TimeoutException):
        stage = (
            "did not complete the connection (TCP or TLS handshake)"
            if isinstance(exc, httpx.ConnectTimeout)
            else "accepted the request but sent no answer"
        )
        return failed(
            "timeout",
            f"{target} {stage} within {timeout:g} s",
            f"Make {host} answer quickly on port 443: check the web server, load balancer "
            "and firewall (a silently dropped connection looks like this).",
        )
    for err in chain:
        if isinstance(err, ssl.SSLCertVerificationError):
            reason = err.verify_message or str(err)
            return failed(
                "certificate",
                f"{host}: the certificate is not trusted: {reason}",
                f"Install a certificate for {host} from a public CA, with the full chain "
                "(intermediates included), valid now and naming the domain; a corporate CA "
                "only works on devices that trust it.",
            )
    for err in chain:
        if isinstance(err, ssl.SSLError):
            reason = err.reason or str(err)
            if reason in _PLAIN_HTTP_REASONS:
                return failed(
                    "https",
                    f"{target} answered in plain HTTP, not TLS ({reason})",
                    f"Serve https://{host}/ on port 443 with a valid certificate; the device "
                    "only fetches the file over HTTPS.",
                )
            return failed(
                "https",
                f"TLS handshake with {target} failed: {reason}",
                "Enable TLS 1.2 or 1.3 with modern ciphers on the server (iOS refuses older "
                "protocols).",
            )
    for err in chain:
        if isinstance(err, socket.gaierror):
            return dns_failure(host, str(err))
    if isinstance(exc, httpx.RemoteProtocolError):
        return failed(
            "connect",
            f"{target} closed the connection without an HTTP answer: {exc}",
            f"Check the web server or proxy in front of {host}; it must answer HTTPS requests.",
        )
    detail = next((str(e) for e in chain if isinstance(e, OSError) and str(e)), str(exc))
    return failed(
        "connect",
        f"could not connect to {target}: {detail or type(exc).__name__}",
        f"Make sure {host} accepts HTTPS on port 443 from the internet (firewall, listener, "
        "DNS pointing at the right server).",
    )


def dns_failure(host: str, detail: str) -> Finding:
    return failed(
        "dns",
        f"{host} does not resolve: {detail}",
        f"Create an A/AAAA (or CNAME) record for {host} pointing at the web server that "
        "serves the file — it must be the domain in the users' sign-in names.",
    )


async def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses `host` resolves to; NetworkProblem(dns) when it does not."""
    if host.lower().rstrip(".").endswith(_RESERVED_NEVER_RESOLVES):
        # RFC 6761: resolvers SHOULD answer "no such name" for .invalid without asking
        # anyone; do that here rather than send the query off the machine.
        raise NetworkProblem(dns_failure(host, "a reserved name that never resolves (RFC 6761)"))
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout
        )
    except socket.gaierror as exc:
        raise NetworkProblem(dns_failure(host, str(exc))) from exc
    except TimeoutError as exc:
        raise NetworkProblem(dns_failure(host, f"no answer within {timeout:g} s")) from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def make_client(verify: ssl.SSLContext | str | bool, timeout: float) -> httpx.AsyncClient:
    import httpx

    return httpx.AsyncClient(
        verify=trust_context(verify),
        timeout=httpx.Timeout(timeout),
        follow_redirects=False,
        # No proxies from the environment: the check talks to the domain (or
        # --connect-to) directly, as the device on a plain network would.
        trust_env=False,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
    )


def _describe_certificate(cert: dict[str, object] | None) -> str:
    if not cert:
        return ""

    def name(key: str) -> str:
        rdns = cert.get(key) or ()
        pairs = [pair for rdn in rdns for pair in rdn]  # type: ignore[attr-defined]
        for wanted in ("commonName", "organizationName"):
            for k, v in pairs:
                if k == wanted:
                    return str(v)
        return "?"

    return f"issued to {name('subject')} by {name('issuer')}, valid until {cert.get('notAfter')}"


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    connect_to: tuple[str, int] | None,
    timeout: float,
) -> Reply:
    """GET `url` once (no redirects followed); NetworkProblem when there is no answer."""
    import httpx

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or 443
    if connect_to:
        target_host, target_port = connect_to
    else:
        target_host, target_port = host, port
    target = f"{target_host}:{target_port}"
    request_url = httpx.URL(url)
    extensions: dict[str, object] = {}
    headers: dict[str, str] = {}
    if connect_to:
        request_url = request_url.copy_with(host=target_host, port=target_port)
        headers["Host"] = parts.netloc
        extensions["sni_hostname"] = host
    try:
        async with client.stream("GET", request_url, headers=headers, extensions=extensions) as r:
            body = b""
            async for chunk in r.aiter_bytes():
                body += chunk
                if len(body) >= MAX_BODY:
                    body = body[:MAX_BODY]
                    break
            peer, tls, certificate = target, "", ""
            stream = r.extensions.get("network_stream")
            if stream is not None:
                address = stream.get_extra_info("server_addr")
                if address:
                    peer = f"{address[0]}:{address[1]}"
                ssl_object = stream.get_extra_info("ssl_object")
                if ssl_object is not None:
                    tls = ssl_object.version() or ""
                    certificate = _describe_certificate(ssl_object.getpeercert())
            return Reply(
                status=r.status_code,
                content_type=r.headers.get("content-type"),
                location=r.headers.get("location"),
                body=body,
                peer=peer,
                tls=tls,
                certificate=certificate,
            )
    except (httpx.TransportError, ssl.SSLError, OSError) as exc:
        raise NetworkProblem(classify(exc, url, target, timeout)) from exc
