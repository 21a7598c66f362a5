"""Check a domain's well-known file the way an iPhone and an iPad fetch it.

The device sends `GET https://<domain>/.well-known/com.apple.remotemanagement
?user-identifier=<user@domain>&model-family=<iPhone|iPad>`, follows redirects WITHOUT
carrying the query over, and gives up on any HTTP error or malformed body
(reference/graph.md, "Service discovery"). We do the same, hop by hop, and turn each
problem into one finding with its evidence and fix.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar
from urllib.parse import urlencode, urljoin, urlsplit

from tui.discovery.domains import domain_of, normalise_domain
from tui.discovery.evaluate import Answer, evaluate_document, snippet, status_fix
from tui.discovery.findings import DiscoveryReport, Hop, failed, passed, warned
from tui.discovery.http import (
    Deadline,
    NetworkProblem,
    Reply,
    fetch,
    is_loopback_address,
    is_loopback_name,
    is_unreachable_address,
    make_client,
    resolve,
)
from tui.discovery.well_known import WELL_KNOWN_PATH, validate_tenant_id
from tui.findings import Finding
from tui.graph.clouds import get_cloud

if TYPE_CHECKING:
    import httpx

DEVICE_MODELS = ("iPhone", "iPad")
MAX_REDIRECTS = 5
PROBE_USER = "adue-discovery-check"  # user part sent when no --user is given
_CONNECTION_IDS = ("connect", "timeout", "https", "certificate")
P = ParamSpec("P")
T = TypeVar("T")


class CheckArgumentError(ValueError):
    """An argument of the check itself is unusable (domain, tenant id, cloud, user): the
    caller's input, named with its field. Anything the server answers is a finding."""


@dataclass
class _Walk:
    """One device request followed through its redirects."""

    hops: list[Hop] = field(default_factory=list)
    answer: Answer | None = None
    problem: Finding | None = None
    first: Reply | None = None

    @property
    def redirected(self) -> bool:
        return any(hop.location for hop in self.hops)

    @property
    def final_url(self) -> str:
        return self.hops[-1].url

    def outcome(self) -> object:
        if self.answer is not None:
            return self.answer.comparable()
        return ("no answer", self.problem.id if self.problem else "")

    def summary(self) -> str:
        if self.answer is not None:
            return self.answer.summary()
        return self.problem.detail if self.problem else "no answer"


def device_url(domain: str, user: str, model: str) -> str:
    query = urlencode({"user-identifier": user, "model-family": model})
    return f"https://{domain}{WELL_KNOWN_PATH}?{query}"


def _chain_text(walk: _Walk) -> str:
    steps = [f"{hop.url} → {hop.status}" for hop in walk.hops if hop.location]
    return " → ".join([*steps, walk.final_url])


@dataclass(frozen=True)
class _Place:
    """Where the walk is: the checked domain, and whether it is itself loopback."""

    domain: str
    loopback: bool
    connect_to: tuple[str, int] | None
    deadline: Deadline


def _redirect_target(current: str, location: str) -> str | None:
    """The absolute URL a Location header points at, or None when it is not a usable URL."""
    import httpx

    try:
        target = urljoin(current, location)
        parts = urlsplit(target)
        _ = parts.port  # raises ValueError for a port that is not a number in range
        if parts.scheme == "https" and not parts.hostname:
            return None
        httpx.URL(target)
    except (ValueError, httpx.InvalidURL):
        return None
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    return target


async def _unreachable_redirect(target: str, place: _Place) -> str | None:
    """The private/loopback address `target`'s host is (or resolves to), else None.

    Only asked when the checked domain is not loopback itself (then the sandbox or a
    local test server redirects within the machine, which is fine)."""
    host = (urlsplit(target).hostname or "").lower().rstrip(".")
    if place.loopback or not host or host == place.domain:
        return None
    if is_unreachable_address(host):
        return host
    if is_loopback_name(host):
        return f"{host} (a loopback name)"
    try:
        addresses = await resolve(host, 443, place.deadline)
    except NetworkProblem:
        return None  # the next hop reports the DNS failure, if the device would meet it
    private = [a for a in addresses if is_unreachable_address(a)]
    return f"{host} ({', '.join(private)})" if private else None


async def _walk(client: httpx.AsyncClient, url: str, place: _Place) -> _Walk:
    walk = _Walk()
    current = url
    visited = [url]
    for _ in range(MAX_REDIRECTS + 1):
        try:
            reply = await fetch(
                client, current, connect_to=place.connect_to, deadline=place.deadline
            )
        except NetworkProblem as problem:
            walk.hops.append(Hop(current, error=problem.finding.detail))
            walk.problem = problem.finding
            return walk
        walk.first = walk.first or reply
        if 300 <= reply.status < 400 and reply.location:
            target = _redirect_target(current, reply.location)
            if target is None:
                walk.hops.append(
                    Hop(current, reply.status, reply.content_type, location=reply.location)
                )
                walk.problem = failed(
                    "redirects",
                    f"{current} redirects ({reply.status}) to {snippet(reply.location)!r}, "
                    "which is not a valid URL",
                    f"Fix the redirect rule (or remove it and serve the file directly at "
                    f"https://{place.domain}{WELL_KNOWN_PATH}); the device cannot follow a "
                    "malformed Location header.",
                )
                return walk
            walk.hops.append(Hop(current, reply.status, reply.content_type, location=target))
            if urlsplit(target).scheme != "https":
                walk.problem = failed(
                    "https",
                    f"{current} redirects ({reply.status}) to {target}, which is not HTTPS",
                    "Serve the file over HTTPS only; never redirect the well-known path to "
                    "http:// (the device will not fetch it).",
                )
                return walk
            private = await _unreachable_redirect(target, place)
            if private is not None:
                walk.problem = failed(
                    "redirects",
                    f"{current} redirects ({reply.status}) to {target}: {private} is a "
                    "loopback or private address, which an iPhone on the internet cannot reach",
                    f"Serve the file directly at https://{place.domain}{WELL_KNOWN_PATH}, or "
                    "redirect only to a public HTTPS address; check the proxy's or web "
                    "server's redirect rule (it may build the Location from an internal host).",
                )
                return walk
            if target in visited:
                walk.hops.append(Hop(target))
                walk.problem = failed(
                    "redirects",
                    f"redirect loop: {_chain_text(walk)}",
                    f"Fix the redirect rules so {WELL_KNOWN_PATH} answers 200 with the file "
                    "itself (no redirect).",
                )
                return walk
            visited.append(target)
            current = target
            continue
        walk.hops.append(Hop(current, reply.status, reply.content_type))
        walk.answer = Answer(reply.status, reply.content_type, reply.body, reply.truncated)
        return walk
    walk.problem = failed(
        "redirects",
        f"more than {MAX_REDIRECTS} redirects: {_chain_text(walk)}",
        f"Serve the file directly at {WELL_KNOWN_PATH} with 200; long redirect chains fail on "
        "the device.",
    )
    return walk


def _with_query(url: str, query: str) -> str:
    return f"{url}&{query}" if urlsplit(url).query else f"{url}?{query}"


def _connection_findings(reply: Reply, verified: bool, timeout: float) -> list[Finding]:
    certificate = (
        passed("certificate", reply.certificate or "verified")
        if verified
        else warned(
            "certificate",
            "not verified (verification turned off)",
            "Run the check with verification on to test the certificate like the device does.",
        )
    )
    return [
        passed("connect", f"connected to {reply.peer}"),
        passed("timeout", f"answered within the check's {timeout:g} s limit"),
        passed("https", f"{reply.tls or 'TLS'} to {reply.peer}"),
        certificate,
    ]


async def _judge_non_200(
    client: httpx.AsyncClient,
    walk: _Walk,
    report: DiscoveryReport,
    *,
    query: str,
    place: _Place,
) -> list[Finding]:
    """Findings when the device ends on an HTTP error: find the real cause when we can."""
    assert walk.answer is not None
    status = walk.answer.status
    probes = report.requests.setdefault("probe", [])

    async def probe(url: str) -> Reply | None:
        try:
            reply = await fetch(client, url, connect_to=place.connect_to, deadline=place.deadline)
        except NetworkProblem as problem:
            probes.append(Hop(url, error=problem.finding.detail))
            return None
        probes.append(Hop(url, reply.status, reply.content_type, reply.location))
        return reply

    if walk.redirected:
        # Did the redirect lose what the target needs? Ask again with the query kept.
        again = await probe(_with_query(walk.final_url, query))
        if again is not None and again.status == 200:
            return [
                failed(
                    "redirects",
                    f"{_chain_text(walk)} answered {status} without the query parameters and "
                    "200 with them: the device does not carry user-identifier and model-family "
                    "over a redirect",
                    f"Serve the file directly at https://{report.domain}{WELL_KNOWN_PATH} "
                    "(no redirect), or make the target answer without query parameters.",
                )
            ]
    findings: list[Finding] = []
    if not walk.redirected:
        findings.append(passed("redirects", "no redirect"))
    else:
        findings.append(_redirect_warning(walk, report.domain))
    json_url = f"https://{report.domain}{WELL_KNOWN_PATH}.json?{query}"
    with_extension = await probe(json_url)
    if with_extension is not None and with_extension.status == 200:
        findings.append(
            failed(
                "extension",
                f"{WELL_KNOWN_PATH} answered {status}, but {WELL_KNOWN_PATH}.json answered 200: "
                "the file was saved with a .json extension",
                "Rename the file to `com.apple.remotemanagement` (no extension) and map "
                "extension-less files to application/json — see `adue discovery recipes`.",
            )
        )
        return findings
    findings.append(
        failed(
            "http_status",
            f"{walk.final_url} answered {walk.answer.summary()}",
            status_fix(status, report.domain),
        )
    )
    return findings


def _redirect_warning(walk: _Walk, domain: str) -> Finding:
    return warned(
        "redirects",
        f"{_chain_text(walk)}: the device does not carry user-identifier and model-family over "
        "the redirect (the target still served the file)",
        f"Serve the file directly at https://{domain}{WELL_KNOWN_PATH} with 200; a redirect "
        "works only while its target needs no query parameters.",
    )


def _model_family(walks: dict[str, _Walk]) -> Finding:
    iphone, ipad = walks["iPhone"], walks["iPad"]
    if iphone.outcome() == ipad.outcome():
        return passed("model_family", f"both: {iphone.summary()}")
    return failed(
        "model_family",
        f"iPhone: {iphone.summary()}; iPad: {ipad.summary()}",
        "Serve the same file whatever model-family or User-Agent the device sends: remove "
        "rules that vary the answer by device.",
    )


async def check_domain(
    domain: str,
    *,
    tenant_id: str | None,
    cloud: str = "global",
    user_identifier: str | None = None,
    verify: ssl.SSLContext | str | bool = True,
    connect_to: tuple[str, int] | None = None,
    timeout: float = 10.0,
) -> DiscoveryReport:
    """Fetch the well-known file of `domain` as an iPhone and an iPad would, and judge it.

    `tenant_id` None skips the tenant comparison (that finding then warns). `verify`:
    True = system trust store (honours SSL_CERT_FILE), a path = that CA bundle only,
    an SSLContext as given, False = no verification. `connect_to` = (host, port) to
    connect to instead of the domain's address, keeping URL, Host and SNI.
    `timeout` bounds the WHOLE check (DNS, every request and redirect, both models, the
    body reads): a slow or trickling server gives a `timeout` finding, never a longer wait.
    Raises CheckArgumentError (a ValueError naming the field) for a bad domain, tenant
    id, cloud or user; whatever the server answers becomes a finding.
    """
    deadline = Deadline(timeout)
    try:
        name = normalise_domain(domain)
        tenant = validate_tenant_id(tenant_id) if tenant_id else None
        cloud_name = get_cloud(cloud).name
        user = user_identifier.strip() if user_identifier else f"{PROBE_USER}@{name}"
        if domain_of(user) != name:
            raise ValueError(
                f"user: {user!r} signs in with {domain_of(user)}, so the device would ask "
                f"{domain_of(user)}, not {name}; check that domain or give a user on {name}"
            )
    except ValueError as exc:
        raise CheckArgumentError(str(exc)) from exc
    report = DiscoveryReport(
        domain=name,
        url=f"https://{name}{WELL_KNOWN_PATH}",
        cloud=cloud_name,
        tenant_id=tenant,
        user_identifier=user,
        connect_to=connect_to,
    )
    host, port = connect_to or (name, 443)
    try:
        addresses = await resolve(host, port, deadline)
    except NetworkProblem as unresolved:
        report.findings.append(unresolved.finding)
        return report
    where = f"--connect-to {host}:{port} (the domain's own DNS was not asked)" if connect_to else ""
    report.findings.append(passed("dns", where or f"{name} → {', '.join(addresses)}"))
    # The sandbox and local servers are loopback themselves: redirects within the machine
    # are then expected. --connect-to stands in for the address only, so it does not count.
    loopback = is_loopback_name(name) or (
        connect_to is None and all(is_loopback_address(a) for a in addresses)
    )
    place = _Place(name, loopback, connect_to, deadline)

    async with make_client(verify, timeout) as client:
        walks: dict[str, _Walk] = {}
        for model in DEVICE_MODELS:
            walk = await _walk(client, device_url(name, user, model), place)
            walks[model] = walk
            report.requests[model] = walk.hops
            if walk.answer is None:
                break  # the iPad would meet the same wall; one finding is enough
        iphone = walks["iPhone"]
        problem = iphone.problem
        if iphone.first is not None:
            report.findings += [
                f
                for f in _connection_findings(iphone.first, verify is not False, timeout)
                if problem is None or f.id != problem.id
            ]
        if problem is not None:
            report.findings.append(problem)
            report.sort()
            return report
        assert iphone.answer is not None
        query = urlencode({"user-identifier": user, "model-family": "iPhone"})
        if iphone.answer.status != 200:
            report.findings += await _judge_non_200(
                client, iphone, report, query=query, place=place
            )
        else:
            report.findings.append(
                _redirect_warning(iphone, name)
                if iphone.redirected
                else passed("redirects", "no redirect")
            )
            report.findings.append(passed("extension", f"served at {WELL_KNOWN_PATH}"))
            report.findings.append(passed("http_status", "200"))
            report.findings += evaluate_document(iphone.answer, tenant_id=tenant, cloud=cloud_name)
        ipad = walks.get("iPad")
        if ipad is not None and ipad.problem is not None and ipad.problem.id == "timeout":
            # The time ran out during the iPad's request: that is the finding, not a
            # difference between the models.
            report.findings = [f for f in report.findings if f.id != "timeout"]
            report.findings.append(ipad.problem)
        elif ipad is not None:
            report.findings.append(_model_family(walks))
    report.sort()
    return report


def _blocking(check: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """`check` with the same parameters, run to its end on an event loop of its own."""

    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return asyncio.run(check(*args, **kwargs))

    return run


# `check_domain` for callers without an event loop (CLI, a wizard thread worker).
check_domain_sync = _blocking(check_domain)


async def check_domains(
    domains: Iterable[str],
    *,
    tenant_id: str | None,
    cloud: str = "global",
    verify: ssl.SSLContext | str | bool = True,
    connect_to: tuple[str, int] | None = None,
    timeout: float = 10.0,
) -> dict[str, DiscoveryReport]:
    """Check several sign-in domains at once (the wizard's verified-domain list)."""
    names = list(dict.fromkeys(normalise_domain(d) for d in domains))
    reports = await asyncio.gather(
        *(
            check_domain(
                n,
                tenant_id=tenant_id,
                cloud=cloud,
                verify=verify,
                connect_to=connect_to,
                timeout=timeout,
            )
            for n in names
        )
    )
    return dict(zip(names, reports, strict=True))
