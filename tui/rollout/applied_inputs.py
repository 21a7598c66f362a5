"""What the session asked for at its last successful apply, per part, as short digests
([review] applied_inputs): a later difference on a part the session has changed since is
the admin's own edit ("changed in the session"), not drift (a change made in the tenant
by someone else). Parts: each object's settings and its targets, and the iOS order.
A part without a record (a session applied before this existed) counts as unchanged."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.rollout.desired import Audience, DesiredState, GroupRef

SSO_SETTINGS = "sso_extension:settings"
SSO_TARGETS = "sso_extension:targets"
APP_TARGETS = "authenticator:targets"
PROFILE_SETTINGS = "enrollment_profile:settings"
PROFILE_TARGETS = "enrollment_profile:targets"
WEB_CLIP_TARGETS = "web_clip:targets"
PRIORITY = "priority:order"


def _refs(refs: Iterable[GroupRef]) -> list[str]:
    # The id when the session has it (apply writes it back), else the name it gives.
    return sorted((r.id.lower() or f"name:{r.name}") for r in refs)


def _audience(audience: Audience) -> list[Any]:
    return [audience.all_users, _refs(audience.groups), _refs(audience.exclude_groups)]


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def input_digests(desired: DesiredState) -> dict[str, str]:
    """Part -> digest of what the session asks for in it."""
    parts: dict[str, Any] = {}
    if desired.sso is not None:
        sso = desired.sso
        parts[SSO_SETTINGS] = [
            sso.name,
            sso.description,
            sorted(sso.bundle_ids),
            sso.browser_sso_interaction_enabled,
            sorted(map(list, sso.extra_keys)),
        ]
        parts[SSO_TARGETS] = _audience(sso)
    if desired.authenticator is not None:
        parts[APP_TARGETS] = _audience(desired.authenticator)
    if desired.profile is not None:
        profile = desired.profile
        parts[PROFILE_SETTINGS] = [profile.name, profile.description, profile.mode]
        parts[PROFILE_TARGETS] = [
            profile.all_users,
            _refs(profile.groups),
            profile.filter_id.lower(),
            profile.filter_type if profile.filter_id else "",
        ]
    if desired.web_clip is not None:
        parts[WEB_CLIP_TARGETS] = _audience(desired.web_clip)
    if desired.priority is not None:
        parts[PRIORITY] = list(desired.priority)
    return {part: _digest(value) for part, value in parts.items()}


def recorded(data: Mapping[str, Any]) -> dict[str, str]:
    """[review] applied_inputs ("part=digest" each) as a dict."""
    review = data.get("review")
    entries = review.get("applied_inputs") if isinstance(review, Mapping) else None
    found = {}
    for entry in entries if isinstance(entries, list) else []:
        part, _, digest = str(entry).partition("=")
        if part and digest:
            found[part] = digest
    return found


def as_entries(digests: Mapping[str, str]) -> list[str]:
    return [f"{part}={digest}" for part, digest in sorted(digests.items())]


def changed_parts(data: Mapping[str, Any], desired: DesiredState) -> frozenset[str]:
    """The parts whose session value differs from the one the last successful apply wrote."""
    before = recorded(data)
    now = input_digests(desired)
    return frozenset(
        part for part, digest in now.items() if part in before and before[part] != digest
    )
