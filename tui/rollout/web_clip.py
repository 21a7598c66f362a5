"""The Company Portal web clip in the plan: adopt the tenant's web app that opens the cloud's
Company Portal address, or create one, and make it required for the rollout's users.

Microsoft recommends the Company Portal website on the home screen for user enrollment
(graph.md, "Other objects around the rollout"). The app is shared like Authenticator: an
admin's existing one is adopted, never renamed, and its other assignments go back exactly
as read through the replace-all `/assign` (read and written in beta). The read is
tui.rollout.read (`web_clip` in TenantState); apply runs the actions (tui.rollout.apply).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from tui.graph import operations as ops
from tui.graph import parse
from tui.graph.client import GraphClient
from tui.graph.models import AppAssignment, AppIntent, AssignmentTarget, WebApp
from tui.rollout.desired import WebClipDesired
from tui.rollout.model import (
    Action,
    ActionKind,
    AssignApp,
    Chain,
    CreateWebClip,
    ObjectType,
    target_token,
)
from tui.rollout.read import TenantState
from tui.rollout.required_app import required_assignments

if TYPE_CHECKING:
    from tui.rollout.converge import NamedKind

KEY_CREATE = "web_clip:create"
KEY_ASSIGN = "web_clip:assign"


def web_clip_actions(
    clip: WebClipDesired,
    state: TenantState,
    targets: list[AssignmentTarget],
    words: Callable[[AssignmentTarget], str],
    problems: list[str],
) -> list[Action]:
    """Create (when the tenant has none) and assign; `targets` are the rollout's users."""
    found = state.web_clip
    if state.web_clip_problem:
        problems.append(state.web_clip_problem)
        return []
    if found.conflict:
        problems.append(
            f"[web_clip] name: {len(found.conflict)} web apps are named {clip.name!r} and open "
            f"{clip.app_url} (ids {', '.join(found.conflict)}); adue will not guess: delete the "
            "extra ones in the Intune admin center, or put the right id in [web_clip] app_id"
        )
        return []
    if found.twins:
        others = ", ".join(parse.text(t, "id") for t in found.twins)
        problems.append(
            f"[web_clip] name: besides the web clip this session records (id {found.id}), "
            f"{len(found.twins)} other web apps named {clip.name!r} open {clip.app_url} "
            f"({others}). adue deletes only a copy the same run created: delete the extra ones "
            "in the Intune admin center (keep the oldest)"
        )
        return []
    label = f"the Company Portal web clip {clip.name!r}"
    actions: list[Action] = []
    wanted = [AppAssignment(t, AppIntent.REQUIRED, settings_type="") for t in targets]
    if found.body is None:
        details = [f"a web app opening {clip.app_url}: an icon on the home screen"]
        if found.stored_id_missing:
            details.insert(0, f"the web clip adue recorded (id {clip.app_id}) is gone")
        actions.append(
            Action(
                KEY_CREATE,
                ActionKind.CREATE,
                ObjectType.WEB_CLIP,
                Chain.WEB_CLIP,
                f"Create {label}",
                tuple(details),
                drift=found.stored_id_missing,
                op=CreateWebClip(clip.name, clip.app_url),
            )
        )
        lines = [f"+ {words(a.target)}: required" for a in wanted]
        added = tuple(target_token(a.target) for a in wanted)
        actions.append(_assign(label, lines, AssignApp(tuple(wanted), added)))
        return actions
    name = parse.text(found.body, "displayName") or clip.name
    label = f"the Company Portal web clip {name!r}"

    def fix(have: AppAssignment) -> tuple[AppAssignment, str] | None:
        if have.intent is AppIntent.REQUIRED:
            return None
        fixed = replace(have, intent=AppIntent.REQUIRED, settings_type="")
        return fixed, f"{have.intent.value}, should be required"

    diff = required_assignments(
        wanted,
        state.web_clip_assignments,
        words=words,
        new="required",
        fix=fix,
        kept=lambda a: a.intent.value,
    )
    if diff is None:
        return []
    adopts = found.found_by == "portal address"
    lines = [f"adopts the tenant's web app {name!r} (it opens {clip.app_url})"] if adopts else []
    drift = found.found_by == "stored id" and clip.written
    op = AssignApp(diff.merged, diff.added)
    return [_assign(label, [*lines, *diff.lines], op, object_id=found.id, drift=drift)]


def _assign(
    label: str, lines: list[str], op: AssignApp, *, object_id: str = "", drift: bool = False
) -> Action:
    return Action(
        KEY_ASSIGN,
        ActionKind.ASSIGN,
        ObjectType.WEB_CLIP,
        Chain.WEB_CLIP,
        f"Make {label} required",
        tuple(lines),
        object_id=object_id,
        drift=drift,
        op=op,
    )


def web_clip_kind(client: GraphClient, name: str, app_url: str) -> NamedKind[WebApp]:
    """The web clip for tui.rollout.converge: found again by exact name and address.
    converge is imported here, by apply: `adue plan` never needs its types (3 frozen
    dataclasses, ~1.5 ms of its start-up)."""
    from tui.rollout.converge import NamedKind

    return NamedKind(
        f"the Company Portal web clip {name!r}",
        partial(ops.create_web_app, client, name, app_url),
        partial(ops.find_web_apps, client, app_url, name),
        partial(ops.delete_mobile_app, client),
    )
