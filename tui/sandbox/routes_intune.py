"""Intune routes: APNs certificate, VPP tokens, mobile apps, device configurations,
enrollment restrictions and (beta only) Apple user-initiated enrollment profiles.

`/assign` replaces the whole assignment set, as Graph does; assignment targets must name
groups that exist and may not repeat.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tui.sandbox import odata
from tui.sandbox.errors import GraphError, bad_request, unknown_segment
from tui.sandbox.routing import Ctx, Reply, Route, collection, entity_set, require_body, route
from tui.sandbox.schemas import available, object_is_of, project, short_name, validate
from tui.sandbox.tenant import Tenant

CONFIG_READ = (
    "DeviceManagementConfiguration.Read.All",
    "DeviceManagementConfiguration.ReadWrite.All",
)
CONFIG_WRITE = ("DeviceManagementConfiguration.ReadWrite.All",)
APPS_READ = ("DeviceManagementApps.Read.All", "DeviceManagementApps.ReadWrite.All")
APPS_WRITE = ("DeviceManagementApps.ReadWrite.All",)
SERVICE_READ = (
    "DeviceManagementServiceConfig.Read.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
)
SERVICE_WRITE = ("DeviceManagementServiceConfig.ReadWrite.All",)

PAGE = 1000
MAX_TOP = 1000

# Intune's fixed target ids for "all users" and "all devices" in assignment ids.
ALL_USERS_ID = "acacacac-9df4-4c7d-9d50-4ef0226f57a9"
ALL_DEVICES_ID = "adadadad-808e-44e2-905a-0b7873a8a531"

DM = "/deviceManagement"
DAM = "/deviceAppManagement"


def missing(kind: str, object_id: str) -> GraphError:
    return GraphError(
        404, "ResourceNotFound", f"Resource '{object_id}' of type '{kind}' was not found."
    )


def _expand(ctx: Ctx, allowed: bool = True) -> bool:
    raw = ctx.query.get("$expand")
    if not raw:
        return False
    names = [n.strip() for n in raw.split(",")]
    if names != ["assignments"] or not allowed:
        raise bad_request(f"Expanding '{raw}' is not supported on this resource.")
    return True


def _filtered(
    ctx: Ctx, items: list[dict[str, Any]], cast: str | None = None
) -> list[dict[str, Any]]:
    if cast is not None:
        items = [o for o in items if object_is_of(o, cast)]
    text = ctx.query.get("$filter")
    if not text:
        return items
    node = odata.parse_filter(text)
    return [o for o in items if node.eval(o, {}, object_is_of)]


def _cast(segment: str) -> str | None:
    """A type-cast segment (`graph.iosVppApp`, `microsoft.graph.iosVppApp`) or None."""
    if "." not in segment:
        return None
    name = short_name(segment.removeprefix("graph."))
    if not available(name, "beta"):
        raise unknown_segment(segment)
    return name


def _view(
    ctx: Ctx, obj: dict[str, Any], assignments: list[dict[str, Any]] | None
) -> dict[str, Any]:
    shown = project(obj, ctx.version)
    if assignments is not None:
        shown = {**shown, "assignments": [project(a, ctx.version) for a in assignments]}
    return shown


def _target_key(target: dict[str, Any]) -> tuple[str, str]:
    return short_name(str(target.get("@odata.type", ""))), str(target.get("groupId") or "")


def _target_suffix(target: dict[str, Any]) -> str:
    kind, group_id = _target_key(target)
    if kind == "allLicensedUsersAssignmentTarget":
        return ALL_USERS_ID
    if kind == "allDevicesAssignmentTarget":
        return ALL_DEVICES_ID
    return group_id + ("_exclude" if kind == "exclusionGroupAssignmentTarget" else "")


def _check_targets(ctx: Ctx, targets: list[dict[str, Any]]) -> None:
    seen: set[tuple[str, str]] = set()
    groups_seen: dict[str, str] = {}
    for target in targets:
        key = _target_key(target)
        if key in seen:
            raise bad_request(
                f"The assignment target {key[0]} {key[1]} appears more than once; "
                "send each target once."
            )
        seen.add(key)
        # Graph refuses a target whose assignment filter does not exist (Intune's filters
        # are tenant objects: deviceManagement/assignmentFilters, graph.md step 3).
        filter_id = target.get("deviceAndAppManagementAssignmentFilterId")
        if filter_id and filter_id not in ctx.tenant.assignment_filters:
            raise bad_request(f"The assignment filter '{filter_id}' does not exist.")
        kind, group_id = key
        if group_id:
            if group_id not in ctx.tenant.groups:
                raise bad_request(
                    f"The group '{group_id}' in the assignment target does not exist."
                )
            if group_id in groups_seen:
                raise bad_request(
                    f"The group '{group_id}' is both included and excluded; "
                    "a group can be targeted only once."
                )
            groups_seen[group_id] = kind


# ---- objects by id, and the collections below them ---------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of Intune object: the collection at `path` (below the version) that a
    tenant keeps in `store` by id; `name` is its Graph type, as a 404 names it."""

    path: str
    name: str
    store: Callable[[Tenant], dict[str, dict[str, Any]]]

    def find(self, ctx: Ctx, object_id: str) -> dict[str, Any]:
        found = self.store(ctx.tenant).get(object_id)
        if found is None:
            raise missing(self.name, object_id)
        return found


def _copied(item: dict[str, Any], _version: str) -> dict[str, Any]:
    return copy.deepcopy(item)


@dataclass(frozen=True)
class Children:
    """The collection below each object of `owner`, `{path}('{id}')/{segment}` (its
    assignments or settings), kept in `store` by the owner's id: listed, read by id and
    deleted alike for every kind; `name` is the items' Graph type, `view` how one shows."""

    owner: Kind
    segment: str
    name: str
    store: Callable[[Tenant], dict[str, list[dict[str, Any]]]]
    view: Callable[[dict[str, Any], str], dict[str, Any]] = project

    def list_items(self, ctx: Ctx, p: dict[str, str]) -> Reply:
        owner = self.owner.find(ctx, p["id"])
        items = [self.view(a, ctx.version) for a in self.store(ctx.tenant).get(owner["id"], [])]
        context = f"{self.owner.path}('{owner['id']}')/{self.segment}"
        return collection(ctx, items, context, page_size=PAGE, max_top=MAX_TOP)

    def get_item(self, ctx: Ctx, p: dict[str, str]) -> Reply:
        owner = self.owner.find(ctx, p["id"])
        for item in self.store(ctx.tenant).get(owner["id"], []):
            if item["id"] == p["aid"]:
                return Reply(200, self.view(item, ctx.version))
        raise missing(self.name, p["aid"])

    def delete_item(self, ctx: Ctx, p: dict[str, str]) -> Reply:
        owner = self.owner.find(ctx, p["id"])
        current = self.store(ctx.tenant).get(owner["id"], [])
        kept = [a for a in current if a["id"] != p["aid"]]
        if len(kept) == len(current):
            raise missing(self.name, p["aid"])
        self.store(ctx.tenant)[owner["id"]] = kept
        return Reply(204)

    def routes(
        self, read: tuple[str, ...], write: tuple[str, ...], *, beta_only: bool = False
    ) -> list[Route]:
        """GET the list, GET and DELETE one by id."""
        items = f"/{self.owner.path}/{{id}}/{self.segment}"
        return [
            route("GET", items, self.list_items, read, beta_only=beta_only),
            route("GET", f"{items}/{{aid}}", self.get_item, read, beta_only=beta_only),
            route("DELETE", f"{items}/{{aid}}", self.delete_item, write, beta_only=beta_only),
        ]


# ---- the deviceManagement singleton --------------------------------------------------------


def get_device_management(ctx: Ctx, _: dict[str, str]) -> Reply:
    # Tenant-level Intune state: subscriptionState is deviceManagementSubscriptionState
    # (pending, active, warning, disabled, deleted, blocked, lockedOut; graph.md).
    body = {
        "@odata.type": "#microsoft.graph.deviceManagement",
        "id": ctx.tenant.tenant_id,
        "subscriptionState": ctx.tenant.subscription_state,
    }
    select = odata.parse_select(ctx.query.get("$select"))
    return Reply(
        200,
        {
            "@odata.context": ctx.context_url("deviceManagement"),
            **odata.apply_select(body, select),
        },
    )


# ---- APNs and VPP -----------------------------------------------------------------------


def get_apns(ctx: Ctx, _: dict[str, str]) -> Reply:
    cert = ctx.tenant.apns_certificate
    if cert is None:
        raise missing("applePushNotificationCertificate", "applePushNotificationCertificate")
    body = {
        "@odata.context": ctx.context_url(
            "deviceManagement/applePushNotificationCertificate/$entity"
        ),
        "@odata.type": "#microsoft.graph.applePushNotificationCertificate",
        **cert,
    }
    return Reply(200, body)


def list_vpp_tokens(ctx: Ctx, _: dict[str, str]) -> Reply:
    tokens = _filtered(ctx, list(ctx.tenant.vpp_tokens.values()))
    return collection(ctx, tokens, "deviceAppManagement/vppTokens", page_size=PAGE, max_top=MAX_TOP)


VPP_TOKENS = Kind("deviceAppManagement/vppTokens", "vppToken", lambda t: t.vpp_tokens)


def get_vpp_token(ctx: Ctx, p: dict[str, str]) -> Reply:
    token = VPP_TOKENS.find(ctx, p["id"])
    return Reply(
        200, {"@odata.context": ctx.context_url("deviceAppManagement/vppTokens/$entity"), **token}
    )


# ---- mobile apps ------------------------------------------------------------------------


APPS = Kind("deviceAppManagement/mobileApps", "mobileApp", lambda t: t.mobile_apps)
APP_ASSIGNMENTS = Children(APPS, "assignments", "mobileAppAssignment", lambda t: t.app_assignments)


def _get_assignable(
    ctx: Ctx,
    p: dict[str, str],
    assignments: Children,
    list_cast: Callable[[Ctx, dict[str, str], str], Reply],
) -> Reply:
    """GET one app or device configuration (`$expand=assignments`, `$select`), or, for a
    type-cast segment in place of the id, the list of that type (`list_cast`)."""
    cast = _cast(p["id"])
    if cast is not None:
        return list_cast(ctx, p, cast)
    kind = assignments.owner
    found = kind.find(ctx, p["id"])
    shown = assignments.store(ctx.tenant).get(found["id"], []) if _expand(ctx) else None
    select = odata.parse_select(ctx.query.get("$select"))
    body = odata.apply_select(_view(ctx, found, shown), select)
    return Reply(200, {"@odata.context": ctx.context_url(f"{kind.path}/$entity"), **body})


def list_apps(ctx: Ctx, _: dict[str, str], cast: str | None = None) -> Reply:
    # Listing apps with `$expand=assignments` is deprecated (Microsoft's beta mobileApp
    # resource page: "get the list of apps without the $expand query on assignments.
    # Then, perform the expansion on individual applications") and is reported to come
    # back empty (graph.md, step 2): accepted, and every app shows no assignments.
    expand = _expand(ctx)
    tenant = ctx.tenant
    apps = _filtered(ctx, list(tenant.mobile_apps.values()), cast)
    return collection(
        ctx,
        apps,
        "deviceAppManagement/mobileApps",
        page_size=PAGE,
        max_top=MAX_TOP,
        shape=lambda a: _view(ctx, a, [] if expand else None),
    )


def get_app(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _get_assignable(ctx, p, APP_ASSIGNMENTS, list_apps)


# Apps the sandbox lets a client create: a web app (Microsoft's "Create webApp" page; what
# adue makes for the Company Portal web clip). VPP apps come from the token's sync, store
# and line-of-business apps need content uploads: a POST of those is refused.
CREATABLE_APPS = ("webApp",)


def create_app(ctx: Ctx, _: dict[str, str]) -> Reply:
    type_name, body = validate(require_body(ctx), "mobileApp", ctx.version)
    if type_name not in CREATABLE_APPS:
        raise bad_request(
            f"Creating an app of type '{type_name}' is not supported through this request."
        )
    tenant = ctx.tenant
    app_id = tenant.new_id()
    stamp = tenant.stamp()
    app: dict[str, Any] = {
        "@odata.type": f"#microsoft.graph.{type_name}",
        "id": app_id,
        "description": None,
        "publisher": None,
        "isFeatured": False,
        "useManagedBrowser": False,
        **{k: v for k, v in body.items() if k != "@odata.type"},
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "publishingState": "published",  # read-only: a web app is published at once
    }
    tenant.mobile_apps[app_id] = app
    tenant.app_assignments[app_id] = []
    return Reply(
        201,
        {
            "@odata.context": ctx.context_url("deviceAppManagement/mobileApps/$entity"),
            **project(app, ctx.version),
        },
        {"Location": f"{ctx.base_url}/{ctx.version}{DAM}/mobileApps('{app_id}')"},
    )


def delete_app(ctx: Ctx, p: dict[str, str]) -> Reply:
    # Microsoft's "Delete webApp": 204 No Content; an id that does not exist is a 404.
    APPS.find(ctx, p["id"])
    del ctx.tenant.mobile_apps[p["id"]]
    ctx.tenant.app_assignments.pop(p["id"], None)
    return Reply(204)


def assign_app(ctx: Ctx, p: dict[str, str]) -> Reply:
    app = APPS.find(ctx, p["id"])
    _, body = validate(require_body(ctx), "mobileApp.assign", ctx.version)
    assignments: list[dict[str, Any]] = body.get("mobileAppAssignments") or []
    _check_targets(ctx, [a["target"] for a in assignments])
    app_type = short_name(app["@odata.type"])
    stored: list[dict[str, Any]] = []
    for index, assignment in enumerate(assignments):
        settings = assignment.get("settings")
        if settings is not None:
            settings_type = short_name(str(settings.get("@odata.type", "")))
            expected = f"{app_type}AssignmentSettings"
            if settings_type.endswith("AppAssignmentSettings") and settings_type != expected:
                raise bad_request(
                    f"Assignment {index}: settings of type '{settings_type}' do not apply to an "
                    f"app of type '{app_type}' (expected '{expected}')."
                )
            licensing = app.get("licensingType") or {}
            if (
                app_type == "iosVppApp"
                and settings.get("useDeviceLicensing") is False
                and not licensing.get("supportsUserLicensing")
            ):
                raise bad_request(
                    f"Assignment {index}: the app '{app['displayName']}' does not support user "
                    "licensing (licensingType.supportsUserLicensing is false)."
                )
        intent_index = ("available", "required", "uninstall", "availableWithoutEnrollment")
        suffix = _target_suffix(assignment["target"])
        record: dict[str, Any] = {
            "@odata.type": "#microsoft.graph.mobileAppAssignment",
            "id": f"{suffix}_{intent_index.index(assignment['intent'])}_0",
            "intent": assignment["intent"],
            "target": assignment["target"],
            "settings": settings,
            "source": "direct",
            "sourceId": None,
        }
        if ctx.version == "beta":  # source is beta-only (beta mobileAppAssignment page)
            record.update({k: assignment[k] for k in ("source", "sourceId") if k in assignment})
        stored.append(record)
    ctx.tenant.app_assignments[app["id"]] = stored
    app["lastModifiedDateTime"] = ctx.tenant.stamp()
    return Reply(204)


# ---- device configurations --------------------------------------------------------------


CONFIGS = Kind(
    "deviceManagement/deviceConfigurations",
    "deviceConfiguration",
    lambda t: t.device_configurations,
)
CONFIG_ASSIGNMENTS = Children(
    CONFIGS, "assignments", "deviceConfigurationAssignment", lambda t: t.config_assignments
)


def list_configs(ctx: Ctx, _: dict[str, str], cast: str | None = None) -> Reply:
    expand = _expand(ctx)
    tenant = ctx.tenant
    configs = _filtered(
        ctx, [project(c, ctx.version) for c in tenant.device_configurations.values()], cast
    )
    return collection(
        ctx,
        configs,
        "deviceManagement/deviceConfigurations",
        page_size=PAGE,
        max_top=MAX_TOP,
        shape=lambda c: _view(
            ctx, c, tenant.config_assignments.get(c["id"], []) if expand else None
        ),
    )


def get_config(ctx: Ctx, p: dict[str, str]) -> Reply:
    return _get_assignable(ctx, p, CONFIG_ASSIGNMENTS, list_configs)


def create_config(ctx: Ctx, _params: dict[str, str]) -> Reply:
    type_name, body = validate(require_body(ctx), "deviceConfiguration", ctx.version)
    config_id = ctx.tenant.new_id()
    stamp = ctx.tenant.stamp()
    config: dict[str, Any] = {
        "@odata.type": f"#microsoft.graph.{type_name}",
        "id": config_id,
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
        "version": 1,
        "description": None,
        **{k: v for k, v in body.items() if k != "@odata.type"},
    }
    if ctx.version == "beta":
        config.setdefault("roleScopeTagIds", ["0"])
        config["supportsScopeTags"] = True
    ctx.tenant.device_configurations[config_id] = config
    ctx.tenant.config_assignments[config_id] = []
    body_out = {
        "@odata.context": ctx.context_url("deviceManagement/deviceConfigurations/$entity"),
        **project(config, ctx.version),
    }
    return Reply(
        201,
        body_out,
        {"Location": f"{ctx.base_url}/{ctx.version}{DM}/deviceConfigurations('{config_id}')"},
    )


def _same_type(body: dict[str, Any], stored: dict[str, Any]) -> None:
    sent = body.get("@odata.type")
    if sent is not None and short_name(str(sent)) != short_name(stored["@odata.type"]):
        raise bad_request(
            f"The '@odata.type' '{sent}' does not match the object's type "
            f"'{stored['@odata.type'].lstrip('#')}'; the type of an object cannot change."
        )


def update_config(ctx: Ctx, p: dict[str, str]) -> Reply:
    config = CONFIGS.find(ctx, p["id"])
    body = require_body(ctx)
    _same_type(body, config)
    declared = short_name(config["@odata.type"])
    _, clean = validate(
        {**body, "@odata.type": config["@odata.type"]}, declared, ctx.version, update=True
    )
    for key, value in clean.items():
        if key != "@odata.type":
            config[key] = value
    config["lastModifiedDateTime"] = ctx.tenant.stamp()
    config["version"] = int(config.get("version") or 0) + 1
    return Reply(
        200,
        {
            "@odata.context": ctx.context_url("deviceManagement/deviceConfigurations/$entity"),
            **project(config, ctx.version),
        },
    )


def delete_config(ctx: Ctx, p: dict[str, str]) -> Reply:
    CONFIGS.find(ctx, p["id"])
    del ctx.tenant.device_configurations[p["id"]]
    ctx.tenant.config_assignments.pop(p["id"], None)
    return Reply(204)


def _config_assignment(config_id: str, target: dict[str, Any], version: str) -> dict[str, Any]:
    assignment: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.deviceConfigurationAssignment",
        "id": f"{config_id}_{_target_suffix(target)}",
        "target": target,
    }
    if version == "beta":
        assignment.update(source="direct", sourceId=config_id, intent="apply")
    return assignment


def assign_config(ctx: Ctx, p: dict[str, str]) -> Reply:
    config = CONFIGS.find(ctx, p["id"])
    _, body = validate(require_body(ctx), "deviceConfiguration.assign", ctx.version)
    assignments: list[dict[str, Any]] = body.get("assignments") or []
    _check_targets(ctx, [a["target"] for a in assignments])
    stored = [_config_assignment(config["id"], a["target"], ctx.version) for a in assignments]
    ctx.tenant.config_assignments[config["id"]] = stored
    config["lastModifiedDateTime"] = ctx.tenant.stamp()
    return Reply(
        200,
        {
            "@odata.context": ctx.context_url(
                "Collection(microsoft.graph.deviceConfigurationAssignment)"
            ),
            "value": [project(a, ctx.version) for a in stored],
        },
    )


def create_config_assignment(ctx: Ctx, p: dict[str, str]) -> Reply:
    config = CONFIGS.find(ctx, p["id"])
    _, body = validate(require_body(ctx), "deviceConfigurationAssignment", ctx.version)
    current = ctx.tenant.config_assignments.setdefault(config["id"], [])
    _check_targets(ctx, [a["target"] for a in current] + [body["target"]])
    assignment = _config_assignment(config["id"], body["target"], ctx.version)
    current.append(assignment)
    return Reply(201, project(assignment, ctx.version))


# ---- enrollment restrictions -------------------------------------------------------------


def _enrollment_visible(config: dict[str, Any], version: str) -> bool:
    # The per-platform restriction type (deviceEnrollmentPlatformRestrictionConfiguration)
    # exists only in beta (graph.md, "v1.0 or beta"; no v1.0 resource page): v1.0 does not
    # show those restrictions at all, so a v1.0 reader misses them.
    return available(short_name(str(config.get("@odata.type", ""))), version)


def _enrollment_view(ctx: Ctx, config: dict[str, Any], expand: bool) -> dict[str, Any]:
    body = project(config, ctx.version)
    if expand:
        assignments = ctx.tenant.enrollment_assignments.get(config["id"], [])
        body = {**body, "assignments": [project(a, ctx.version) for a in assignments]}
    return body


def list_enrollment_configs(ctx: Ctx, _: dict[str, str]) -> Reply:
    expand = _expand(ctx)
    configs = [
        c
        for c in ctx.tenant.enrollment_configurations.values()
        if _enrollment_visible(c, ctx.version)
    ]
    items = _filtered(ctx, configs)
    return collection(
        ctx,
        items,
        "deviceManagement/deviceEnrollmentConfigurations",
        page_size=PAGE,
        max_top=MAX_TOP,
        shape=lambda c: _enrollment_view(ctx, c, expand),
    )


def get_enrollment_config(ctx: Ctx, p: dict[str, str]) -> Reply:
    config = ctx.tenant.enrollment_configurations.get(p["id"])
    if config is None or not _enrollment_visible(config, ctx.version):
        raise missing("deviceEnrollmentConfiguration", p["id"])
    body = _enrollment_view(ctx, config, _expand(ctx))
    return Reply(
        200,
        {
            "@odata.context": ctx.context_url(
                "deviceManagement/deviceEnrollmentConfigurations/$entity"
            ),
            **body,
        },
    )


# ---- Settings Catalog policies (beta; read by adue) ------------------------------------------

CATALOG = "deviceManagement/configurationPolicies"
# Graph pages this list very small when settings are expanded (admin tools report one or
# two policies per page with `$expand=settings`); never kinder: the sandbox does too.
CATALOG_EXPANDED_PAGE = 2


def _catalog_expand(ctx: Ctx) -> set[str]:
    raw = ctx.query.get("$expand")
    if not raw:
        return set()
    names = {n.strip() for n in raw.split(",")}
    if not names <= {"settings", "assignments"}:
        raise bad_request(f"Expanding '{raw}' is not supported on this resource.")
    return names


def _catalog_view(ctx: Ctx, policy: dict[str, Any], expand: set[str]) -> dict[str, Any]:
    tenant = ctx.tenant
    shown = dict(policy)
    if "settings" in expand:
        found = tenant.configuration_policy_settings.get(policy["id"], [])
        shown["settings"] = copy.deepcopy(found)
    if "assignments" in expand:
        shown["assignments"] = copy.deepcopy(
            tenant.configuration_policy_assignments.get(policy["id"], [])
        )
    return shown


def list_catalog(ctx: Ctx, _: dict[str, str]) -> Reply:
    expand = _catalog_expand(ctx)
    items = _filtered(ctx, [dict(p) for p in ctx.tenant.configuration_policies.values()])
    page = CATALOG_EXPANDED_PAGE if "settings" in expand else PAGE
    return collection(
        ctx,
        items,
        CATALOG,
        page_size=page,
        max_top=MAX_TOP,
        shape=lambda p: _catalog_view(ctx, p, expand),
    )


POLICIES = Kind(CATALOG, "deviceManagementConfigurationPolicy", lambda t: t.configuration_policies)
POLICY_SETTINGS = Children(
    POLICIES,
    "settings",
    "deviceManagementConfigurationSetting",
    lambda t: t.configuration_policy_settings,
    _copied,
)
POLICY_ASSIGNMENTS = Children(
    POLICIES,
    "assignments",
    "deviceManagementConfigurationPolicyAssignment",
    lambda t: t.configuration_policy_assignments,
    _copied,
)


def get_catalog(ctx: Ctx, p: dict[str, str]) -> Reply:
    policy = POLICIES.find(ctx, p["id"])
    body = _catalog_view(ctx, policy, _catalog_expand(ctx))
    return Reply(200, {"@odata.context": ctx.context_url(f"{CATALOG}/$entity"), **body})


# ---- assignment filters (read by adue) ---------------------------------------------------

FILTERS = "deviceManagement/assignmentFilters"


def list_filters(ctx: Ctx, _: dict[str, str]) -> Reply:
    items = _filtered(ctx, [dict(f) for f in ctx.tenant.assignment_filters.values()])
    return collection(ctx, items, FILTERS, page_size=PAGE, max_top=MAX_TOP)


FILTER_KIND = Kind(
    FILTERS, "deviceAndAppManagementAssignmentFilter", lambda t: t.assignment_filters
)


def get_filter(ctx: Ctx, p: dict[str, str]) -> Reply:
    found = FILTER_KIND.find(ctx, p["id"])
    body = odata.apply_select(dict(found), odata.parse_select(ctx.query.get("$select")))
    return Reply(200, {"@odata.context": ctx.context_url(f"{FILTERS}/$entity"), **body})


# ---- Apple user-initiated enrollment profiles (beta) ---------------------------------------

PROFILES = "deviceManagement/appleUserInitiatedEnrollmentProfiles"


PROFILE_KIND = Kind(
    PROFILES, "appleUserInitiatedEnrollmentProfile", lambda t: t.enrollment_profiles
)
PROFILE_ASSIGNMENTS = Children(
    PROFILE_KIND,
    "assignments",
    "appleEnrollmentProfileAssignment",
    lambda t: t.profile_assignments,
    _copied,
)


def list_profiles(ctx: Ctx, _: dict[str, str]) -> Reply:
    # Graph does not expand assignments on this list: `$expand` is accepted and ignored.
    profiles = _filtered(ctx, [dict(p) for p in ctx.tenant.profiles_by_priority()])
    return collection(ctx, profiles, PROFILES, page_size=PAGE, max_top=MAX_TOP)


def get_profile(ctx: Ctx, p: dict[str, str]) -> Reply:
    profile = PROFILE_KIND.find(ctx, p["id"])
    assignments = ctx.tenant.profile_assignments.get(profile["id"], []) if _expand(ctx) else None
    return Reply(
        200,
        {
            "@odata.context": ctx.context_url(f"{PROFILES}/$entity"),
            **_view(ctx, profile, assignments),
        },
    )


def create_profile(ctx: Ctx, _: dict[str, str]) -> Reply:
    body = require_body(ctx)
    _type, clean = validate(body, "appleUserInitiatedEnrollmentProfile", ctx.version)
    tenant = ctx.tenant
    profile_id = tenant.new_id()
    stamp = ctx.tenant.stamp()
    profile: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
        "id": profile_id,
        "displayName": clean["displayName"],
        "description": clean.get("description"),
        "platform": clean.get("platform", "iOS"),
        "defaultEnrollmentType": clean.get("defaultEnrollmentType", "unknown"),
        "availableEnrollmentTypeOptions": clean.get("availableEnrollmentTypeOptions") or [],
        "priority": 0,  # set by add_profile: last or first, per the tenant's setting
        "createdDateTime": stamp,
        "lastModifiedDateTime": stamp,
    }
    tenant.add_profile(profile)
    tenant.profile_assignments[profile_id] = []
    return Reply(201, {"@odata.context": ctx.context_url(f"{PROFILES}/$entity"), **profile})


def update_profile(ctx: Ctx, p: dict[str, str]) -> Reply:
    profile = PROFILE_KIND.find(ctx, p["id"])
    body = require_body(ctx)
    _same_type(body, profile)
    _, clean = validate(body, "appleUserInitiatedEnrollmentProfile", ctx.version, update=True)
    if "platform" in clean and clean["platform"] != profile["platform"]:
        raise bad_request(
            f"The property 'platform' cannot change from '{profile['platform']}' to "
            f"'{clean['platform']}' on an existing enrollment profile."
        )
    for key, value in clean.items():
        if key not in ("@odata.type", "priority"):
            profile[key] = value
    if "priority" in clean:
        ctx.tenant.move_profile(profile["id"], _priority(clean["priority"]))
    profile["lastModifiedDateTime"] = ctx.tenant.stamp()
    return Reply(200, {"@odata.context": ctx.context_url(f"{PROFILES}/$entity"), **profile})


def delete_profile(ctx: Ctx, p: dict[str, str]) -> Reply:
    PROFILE_KIND.find(ctx, p["id"])
    tenant = ctx.tenant
    platform = tenant.enrollment_profiles.pop(p["id"]).get("platform")
    tenant.profile_assignments.pop(p["id"], None)
    for index, profile in enumerate(tenant.profiles_by_priority(platform)):
        profile["priority"] = index
    return Reply(204)


def _priority(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise bad_request(f"Invalid value for property 'priority': {value!r} (0 is highest).")
    return value


def set_priority(ctx: Ctx, p: dict[str, str]) -> Reply:
    profile = PROFILE_KIND.find(ctx, p["id"])
    _, body = validate(
        require_body(ctx), "appleUserInitiatedEnrollmentProfile.setPriority", ctx.version
    )
    ctx.tenant.move_profile(profile["id"], _priority(body["priority"]))
    profile["lastModifiedDateTime"] = ctx.tenant.stamp()
    return Reply(204)


def create_profile_assignment(ctx: Ctx, p: dict[str, str]) -> Reply:
    profile = PROFILE_KIND.find(ctx, p["id"])
    _, body = validate(require_body(ctx), "appleEnrollmentProfileAssignment", ctx.version)
    current = ctx.tenant.profile_assignments.setdefault(profile["id"], [])
    _check_targets(ctx, [a["target"] for a in current] + [body["target"]])
    assignment = {
        "@odata.type": "#microsoft.graph.appleEnrollmentProfileAssignment",
        "id": f"{profile['id']}_{_target_suffix(body['target'])}",
        "target": body["target"],
    }
    current.append(assignment)
    profile["lastModifiedDateTime"] = ctx.tenant.stamp()
    return Reply(
        201,
        {
            "@odata.context": ctx.context_url(f"{PROFILES}('{profile['id']}')/assignments/$entity"),
            **assignment,
        },
    )


def routes() -> list[Route]:
    apps = f"/{APPS.path}"
    configs = f"/{CONFIGS.path}"
    policies = f"/{CATALOG}"
    profiles = f"/{PROFILES}"
    return [
        route("GET", DM, get_device_management, SERVICE_READ + CONFIG_READ),
        route("GET", f"{DM}/applePushNotificationCertificate", get_apns, SERVICE_READ),
        *entity_set(f"{DAM}/vppTokens", list_vpp_tokens, get_vpp_token, SERVICE_READ + APPS_READ),
        *entity_set(apps, list_apps, get_app, APPS_READ),
        route("POST", apps, create_app, APPS_WRITE),
        route("DELETE", f"{apps}/{{id}}", delete_app, APPS_WRITE),
        route("POST", f"{apps}/{{id}}/assign", assign_app, APPS_WRITE),
        *APP_ASSIGNMENTS.routes(APPS_READ, APPS_WRITE),
        *entity_set(configs, list_configs, get_config, CONFIG_READ),
        route("POST", configs, create_config, CONFIG_WRITE),
        route("PATCH", f"{configs}/{{id}}", update_config, CONFIG_WRITE),
        route("DELETE", f"{configs}/{{id}}", delete_config, CONFIG_WRITE),
        route("POST", f"{configs}/{{id}}/assign", assign_config, CONFIG_WRITE),
        route("POST", f"{configs}/{{id}}/assignments", create_config_assignment, CONFIG_WRITE),
        *CONFIG_ASSIGNMENTS.routes(CONFIG_READ, CONFIG_WRITE),
        *entity_set(
            f"{DM}/deviceEnrollmentConfigurations",
            list_enrollment_configs,
            get_enrollment_config,
            SERVICE_READ,
        ),
        *entity_set(policies, list_catalog, get_catalog, CONFIG_READ, beta_only=True),
        route(
            "GET",
            f"{policies}/{{id}}/settings",
            POLICY_SETTINGS.list_items,
            CONFIG_READ,
            beta_only=True,
        ),
        route(
            "GET",
            f"{policies}/{{id}}/assignments",
            POLICY_ASSIGNMENTS.list_items,
            CONFIG_READ,
            beta_only=True,
        ),
        *entity_set(f"/{FILTERS}", list_filters, get_filter, CONFIG_READ, beta_only=True),
        *entity_set(profiles, list_profiles, get_profile, SERVICE_READ, beta_only=True),
        route("POST", profiles, create_profile, SERVICE_WRITE, beta_only=True),
        route("PATCH", f"{profiles}/{{id}}", update_profile, SERVICE_WRITE, beta_only=True),
        route("DELETE", f"{profiles}/{{id}}", delete_profile, SERVICE_WRITE, beta_only=True),
        route(
            "POST", f"{profiles}/{{id}}/setPriority", set_priority, SERVICE_WRITE, beta_only=True
        ),
        route(
            "POST",
            f"{profiles}/{{id}}/assignments",
            create_profile_assignment,
            SERVICE_WRITE,
            beta_only=True,
        ),
        *PROFILE_ASSIGNMENTS.routes(SERVICE_READ, SERVICE_WRITE, beta_only=True),
    ]
