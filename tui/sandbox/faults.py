"""Fault injection: added latency, 429 with Retry-After, 503, dropped connections and token
expiry after N requests — globally or for a route prefix, deterministic for a seed.

Whether a request is hit does not depend on the order in which concurrent requests
arrive: the decision is a hash of (seed, fault, method, path and query, how many times
that same request was seen before). The same run therefore fails the same requests,
and a retry of a failed request is a new draw.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

STATUS_KINDS = ("429", "500", "502", "503", "504")
KINDS = (*STATUS_KINDS, "drop", "latency", "expire")


@dataclass(frozen=True)
class FaultRule:
    kind: str  # one of KINDS
    value: float  # probability 0..1; for latency, milliseconds
    prefix: str = ""  # applies to paths starting with this ("" = every Graph request)

    def matches(self, path: str) -> bool:
        return path.startswith(self.prefix)

    def __str__(self) -> str:
        value = f"{self.value:g}"
        return f"{self.kind}:{value}" + (f"@{self.prefix}" if self.prefix else "")


def parse_rule(text: str) -> FaultRule:
    """`429:0.3`, `503:0.1@/beta/deviceManagement`, `drop:0.05`, `latency:200@/v1.0/groups`."""
    spec, _, prefix = text.strip().partition("@")
    kind, sep, raw = spec.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS:
        raise ValueError(
            f"bad --fault {text!r}: write KIND:VALUE[@/path/prefix] with KIND one of "
            f"{', '.join(KINDS)} (e.g. 429:0.3 or 503:0.1@/beta/deviceManagement)"
        )
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"bad --fault {text!r}: {raw!r} is not a number") from None
    if kind == "latency":
        if value < 0:
            raise ValueError(f"bad --fault {text!r}: latency must be 0 or more milliseconds")
    elif kind == "expire":
        if value < 1 or value != int(value):
            raise ValueError(
                f"bad --fault {text!r}: expire takes a whole number of requests, 1 or more "
                "(e.g. expire:3@/beta/deviceManagement)"
            )
    elif not 0 <= value <= 1:
        raise ValueError(f"bad --fault {text!r}: the rate must be between 0 and 1, e.g. 0.3")
    if prefix and not prefix.startswith("/"):
        raise ValueError(f"bad --fault {text!r}: the path prefix must start with /, e.g. @/beta")
    return FaultRule(kind, value, prefix)


@dataclass(frozen=True)
class Decision:
    latency_ms: float = 0.0
    status: int | None = None  # an error status to answer instead of handling the request
    drop: bool = False  # close the connection without answering

    @property
    def label(self) -> str | None:
        if self.drop:
            return "drop"
        if self.status is not None:
            return str(self.status)
        return "latency" if self.latency_ms else None


@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)
    latency_ms: float = 0.0  # added to every Graph request
    seed: int = 0
    retry_after: int = 1  # seconds, sent with 429 (and 503)
    expire_token_after: int | None = None  # each token stops working after N requests
    _seen: dict[str, int] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def parse(
        cls,
        specs: Iterable[str] = (),
        *,
        latency_ms: float = 0.0,
        seed: int = 0,
        retry_after: int = 1,
        expire_token_after: int | None = None,
    ) -> FaultPlan:
        if expire_token_after is not None and expire_token_after < 1:
            raise ValueError("--expire-token-after must be 1 or more requests")
        if latency_ms < 0:
            raise ValueError("--latency-ms must be 0 or more")
        return cls(
            [parse_rule(s) for s in specs],
            latency_ms=latency_ms,
            seed=seed,
            retry_after=retry_after,
            expire_token_after=expire_token_after,
        )

    def _draw(self, kind: str, key: str, occurrence: int) -> float:
        digest = hashlib.blake2b(
            f"{self.seed}|{kind}|{key}|{occurrence}".encode(), digest_size=8
        ).digest()
        return int.from_bytes(digest, "big") / 2**64

    def decide(self, method: str, path: str, query: str, *, batch_item: bool = False) -> Decision:
        """The faults for one request. A `$batch` sub-request (`batch_item`) can only be
        answered with an error status: latency and drops hit the enclosing request."""
        key = f"{'batch:' if batch_item else ''}{method} {path}?{query}"
        with self._lock:
            occurrence = self._seen.get(key, 0)
            self._seen[key] = occurrence + 1
        latency = self.latency_ms
        status: int | None = None
        drop = False
        for rule in self.rules:
            if not rule.matches(path):
                continue
            if rule.kind == "expire":
                continue  # token expiry is the authentication's business (graph_app)
            if rule.kind == "latency":
                if not batch_item:
                    latency += rule.value
            elif batch_item and rule.kind == "drop":
                continue
            elif (
                status is None and not drop and self._draw(rule.kind, key, occurrence) < rule.value
            ):
                if rule.kind == "drop":
                    drop = True
                else:
                    status = int(rule.kind)
        return Decision(latency, status, drop)

    def token_expiry_rules(self, path: str) -> list[FaultRule]:
        """The `expire:N@prefix` rules for this path: a token works N times there."""
        return [r for r in self.rules if r.kind == "expire" and r.matches(path)]

    def describe(self) -> str:
        parts = [str(r) for r in self.rules]
        if self.latency_ms:
            parts.insert(0, f"latency {self.latency_ms:g} ms")
        if self.expire_token_after:
            parts.append(f"tokens expire after {self.expire_token_after} requests")
        return ", ".join(parts) or "none"
