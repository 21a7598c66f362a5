"""Compatibility audit: iOS profiles and apps already assigned to the rollout's users that
User Enrollment does not support, each with what the device will show and the fix.

What User Enrollment supports is Microsoft's "Overview of Apple User Enrollment in
Microsoft Intune" (learn.microsoft.com/intune/intune-service/enrollment/
ios-user-enrollment-supported-actions, "Supported settings" and "Limitations and
capabilities not supported"). Only what that page states is checked here:
- VPN: "User enrollment is limited to per-app VPN ... Safari domains are not supported":
  an `iosVpnConfiguration` (or a subtype) with `enablePerApp` not true, or with
  `safariDomains`.
- "Intune doesn't support SCEP user profiles with Subject Name Format of Serial Number",
  and does not collect "serial number, and IMEI" (nor the UDID): an
  `iosScepCertificateProfile` whose subject name is the serial number or IMEI
  (`subjectNameFormat` commonNameAsSerialNumber / commonNameAsIMEI, or a custom
  `subjectNameFormatString` naming {{SerialNumber}}, {{IMEI}} or {{UDID}}).
- Apps: "Installation of Apple App Store apps as managed apps" is not supported, and only
  user-licensed VPP apps are (enrollment-facts.md): an `iosStoreApp` assigned as required
  or available, an `iosVppApp` assigned with device licensing.
- Device restrictions: "For a list of supported device restrictions, see iOS and iPadOS
  device settings to allow or restrict features": an `iosGeneralDeviceConfiguration` with
  a setting configured that needs supervision or a device enrollment
  (tui/graph/audit_restrictions.py names each one).
Unsupported policies fail on the device with 0x87d136cd (enrollment-facts.md).

An assignment reaches the rollout when it targets one of its groups, a group that
contains one of them (nested, at any depth: Graph's `groups/{id}/transitiveMemberOf`,
v1.0 "List group transitive memberOf", GroupMember.Read.All, 100 a page by default, 999
at most; Intune applies a policy assigned to a group to the members of its nested
groups), all users or all devices, unless the same policy excludes that group or a group
containing it (an exclusion wins over an inclusion in Intune). It also reaches them
through another group some of them are in ("Sales iPhones" holding a pilot user): the
members of such groups are intersected with the rollout's users, within a bound
(tui/graph/audit_shared.py). Assignments are read per object (graph.md:
`$expand=assignments` on lists is deprecated or comes back empty), 20 per `$batch`, only
for the objects that could be a problem.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tui.graph import parse
from tui.graph.audit_restrictions import restriction_problem, unsupported_restrictions
from tui.graph.audit_shared import (
    MEMBER_LIMIT,
    GroupUsers,
    SharedReach,
    read_group_users,
    shared_reach,
    too_large_note,
)
from tui.graph.client import GraphClient
from tui.graph.errors import GraphError
from tui.graph.models import AppIntent, AssignmentTarget, BatchRead, TargetKind
from tui.graph.paging import CollectionRead, read_collections

if TYPE_CHECKING:
    from tui.findings import Finding

CHECK_ID = "user_enrollment_compatibility"
TITLE = "Profiles and apps User Enrollment supports"
SOURCE = "Microsoft: Overview of Apple User Enrollment in Microsoft Intune"
CONFIGURATIONS = "deviceManagement/deviceConfigurations"
MOBILE_APPS = "deviceAppManagement/mobileApps"
CONFIG_READ = ("DeviceManagementConfiguration.Read.All",)
PARENTS_READ = ("GroupMember.Read.All",)
APPS_READ = ("DeviceManagementApps.Read.All",)
DEVICE_ERROR = "the profile fails on user-enrolled devices with 0x87d136cd (not applicable)"
_DEVICE_IDS = re.compile(r"\{\{\s*(serialnumber|imei|udid)\s*\}\}", re.IGNORECASE)


@dataclass(frozen=True)
class Incompatibility:
    kind: str  # "profile" | "app"
    id: str
    name: str
    problem: str
    device: str  # what the device shows
    fix: str
    reaches: tuple[str, ...] = ()  # "group 'BYOD pilot'", "all users"
    shared: tuple[SharedReach, ...] = ()  # other groups with some of the rollout's users

    def line(self) -> str:
        where = ", ".join(self.reaches)
        return (
            f"{self.kind} '{self.name}' ({where}): {self.problem}. On the device: "
            f"{self.device}. Fix: {self.fix}"
        )


def _vpn_problem(obj: parse.Json) -> tuple[str, str] | None:
    if obj.get("enablePerApp") is not True:
        return (
            "a device-wide VPN: User Enrollment supports per-app VPN only",
            "in the profile set Automatic VPN to Per-app VPN and associate the apps, or"
            " exclude the rollout's groups from this profile",
        )
    if any(isinstance(d, str) and d.strip() for d in obj.get("safariDomains") or []):
        return (
            "per-app VPN with Safari domains: User Enrollment does not support Safari domains",
            "remove the Safari domains from the per-app VPN profile",
        )
    return None


def _scep_problem(obj: parse.Json) -> tuple[str, str] | None:
    form = parse.text(obj, "subjectNameFormat")
    custom = parse.text(obj, "subjectNameFormatString")
    if form in ("commonNameAsSerialNumber", "commonNameAsIMEI") or (
        form == "custom" and _DEVICE_IDS.search(custom)
    ):
        return (
            "a SCEP certificate whose subject name is a device identifier (serial number,"
            " IMEI or UDID), which Intune does not collect under User Enrollment",
            "use a subject name from the user, e.g. CN={{UserPrincipalName}}, for the"
            " rollout's users (a separate profile if devices still need the other one)",
        )
    return None


def _listing(
    key: str, path: str, odata_type: str, what: str, scopes: tuple[str, ...]
) -> CollectionRead:
    return CollectionRead(
        BatchRead(key, path, (("$filter", f"isof('microsoft.graph.{odata_type}')"),)),
        what=what,
        scopes=scopes,
    )


Parents = Mapping[str, Mapping[str, str]]  # rollout group id -> {ancestor id: name}


async def _parent_groups(
    client: GraphClient, groups: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """The groups that contain each rollout group, at any depth (lower-case ids)."""
    reads = [
        CollectionRead(
            BatchRead(
                f"p{i}",
                f"groups/{gid}/transitiveMemberOf",
                (("$select", "id,displayName"), ("$top", "999")),
            ),
            what=f"read the groups that contain the group {name!r}",
            scopes=PARENTS_READ,
        )
        for i, (gid, name) in enumerate(groups.items())
    ]
    found = await read_collections(client, reads) if reads else {}
    parents: dict[str, dict[str, str]] = {}
    for i, gid in enumerate(groups):
        parents[gid] = {
            parse.text(g, "id").lower(): parse.text(g, "displayName") or parse.text(g, "id")
            for g in found[f"p{i}"]
            # Administrative units come back too (directoryObject collection).
            if parse.odata_type(g) == "#microsoft.graph.group" and parse.text(g, "id")
        }
    return parents


@dataclass(frozen=True)
class Audit:
    found: tuple[Incompatibility, ...]
    notes: tuple[str, ...] = ()  # what was not checked, e.g. groups too large to read


async def find_incompatibilities(
    client: GraphClient,
    groups: Mapping[str, str],
    *,
    all_users: bool = False,
    member_limit: int = MEMBER_LIMIT,
) -> tuple[Incompatibility, ...]:
    """What the rollout's users would get that User Enrollment does not support."""
    audit = await audit_rollout(client, groups, all_users=all_users, member_limit=member_limit)
    return audit.found


async def audit_rollout(
    client: GraphClient,
    groups: Mapping[str, str],
    *,
    all_users: bool = False,
    member_limit: int = MEMBER_LIMIT,
) -> Audit:
    """What the rollout's users (group id -> name; `all_users`: everyone) would get that
    User Enrollment does not support, and what could not be checked. Raises GraphError
    when a read fails."""
    wanted = {gid.lower(): name for gid, name in groups.items()}
    configs, apps, parents = await asyncio.gather(
        read_collections(
            client,
            [
                _listing(
                    "vpn",
                    CONFIGURATIONS,
                    "iosVpnConfiguration",
                    "read the iOS VPN profiles",
                    CONFIG_READ,
                ),
                _listing(
                    "scep",
                    CONFIGURATIONS,
                    "iosScepCertificateProfile",
                    "read the iOS SCEP profiles",
                    CONFIG_READ,
                ),
                _listing(
                    "restrictions",
                    CONFIGURATIONS,
                    "iosGeneralDeviceConfiguration",
                    "read the iOS device restrictions profiles",
                    CONFIG_READ,
                ),
            ],
            version="beta",
        ),
        read_collections(
            client,
            [
                _listing(
                    "store", MOBILE_APPS, "iosStoreApp", "read the iOS App Store apps", APPS_READ
                ),
                _listing("vpp", MOBILE_APPS, "iosVppApp", "read the iOS VPP apps", APPS_READ),
            ],
            version="beta",
        ),
        _parent_groups(client, wanted),
    )
    suspects: dict[str, tuple[str, parse.Json, tuple[str, str, str] | None]] = {}
    for obj in configs["vpn"]:
        suspects[parse.text(obj, "id")] = ("profile", obj, _with_error(_vpn_problem(obj)))
    for obj in configs["scep"]:
        suspects[parse.text(obj, "id")] = ("profile", obj, _with_error(_scep_problem(obj)))
    for obj in configs["restrictions"]:
        findings = unsupported_restrictions(obj)
        problem = restriction_problem(findings) if findings else None
        suspects[parse.text(obj, "id")] = ("profile", obj, problem)
    profiles = {k: v for k, v in suspects.items() if k and v[2] is not None}
    app_objects = {parse.text(a, "id"): ("store", a) for a in apps["store"]}
    app_objects |= {parse.text(a, "id"): ("vpp", a) for a in apps["vpp"]}
    app_objects.pop("", None)

    reads = [
        CollectionRead(
            BatchRead(f"c{i}", f"{CONFIGURATIONS}/{pid}/assignments"),
            what=f"read the assignments of the profile {parse.text(obj, 'displayName')!r}",
            scopes=CONFIG_READ,
        )
        for i, (pid, (_, obj, _p)) in enumerate(profiles.items())
    ]
    reads += [
        CollectionRead(
            BatchRead(f"a{i}", f"{MOBILE_APPS}/{aid}/assignments"),
            what=f"read the assignments of the app {parse.text(obj, 'displayName')!r}",
            scopes=APPS_READ,
        )
        for i, (aid, (_, obj)) in enumerate(app_objects.items())
    ]
    assigned = await read_collections(client, reads, version="beta") if reads else {}

    # (kind, id, name, (problem, device, fix), assignment targets) of each suspect.
    suspect: list[tuple[str, str, str, tuple[str, str, str], list[AssignmentTarget]]] = []
    for i, (pid, (kind, obj, problem)) in enumerate(profiles.items()):
        assert problem is not None
        given = [parse.assignment(a) for a in assigned[f"c{i}"]]
        suspect.append(
            (kind, pid, parse.text(obj, "displayName"), problem, [a.target for a in given if a])
        )
    for i, (aid, (kind, obj)) in enumerate(app_objects.items()):
        items = [parse.app_assignment(a) for a in assigned[f"a{i}"]]
        live = [a for a in items if a and a.intent is not AppIntent.UNINSTALL]
        if kind == "vpp":
            live = [a for a in live if a.use_device_licensing]
        # An app's exclusions come with intent too: keep every exclusion of the app.
        exclusions = [a.target for a in items if a and a.target.kind is TargetKind.EXCLUDE_GROUP]
        targets = [*(a.target for a in live), *exclusions]
        if live:
            suspect.append(
                ("app", aid, parse.text(obj, "displayName"), _app_problem(kind), targets)
            )

    shared = await _shared_members(client, wanted, parents, suspect, all_users, member_limit)
    found: list[Incompatibility] = []
    for kind, oid, name, problem, targets in suspect:
        reaches = _reaches(targets, wanted, parents, all_users)
        extra = _shared_words(targets, wanted, parents, shared) if shared else []
        if reaches or extra:
            found.append(
                Incompatibility(
                    kind,
                    oid,
                    name,
                    *problem,
                    reaches=(*reaches, *(r.word() for r in extra)),
                    shared=tuple(extra),
                )
            )
    notes = too_large_note(shared, member_limit) if shared else ()
    return Audit(tuple(found), notes)


def _app_problem(kind: str) -> tuple[str, str, str]:
    if kind == "store":
        return (
            "an App Store app: User Enrollment cannot install App Store apps as managed apps",
            "the app is not installed as a managed app on user-enrolled devices",
            "buy it in Apple Business (Apps and Books) and assign the VPP app with user"
            " licensing instead",
        )
    return (
        "a VPP app assigned with device licensing: User Enrollment supports user-licensed"
        " VPP apps only",
        "the install fails on user-enrolled devices",
        "set the assignment's license type to User licensing (or give the rollout's groups"
        " their own user-licensed assignment, not both for one user)",
    )


def _elsewhere(
    targets: Sequence[AssignmentTarget], groups: Mapping[str, str], parents: Parents
) -> list[str]:
    """The included groups of these targets that are neither a rollout group nor one
    containing it (lower-case ids): they reach the rollout only through shared members."""
    known = set(groups) | {a for found in parents.values() for a in found}
    return [
        t.group_id.lower()
        for t in targets
        if t.kind is TargetKind.GROUP and t.group_id and t.group_id.lower() not in known
    ]


def _excluded(targets: Sequence[AssignmentTarget]) -> list[str]:
    return [t.group_id.lower() for t in targets if t.kind is TargetKind.EXCLUDE_GROUP]


async def _shared_members(
    client: GraphClient,
    groups: Mapping[str, str],
    parents: Parents,
    suspects: Sequence[tuple[str, str, str, tuple[str, str, str], list[AssignmentTarget]]],
    all_users: bool,
    limit: int,
) -> GroupUsers | None:
    """Members of the rollout's groups and of the suspects' other groups (None when no
    suspect is assigned to another group, or everyone is targeted anyway)."""
    if all_users or not groups:
        return None
    others: list[str] = []
    for *_rest, targets in suspects:
        elsewhere = _elsewhere(targets, groups, parents)
        if elsewhere:
            others += elsewhere
            others += [g for g in _excluded(targets) if g not in groups]
    if not others:
        return None
    return await read_group_users(client, groups, list(dict.fromkeys(others)), limit=limit)


def _shared_words(
    targets: Sequence[AssignmentTarget],
    groups: Mapping[str, str],
    parents: Parents,
    users: GroupUsers,
) -> list[SharedReach]:
    return [
        reach
        for gid in dict.fromkeys(_elsewhere(targets, groups, parents))
        if (reach := shared_reach(gid, _excluded(targets), users)) is not None
    ]


def _with_error(problem: tuple[str, str] | None) -> tuple[str, str, str] | None:
    return (problem[0], DEVICE_ERROR, problem[1]) if problem else None


def _reaches(
    targets: Sequence[AssignmentTarget],
    groups: Mapping[str, str],
    parents: Parents,
    all_users: bool,
) -> tuple[str, ...]:
    """How these assignment targets reach the rollout's groups ("group 'BYOD pilot'",
    "group 'Mobile staff' (contains 'BYOD pilot')", "all users"), empty when they do
    not; a group excluded (itself or through a group containing it) is not reached."""
    excluded = {t.group_id.lower() for t in targets if t.kind is TargetKind.EXCLUDE_GROUP}
    includes = [
        t
        for t in targets
        if t.kind in (TargetKind.ALL_USERS, TargetKind.ALL_DEVICES, TargetKind.GROUP)
    ]
    words: list[str] = []

    def add(word: str) -> None:
        if word not in words:
            words.append(word)

    for gid, name in groups.items():
        ancestors = parents.get(gid, {})
        if gid in excluded or excluded & ancestors.keys():
            continue
        for target in includes:
            tid = target.group_id.lower()
            if target.kind is TargetKind.ALL_USERS:
                add("all users")
            elif target.kind is TargetKind.ALL_DEVICES:
                add("all devices")
            elif tid == gid:
                add(f"group {name!r}")
            elif tid in ancestors:
                add(f"group {ancestors[tid]!r} (contains {name!r})")
    if all_users and not words:
        # "All users" is targeted: any assignment but an exclusion reaches some of them.
        for target in includes:
            if target.kind is TargetKind.ALL_USERS:
                add("all users")
            elif target.kind is TargetKind.ALL_DEVICES:
                add("all devices")
            else:
                add(f"group {target.group_id}")
    return tuple(words)


def audit_result(audit: Audit | Sequence[Incompatibility] | GraphError) -> Finding:
    """The finding as a prerequisite check result (tui.graph.checks' model): a warning
    listing each object, pass when there is none, error when it could not be read; the
    notes of what was not checked follow either."""
    from tui.findings import Finding, Status

    if isinstance(audit, GraphError):
        found: Sequence[Incompatibility] | GraphError = audit
        notes: tuple[str, ...] = ()
    elif isinstance(audit, Audit):
        found, notes = audit.found, audit.notes
    else:
        found, notes = audit, ()
    after = "".join(f"\nNot checked: {note}" for note in notes)
    if isinstance(found, GraphError):
        return Finding(
            CHECK_ID, Status.ERROR, TITLE, f"Could not check: {found.message}", found.fix
        )
    if not found:
        return Finding(
            CHECK_ID,
            Status.PASS,
            TITLE,
            "No VPN, SCEP or device restrictions profile or app assigned to the rollout's"
            " users is one that User Enrollment does not support" + after,
        )
    lines = [
        f"{len(found)} assigned to the rollout's users that User Enrollment does not"
        f" support ({SOURCE}):"
    ]
    lines += [f"- {f.line()}" for f in found]
    return Finding(
        CHECK_ID,
        Status.WARN,
        TITLE,
        "\n".join(lines) + after,
        "Fix each one as its line says (Devices > iOS/iPadOS > Configuration, or Apps >"
        " iOS/iPadOS), or exclude the rollout's groups from it",
    )
