"""What the sandbox saw: one record per request, readable from Python and over HTTP."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


@dataclass
class RequestRecord:
    seq: int  # order of arrival (sub-requests of a $batch get their own numbers)
    method: str
    path: str  # with the version, e.g. "/beta/deviceManagement/deviceConfigurations"
    query: dict[str, str]
    body: Any  # the parsed JSON body, the text when not JSON, or None
    status: int  # 0 = the connection was dropped without an answer
    time: float  # time.time() when the request arrived
    request_id: str
    duration_ms: float = 0.0
    fault: str | None = None  # "429", "503", "drop", "latency", "expired-token" ...
    in_batch: bool = False  # a sub-request of a $batch
    batch_request_id: str | None = None  # the enclosing $batch's request id
    batch_item_id: str | None = None  # the sub-request's "id" inside the batch
    upn: str = ""  # whose token it carried
    tenant_id: str = ""  # the tenant the token was for ("" = no valid token)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_write(self) -> bool:
        """A request that may change the tenant ($batch containers are not writes)."""
        return self.method in WRITE_METHODS and not self.path.endswith("/$batch")

    @property
    def is_batch(self) -> bool:
        return self.path.endswith("/$batch")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["is_write"] = self.is_write
        return data
