"""The discovery check's result: findings (pass / warn / fail, evidence, fix) and the report.

`DiscoveryReport.to_dict()` is the stable JSON shape of `adue discovery check --json`
(schema 1):

    {"schema": 1, "domain": str, "url": str, "cloud": str, "tenant_id": str | null,
     "user_identifier": str, "connect_to": "host:port" | null, "checked_at": ISO-8601 UTC,
     "status": "pass" | "warn" | "fail" | "error",
     "findings": [{"id": str, "status": "pass" | "warn" | "fail",
                   "title": str, "evidence": str, "fix": str}],
     "requests": {"iPhone": [hop, ...], "iPad": [hop, ...], "probe": [hop, ...]}}
    hop = {"url": str, "status": int | null, "content_type": str | null,
           "location": str | null, "error": str | null}

`status` is "error" when the checker never got an HTTP answer (DNS, connection,
timeout): the domain could not be checked. `requests` lists every request in order,
per device model; "probe" (only when present) holds the extra requests the checker
sent to find a cause (the `.json` name, the redirect target with the query kept); the
iPad entry is absent when the iPhone request got no HTTP answer. Findings appear in
`FINDING_IDS` order; a check that was not reached (because an earlier one failed) is
absent. `fix` is empty for passing findings. Exit codes of the CLI: 0 for "pass" and
"warn", 2 for "fail", 1 for "error". New keys may be added; existing ones keep their
meaning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tui.findings import Finding, Status

OverallStatus = Literal["pass", "warn", "fail", "error"]

REPORT_SCHEMA = 1

# Every finding the check can report, in report order, with its title.
FINDING_TITLES: dict[str, str] = {
    "dns": "Domain resolves",
    "connect": "Server accepts HTTPS connections",
    "timeout": "Server answers in time",
    "https": "Served over HTTPS",
    "certificate": "Certificate valid for the domain",
    "redirects": "No redirects that lose the device's query",
    "extension": "File has no extension",
    "http_status": "HTTP status 200",
    "content_type": "Content-Type is application/json",
    "json": "Body is plain JSON",
    "servers": "Servers holds exactly one item",
    "version": "Version is mdm-byod",
    "base_url": "BaseURL is Intune's for this cloud",
    "tenant": "aadTenantId is this tenant",
    "model_family": "Same answer for iPhone and iPad",
}
FINDING_IDS: tuple[str, ...] = tuple(FINDING_TITLES)

# Findings that mean "never got an HTTP answer": the overall status is then "error".
UNREACHABLE_IDS = frozenset({"dns", "connect", "timeout"})


def passed(finding_id: str, evidence: str) -> Finding:
    return Finding(finding_id, Status.PASS, FINDING_TITLES[finding_id], evidence)


def warned(finding_id: str, evidence: str, fix: str) -> Finding:
    return Finding(finding_id, Status.WARN, FINDING_TITLES[finding_id], evidence, fix)


# What the device shows when it gets no usable answer from the file (Microsoft's account-
# driven User Enrollment docs: file missing, wrong type, wrong domain, a redirect that
# drops the query, an error status; Apple: a malformed body cancels enrollment).
DEVICE_ERROR = (
    "Sign-in Failed – Your Apple ID does not support the expected services on this device"
)
# The failures that leave the device without a usable answer, so it shows DEVICE_ERROR.
# (A wrong BaseURL or tenant is a valid answer: enrollment fails later, differently.)
DEVICE_ERROR_IDS = frozenset(
    {
        "dns",
        "connect",
        "timeout",
        "https",
        "certificate",
        "redirects",
        "extension",
        "http_status",
        "content_type",
        "json",
        "servers",
        "version",
    }
)


def failed(finding_id: str, evidence: str, fix: str) -> Finding:
    if finding_id in DEVICE_ERROR_IDS:
        fix = f"{fix} Until this is fixed, employees see “{DEVICE_ERROR}” on the device."
    return Finding(finding_id, Status.FAIL, FINDING_TITLES[finding_id], evidence, fix)


@dataclass(frozen=True)
class Hop:
    """One request the checker sent: a redirect, the final answer, or an error."""

    url: str
    status: int | None = None
    content_type: str | None = None
    location: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # every field, in order: the --json hop


@dataclass
class DiscoveryReport:
    domain: str
    url: str
    cloud: str
    tenant_id: str | None
    user_identifier: str
    connect_to: tuple[str, int] | None = None
    findings: list[Finding] = field(default_factory=list)
    requests: dict[str, list[Hop]] = field(default_factory=dict)
    checked_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def status(self) -> OverallStatus:
        if any(f.status == "fail" and f.id in UNREACHABLE_IDS for f in self.findings):
            return "error"
        if any(f.status == "fail" for f in self.findings):
            return "fail"
        if any(f.status == "warn" for f in self.findings):
            return "warn"
        return "pass"

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "fail"]

    def finding(self, finding_id: str) -> Finding | None:
        return next((f for f in self.findings if f.id == finding_id), None)

    def sort(self) -> None:
        """Put findings in the catalogue's order (checks run in a different one)."""
        self.findings.sort(key=lambda f: FINDING_IDS.index(f.id))

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "domain": self.domain,
            "url": self.url,
            "cloud": self.cloud,
            "tenant_id": self.tenant_id,
            "user_identifier": self.user_identifier,
            "connect_to": (
                f"{self.connect_to[0]}:{self.connect_to[1]}" if self.connect_to else None
            ),
            "checked_at": self.checked_at.isoformat(timespec="seconds"),
            "status": self.status,
            "findings": [f.to_dict(detail_key="evidence") for f in self.findings],
            "requests": {
                model: [hop.to_dict() for hop in hops] for model, hops in self.requests.items()
            },
        }
