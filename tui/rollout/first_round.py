"""The first round trip of a tenant read: what it asks for (every object the session
names, by stored id where it has one, every group it targets) and its sending, apart from
the code that reads the answers (tui.rollout.read).

A headless `adue plan` puts this round trip on the wire before importing that code and the
models, parsers and operations it needs (tui.graph.models, parse, operations): they are
imported while the request is on the way (tui.rollout.pinned_plan), and this module
imports none of them (tests/plan/test_headless_imports.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.graph.batch import MAX_BATCH, batch_get
from tui.graph.batch_items import BatchAnswer, BatchRead
from tui.graph.paths import CONFIGURATIONS, GROUP_FIELDS, MOBILE_APPS, PROFILES, Scope
from tui.values import Frozen

if TYPE_CHECKING:
    from tui.graph.client import GraphClient
    from tui.graph.target import TargetTenant, TenantPin
    from tui.rollout.desired import DesiredState, GroupRef
    from tui.rollout.read import TenantState


class Read(Frozen):
    version: str
    read: BatchRead
    what: str
    scopes: tuple[str, ...]
    all_pages: bool = True  # False: the first page answers the question ($top=1 probes)


def q(**query: str) -> tuple[tuple[str, str], ...]:
    return tuple(query.items())


async def send_reads(
    client: GraphClient,
    reads: list[tuple[str, BatchRead]],
    on_sent: Callable[[], None] | None = None,
) -> dict[str, BatchAnswer]:
    """Every read's answer: batched per API version (20 a batch), batches concurrent.
    `on_sent`: called once every batch is on the wire."""
    if not reads:
        return {}
    chunks: list[tuple[str, list[BatchRead]]] = []
    for version in ("v1.0", "beta"):
        mine = [read for v, read in reads if v == version]
        for start in range(0, len(mine), MAX_BATCH):
            chunks.append((version, mine[start : start + MAX_BATCH]))
    sent = _AllSent(len(chunks), on_sent) if on_sent is not None else None
    answers: dict[str, BatchAnswer] = {}
    for result in await asyncio.gather(
        *(batch_get(client, c, version=v, on_sent=sent.one if sent else None) for v, c in chunks)
    ):
        answers.update(result)
    return answers


class _AllSent:
    """Calls `callback` when the last of `count` requests is on the wire."""

    def __init__(self, count: int, callback: Callable[[], None]) -> None:
        self.left = count
        self.callback = callback

    def one(self) -> None:
        self.left -= 1
        if self.left == 0:
            self.callback()


def _escape(name: str) -> str:
    return name.replace("'", "''")


def _group_reads(ref: GroupRef, index: int) -> list[Read]:
    if ref.id:
        path, query = f"groups/{ref.id}", q(**{"$select": GROUP_FIELDS})
    else:
        path = "groups"
        query = q(**{"$filter": f"displayName eq '{_escape(ref.name)}'", "$select": GROUP_FIELDS})
    what = f"find the group {ref.label!r} ({ref.where})"
    return [Read("v1.0", BatchRead(f"group{index}", path, query), what, Scope.GROUPS)]


def kind_reads(group_id: str) -> list[Read]:
    base = f"groups/{group_id}/members"
    query = q(**{"$top": "1", "$select": "id"})
    what = "check whether a group holds users or devices"
    return [
        Read(
            "v1.0",
            BatchRead(f"{kind}s:{group_id}", f"{base}/microsoft.graph.{kind}", query),
            what,
            Scope.GROUPS,
            all_pages=False,
        )
        for kind in ("user", "device")
    ]


def _sso_by_name_read() -> Read:
    query = q(
        **{
            "$filter": "isof('microsoft.graph.iosDeviceFeaturesConfiguration')",
            "$expand": "assignments",
        }
    )
    return Read(
        "beta",
        BatchRead("sso_by_name", CONFIGURATIONS, query),
        "list the iOS device features policies",
        Scope.CONFIG_READ,
    )


CATALOG = "deviceManagement/configurationPolicies"


def _catalog_read() -> Read:
    return Read(
        "beta",
        BatchRead("sso_catalog", CATALOG, q(**{"$expand": "settings,assignments"})),
        "list the Settings Catalog policies",
        Scope.CONFIG_READ,
    )


def profile_assignments_read(profile_id: str) -> Read:
    return Read(
        "beta",
        BatchRead("profile_assignments", f"{PROFILES}/{profile_id}/assignments"),
        "read the enrollment profile's assignments",
        Scope.SERVICE_CONFIG_READ,
    )


ASSIGNMENT_FILTERS = "deviceManagement/assignmentFilters"


def _filter_read(filter_id: str) -> Read:
    return Read(
        "beta",
        BatchRead(
            "filter",
            f"{ASSIGNMENT_FILTERS}/{filter_id}",
            q(**{"$select": "id,displayName,platform"}),
        ),
        "read the assignment filter of the enrollment profile",
        Scope.CONFIG_READ,
    )


def group_refs(desired: DesiredState) -> list[GroupRef]:
    """Every group the session names, once, in the order it names them."""
    return list(dict.fromkeys(desired.all_group_refs()))


def profile_group_ids(desired: DesiredState) -> set[str]:
    """The ids of the enrollment profile's groups (their kind is read in the first round)."""
    profile = desired.profile
    return {r.id for r in (profile.groups if profile else ()) if r.id}


def first_reads(desired: DesiredState) -> list[Read]:
    """The first round trip: every object the session names, by stored id where it has
    one, and every group it targets."""
    reads: list[Read] = []
    sso, app, profile = desired.sso, desired.authenticator, desired.profile
    if sso and sso.policy_id:
        reads.append(
            Read(
                "beta",
                BatchRead(
                    "sso", f"{CONFIGURATIONS}/{sso.policy_id}", q(**{"$expand": "assignments"})
                ),
                "read the SSO app extension policy",
                Scope.CONFIG_READ,
            )
        )
    if sso:
        # Every iOS device-features policy (ours by name, others' SSO payloads) and every
        # Settings Catalog policy: another SSO extension for the same users conflicts.
        reads += [_sso_by_name_read(), _catalog_read()]
    if app and app.app_id:
        reads.append(app_read(app.app_id))
    elif app:
        reads.append(vpp_apps_read())
    if profile:
        reads.append(
            Read(
                "beta",
                BatchRead("profiles", PROFILES),
                "list the Apple enrollment profiles",
                Scope.SERVICE_CONFIG_READ,
            )
        )
        if profile.profile_id:
            reads.append(profile_assignments_read(profile.profile_id))
        if profile.filter_id:
            reads.append(_filter_read(profile.filter_id))
    clip = desired.web_clip
    if clip:
        reads.append(_web_apps_read())
        if clip.app_id:
            reads.append(web_clip_read(clip.app_id))
    for index, ref in enumerate(group_refs(desired)):
        reads += _group_reads(ref, index)
    for group_id in sorted(profile_group_ids(desired)):
        reads += kind_reads(group_id)
    return reads


def app_read(app_id: str) -> Read:
    """One app by id, with its assignments, in beta: v1.0 leaves out beta-only assignment
    settings (uninstallOnDeviceRemoval, isRemovable, ...), which the replace-all `/assign`
    would then reset (graph.md, step 2)."""
    return Read(
        "beta",
        BatchRead("app", f"{MOBILE_APPS}/{app_id}", q(**{"$expand": "assignments"})),
        "read Microsoft Authenticator",
        Scope.APPS_READ,
    )


def vpp_apps_read() -> Read:
    # No $expand here: expanding assignments on the LIST is deprecated (beta mobileApp
    # resource page) and can come back empty; the chosen app is read by id afterwards.
    query = q(**{"$filter": "isof('microsoft.graph.iosVppApp')"})
    return Read(
        "v1.0",
        BatchRead("vpp_apps", MOBILE_APPS, query),
        "read the iOS VPP apps",
        Scope.APPS_READ,
    )


def _web_apps_read() -> Read:
    # Beta, like every app read (graph.md, step 2); no $expand on the LIST (deprecated).
    query = q(**{"$filter": "isof('microsoft.graph.webApp')"})
    return Read(
        "beta", BatchRead("web_apps", MOBILE_APPS, query), "list the web apps", Scope.APPS_READ
    )


def web_clip_read(app_id: str) -> Read:
    """The web clip by id with its assignments, in beta (as for Authenticator: another
    admin's assignments go back exactly as read through the replace-all `/assign`)."""
    return Read(
        "beta",
        BatchRead("web_clip", f"{MOBILE_APPS}/{app_id}", q(**{"$expand": "assignments"})),
        "read the Company Portal web clip",
        Scope.APPS_READ,
    )


async def read_pinned_tenant(
    client: GraphClient,
    desired: DesiredState,
    pin: TenantPin,
    *,
    on_sent: Callable[[], None] | None = None,
) -> tuple[TargetTenant, TenantState]:
    """tui.rollout.read.read_tenant with the tenant check (tui.graph.target) in its first
    round trip: raises TenantMismatch before any answer is used when the sign-in is for
    another tenant (the check comes first, so a refused tenant's answers are never looked
    at: no error of theirs, no page). Reads only; a caller that writes does so after this
    returned. `on_sent`: called once that first round trip is all on the wire."""
    reads = first_reads(desired)
    answers = await send_reads(
        client, [*((r.version, r.read) for r in reads), ("v1.0", pin.read)], on_sent
    )
    from tui.rollout import read  # the answers' half (imported ahead during the wait)

    target = pin.check_answer(answers[pin.read.id])
    bodies = await read.bodies(client, reads, answers)
    return target, await read.read_rest(client, desired, bodies)
