"""The optional JSON state file that lets a sandbox tenant survive a restart.

Written atomically (temp file in the same folder, fsync, os.replace) with mode 0600.
It holds the tenant only: never a token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tui.files import write_private
from tui.sandbox.tenant import Tenant

FORMAT = 1
T = TypeVar("T")


def load_state(path: Path) -> Tenant:
    return _load(
        path,
        FORMAT,
        f"not a format-{FORMAT} adue sandbox state",
        lambda data: Tenant.from_json(data["tenant"]),
    )


def save_state(path: Path, tenant: Tenant) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"format": FORMAT, "tenant": tenant.to_json()}, ensure_ascii=False)
    write_private(path, text)


FLEET_FORMAT = 2  # a fleet sandbox: the partner tenant and every customer tenant


def tenant_json(tenant: Tenant) -> str:
    return json.dumps(tenant.to_json(), ensure_ascii=False)


def save_fleet_texts(path: Path, tenant_texts: list[str]) -> None:
    """The fleet state file from each tenant's JSON text (tenant_json), in order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, f'{{"format": {FLEET_FORMAT}, "tenants": [{", ".join(tenant_texts)}]}}')


def load_fleet_state(path: Path) -> list[Tenant]:
    return _load(
        path,
        FLEET_FORMAT,
        f"not a fleet sandbox's state (format {FLEET_FORMAT})",
        lambda data: [Tenant.from_json(item) for item in data["tenants"]],
    )


def _load(path: Path, fmt: int, not_this: str, tenants: Callable[[dict[str, Any]], T]) -> T:
    """`tenants` of the state file at `path` when it is JSON of format `fmt`; else a
    ValueError naming the file (`not_this` says which kind it is not), never a traceback."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise ValueError(f"sandbox state file {path} is not valid JSON: {error}") from None
    if not isinstance(data, dict) or data.get("format") != fmt:
        raise ValueError(
            f"sandbox state file {path} is {not_this}; delete it or pass another --state path"
        )
    try:
        return tenants(data)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"sandbox state file {path} is damaged: {error}") from None
