"""A `$batch`'s items: the GET sent inside it and its answer.

Apart from the rest of tui.graph.models (which re-exports both), so that a `$batch` is
made and sent before the models its answers are decoded into are imported: a headless
`adue plan` imports those while its first round trip is on the wire
(tui.rollout.pinned_plan, bench/headless_plan.py).
"""

from __future__ import annotations

from tui.values import Frozen


class BatchRead(Frozen):
    """One GET inside a `$batch`."""

    id: str
    path: str  # relative, e.g. "deviceManagement/vppTokens"
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    # Path and query as Graph handed them out (an @odata.nextLink): sent as they are, not
    # built by msgraph-sdk's request builders (tui.graph.builders).
    as_given: bool = False


class BatchAnswer(Frozen):
    id: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def request_id(self) -> str:
        for name, value in self.headers:
            if name.lower() in ("request-id", "client-request-id"):
                return value
        return ""
