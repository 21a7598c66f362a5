"""HTTP plumbing for the discovery check: trust store, one request, naming network errors.

Requests go through httpx with redirects NOT followed (the checker walks them itself
to report each hop). `connect_to` sends a request to another host:port while the URL,
the Host header and the TLS server name (SNI, and so the certificate check) stay the
domain's — like `curl --connect-to`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tui import __version__
from tui.discovery.findings import failed
from tui.findings import Finding

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"adue/{__version__} (discovery check, like iOS account-driven enrollment)"
MAX_BODY = 64 * 1024  # the real file is ~170 bytes; an HTML error page may be large

# OpenSSL reasons for "the other side does not speak TLS" (usually plain HTTP).
_PLAIN_HTTP_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"}
)
_RESERVED_NEVER_RESOLVES = (".invalid",)  # RFC 6761 §6.4

# Addresses a device on the internet cannot reach: a redirect there is a dead end
# (loopback, RFC 1918 private, link-local, IPv6 unique-local, plus "this network" and
# carrier-grade NAT, which are not routed either).
UNREACHABLE_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "0.0.0.0/8",
        "100.64.0.0/10",
        "::1/128",
        "::/128",
        "fc00::/7",
        "fe80::/10",
    )
)
LOOPBACK_NETWORKS = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone (fe80::1%eth0)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped  # ::ffff:10.0.0.1 is 10.0.0.1
    return address


def is_unreachable_address(text: str) -> bool:
    """True for an IP address in UNREACHABLE_NETWORKS (not for names)."""
    address = _address(text)
    return address is not None and any(address in net for net in UNREACHABLE_NETWORKS)


def is_loopback_address(text: str) -> bool:
    address = _address(text)
    return address is not None and any(address in net for net in LOOPBACK_NETWORKS)


def is_loopback_name(host: str) -> bool:
    """`localhost` and `*.localhost` are loopback by definition (RFC 6761 §6.3)."""
    name = host.lower().rstrip(".")
    return name == "localhost" or name.endswith(".localhost") or is_loopback_address(name)


@dataclass
class Deadline:
    """The end of the whole check: every request, redirect hop and body read shares it.

    `limit` is the check's --timeout in seconds (for messages); `at` is the monotonic
    time it ends.
    """

    limit: float
    at: float = field(default=0.0)

    def __post_init__(self) -> None:
        if not self.at:
            self.at = time.monotonic() + self.limit

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    def loop_time(self) -> float:
        """`at` on the running event loop's clock (asyncio.timeout_at needs that)."""
        loop = asyncio.get_running_loop()
        return loop.time() + (self.at - time.monotonic())


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
    """One HTTP answer (redirects included), the body capped at MAX_BODY (`truncated`)."""

    status: int
    content_type: str | None
    location: str | None
    body: bytes
    peer: str  # "ip:port" the connection went to
    tls: str  # e.g. "TLSv1.3"
    certificate: str  # subject / issuer / expiry of the server's certificate, if known
    truncated: bool = False  # the body was longer than MAX_BODY; `body` is its start


class NetworkProblem(Exception):
    """A request got no HTTP answer; `finding` names why and how to fix it."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.detail)
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


async def resolve(host: str, port: int, deadline: Deadline) -> list[str]:
    """The addresses `host` resolves to; NetworkProblem(dns) when it does not (or not
    before the deadline)."""
    if host.lower().rstrip(".").endswith(_RESERVED_NEVER_RESOLVES):
        # RFC 6761: resolvers SHOULD answer "no such name" for .invalid without asking
        # anyone; do that here rather than send the query off the machine.
        raise NetworkProblem(dns_failure(host, "a reserved name that never resolves (RFC 6761)"))
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), deadline.remaining()
        )
    except socket.gaierror as exc:
        raise NetworkProblem(dns_failure(host, str(exc))) from exc
    except TimeoutError as exc:
        raise NetworkProblem(
            dns_failure(host, f"no answer within the check's {deadline.limit:g} s limit")
        ) from exc
    except (UnicodeError, ValueError) as exc:  # a name the resolver cannot even encode
        raise NetworkProblem(dns_failure(host, f"not a usable host name ({exc})")) from exc
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


def deadline_finding(target: str, host: str, deadline: Deadline) -> Finding:
    """The check ran out of time (a slow or trickling server, or many slow hops)."""
    return failed(
        "timeout",
        f"{target} did not finish answering within the check's {deadline.limit:g} s limit "
        "(all requests, redirects and the body together)",
        f"Make {host} answer the whole file quickly on port 443: the device gives up on a "
        "slow server; check the web server, proxy and network in between.",
    )


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    connect_to: tuple[str, int] | None,
    deadline: Deadline,
) -> Reply:
    """GET `url` once (no redirects followed); NetworkProblem when there is no answer, or
    no complete answer before `deadline` (which bounds the body read too: a server
    trickling a byte at a time cannot hold the check)."""
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
        async with asyncio.timeout_at(deadline.loop_time()):
            return await _get(client, request_url, headers, extensions, target)
    except TimeoutError as exc:
        raise NetworkProblem(deadline_finding(target, host, deadline)) from exc
    except httpx.DecodingError as exc:
        raise NetworkProblem(
            failed(
                "json",
                f"{url}: the body could not be decoded: {exc}",
                "Serve the file uncompressed (or with a Content-Encoding that matches the "
                "bytes sent); the device cannot read a body it cannot decode.",
            )
        ) from exc
    except (httpx.TransportError, ssl.SSLError, OSError) as exc:
        raise NetworkProblem(classify(exc, url, target, deadline.limit)) from exc


async def _get(
    client: httpx.AsyncClient,
    url: httpx.URL,
    headers: dict[str, str],
    extensions: dict[str, object],
    target: str,
) -> Reply:
    async with client.stream("GET", url, headers=headers, extensions=extensions) as r:
        body = b""
        truncated = False
        async for chunk in r.aiter_bytes():
            body += chunk
            if len(body) > MAX_BODY:
                body, truncated = body[:MAX_BODY], True
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
            truncated=truncated,
        )
