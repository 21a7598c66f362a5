"""Read what the tenant has for a desired state, in as few round trips as Graph allows.

Everything the plan needs is read in ONE round trip when the session stores ids:
a v1.0 and a beta `$batch` sent concurrently (more than 20 reads become several
batches, also concurrent), with `$expand=assignments` where Graph supports it
(device configurations, one mobile app by id; never on the app LIST, where it is
deprecated and comes back empty). Only unusual cases cost a second round:
a group given by name that must be checked for devices, an object found by
display name or bundle id rather than stored id, a stored id that no longer exists.

What the first round trip asks for, and its sending, are in tui.rollout.first_round: a
headless plan sends it before this module (and the models and parsers it reads the
answers with) is imported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tui.graph import parse
from tui.graph.batch import answer_error
from tui.graph.client import GraphClient
from tui.graph.models import (
    AUTHENTICATOR_BUNDLE_ID,
    AppAssignment,
    AssignmentTarget,
    BatchAnswer,
    BatchRead,
    EnrollmentProfile,
    Group,
    GroupKind,
    ProfileAssignment,
)
from tui.graph.operations import Scope, kind_from_rule
from tui.graph.payloads import IOS_DEVICE_FEATURES, WEB_APP
from tui.rollout.desired import (
    AuthenticatorDesired,
    DesiredState,
    GroupRef,
    ProfileDesired,
    SsoDesired,
    WebClipDesired,
)
from tui.rollout.first_round import (
    Read,
    app_read,
    first_reads,
    group_refs,
    kind_reads,
    profile_assignments_read,
    profile_group_ids,
    q,
    send_reads,
    vpp_apps_read,
    web_clip_read,
)

VPP_APP = "#microsoft.graph.iosVppApp"
Json = Mapping[str, Any]


@dataclass
class Found:
    """One object adue manages, as the tenant has it (body None = not there)."""

    body: Json | None = None
    found_by: str = ""  # "stored id" | "display name" | "bundle id" | ""
    stored_id_missing: bool = False  # the session's id no longer exists in the tenant
    conflict: list[str] = field(default_factory=list)  # ids of same-named objects
    # Other objects with exactly our name and type besides the one the session records
    # (found by stored id): duplicates no run settled, e.g. two admins' runs at once where
    # one was stopped before it could delete its copy (tui.rollout.converge).
    twins: list[Json] = field(default_factory=list)

    @property
    def id(self) -> str:
        return parse.text(self.body, "id") if self.body is not None else ""


@dataclass(frozen=True)
class OtherSsoPayload:
    """An SSO extension payload in a policy that is not ours, and whom it is assigned to."""

    kind: str  # "device features policy" | "Settings Catalog policy"
    name: str
    id: str
    targets: tuple[AssignmentTarget, ...]


@dataclass
class TenantState:
    sso: Found = field(default_factory=Found)
    sso_targets: tuple[AssignmentTarget, ...] = ()
    app: Found = field(default_factory=Found)
    app_assignments: tuple[AppAssignment, ...] = ()
    app_problem: str = ""
    profile: Found = field(default_factory=Found)
    profile_assignments: tuple[ProfileAssignment, ...] = ()
    profiles: tuple[EnrollmentProfile, ...] = ()  # every Apple enrollment profile, by priority
    groups: dict[GroupRef, Group] = field(default_factory=dict)
    group_kinds: dict[str, GroupKind] = field(default_factory=dict)  # group id -> kind
    filter_name: str = ""  # display name of [enrollment_profile] filter_id
    other_sso: tuple[OtherSsoPayload, ...] = ()  # SSO extensions in other policies
    # The Company Portal web clip: found by stored id, else by the cloud's portal address
    # (an admin's existing one is adopted), with its assignments read by id in beta.
    web_clip: Found = field(default_factory=Found)
    web_clip_assignments: tuple[AppAssignment, ...] = ()
    web_clip_problem: str = ""
    # Names of groups on our objects that the session does not list (they will be removed).
    other_group_names: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    round_trips: int = 0


async def _run(client: GraphClient, reads: list[Read]) -> dict[str, Json | None]:
    """One round trip: every read, batched per API version, batches sent concurrently.

    A 404 gives None; other failures raise the mapped GraphError. Paged answers
    are followed (only large tenants page).
    """
    return await bodies(
        client, reads, await send_reads(client, [(r.version, r.read) for r in reads])
    )


async def bodies(
    client: GraphClient, reads: list[Read], answers: Mapping[str, BatchAnswer]
) -> dict[str, Json | None]:
    """Each read's JSON body from its answer (None: 404), its further pages followed; a
    failed read raises its GraphError."""
    bodies: dict[str, Json | None] = {}
    for item in reads:
        answer = answers[item.read.id]
        if answer.status == 404:
            bodies[item.read.id] = None
            continue
        if not answer.ok:
            raise answer_error(answer, item.what, item.scopes)
        body: dict[str, Any] = json.loads(answer.body) if answer.body else {}
        link = parse.text(body, "@odata.nextLink") if item.all_pages else ""
        while link:
            page = (await client.get_url(link, what=item.what)).json()
            body["value"] = [*parse.items(body), *parse.items(page)]
            link = parse.text(page, "@odata.nextLink")
        bodies[item.read.id] = body
    return bodies


SSO_SETTING_PREFIX = "com.apple.extensiblesso"  # Apple's Extensible SSO payload


def _definition_ids(value: Any) -> list[str]:
    """Every settingDefinitionId inside a Settings Catalog setting, children included."""
    found: list[str] = []
    if isinstance(value, Mapping):
        definition = value.get("settingDefinitionId")
        if isinstance(definition, str):
            found.append(definition)
        for child in value.values():
            found += _definition_ids(child)
    elif isinstance(value, list):
        for child in value:
            found += _definition_ids(child)
    return found


def _other_sso_payloads(
    features: Json | None, catalog: Json | None, ours: str
) -> tuple[OtherSsoPayload, ...]:
    found: list[OtherSsoPayload] = []
    for policy in parse.items(features or {}):
        policy_id = parse.text(policy, "id")
        if policy_id == ours or not parse.child(policy, "iosSingleSignOnExtension"):
            continue
        name = parse.text(policy, "displayName")
        found.append(OtherSsoPayload("device features policy", name, policy_id, _targets(policy)))
    for policy in parse.items(catalog or {}):
        platforms = parse.text(policy, "platforms")
        if "ios" not in platforms.lower():
            continue
        ids = _definition_ids(policy.get("settings"))
        if any(i.lower().startswith(SSO_SETTING_PREFIX) for i in ids):
            found.append(
                OtherSsoPayload(
                    "Settings Catalog policy",
                    parse.text(policy, "name"),
                    parse.text(policy, "id"),
                    _targets(policy),
                )
            )
    return tuple(found)


def _twins(bodies: list[Json], name: str, found: Found) -> None:
    """Same name and type as the object found by stored id, other id: a duplicate."""
    found.twins = [
        b
        for b in bodies
        if parse.text(b, "displayName").strip() == name and parse.text(b, "id") != found.id
    ]


def _filter_found(state: TenantState, body: Json | None, filter_id: str) -> None:
    """The filter must exist and be for iOS/iPadOS devices."""
    where = "[enrollment_profile] filter_id"
    if body is None:
        state.problems.append(
            f"{where}: no assignment filter has the id {filter_id}: pick one in Tenant "
            "administration > Filters, or leave filter_id empty"
        )
        return
    state.filter_name = parse.text(body, "displayName")
    platform = parse.text(body, "platform")
    if platform and platform != "iOS":
        state.problems.append(
            f"{where}: the filter {state.filter_name!r} is for {platform} devices: the "
            "enrollment profile needs an iOS/iPadOS filter"
        )


def _targets(body: Json) -> tuple[AssignmentTarget, ...]:
    found = (parse.assignment(a) for a in parse.items(body, "assignments"))
    return tuple(a.target for a in found if a)


def _one_by_name(bodies: list[Json], name: str, found: Found) -> None:
    matches = [b for b in bodies if parse.text(b, "displayName").strip() == name]
    if len(matches) == 1:
        found.body, found.found_by = matches[0], "display name"
    elif len(matches) > 1:
        found.conflict = [parse.text(b, "id") for b in matches]


def _kind_of(bodies: Mapping[str, Json | None], group: Group) -> GroupKind:
    if group.membership_rule:
        from_rule = kind_from_rule(group.membership_rule)
        if from_rule is not None:
            return from_rule
    users = bool(parse.items(bodies.get(f"users:{group.id}") or {}))
    devices = bool(parse.items(bodies.get(f"devices:{group.id}") or {}))
    if users and devices:
        return GroupKind.MIXED
    if devices:
        return GroupKind.DEVICES
    return GroupKind.USERS if users else GroupKind.EMPTY


async def read_tenant(client: GraphClient, desired: DesiredState) -> TenantState:
    """Everything the plan compares against; problems (unknown groups...) are collected.

    One round trip for what the session names; a second only for what the first one
    found by name or did not find (`follow`), then one to name other admins' groups."""
    return await read_rest(client, desired, await _run(client, first_reads(desired)))


async def read_rest(
    client: GraphClient, desired: DesiredState, bodies: dict[str, Json | None]
) -> TenantState:
    """The tenant's state from the first round trip's `bodies`
    (tui.rollout.first_round.first_reads), with the round trips that follow from them."""
    state = TenantState()
    sso, app, profile = desired.sso, desired.authenticator, desired.profile
    refs = group_refs(desired)
    state.round_trips = 1
    _take_groups(state, refs, bodies)
    follow = _group_kind_follow(state, profile, profile_group_ids(desired)) if profile else []
    if sso:
        _take_sso(state, sso, bodies)
    if app:
        follow += _take_app(state, app, bodies)
    if profile:
        follow += _take_profile(state, profile, bodies)
    if desired.web_clip:
        follow += _web_clip_found(state, desired.web_clip, bodies)
    if follow:
        bodies = {**bodies, **await _follow_up(client, state, follow)}
    if profile:
        for ref in profile.groups:
            group = state.groups.get(ref)
            if group:
                state.group_kinds[group.id] = _kind_of(bodies, group)
    if sso:
        state.other_sso = _other_sso_payloads(
            bodies.get("sso_by_name"), bodies.get("sso_catalog"), state.sso.id
        )
    await _name_other_groups(client, state)
    return state


def _take_groups(
    state: TenantState, refs: list[GroupRef], bodies: Mapping[str, Json | None]
) -> None:
    """Each group the session names, by id or by its exact name; a problem for one that
    is missing or ambiguous."""
    for index, ref in enumerate(refs):
        body = bodies.get(f"group{index}")
        if ref.id:
            if body is None:
                state.problems.append(
                    f"{ref.where}: the group {ref.label!r} (id {ref.id}) does not exist in the "
                    "tenant: pick the group again"
                )
                continue
            state.groups[ref] = parse.group(body)
            continue
        matches = parse.items(body or {})
        exact = [m for m in matches if parse.text(m, "displayName") == ref.name]
        if not exact:
            state.problems.append(
                f"{ref.where}: no group is named {ref.name!r}: check the spelling (names must "
                "match exactly) or give the group's id"
            )
        elif len(exact) > 1:
            ids = ", ".join(parse.text(m, "id") for m in exact)
            state.problems.append(
                f"{ref.where}: {len(exact)} groups are named {ref.name!r} (ids {ids}): give the "
                'id of the one you mean, e.g. { id = "...", name = "..." }'
            )
        else:
            state.groups[ref] = parse.group(exact[0])


def _group_kind_follow(
    state: TenantState, profile: ProfileDesired, profile_group_ids: set[str]
) -> list[Read]:
    """The profile's groups found by name whose kind (users or devices) no rule decides:
    their members are read in the second round."""
    follow: list[Read] = []
    for ref in profile.groups:
        group = state.groups.get(ref)
        if group and group.id not in profile_group_ids and not _rule_decides(group):
            follow += kind_reads(group.id)
    return follow


def _take_sso(state: TenantState, sso: SsoDesired, bodies: Mapping[str, Json | None]) -> None:
    """Our SSO policy by stored id (and its twins by name), else by name."""
    if not sso.policy_id:
        _sso_from_list(state, bodies.get("sso_by_name"), sso.name)
        return
    body = bodies.get("sso")
    if body is None:
        state.sso.stored_id_missing = True
        _sso_from_list(state, bodies.get("sso_by_name"), sso.name)
        return
    state.sso.body, state.sso.found_by = body, "stored id"
    state.sso_targets = _targets(body)
    policies = [
        p
        for p in parse.items(bodies.get("sso_by_name") or {})
        if parse.odata_type(p) in ("", IOS_DEVICE_FEATURES)
    ]
    _twins(policies, sso.name, state.sso)


def _take_app(
    state: TenantState, app: AuthenticatorDesired, bodies: Mapping[str, Json | None]
) -> list[Read]:
    """Authenticator by stored id, else from the VPP app list (its assignments then come
    from a read of that one app: the list's `$expand` is deprecated)."""
    if not app.app_id:
        _app_from_list(state, bodies.get("vpp_apps"))
        return [app_read(state.app.id)] if state.app.body is not None else []
    body = bodies.get("app")
    if body is None:
        state.app.stored_id_missing = True
        return [vpp_apps_read()]
    _app_found(state, body, "stored id")
    return []


def _take_profile(
    state: TenantState, profile: ProfileDesired, bodies: Mapping[str, Json | None]
) -> list[Read]:
    """The iOS enrollment profiles in priority order, ours among them by stored id (else
    by name, its assignments then read in the second round), and its filter."""
    follow: list[Read] = []
    listed = parse.items(bodies.get("profiles") or {})
    state.profiles = tuple(
        sorted((parse.enrollment_profile(p) for p in listed), key=lambda p: p.priority)
    )
    by_id = {parse.text(p, "id"): p for p in listed}
    if profile.profile_id and profile.profile_id in by_id:
        state.profile.body, state.profile.found_by = by_id[profile.profile_id], "stored id"
        _twins(listed, profile.name, state.profile)
        state.profile_assignments = _profile_assignments(bodies.get("profile_assignments"))
    else:
        state.profile.stored_id_missing = bool(profile.profile_id)
        _one_by_name(listed, profile.name, state.profile)
        if state.profile.body is not None:
            follow.append(profile_assignments_read(state.profile.id))
    if profile.filter_id:
        _filter_found(state, bodies.get("filter"), profile.filter_id)
    return follow


async def _follow_up(
    client: GraphClient, state: TenantState, follow: list[Read]
) -> dict[str, Json | None]:
    """The second round trip, and a third only when a stored Authenticator id was gone
    and the app was found in the list instead (its assignments need a read of it)."""
    more = await _run(client, follow)
    state.round_trips += 1
    if "app" in more and state.app.found_by == "bundle id":
        _take_app_assignments(state, more.get("app"))
    if state.app.stored_id_missing:
        _app_from_list(state, more.get("vpp_apps"))
        if state.app.body is not None:
            # Found in the list: its assignments come from a read of that one app.
            again = await _run(client, [app_read(state.app.id)])
            state.round_trips += 1
            _take_app_assignments(state, again.get("app"))
    if "profile_assignments" in more:
        state.profile_assignments = _profile_assignments(more.get("profile_assignments"))
    if "web_clip" in more:
        _take_web_clip_assignments(state, more.get("web_clip"))
    return more


async def _name_other_groups(client: GraphClient, state: TenantState) -> None:
    """Display names of groups on our objects that the session does not name (groups the
    plan will unassign, other admins' Authenticator assignments it keeps, the groups of
    other SSO payloads it warns about): one read."""
    known = {g.id.lower() for g in state.groups.values()}
    targets = [
        *state.sso_targets,
        *(a.target for a in state.profile_assignments),
        *(a.target for a in state.app_assignments),  # kept ones are named in the plan
        *(a.target for a in state.web_clip_assignments),
        *(t for other in state.other_sso for t in other.targets),  # named in its warning
    ]
    unknown = sorted(
        {t.group_id for t in targets if t.group_id and t.group_id.lower() not in known}
    )
    if not unknown:
        return
    reads = [
        Read(
            "v1.0",
            BatchRead(f"other{i}", f"groups/{gid}", q(**{"$select": "id,displayName"})),
            "read the name of a group assigned outside adue",
            Scope.GROUPS,
        )
        for i, gid in enumerate(unknown)
    ]
    bodies = await _run(client, reads)
    state.round_trips += 1
    for i, gid in enumerate(unknown):
        body = bodies.get(f"other{i}")
        if body is not None:
            state.other_group_names[gid.lower()] = parse.text(body, "displayName")


def _rule_decides(group: Group) -> bool:
    return bool(group.membership_rule) and kind_from_rule(group.membership_rule) is not None


def _sso_from_list(state: TenantState, body: Json | None, name: str) -> None:
    policies = [
        p for p in parse.items(body or {}) if parse.odata_type(p) in ("", IOS_DEVICE_FEATURES)
    ]
    _one_by_name(policies, name, state.sso)
    if state.sso.body is not None:
        state.sso_targets = _targets(state.sso.body)


def _app_found(state: TenantState, body: Json, found_by: str) -> None:
    state.app.body, state.app.found_by = body, found_by
    app = parse.vpp_app(body)
    if parse.odata_type(body) != VPP_APP:
        state.app_problem = (
            f"[authenticator] app_id: the app {app.display_name or app.id!r} is not a VPP app "
            "(Apps and Books): User Enrollment installs only user-licensed VPP apps. Choose the "
            "VPP Microsoft Authenticator"
        )
    elif app.bundle_id.strip().lower() != AUTHENTICATOR_BUNDLE_ID:
        state.app_problem = (
            f"[authenticator] app_id: the app {app.display_name!r} has bundle id "
            f"{app.bundle_id!r}, not {AUTHENTICATOR_BUNDLE_ID}: choose Microsoft Authenticator"
        )
    elif not app.supports_user_licensing:
        state.app_problem = (
            f"[authenticator] app_id: {app.display_name!r} does not support user licensing: "
            "User Enrollment needs user-licensed VPP apps"
        )
    if found_by == "stored id":
        _take_app_assignments(state, body)


def _take_app_assignments(state: TenantState, body: Json | None) -> None:
    read = _assignments_read(body, "authenticator", "Microsoft Authenticator", state.app.id)
    if isinstance(read, str):
        state.app_problem = state.app_problem or read
    else:
        state.app_assignments = read


def _assignments_read(
    body: Json | None, section: str, name: str, app_id: str
) -> tuple[AppAssignment, ...] | str:
    """An app's assignments from its by-id read, or the problem that they are missing:
    without them adue must not `/assign` (replace-all would delete what it did not see)."""
    if body is None or not isinstance(body.get("assignments"), list):
        return (
            f"[{section}]: Graph did not return the assignments of {name} (app {app_id}); "
            "adue will not replace assignments it cannot see: run again"
        )
    return _app_assignments(body)


def _app_from_list(state: TenantState, body: Json | None) -> None:
    apps = [
        (parse.vpp_app(a), a)
        for a in parse.items(body or {})
        if parse.odata_type(a) in ("", VPP_APP)
    ]
    wanted = [
        (app, raw)
        for app, raw in apps
        if app.bundle_id.strip().lower() == AUTHENTICATOR_BUNDLE_ID and app.supports_user_licensing
    ]
    if not wanted:
        state.app_problem = (
            "[authenticator] app_id: the tenant has no user-licensed VPP Microsoft Authenticator "
            f"({AUTHENTICATOR_BUNDLE_ID}): get it in Apple Business (formerly Apple Business "
            "Manager), Apps and Books, sync the VPP token in Intune, then run again"
        )
        return
    wanted.sort(key=lambda pair: pair[0].free_licenses, reverse=True)
    _app_found(state, wanted[0][1], "bundle id")


def _app_assignments(body: Json) -> tuple[AppAssignment, ...]:
    found = (parse.app_assignment(a) for a in parse.items(body, "assignments"))
    return tuple(a for a in found if a)


def _profile_assignments(body: Json | None) -> tuple[ProfileAssignment, ...]:
    result = []
    for item in parse.items(body or {}):
        target = parse.target(parse.child(item, "target"))
        if target:
            result.append(ProfileAssignment(parse.text(item, "id"), target))
    return tuple(result)


# -- the Company Portal web clip -----------------------------------------------------------------


def _same_url(a: str, b: str) -> bool:
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


def _oldest_first(bodies: list[Json]) -> list[Json]:
    far = "9999"
    return sorted(
        bodies, key=lambda b: (parse.text(b, "createdDateTime") or far, parse.text(b, "id"))
    )


def _web_clip_found(
    state: TenantState, clip: WebClipDesired, bodies: Mapping[str, Json | None]
) -> list[Read]:
    """Pick the web clip: the stored id; else a web app with exactly our name and the portal
    address (ours from an earlier run); else the oldest web app with the portal address
    (an admin's: adopted). Returns the by-id read of its assignments when still needed."""
    found = state.web_clip
    portal = [
        b
        for b in parse.items(bodies.get("web_apps") or {})
        if parse.odata_type(b) in ("", WEB_APP) and _same_url(parse.text(b, "appUrl"), clip.app_url)
    ]
    named = [b for b in portal if parse.text(b, "displayName").strip() == clip.name]
    if clip.app_id:
        body = bodies.get("web_clip")
        if body is not None and parse.odata_type(body) not in ("", WEB_APP):
            state.web_clip_problem = (
                f"[web_clip] app_id: the app {parse.text(body, 'displayName')!r} is not a web "
                "app: clear app_id to let adue find or create the Company Portal web clip"
            )
            return []
        if body is not None:
            found.body, found.found_by = body, "stored id"
            _take_web_clip_assignments(state, body)
            found.twins = [b for b in named if parse.text(b, "id") != found.id]
            return []
        found.stored_id_missing = True
    if len(named) > 1:
        found.conflict = [parse.text(b, "id") for b in named]
        return []
    chosen = named or _oldest_first(portal)[:1]
    if not chosen:
        return []
    found.body = chosen[0]
    found.found_by = "display name" if named else "portal address"
    return [web_clip_read(found.id)]


def _take_web_clip_assignments(state: TenantState, body: Json | None) -> None:
    clip = state.web_clip.id
    read = _assignments_read(body, "web_clip", "the Company Portal web clip", clip)
    if isinstance(read, str):
        state.web_clip_problem = state.web_clip_problem or read
    else:
        state.web_clip_assignments = read
