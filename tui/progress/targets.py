"""Whom a progress read counts, from the session alone (no Graph, no I/O).

A rollout targets its enrollment profile's targets ([enrollment_profile] groups and
all_users: the profile decides who can enroll); a session without that step falls back
to the SSO extension's users (tui.rollout.desired.check_targets). tui.progress.read
reads those users and their devices.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tui.graph.models import CheckTargets
from tui.validators import is_guid


def progress_targets(data: Mapping[str, Any]) -> CheckTargets:
    """Whom the session's enrollment profile targets; never raises (bad entries are skipped)."""
    from tui.rollout.desired import check_targets

    table = data.get("enrollment_profile")
    if not isinstance(table, Mapping):
        return check_targets(data)
    ids: list[str] = []
    names: list[str] = []
    labels: dict[str, str] = {}
    groups = table.get("groups")
    for item in groups if isinstance(groups, list) else []:
        if not isinstance(item, Mapping):
            continue
        gid, name = str(item.get("id", "")).strip(), str(item.get("name", "")).strip()
        if gid and is_guid(gid):
            ids.append(gid)
            if name:
                labels.setdefault(gid, name)
        elif name:
            names.append(name)
    return CheckTargets(
        all_users=bool(table.get("all_users", False)),
        group_ids=tuple(dict.fromkeys(ids)),
        group_names=tuple(dict.fromkeys(names)),
        labels=tuple(labels.items()),
    )
