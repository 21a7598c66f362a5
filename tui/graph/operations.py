"""Every Graph read and write adue makes (graph.md), as typed async functions.

Each takes the `GraphClient` from tui.graph.client and returns our models
(tui.graph.models); failures raise tui.graph.errors with the permission the call
needs, so a 403 names it. Writes return `Written[...]` carrying Graph's
request-id for the journal.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar
from urllib.parse import quote

from tui.graph import parse
from tui.graph.batch import answer_error, answer_json, batch_get
from tui.graph.client import GraphClient, GraphResponse
from tui.graph.errors import (
    BadRequest,
    Cancelled,
    GraphError,
    NetworkDown,
    ServiceUnavailable,
    Throttled,
    error_from_response,
)
from tui.graph.jwt import GrantedAccess
from tui.graph.jwt import decode_access_token as decode_access_token
from tui.graph.models import (
    AUTHENTICATOR_BUNDLE_ID,
    ApnsCertificate,
    AppAssignment,
    Assignment,
    AssignmentTarget,
    AuthenticatorApps,
    BatchRead,
    EnrollmentProfile,
    EnrollmentProfileSpec,
    Group,
    GroupKind,
    GroupPage,
    Organization,
    PolicyUpdate,
    ProfileAssignment,
    SsoPolicy,
    SsoPolicySpec,
    StoreApp,
    VppApp,
    VppToken,
    WebApp,
    Written,
)
from tui.graph.paths import CONFIGURATIONS as CONFIGURATIONS
from tui.graph.paths import GROUP_FIELDS as GROUP_FIELDS
from tui.graph.paths import MOBILE_APPS as MOBILE_APPS
from tui.graph.paths import ORGANIZATION_QUERY as ORGANIZATION_QUERY
from tui.graph.paths import PROFILES as PROFILES
from tui.graph.paths import Scope as Scope
from tui.graph.payloads import (
    IOS_DEVICE_FEATURES,
    app_assignments_body,
    changed_fields,
    configuration_assignments_body,
    enrollment_profile_body,
    sso_policy_body,
    strip_read_only,
    target_body,
    web_app_body,
)

# Delegated scopes a full run needs (graph.md, "Delegated scopes for a full run").
RUN_SCOPES: tuple[str, ...] = (
    "DeviceManagementConfiguration.ReadWrite.All",
    "DeviceManagementApps.ReadWrite.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
    "Organization.Read.All",
    "Group.Read.All",
)

MAX_PAGES = 50  # a safety net for lists that are small by nature


@dataclass(frozen=True)
class _BetaObjects:
    """A beta collection adue creates in: where, what an admin calls one, the permissions."""

    collection: str
    label: str
    read: tuple[str, ...]
    write: tuple[str, ...]

    def item(self, object_id: str) -> str:
        return f"{self.collection}/{_segment(object_id)}"


SSO_POLICIES = _BetaObjects(
    CONFIGURATIONS, "SSO app extension policy", Scope.CONFIG_READ, Scope.CONFIG_WRITE
)
WEB_CLIPS = _BetaObjects(MOBILE_APPS, "web clip", Scope.APPS_READ, Scope.APPS_WRITE)
ENROLLMENT_PROFILES = _BetaObjects(
    PROFILES, "enrollment profile", Scope.SERVICE_CONFIG_READ, Scope.SERVICE_CONFIG_WRITE
)

# Failures after which a create may or may not have been made: a 5xx or no answer
# (timeout, dropped connection) can come after Graph made the object. (429 is refused
# before any work; it is here because a create is not re-sent by the pipeline, so it
# takes the same path: look up, then create again.)
MAYBE_MADE: tuple[type[GraphError], ...] = (ServiceUnavailable, NetworkDown, Throttled)


class CancelSignal(Protocol):
    """threading.Event, asyncio.Event or anything with is_set()."""

    def is_set(self) -> bool: ...


def _check_cancel(cancel: CancelSignal | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled")


def _segment(value: str) -> str:
    """An id or UPN as one URL path segment."""
    if not value or not value.strip():
        raise ValueError("an object id is required")
    return quote(value.strip(), safe="@")


async def _get_all(
    client: GraphClient,
    path: str,
    *,
    what: str,
    scopes: Sequence[str],
    version: str = "v1.0",
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> list[parse.Json]:
    response = await client.request(
        "GET",
        path,
        version=version,
        query=query,
        headers=headers,
        what=what,
        required_scopes=scopes,
    )
    body = response.json()
    values = parse.items(body)
    for _ in range(MAX_PAGES):
        link = parse.text(body, "@odata.nextLink")
        if not link:
            break
        body = (await client.get_url(link, what=what, headers=headers)).json()
        values.extend(parse.items(body))
    return values


async def _create(
    client: GraphClient, kind: _BetaObjects, body: parse.Json, *, name: str
) -> GraphResponse:
    """POST a beta object once: never re-sent by the pipeline (an answer lost after Graph
    made it would make a second one); tui.rollout.converge looks it up before creating again."""
    return await client.request(
        "POST",
        kind.collection,
        version="beta",
        body=body,
        what=f"create the {kind.label} {name!r}",
        required_scopes=kind.write,
        idempotent=False,
    )


async def _delete(
    client: GraphClient, path: str, what: str, scopes: Sequence[str]
) -> Written[None]:
    """DELETE a beta object; already gone (404, e.g. a retry after a lost answer) is done."""
    response = await client.request(
        "DELETE",
        path,
        version="beta",
        what=what,
        required_scopes=scopes,
        ok_statuses=frozenset({404}),
    )
    return Written(None, response.request_id)


async def _patch_changed(
    client: GraphClient,
    kind: _BetaObjects,
    object_id: str,
    desired: Callable[[parse.Json], parse.Json],
    *,
    name: str,
) -> PolicyUpdate:
    """PATCH only the fields of `desired(current)` that differ from the object as read now
    (nothing differs -> no write); an object that is gone raises the 404."""
    current = await _get_beta_object(
        client, kind.collection, object_id, what=f"read the {kind.label}", scopes=kind.read
    )
    if current is None:
        raise error_from_response(404, {}, None, what=f"update the {kind.label} {object_id}")
    patch = changed_fields(desired(current), strip_read_only(current), keep=("@odata.type",))
    if not patch:
        return PolicyUpdate(())
    response = await client.request(
        "PATCH",
        kind.item(object_id),
        version="beta",
        body=patch,
        what=f"update the {kind.label} {name!r}",
        required_scopes=kind.write,
    )
    return PolicyUpdate(tuple(k for k in patch if k != "@odata.type"), response.request_id)


# -- tenant -----------------------------------------------------------------------
async def get_organization(client: GraphClient) -> Organization:
    """The tenant: id, name, verified domains and MDM authority (one read)."""
    what = "read the organization"
    found = await _get_all(
        client, "organization", query=ORGANIZATION_QUERY, what=what, scopes=Scope.ORGANIZATION
    )
    if not found:
        raise error_from_response(404, {}, None, what=what)
    return parse.organization(found[0])


def apns_from_json(status: int, body: parse.Json) -> ApnsCertificate | None:
    if status == 404:
        return None
    cert = parse.apns_certificate(body)
    return cert if (cert.expiration or cert.apple_identifier or cert.topic_identifier) else None


async def list_vpp_tokens(client: GraphClient) -> tuple[VppToken, ...]:
    found = await _get_all(
        client,
        "deviceAppManagement/vppTokens",
        what="read the Apple VPP (Apps and Books) tokens",
        scopes=Scope.SERVICE_CONFIG_READ,
    )
    return tuple(parse.vpp_token(t) for t in found)


App = TypeVar("App")
VPP_APPS_QUERY = {"$filter": "isof('microsoft.graph.iosVppApp')"}
STORE_APPS_QUERY = {"$filter": "isof('microsoft.graph.iosStoreApp')"}


async def _list_apps(
    client: GraphClient, query: dict[str, str], what: str, app: Callable[[parse.Json], App]
) -> tuple[App, ...]:
    found = await _get_all(client, MOBILE_APPS, query=query, what=what, scopes=Scope.APPS_READ)
    return tuple(app(a) for a in found)


async def list_ios_vpp_apps(client: GraphClient) -> tuple[VppApp, ...]:
    return await _list_apps(client, VPP_APPS_QUERY, "read the iOS VPP apps", parse.vpp_app)


async def list_ios_store_apps(client: GraphClient) -> tuple[StoreApp, ...]:
    return await _list_apps(
        client, STORE_APPS_QUERY, "read the iOS App Store apps", parse.store_app
    )


def authenticator_from_apps(
    vpp_apps: Iterable[VppApp], store_apps: Iterable[StoreApp]
) -> AuthenticatorApps:
    def wanted(bundle_id: str) -> bool:
        return bundle_id.strip().lower() == AUTHENTICATOR_BUNDLE_ID

    return AuthenticatorApps(
        vpp_apps=tuple(a for a in vpp_apps if wanted(a.bundle_id)),
        store_apps=tuple(a for a in store_apps if wanted(a.bundle_id)),
    )


async def find_authenticator_apps(client: GraphClient) -> AuthenticatorApps:
    """Microsoft Authenticator (iOS bundle id) as VPP and as App Store apps."""
    return authenticator_from_apps(
        await list_ios_vpp_apps(client), await list_ios_store_apps(client)
    )


# -- access -------------------------------------------------------------------------
def get_granted_access(client: GraphClient) -> GrantedAccess:
    """What the current token grants (blocking only if the credential must refresh)."""
    return decode_access_token(client.access_token())


# -- groups -----------------------------------------------------------------------------
def _search_term(text: str) -> str:
    # $search takes a quoted "property:value"; a quote or backslash inside is escaped.
    cleaned = text.strip().replace("\\", "\\\\").replace('"', '\\"')
    return f'"displayName:{cleaned}"'


async def search_groups(
    client: GraphClient, text: str, *, top: int = 25, cancel: CancelSignal | None = None
) -> GroupPage:
    """The first page of groups whose display name matches `text` (server-side $search).

    Never lists all groups: one page of `top`, more with `next_group_page`.
    An empty `text` gives the first page without a search.
    """
    if not 1 <= top <= 999:
        raise ValueError("top must be between 1 and 999")
    _check_cancel(cancel)
    query = {"$select": GROUP_FIELDS, "$top": str(top)}
    if text.strip():
        query["$search"] = _search_term(text)
    response = await client.request(
        "GET",
        "groups",
        query=query,
        headers={"ConsistencyLevel": "eventual"},
        what="search groups",
        required_scopes=Scope.GROUPS,
    )
    _check_cancel(cancel)
    body = response.json()
    return GroupPage(
        groups=tuple(parse.group(g) for g in parse.items(body)),
        next_link=parse.text(body, "@odata.nextLink"),
        query=text,
    )


async def next_group_page(
    client: GraphClient, page: GroupPage, *, cancel: CancelSignal | None = None
) -> GroupPage:
    if not page.next_link:
        return GroupPage((), "", page.query)
    _check_cancel(cancel)
    response = await client.get_url(
        page.next_link, what="search groups", headers={"ConsistencyLevel": "eventual"}
    )
    _check_cancel(cancel)
    body = response.json()
    return GroupPage(
        groups=tuple(parse.group(g) for g in parse.items(body)),
        next_link=parse.text(body, "@odata.nextLink"),
        query=page.query,
    )


_DEVICE_RULE = re.compile(r"\bdevice\.", re.IGNORECASE)
_USER_RULE = re.compile(r"\buser\.", re.IGNORECASE)


def kind_from_rule(rule: str) -> GroupKind | None:
    """Users or devices from a dynamic membership rule; None when it names neither."""
    devices, users = bool(_DEVICE_RULE.search(rule)), bool(_USER_RULE.search(rule))
    if devices and users:
        return GroupKind.MIXED
    if devices:
        return GroupKind.DEVICES
    if users:
        return GroupKind.USERS
    return None


async def get_group_kind(client: GraphClient, group: Group) -> GroupKind:
    """Whether a group holds users, devices, both or nothing.

    Dynamic groups answer from their rule; assigned groups from one `$batch` of
    two type-cast member reads ($top=1 each).
    """
    if group.membership_rule:
        from_rule = kind_from_rule(group.membership_rule)
        if from_rule is not None:
            return from_rule
    base = f"groups/{_segment(group.id)}/members"
    answers = await batch_get(
        client,
        [
            BatchRead("users", f"{base}/microsoft.graph.user", (("$top", "1"), ("$select", "id"))),
            BatchRead(
                "devices", f"{base}/microsoft.graph.device", (("$top", "1"), ("$select", "id"))
            ),
        ],
    )
    found: dict[str, bool] = {}
    for key, answer in answers.items():
        if not answer.ok:
            raise answer_error(
                answer, f"read the members of {group.display_name or group.id}", Scope.GROUPS
            )
        found[key] = bool(parse.items(answer_json(answer)))
    if found.get("users") and found.get("devices"):
        return GroupKind.MIXED
    if found.get("devices"):
        return GroupKind.DEVICES
    if found.get("users"):
        return GroupKind.USERS
    return GroupKind.EMPTY


async def list_user_groups(client: GraphClient, user: str) -> tuple[Group, ...]:
    """Every group `user` (object id or UPN) is in, directly or through nesting."""
    found = await _get_all(
        client,
        f"users/{_segment(user)}/transitiveMemberOf/microsoft.graph.group",
        query={"$select": GROUP_FIELDS, "$top": "999"},
        what=f"read the groups of {user}",
        scopes=Scope.GROUP_MEMBERS,
    )
    return tuple(parse.group(g) for g in found)


# -- SSO app extension policy (beta) ---------------------------------------------------
async def create_sso_policy(client: GraphClient, spec: SsoPolicySpec) -> Written[SsoPolicy]:
    """POST the policy once (see `_create`)."""
    response = await _create(client, SSO_POLICIES, sso_policy_body(spec), name=spec.display_name)
    return Written(parse.sso_policy(response.json()), response.request_id)


async def delete_sso_policy(client: GraphClient, policy_id: str) -> Written[None]:
    """Delete a policy (only ever one this run created); already gone (404) is done."""
    what = "delete a duplicate SSO app extension policy"
    return await _delete(client, SSO_POLICIES.item(policy_id), what, SSO_POLICIES.write)


async def _get_beta_object(
    client: GraphClient, collection: str, object_id: str, *, what: str, scopes: tuple[str, ...]
) -> parse.Json | None:
    """One beta object by id as JSON; None when Graph says it is gone (404)."""
    response = await client.request(
        "GET",
        f"{collection}/{_segment(object_id)}",
        version="beta",
        what=what,
        required_scopes=scopes,
        ok_statuses=frozenset({404}),
    )
    return None if response.status == 404 else response.json()


async def find_sso_policies_by_name(client: GraphClient, name: str) -> tuple[SsoPolicy, ...]:
    """iOS device-features policies with exactly this display name."""
    found = await _get_all(
        client,
        CONFIGURATIONS,
        version="beta",
        query={"$filter": "isof('microsoft.graph.iosDeviceFeaturesConfiguration')"},
        what="list the iOS device features policies",
        scopes=Scope.CONFIG_READ,
    )
    wanted = name.strip()
    return tuple(
        parse.sso_policy(p)
        for p in found
        if parse.text(p, "displayName").strip() == wanted
        and parse.odata_type(p) in ("", IOS_DEVICE_FEATURES)
    )


async def update_sso_policy(
    client: GraphClient, policy_id: str, spec: SsoPolicySpec
) -> PolicyUpdate:
    """PATCH only the fields that differ from the policy as it is now (nothing -> no write)."""
    return await _patch_changed(
        client,
        SSO_POLICIES,
        policy_id,
        lambda current: sso_policy_body(spec, current),
        name=spec.display_name,
    )


# -- assignments -------------------------------------------------------------------------
def merge_targets(
    current: Iterable[AssignmentTarget],
    add: Iterable[AssignmentTarget] = (),
    remove: Iterable[AssignmentTarget] = (),
) -> tuple[AssignmentTarget, ...]:
    """Current + add - remove, deduped by (target type, groupId), order kept.

    `/assign` replaces the whole set (graph.md), so what is already assigned
    (with its filters) must be posted again.
    """
    removed = {t.key for t in remove}
    merged: dict[tuple[str, str], AssignmentTarget] = {}
    for target in [*current, *add]:
        if target.key not in removed and target.key not in merged:
            merged[target.key] = target
    return tuple(merged.values())


async def assign_configuration(
    client: GraphClient, config_id: str, targets: Sequence[AssignmentTarget]
) -> Written[tuple[Assignment, ...]]:
    """POST the FULL assignment set (replace-all): merge with `merge_targets` first."""
    response = await client.request(
        "POST",
        f"{CONFIGURATIONS}/{_segment(config_id)}/assign",
        version="beta",
        body=configuration_assignments_body(targets),
        what="assign the policy",
        required_scopes=Scope.CONFIG_WRITE,
    )
    found = parse.items(response.json())
    return Written(tuple(a for a in (parse.assignment(x) for x in found) if a), response.request_id)


def merge_app_assignments(
    current: Iterable[AppAssignment],
    add: Iterable[AppAssignment] = (),
    remove: Iterable[AssignmentTarget] = (),
) -> tuple[AppAssignment, ...]:
    """Like `merge_targets`; an added assignment replaces one with the same target."""
    removed = {t.key for t in remove}
    merged: dict[tuple[str, str], AppAssignment] = {}
    for assignment in current:
        if assignment.key not in removed:
            merged.setdefault(assignment.key, assignment)
    for assignment in add:
        if assignment.key not in removed:
            merged[assignment.key] = assignment
    return tuple(merged.values())


async def assign_app(
    client: GraphClient,
    app_id: str,
    assignments: Sequence[AppAssignment],
    *,
    what: str = "assign Microsoft Authenticator",
) -> Written[None]:
    """POST the FULL app assignment set (replace-all, 204), in beta so that the
    beta-only settings of assignments kept as read are accepted and kept."""
    response = await client.request(
        "POST",
        f"{MOBILE_APPS}/{_segment(app_id)}/assign",
        version="beta",
        body=app_assignments_body(assignments),
        what=what,
        required_scopes=Scope.APPS_WRITE,
    )
    return Written(None, response.request_id)


# -- the Company Portal web clip (a webApp) ----------------------------------------------------
WEB_APPS_QUERY = {"$filter": "isof('microsoft.graph.webApp')"}


def same_url(a: str, b: str) -> bool:
    """Two web addresses alike but for case and a trailing slash."""
    return a.strip().rstrip("/").lower() == b.strip().rstrip("/").lower()


async def find_web_apps(client: GraphClient, app_url: str, name: str = "") -> tuple[WebApp, ...]:
    """Web apps opening `app_url` (and, with `name`, carrying exactly that display name)."""
    found = await _get_all(
        client,
        MOBILE_APPS,
        version="beta",
        query=WEB_APPS_QUERY,
        what="list the web apps",
        scopes=Scope.APPS_READ,
    )
    apps = (parse.web_app(a) for a in found)
    return tuple(
        a
        for a in apps
        if same_url(a.app_url, app_url) and (not name or a.display_name.strip() == name.strip())
    )


async def create_web_app(client: GraphClient, name: str, app_url: str) -> Written[WebApp]:
    """POST the web clip once (see `_create`)."""
    response = await _create(client, WEB_CLIPS, web_app_body(name, app_url), name=name)
    return Written(parse.web_app(response.json()), response.request_id)


async def delete_mobile_app(client: GraphClient, app_id: str) -> Written[None]:
    """Delete an app adue created (the web clip); already gone (404) is done."""
    return await _delete(client, WEB_CLIPS.item(app_id), "delete the web clip", WEB_CLIPS.write)


# -- enrollment profiles (beta) ---------------------------------------------------------------
async def list_enrollment_profiles(client: GraphClient) -> tuple[EnrollmentProfile, ...]:
    """Every Apple enrollment-type profile, highest priority (0) first."""
    found = await _get_all(
        client,
        PROFILES,
        version="beta",
        what="list the Apple enrollment profiles",
        scopes=Scope.SERVICE_CONFIG_READ,
    )
    return tuple(sorted((parse.enrollment_profile(p) for p in found), key=lambda p: p.priority))


async def create_enrollment_profile(
    client: GraphClient, spec: EnrollmentProfileSpec
) -> Written[EnrollmentProfile]:
    body = enrollment_profile_body(spec)
    response = await _create(client, ENROLLMENT_PROFILES, body, name=spec.display_name)
    return Written(parse.enrollment_profile(response.json()), response.request_id)


async def find_enrollment_profiles_by_name(
    client: GraphClient, name: str
) -> tuple[EnrollmentProfile, ...]:
    """Apple user-initiated enrollment profiles with exactly this display name."""
    wanted = name.strip()
    return tuple(
        p for p in await list_enrollment_profiles(client) if p.display_name.strip() == wanted
    )


async def delete_enrollment_profile(client: GraphClient, profile_id: str) -> Written[None]:
    """Delete a profile (only ever one this run created); already gone (404) is done."""
    what = "delete a duplicate enrollment profile"
    return await _delete(
        client, ENROLLMENT_PROFILES.item(profile_id), what, ENROLLMENT_PROFILES.write
    )


async def update_enrollment_profile(
    client: GraphClient, profile_id: str, spec: EnrollmentProfileSpec
) -> PolicyUpdate:
    """PATCH only changed fields; `platform` is never sent (graph.md)."""
    return await _patch_changed(
        client,
        ENROLLMENT_PROFILES,
        profile_id,
        lambda _current: enrollment_profile_body(spec),
        name=spec.display_name,
    )


async def list_profile_assignments(
    client: GraphClient, profile_id: str
) -> tuple[ProfileAssignment, ...]:
    """The profile's assignments (the list endpoint does not expand them: one read each)."""
    found = await _get_all(
        client,
        f"{PROFILES}/{_segment(profile_id)}/assignments",
        version="beta",
        what="read the enrollment profile's assignments",
        scopes=Scope.SERVICE_CONFIG_READ,
    )
    result = []
    for item in found:
        target = parse.target(parse.child(item, "target"))
        if target:
            result.append(ProfileAssignment(parse.text(item, "id"), target))
    return tuple(result)


async def add_profile_assignment(
    client: GraphClient, profile_id: str, target: AssignmentTarget | str
) -> Written[ProfileAssignment]:
    """Assign the profile to a USER group (a group id), or to any target: "All users",
    optionally with an assignment filter (device groups are not supported).

    A create: sent once (never re-sent by the pipeline; after a lost answer
    tui.rollout.converge looks it up before creating again). When Graph refuses because
    the target is assigned already (an earlier run's or another admin's write), the
    existing assignment is the result, not an error.
    """
    wanted = AssignmentTarget.group(target) if isinstance(target, str) else target
    try:
        response = await client.request(
            "POST",
            f"{PROFILES}/{_segment(profile_id)}/assignments",
            version="beta",
            body={"target": target_body(wanted)},
            what="assign the enrollment profile",
            required_scopes=Scope.SERVICE_CONFIG_WRITE,
            idempotent=False,  # a create: see `_create`
        )
    except BadRequest as exc:
        existing = await find_profile_assignment(client, profile_id, wanted)
        if existing is not None:
            return Written(existing, exc.request_id)
        raise
    body = response.json()
    made = parse.target(parse.child(body, "target")) or wanted
    return Written(ProfileAssignment(parse.text(body, "id"), made), response.request_id)


async def find_profile_assignment(
    client: GraphClient, profile_id: str, target: AssignmentTarget
) -> ProfileAssignment | None:
    """The profile's assignment to `target` (same target type and group), if any."""
    current = await list_profile_assignments(client, profile_id)
    return next((a for a in current if a.target.key == target.key), None)


async def remove_profile_assignment(
    client: GraphClient, profile_id: str, assignment_id: str
) -> Written[None]:
    path = f"{ENROLLMENT_PROFILES.item(profile_id)}/assignments/{_segment(assignment_id)}"
    what = "remove an enrollment profile assignment"
    return await _delete(client, path, what, ENROLLMENT_PROFILES.write)


async def set_profile_priority(
    client: GraphClient, profile_id: str, priority: int
) -> Written[None]:
    """Set a profile's priority (0 is highest)."""
    if priority < 0:
        raise ValueError("priority must be 0 or more (0 is the highest)")
    response = await client.request(
        "POST",
        f"{PROFILES}/{_segment(profile_id)}/setPriority",
        version="beta",
        body={"priority": priority},
        what="set the enrollment profile priority",
        required_scopes=Scope.SERVICE_CONFIG_WRITE,
    )
    return Written(None, response.request_id)
