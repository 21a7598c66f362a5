"""What the Review step says before the plan: the tenant, whom each object reaches, and
the wizard steps that are not finished (issue 17, point 2). From the session only (no
Graph): the plan below it says what will be written."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tui.steps import STEPS, step_status

if TYPE_CHECKING:
    from tui.graph.checks import CheckReport, LicenceUse

STATUS_WORDS = {"todo": "to do: never gone through", "in_progress": "started, not finished"}
BEFORE_REVIEW = tuple(s for s in STEPS if s.id not in ("review", "guide"))


def _names(table: Mapping[str, Any], key: str) -> list[str]:
    groups = table.get(key) if isinstance(table.get(key), list) else []
    found = []
    for group in groups or []:
        if isinstance(group, Mapping):
            label = str(group.get("name") or group.get("id") or "").strip()
            if label:
                found.append(repr(label))
    return found


def _whom(table: Mapping[str, Any], *, all_users_default: bool) -> str:
    parts = []
    if bool(table.get("all_users", all_users_default)):
        parts.append("All users (every licensed user of the tenant)")
    groups = _names(table, "groups")
    if groups:
        parts.append(("group " if len(groups) == 1 else "groups ") + ", ".join(groups))
    excluded = _names(table, "exclude_groups")
    text = " and ".join(parts) or "nobody"
    if excluded:
        text += ", except " + ", ".join(excluded)
    return text


def target_lines(data: Mapping[str, Any]) -> list[str]:
    """Whom the SSO policy, Authenticator and the enrollment profile reach, in words."""
    lines = []
    sso = data.get("sso_extension")
    if isinstance(sso, Mapping):
        lines.append(f"SSO app extension policy: {_whom(sso, all_users_default=True)}")
    app = data.get("authenticator")
    if isinstance(app, Mapping):
        if bool(app.get("same_groups_as_sso", True)) and isinstance(sso, Mapping):
            whom = _whom(sso, all_users_default=True) + " (the SSO policy's users)"
        else:
            whom = _whom(app, all_users_default=False)
        lines.append(f"Microsoft Authenticator, required (one VPP licence per user): {whom}")
    profile = data.get("enrollment_profile")
    if isinstance(profile, Mapping):
        whom = _whom(profile, all_users_default=False)
        if whom == "nobody":
            whom = "nobody yet: choose groups or All users in step 5"
        filter_id = str(profile.get("filter_id") or "").strip()
        if filter_id:
            whom += f", assignment filter {filter_id} ({profile.get('filter_type') or 'include'})"
        lines.append(f"Enrollment profile: {whom}")
    return lines


def unfinished_steps(data: Mapping[str, Any]) -> list[str]:
    """Steps 1-6 that are not done, numbered as in the step list."""
    found = []
    for number, step in enumerate(BEFORE_REVIEW, start=1):
        status = step_status(data, step.id)
        if status != "done":
            found.append(f"{number} {step.title}: {STATUS_WORDS[status]}")
    return found


def review_summary(data: Mapping[str, Any], tenant: str) -> str:
    """The text above the plan: tenant, targets, unfinished steps."""
    lines = [f"Tenant: {tenant}", *target_lines(data)]
    unfinished = unfinished_steps(data)
    if unfinished:
        lines.append("Not finished yet (Review shows what they hold now):")
        lines += [f"  ○ {line}" for line in unfinished]
    return "\n".join(lines)


def licence_lines(use: LicenceUse | None) -> list[str]:
    """Microsoft Authenticator's licences: what the required assignment uses, what is free."""
    if use is None:
        return []
    users = f"{'at least ' if use.at_least else ''}{use.targeted}"
    lines = [
        f"Authenticator licences: up to {users} (one per targeted user) of {use.free} free "
        f"({use.used} of {use.total} in use, {use.app_name})"
    ]
    if use.short:
        lines.append(
            f"  ! {users} targeted users but only {use.free} free licences: users past the "
            "last licence get no Authenticator and cannot finish enrollment. Add licences in "
            "Apple Business (Apps and Books), then sync the VPP token in Intune."
        )
    return lines


def open_prerequisites(report: CheckReport, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(check id, "title: detail") of each failing prerequisite and each warning not
    accepted in step 2 ([prerequisites] acknowledged_warnings)."""
    table = data.get("prerequisites")
    accepted = (
        set(table.get("acknowledged_warnings") or []) if isinstance(table, Mapping) else set()
    )
    found = []
    for result in report.results:
        status = result.status.value
        if status in ("fail", "error") or (status == "warn" and result.id not in accepted):
            found.append((result.id, f"{result.title}: {result.detail}"))
    return found


def confirmed(open_ids: list[str], data: Mapping[str, Any]) -> bool:
    """Whether the admin confirmed applying despite exactly these (or more) open checks."""
    table = data.get("prerequisites")
    if not isinstance(table, Mapping):
        return not open_ids
    done = set(table.get("acknowledged_failures") or []) | set(
        table.get("acknowledged_warnings") or []
    )
    return set(open_ids) <= done
