"""Fault injection: added latency, 429 with Retry-After, 503, dropped connections, lost
answers and token expiry after N requests — globally or for a route prefix, deterministic
for a seed.

A lost answer (`lost`, `lost-503`, `lost-504`, `lost-drop`) hits writes only (every
method but GET): the sandbox carries the write out, then answers 503 or 504 or drops the
connection, as Graph does when the object was made but the answer did not come back
(graph.md, "SDK and HTTP pipeline notes"). `lost` picks one of the three per hit.

A path prefix may hold `*` for one whole path segment (an id):
`lost:1@/beta/deviceManagement/deviceConfigurations/*/assign`.

Whether a request is hit does not depend on the order in which concurrent requests
arrive: the decision is a hash of (seed, fault, method, path and query, how many times
that same request was seen before). The same run therefore fails the same requests,
and a retry of a failed request is a new draw.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

STATUS_KINDS = ("429", "500", "502", "503", "504")
LOST_KINDS = ("lost", "lost-503", "lost-504", "lost-drop")
LOST_FORMS = ("503", "504", "drop")  # how a lost answer looks to the client
KINDS = (*STATUS_KINDS, "drop", *LOST_KINDS, "latency", "expire")
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class FaultRule:
    kind: str  # one of KINDS
    value: float  # probability 0..1; for latency, milliseconds
    prefix: str = ""  # applies to paths starting with this ("" = every Graph request)

    def matches(self, path: str) -> bool:
        if "*" not in self.prefix:
            return path.startswith(self.prefix)
        return _pattern(self.prefix).match(path) is not None

    def __str__(self) -> str:
        value = f"{self.value:g}"
        return f"{self.kind}:{value}" + (f"@{self.prefix}" if self.prefix else "")


def _pattern(prefix: str) -> re.Pattern[str]:
    """A prefix with `*` standing for one path segment, as a regex anchored at the start."""
    return re.compile("[^/]+".join(re.escape(part) for part in prefix.split("*")))


def parse_rule(text: str) -> FaultRule:
    """`429:0.3`, `503:0.1@/beta/deviceManagement`, `drop:0.05`, `latency:200@/v1.0/groups`,
    `lost:0.5@/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles/*/assignments`."""
    spec, _, prefix = text.strip().partition("@")
    kind, sep, raw = spec.partition(":")
    kind = kind.strip().lower()
    if not sep or kind not in KINDS:
        raise ValueError(
            f"bad --fault {text!r}: write KIND:VALUE[@/path/prefix] with KIND one of "
            f"{', '.join(KINDS)} (e.g. 429:0.3, 503:0.1@/beta/deviceManagement or lost:0.5)"
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
    # Handle the request (the write is made), then answer with this form instead:
    # "503", "504" or "drop" (see LOST_FORMS).
    lost: str | None = None

    @property
    def label(self) -> str | None:
        if self.drop:
            return "drop"
        if self.status is not None:
            return str(self.status)
        if self.lost is not None:
            return f"lost-{self.lost}"
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
        lost: str | None = None
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
            elif rule.kind in LOST_KINDS and method.upper() in READS:
                continue  # only a write can be made and its answer lost
            elif (
                status is None
                and not drop
                and lost is None
                and self._draw(rule.kind, key, occurrence) < rule.value
            ):
                if rule.kind == "drop":
                    drop = True
                elif rule.kind in LOST_KINDS:
                    lost = self._lost_form(rule.kind, key, occurrence, batch_item)
                else:
                    status = int(rule.kind)
        return Decision(latency, status, drop, lost)

    def _lost_form(self, kind: str, key: str, occurrence: int, batch_item: bool) -> str:
        if kind == "lost":
            draw = self._draw("lost-form", key, occurrence)
            form = LOST_FORMS[min(int(draw * len(LOST_FORMS)), len(LOST_FORMS) - 1)]
        else:
            form = kind.removeprefix("lost-")
        # A $batch item cannot drop the connection: its answer is lost as a 503 inside.
        return "503" if batch_item and form == "drop" else form

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
