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

from tui.graph import operations as ops
from tui.graph import parse
from tui.graph.client import GraphClient
from tui.graph.models import AppAssignment, AppIntent, AssignmentTarget
from tui.rollout.converge import Candidate
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
        actions.append(
            Action(
                KEY_ASSIGN,
                ActionKind.ASSIGN,
                ObjectType.WEB_CLIP,
                Chain.WEB_CLIP,
                f"Make {label} required",
                tuple(f"+ {words(a.target)}: required" for a in wanted),
                op=AssignApp(tuple(wanted), tuple(target_token(a.target) for a in wanted)),
            )
        )
        return actions
    name = parse.text(found.body, "displayName") or clip.name
    label = f"the Company Portal web clip {name!r}"
    current = {a.key: a for a in state.web_clip_assignments}
    add: list[AppAssignment] = []
    lines: list[str] = []
    added: list[str] = []
    for assignment in wanted:
        have = current.get(assignment.key)
        if have is None:
            add.append(assignment)
            added.append(target_token(assignment.target))
            lines.append(f"+ {words(assignment.target)}: required")
        elif have.intent is not AppIntent.REQUIRED:
            add.append(replace(have, intent=AppIntent.REQUIRED, settings_type=""))
            lines.append(f"{words(have.target)}: {have.intent.value}, should be required")
    if not add:
        return []
    changed = {a.key for a in add}
    lines += [
        f"= {words(a.target)}: {a.intent.value} (kept as it is)"
        for a in state.web_clip_assignments
        if a.key not in changed
    ]
    if found.found_by == "portal address":
        lines.insert(0, f"adopts the tenant's web app {name!r} (it opens {clip.app_url})")
    merged = ops.merge_app_assignments(state.web_clip_assignments, add)
    actions.append(
        Action(
            KEY_ASSIGN,
            ActionKind.ASSIGN,
            ObjectType.WEB_CLIP,
            Chain.WEB_CLIP,
            f"Make {label} required",
            tuple(lines),
            object_id=found.id,
            drift=found.found_by == "stored id" and clip.written,
            op=AssignApp(merged, tuple(added)),
        )
    )
    return actions


class WebClipKind:
    """The web clip for tui.rollout.converge: created once, found again by exact name, type
    and address after a lost answer, twins settled on the oldest."""

    def __init__(self, client: GraphClient, name: str, app_url: str) -> None:
        self.client, self.name, self.app_url = client, name, app_url
        self.label = f"the Company Portal web clip {name!r}"

    async def create(self) -> tuple[Candidate, str]:
        written = await ops.create_web_app(self.client, self.name, self.app_url)
        return Candidate(written.value.id, written.value.created), written.request_id

    async def find(self) -> list[Candidate]:
        found = await ops.find_web_apps(self.client, self.app_url, self.name)
        return [Candidate(a.id, a.created) for a in found]

    async def delete(self, object_id: str) -> str:
        return (await ops.delete_mobile_app(self.client, object_id)).request_id
