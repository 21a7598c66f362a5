"""Directory routes: organization, domains, subscribedSkus, users, groups, devices.

Directory queries follow Graph's "advanced query" rules: `$search`, `$count` and the
costly filters (`endswith`, `ne`, `not`) need the `ConsistencyLevel: eventual` header.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from tui.sandbox import odata
from tui.sandbox.errors import GraphError, bad_request
from tui.sandbox.routing import (
    Ctx,
    Reply,
    Route,
    collection,
    entity_set,
    forbidden,
    page_reply,
    paging,
    route,
    wants_count,
)
from tui.sandbox.schemas import object_is_of
from tui.sandbox.seeds import GROUP_DEFAULTS
from tui.sandbox.tenant import Tenant

ORG_READ = (
    "User.Read",
    "Organization.Read.All",
    "Organization.ReadWrite.All",
    "Directory.Read.All",
)
SKU_READ = ("Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All")
DOMAIN_READ = ("Domain.Read.All", "Domain.ReadWrite.All", "Directory.Read.All")
USER_READ = ("User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All")
GROUP_READ = ("Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "Directory.Read.All")
MEMBER_OF_READ = (*GROUP_READ, "User.Read.All", "User.ReadBasic.All")
DEVICE_READ = ("Device.Read.All", "Directory.Read.All")
APP_PARENTS_READ = ("Directory.Read.All", "Directory.ReadWrite.All")

PAGE = 100
MAX_TOP = 999

# Type-cast segments: Graph accepts the namespace and its `graph.` alias (msgraph-sdk
# sends the alias, e.g. /users/{id}/transitiveMemberOf/graph.group).
CASTS = {
    f"{prefix}.{name}": name
    for prefix in ("microsoft.graph", "graph")
    for name in ("user", "group", "device")
}


# Graph returns only a default set of properties unless `$select` asks for more.
# organization: the properties of the v1.0 "organization resource type" page
# (api-reference/v1.0/resources/organization.md); mobileDeviceManagementAuthority is not
# among them (graph.md, "Prerequisite reads": ask for it with $select).
ORGANIZATION_DEFAULTS = frozenset(
    {
        "assignedPlans",
        "businessPhones",
        "city",
        "country",
        "countryLetterCode",
        "createdDateTime",
        "defaultUsageLocation",
        "deletedDateTime",
        "displayName",
        "id",
        "isMultipleDataLocationsForServicesEnabled",
        "marketingNotificationEmails",
        "onPremisesLastSyncDateTime",
        "onPremisesSyncEnabled",
        "partnerTenantType",
        "postalCode",
        "preferredLanguage",
        "privacyProfile",
        "provisionedPlans",
        "securityComplianceNotificationMails",
        "securityComplianceNotificationPhones",
        "state",
        "street",
        "technicalNotificationMails",
        "tenantType",
        "verifiedDomains",
    }
)
# user: "This operation returns by default only a subset of the more commonly used
# properties" (api-reference/v1.0/api/user-get.md); accountEnabled, department, userType
# and the rest need $select.
USER_DEFAULTS = frozenset(
    {
        "businessPhones",
        "displayName",
        "givenName",
        "id",
        "jobTitle",
        "mail",
        "mobilePhone",
        "officeLocation",
        "preferredLanguage",
        "surname",
        "userPrincipalName",
    }
)


def default_view(ctx: Ctx, obj: dict[str, Any], defaults: frozenset[str]) -> dict[str, Any]:
    """`obj` as Graph shows it without `$select`: its default properties only. With
    `$select`, the caller's select applies to the whole object instead."""
    if ctx.query.get("$select"):
        return obj
    return {k: v for k, v in obj.items() if k in defaults or k.startswith("@odata.")}


def _user_view(ctx: Ctx) -> Any:
    return lambda user: default_view(ctx, user, USER_DEFAULTS)


def not_found(object_id: str) -> GraphError:
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{object_id}' does not exist or one of its queried reference-property "
        "objects are not present.",
    )


def shape_group(group: dict[str, Any]) -> dict[str, Any]:
    return {**GROUP_DEFAULTS, **group}


def _advanced(ctx: Ctx, reason: str) -> None:
    if not ctx.eventual:
        raise GraphError(
            400,
            "Request_UnsupportedQuery",
            f"{reason} only works through MSGraph with a special request header: "
            "'ConsistencyLevel: eventual'.",
        )


def _parse_filter(ctx: Ctx) -> odata.Node | None:
    text = ctx.query.get("$filter")
    if not text:
        return None
    node = odata.parse_filter(text)
    if any(word in text for word in ("endswith(", " ne ", "not(", "not ")):
        _advanced(ctx, "This filter (endswith, ne or not)")
    return node


def _search(ctx: Ctx) -> odata.SearchQuery | None:
    text = ctx.query.get("$search")
    if text is None:
        return None
    _advanced(ctx, "Request with $search query parameter")
    return odata.parse_search(text)


def _order(ctx: Ctx, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    raw = ctx.query.get("$orderby")
    if not raw:
        return items
    prop, _, direction = raw.strip().partition(" ")
    if prop not in ("displayName", "createdDateTime", "userPrincipalName"):
        raise bad_request(f"Sorting by '{prop}' is not supported.", "Request_UnsupportedQuery")
    if "$filter" in ctx.query:
        _advanced(ctx, "$orderby together with $filter")
    return sorted(
        items,
        key=lambda o: str(o.get(prop) or "").casefold(),
        reverse=direction.strip().lower() == "desc",
    )


def _query(ctx: Ctx, objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = _parse_filter(ctx)
    search = _search(ctx)
    if node is not None:
        objects = [o for o in objects if node.eval(o, {}, object_is_of)]
    if search is not None:
        objects = [o for o in objects if odata.search_matches(o, search)]
    return _order(ctx, objects)


def _count(ctx: Ctx) -> bool:
    if wants_count(ctx):
        _advanced(ctx, "$count")
        return True
    return False


# ---- organization, domains, licences ----------------------------------------------------


def list_organization(ctx: Ctx, _: dict[str, str]) -> Reply:
    return collection(
        ctx,
        [ctx.tenant.organization],
        "organization",
        page_size=PAGE,
        max_top=MAX_TOP,
        shape=lambda org: default_view(ctx, org, ORGANIZATION_DEFAULTS),
    )


def get_organization(ctx: Ctx, p: dict[str, str]) -> Reply:
    if p["id"] != ctx.tenant.tenant_id:
        raise not_found(p["id"])
    select = odata.parse_select(ctx.query.get("$select"))
    org = default_view(ctx, ctx.tenant.organization, ORGANIZATION_DEFAULTS)
    body = odata.apply_select(org, select)
    return Reply(200, {"@odata.context": ctx.context_url("organization/$entity"), **body})


def list_domains(ctx: Ctx, _: dict[str, str]) -> Reply:
    return collection(
        ctx, _query(ctx, ctx.tenant.domains), "domains", page_size=PAGE, max_top=MAX_TOP
    )


def get_domain(ctx: Ctx, p: dict[str, str]) -> Reply:
    for domain in ctx.tenant.domains:
        if domain["id"].casefold() == p["id"].casefold():
            return Reply(200, {"@odata.context": ctx.context_url("domains/$entity"), **domain})
    raise not_found(p["id"])


def list_skus(ctx: Ctx, _: dict[str, str]) -> Reply:
    for option in ("$filter", "$search", "$orderby", "$top"):
        if option in ctx.query:
            raise bad_request(
                f"The query option '{option}' is not supported on subscribedSkus.",
                "Request_UnsupportedQuery",
            )
    return collection(
        ctx, ctx.tenant.subscribed_skus, "subscribedSkus", page_size=1000, max_top=1000
    )


def get_sku(ctx: Ctx, p: dict[str, str]) -> Reply:
    for sku in ctx.tenant.subscribed_skus:
        if sku["id"] == p["id"]:
            return Reply(200, {"@odata.context": ctx.context_url("subscribedSkus/$entity"), **sku})
    raise not_found(p["id"])


# ---- users ------------------------------------------------------------------------------


def _user(ctx: Ctx, id_or_upn: str) -> dict[str, Any]:
    if id_or_upn == "me":
        if ctx.claims.is_app_only:
            # Graph: an app-only token has no signed-in user (learn.microsoft.com/graph/
            # api/user-get, "/me request is only valid with delegated authentication flow").
            raise bad_request(
                "/me request is only valid with delegated authentication flow.",
                code="BadRequest",
            )
        id_or_upn = ctx.claims.upn
    user = ctx.tenant.find_user(id_or_upn)
    if user is None:
        raise not_found(id_or_upn)
    return user


def list_users(ctx: Ctx, _: dict[str, str]) -> Reply:
    count = _count(ctx)
    users = _query(ctx, list(ctx.tenant.users.values()))
    return collection(
        ctx, users, "users", page_size=PAGE, max_top=MAX_TOP, count=count, shape=_user_view(ctx)
    )


def get_user(ctx: Ctx, p: dict[str, str]) -> Reply:
    user = default_view(ctx, _user(ctx, p["id"]), USER_DEFAULTS)
    select = odata.parse_select(ctx.query.get("$select"))
    return Reply(
        200,
        {"@odata.context": ctx.context_url("users/$entity"), **odata.apply_select(user, select)},
    )


LICENSE_READ = (
    "LicenseAssignment.Read.All",
    "User.Read.All",
    "User.ReadWrite.All",
    "Directory.Read.All",
)


def list_license_details(ctx: Ctx, p: dict[str, str]) -> Reply:
    # GET /users/{id}/licenseDetails (api-reference/v1.0/api/user-list-licensedetails.md):
    # delegated LicenseAssignment.Read.All (least), User.Read.All, Directory.Read.All.
    user = _user(ctx, p["id"])
    details = ctx.tenant.license_details.get(user["id"], [])
    return collection(
        ctx, details, f"users('{user['id']}')/licenseDetails", page_size=PAGE, max_top=MAX_TOP
    )


def get_me(ctx: Ctx, _: dict[str, str]) -> Reply:
    return get_user(ctx, {"id": "me"})


def _typed(tenant: Tenant, ids: list[str], cast: str | None) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for object_id in ids:
        obj = tenant.directory_object(object_id)
        if obj is None:
            continue
        if cast is not None and not obj["@odata.type"].endswith(f".{CASTS[cast]}"):
            continue
        if obj["@odata.type"].endswith(".group"):
            obj = {**shape_group(obj), "@odata.type": obj["@odata.type"]}
        objects.append(obj)
    return objects


def _cast(p: dict[str, str]) -> str | None:
    cast = p.get("cast")
    if cast is not None and cast not in CASTS:
        raise GraphError(400, "BadRequest", f"Resource not found for the segment '{cast}'.")
    return cast


def _membership(ctx: Ctx, p: dict[str, str], transitive: bool) -> Reply:
    user = _user(ctx, p["id"])
    tenant = ctx.tenant
    ids = (
        tenant.transitive_member_of(user["id"])
        if transitive
        else tenant.group_index.in_order(tenant.member_of(user["id"]))
    )
    return _parents(ctx, p, ids)


def _parents(ctx: Ctx, p: dict[str, str], ids: list[str]) -> Reply:
    """The groups (and, uncast, other directory objects) with these ids, as memberOf and
    transitiveMemberOf list them: `{cast}`, `$count`, `$filter`, `$search`, `$orderby`."""
    cast = _cast(p)
    count = _count(ctx)
    objects = _query(ctx, _typed(ctx.tenant, ids, cast))
    context = "groups" if cast else "directoryObjects"
    return collection(ctx, objects, context, page_size=PAGE, max_top=MAX_TOP, count=count)


def member_of(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _membership(ctx, p, transitive=False)


def transitive_member_of(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _membership(ctx, p, transitive=True)


def group_transitive_member_of(ctx: Ctx, p: dict[str, str]) -> Reply:
    """The groups that contain a group, at any depth (Graph v1.0 "List group transitive
    memberOf", GET /groups/{id}/transitiveMemberOf: delegated GroupMember.Read.All least
    privileged, Group.Read.All, Directory.Read.All; an application needs Directory.Read.All
    or Directory.ReadWrite.All; default page 100, at most 999)."""
    if ctx.claims.is_app_only and not (ctx.claims.permissions & set(APP_PARENTS_READ)):
        raise forbidden(ctx, APP_PARENTS_READ)
    group = _group(ctx, p["id"])
    return _parents(ctx, p, ctx.tenant.transitive_member_of(group["id"]))


def me_member_of(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _membership(ctx, {**p, "id": "me"}, transitive=False)


def me_transitive_member_of(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _membership(ctx, {**p, "id": "me"}, transitive=True)


# ---- groups -----------------------------------------------------------------------------


def _search_ids(tenant: Tenant, search: odata.SearchQuery) -> set[str] | None:
    """Groups matching `search`, from the word index; None when the index cannot answer."""
    index = tenant.group_index
    found: set[str] = set()
    for n, clause in enumerate(search.clauses):
        if clause.prop not in ("", "displayName", "description") or not clause.terms:
            return None
        props = [clause.prop] if clause.prop else ["displayName", "description"]
        hits: set[str] = set()
        for prop in props:
            prop_hits: set[str] | None = None
            for term in clause.terms:
                term_hits = index.word_prefix(term, prop)
                prop_hits = term_hits if prop_hits is None else prop_hits & term_hits
            hits |= prop_hits or set()
        found = found & hits if search.combine == "and" and n else found | hits
    return found


def list_groups(ctx: Ctx, _: dict[str, str]) -> Reply:
    tenant = ctx.tenant
    count = _count(ctx)
    node = _parse_filter(ctx)
    search = _search(ctx)
    candidates: list[str] | None = None
    simple = odata.simple_display_name_filter(node) if node is not None else None
    if simple is not None:
        kind, value = simple
        index = tenant.group_index
        candidates = index.exact(value) if kind == "eq" else index.prefix(value)
        node = None
    if search is not None:
        hits = _search_ids(tenant, search)
        if hits is not None:
            candidates = list(hits) if candidates is None else [c for c in candidates if c in hits]
            search = None
    if candidates is not None and node is None and search is None and "$orderby" not in ctx.query:
        # Straight from the index: order just the requested page (100,000-group tenants).
        offset, top = paging(ctx, page_size=PAGE, max_top=MAX_TOP)
        ids = tenant.group_index.first_in_order(candidates, offset + top)[offset:]
        page = [tenant.groups[gid] for gid in ids]
        return page_reply(
            ctx, page, len(candidates), offset, top, "groups", shape=shape_group, count=count
        )
    if candidates is None:
        groups = list(tenant.groups.values())
    else:
        groups = [tenant.groups[gid] for gid in tenant.group_index.in_order(candidates)]
    if node is not None:
        groups = [g for g in groups if node.eval(shape_group(g), {}, object_is_of)]
    if search is not None:
        groups = [g for g in groups if odata.search_matches(g, search)]
    if "$orderby" in ctx.query:
        groups = _order(ctx, groups)
    return collection(
        ctx, groups, "groups", page_size=PAGE, max_top=MAX_TOP, shape=shape_group, count=count
    )


def _group(ctx: Ctx, group_id: str) -> dict[str, Any]:
    group = ctx.tenant.groups.get(group_id)
    if group is None:
        raise not_found(group_id)
    return group


def get_group(ctx: Ctx, p: dict[str, str]) -> Reply:
    group = shape_group(_group(ctx, p["id"]))
    select = odata.parse_select(ctx.query.get("$select"))
    return Reply(
        200,
        {"@odata.context": ctx.context_url("groups/$entity"), **odata.apply_select(group, select)},
    )


def _members(ctx: Ctx, p: dict[str, str], transitive: bool) -> Reply:
    tenant = ctx.tenant
    _group(ctx, p["id"])
    ids: list[str] = []
    seen: set[str] = set()
    todo = deque(tenant.members.get(p["id"], []))  # 50,000 members: popleft, not pop(0)
    while todo:
        member = todo.popleft()
        if member in seen:
            continue
        seen.add(member)
        ids.append(member)
        if transitive and member in tenant.groups:
            todo.extend(tenant.members.get(member, []))
    cast = _cast(p)
    count = _count(ctx)
    objects = _query(ctx, _typed(tenant, ids, cast))
    context = f"{CASTS[cast]}s" if cast else "directoryObjects"
    return collection(
        ctx,
        objects,
        context,
        page_size=PAGE,
        max_top=MAX_TOP,
        count=count,
        shape=lambda o: (
            default_view(ctx, o, USER_DEFAULTS) if o["@odata.type"].endswith(".user") else o
        ),
    )


def members(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _members(ctx, p, transitive=False)


def transitive_members(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _members(ctx, p, transitive=True)


# ---- devices ----------------------------------------------------------------------------


def list_devices(ctx: Ctx, _: dict[str, str]) -> Reply:
    count = _count(ctx)
    devices = _query(ctx, list(ctx.tenant.devices.values()))
    return collection(ctx, devices, "devices", page_size=PAGE, max_top=MAX_TOP, count=count)


def get_device(ctx: Ctx, p: dict[str, str]) -> Reply:
    device = ctx.tenant.devices.get(p["id"])
    if device is None:
        raise not_found(p["id"])
    return Reply(200, {"@odata.context": ctx.context_url("devices/$entity"), **device})


def routes() -> list[Route]:
    r: list[Route] = [
        *entity_set("/organization", list_organization, get_organization, ORG_READ),
        *entity_set("/domains", list_domains, get_domain, DOMAIN_READ),
        *entity_set("/subscribedSkus", list_skus, get_sku, SKU_READ),
        route("GET", "/me", get_me, ("User.Read", *USER_READ)),
        *entity_set("/users", list_users, get_user, USER_READ),
        route("GET", "/users/{id}/licenseDetails", list_license_details, LICENSE_READ),
        *entity_set("/groups", list_groups, get_group, GROUP_READ),
        *entity_set("/devices", list_devices, get_device, DEVICE_READ),
    ]
    for suffix in ("", "/{cast}"):
        r += [
            route("GET", f"/users/{{id}}/memberOf{suffix}", member_of, MEMBER_OF_READ),
            route(
                "GET",
                f"/users/{{id}}/transitiveMemberOf{suffix}",
                transitive_member_of,
                MEMBER_OF_READ,
            ),
            route("GET", f"/me/memberOf{suffix}", me_member_of, (*MEMBER_OF_READ, "User.Read")),
            route(
                "GET",
                f"/me/transitiveMemberOf{suffix}",
                me_transitive_member_of,
                (*MEMBER_OF_READ, "User.Read"),
            ),
            route("GET", f"/groups/{{id}}/members{suffix}", members, GROUP_READ),
            route(
                "GET", f"/groups/{{id}}/transitiveMembers{suffix}", transitive_members, GROUP_READ
            ),
            route(
                "GET",
                f"/groups/{{id}}/transitiveMemberOf{suffix}",
                group_transitive_member_of,
                GROUP_READ,
            ),
        ]
    return r
