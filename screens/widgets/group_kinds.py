"""The words shown for whether a group holds users or devices.

Several pickers (SSO include/exclude, Authenticator, enrollment profile) look at
the same groups; the answer for an assigned group costs a `$batch` request, so
the Backend asks it once per run and remembers it for all (Backend.known_group_kind).
"""

from __future__ import annotations

# GroupKind values (tui.graph.models) -> the word shown beside a group.
KIND_WORDS: dict[str, str] = {
    "users": "users",
    "devices": "devices",
    "mixed": "users+devices",
    "empty": "empty",
}


def device_refusal(name: str) -> str:
    """Why a device group cannot be picked where user enrollment targets users."""
    return (
        f"{name} holds devices: account-driven user enrollment targets users, "
        "so device groups are not supported here. Pick a group of users."
    )
