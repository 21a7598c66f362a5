"""Whether a group holds users or devices, remembered per Backend, with the words we show.

Several pickers (SSO include/exclude, Authenticator, enrollment profile) look at
the same groups; the answer for an assigned group costs a `$batch` request, so
it is asked once per run and shared.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from tui.backend import Backend

if TYPE_CHECKING:  # the Graph layer loads after the first frame
    from tui.graph.models import Group, GroupKind

# GroupKind values (tui.graph.models) -> the word shown beside a group.
KIND_WORDS: dict[str, str] = {
    "users": "users",
    "devices": "devices",
    "mixed": "users+devices",
    "empty": "empty",
}

_CACHES: weakref.WeakKeyDictionary[Backend, dict[str, GroupKind]] = weakref.WeakKeyDictionary()


def kind_cache(backend: Backend) -> dict[str, GroupKind]:
    """The group id -> kind answers known for this backend's tenant."""
    cache = _CACHES.get(backend)
    if cache is None:
        cache = _CACHES[backend] = {}
    return cache


def known_kind(backend: Backend, group: Group) -> GroupKind | None:
    """The kind without a request: remembered, or read from a dynamic group's rule."""
    from tui.graph.operations import kind_from_rule

    cache = kind_cache(backend)
    if group.id in cache:
        return cache[group.id]
    if group.membership_rule:
        from_rule = kind_from_rule(group.membership_rule)
        if from_rule is not None:
            cache[group.id] = from_rule
            return from_rule
    return None


def device_refusal(name: str) -> str:
    """Why a device group cannot be picked where user enrollment targets users."""
    return (
        f"{name} holds devices: account-driven user enrollment targets users, "
        "so device groups are not supported here. Pick a group of users."
    )
