"""A finding: one checked thing's verdict, what was seen, and the fix.

The prerequisite checks (tui.graph.checks, `adue check`) and the discovery check
(tui.discovery, `adue discovery check`) both report findings, shown by the same rows in
the wizard. Each report keeps its own stable JSON shape: a check result's text is
"detail" in `adue check --json`, a discovery finding's is "evidence" (schema 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"  # could not check (a read failed): the detail and fix say why


@dataclass(frozen=True)
class Finding:
    id: str  # stable: sessions store acknowledged check ids, reports list them
    status: Status
    title: str
    detail: str  # what was seen (the evidence)
    fix: str = ""  # empty for a pass

    def to_dict(self, *, detail_key: str = "detail") -> dict[str, str]:
        return {
            "id": self.id,
            "status": self.status.value,
            "title": self.title,
            detail_key: self.detail,
            "fix": self.fix,
        }
