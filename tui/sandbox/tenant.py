"""The sandbox tenant: plain dicts shaped like Graph's JSON, kept in memory.

Objects are stored as Graph returns them (camelCase keys, `@odata.type` on polymorphic
ones), so routes serve them with little shaping and tests can assert on them directly.
Groups get an index (exact name, name prefix, search words) so that a search on the
100,000-group `large` tenant answers in milliseconds.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import heapq
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from tui.sandbox.odata import WORD_PATTERN as _WORD


def iso(moment: dt.datetime) -> str:
    """Graph's timestamp form: UTC with a `Z`."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def iso_precise(moment: dt.datetime) -> str:
    """Graph's form for createdDateTime/lastModifiedDateTime of Intune objects: 7
    fractional digits and a `Z` (e.g. "2017-01-01T00:02:43.5775965Z"; Python has 6)."""
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond:06d}0Z"


def stable_id(*parts: str) -> str:
    """A GUID (version 4 layout) derived from `parts`: the same seed gives the same ids on
    every run. Formatted by hand: the large seed makes 100,000 of them."""
    raw = bytearray(hashlib.blake2b(":".join(parts).encode(), digest_size=16).digest())
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _words(text: str) -> set[str]:
    """Search words of an already case-folded text (fast path for plain ASCII words)."""
    tokens = text.split()
    if all(t.isascii() and t.isalnum() for t in tokens):
        return set(tokens)
    return set(_WORD.findall(text))


class GroupIndex:
    """Exact-name, prefix and search-word lookups over the tenant's groups."""

    def __init__(self, groups: dict[str, dict[str, Any]]) -> None:
        self.rank: dict[str, int] = {}
        self.ids_by_rank: list[str] = list(groups)
        self.by_name: dict[str, list[str]] = {}
        self._by_word: dict[str, dict[str, list[str]]] = {"displayName": {}, "description": {}}
        names: list[tuple[str, str]] = []
        for position, (gid, group) in enumerate(groups.items()):
            self.rank[gid] = position
            folded = str(group.get("displayName") or "").casefold()
            self.by_name.setdefault(folded, []).append(gid)
            names.append((folded, gid))
            for prop, text in (
                ("displayName", folded),
                ("description", str(group.get("description") or "").casefold()),
            ):
                index = self._by_word[prop]
                for word in _words(text):
                    bucket = index.get(word)
                    if bucket is None:
                        index[word] = [gid]
                    else:
                        bucket.append(gid)
        names.sort()
        self._names = names
        self._name_keys = [n for n, _ in names]
        self._word_keys = {prop: sorted(index) for prop, index in self._by_word.items()}

    def exact(self, name: str) -> list[str]:
        return list(self.by_name.get(name.casefold(), []))

    def prefix(self, text: str) -> list[str]:
        folded = text.casefold()
        lo = bisect.bisect_left(self._name_keys, folded)
        hi = bisect.bisect_left(self._name_keys, folded + "\U0010ffff")
        return [gid for _, gid in self._names[lo:hi]]

    def word_prefix(self, term: str, prop: str) -> set[str]:
        """Groups with a word in `prop` (displayName or description) starting with `term`."""
        keys = self._word_keys[prop]
        lo = bisect.bisect_left(keys, term)
        hi = bisect.bisect_left(keys, term + "\U0010ffff")
        index = self._by_word[prop]
        found: set[str] = set()
        for word in keys[lo:hi]:
            found.update(index[word])
        return found

    def in_order(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=self.rank.__getitem__)

    def first_in_order(self, ids: Iterable[str], n: int) -> list[str]:
        """The first `n` of `ids` in tenant order, without sorting all of them."""
        ranks = [self.rank[i] for i in ids]
        head = heapq.nsmallest(n, ranks) if n * 4 < len(ranks) else sorted(ranks)[:n]
        return [self.ids_by_rank[r] for r in head]


@dataclass
class Tenant:
    seed: str
    tenant_id: str
    organization: dict[str, Any]
    domains: list[dict[str, Any]] = field(default_factory=list)
    subscribed_skus: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    # group id -> direct member ids (users, devices, groups)
    members: dict[str, list[str]] = field(default_factory=dict)
    apns_certificate: dict[str, Any] | None = None
    vpp_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    mobile_apps: dict[str, dict[str, Any]] = field(default_factory=dict)
    app_assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    device_configurations: dict[str, dict[str, Any]] = field(default_factory=dict)
    config_assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    enrollment_configurations: dict[str, dict[str, Any]] = field(default_factory=dict)
    enrollment_assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    enrollment_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile_assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    assignment_filters: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Settings Catalog policies, with their settings and assignments (relationships).
    configuration_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    configuration_policy_settings: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    configuration_policy_assignments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # How this tenant's setPriority behaves, and where a new profile lands: Graph documents
    # neither (graph.md, Step 4), so the sandbox can answer either way and adue must cope.
    priority_mode: str = "insert"  # "insert": insert and shift the rest; "swap"
    new_profile_lands: str = "last"  # "last" | "first"
    # deviceManagement.subscriptionState (graph.md: pending, active, warning, disabled,
    # deleted, blocked, lockedOut).
    subscription_state: str = "active"
    # user id -> the user's licenseDetails, as GET /users/{id}/licenseDetails returns them.
    license_details: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Intune's managed devices (deviceManagement/managedDevices), as beta returns them.
    managed_devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    id_counter: int = 0
    _group_index: GroupIndex | None = field(default=None, repr=False, compare=False)
    _member_of: dict[str, set[str]] | None = field(default=None, repr=False, compare=False)
    _last_stamp: dt.datetime | None = field(default=None, repr=False, compare=False)

    # ---- ids and derived lookups ------------------------------------------------------

    def stamp(self) -> str:
        """Now, as Graph stamps a created or changed object; never earlier than or equal
        to the previous stamp, so that of two objects made one after the other the
        second is always the newer (routes run under the sandbox lock)."""
        now = dt.datetime.now(dt.UTC)
        if self._last_stamp is not None and now <= self._last_stamp:
            now = self._last_stamp + dt.timedelta(microseconds=1)
        self._last_stamp = now
        return iso_precise(now)

    def new_id(self) -> str:
        """The next id for an object created through the API (deterministic per seed)."""
        self.id_counter += 1
        return stable_id(self.seed, self.tenant_id, "created", str(self.id_counter))

    @property
    def sign_in_domain(self) -> str:
        for domain in self.organization.get("verifiedDomains", []):
            if domain.get("isDefault"):
                return str(domain["name"])
        return str(self.organization["verifiedDomains"][0]["name"])

    @property
    def group_index(self) -> GroupIndex:
        if self._group_index is None:
            self._group_index = GroupIndex(self.groups)
        return self._group_index

    def directory_changed(self) -> None:
        """Forget the group index and membership map (call after changing groups/members)."""
        self._group_index = None
        self._member_of = None

    def directory_object(self, object_id: str) -> dict[str, Any] | None:
        for collection, type_name in (
            (self.users, "user"),
            (self.groups, "group"),
            (self.devices, "device"),
        ):
            obj = collection.get(object_id)
            if obj is not None:
                return {"@odata.type": f"#microsoft.graph.{type_name}", **obj}
        return None

    def find_user(self, id_or_upn: str) -> dict[str, Any] | None:
        user = self.users.get(id_or_upn)
        if user is not None:
            return user
        folded = id_or_upn.casefold()
        for candidate in self.users.values():
            if str(candidate.get("userPrincipalName", "")).casefold() == folded:
                return candidate
        return None

    def member_of(self, object_id: str) -> set[str]:
        """Groups that directly contain `object_id`."""
        if self._member_of is None:
            reverse: dict[str, set[str]] = {}
            for gid, member_ids in self.members.items():
                for member in member_ids:
                    reverse.setdefault(member, set()).add(gid)
            self._member_of = reverse
        return self._member_of.get(object_id, set())

    def transitive_member_of(self, object_id: str) -> list[str]:
        seen: set[str] = set()
        todo = list(self.member_of(object_id))
        while todo:
            gid = todo.pop()
            if gid not in seen:
                seen.add(gid)
                todo.extend(self.member_of(gid))
        return self.group_index.in_order(seen)

    # ---- enrollment profile priorities --------------------------------------------------

    def profiles_by_priority(self, platform: str | None = None) -> list[dict[str, Any]]:
        """Profiles highest first; with `platform`, only that platform's (each platform
        numbers its own priorities)."""
        found = [
            p
            for p in self.enrollment_profiles.values()
            if platform is None or p.get("platform") == platform
        ]
        return sorted(found, key=lambda p: (int(p["priority"]), str(p.get("platform"))))

    def move_profile(self, profile_id: str, priority: int) -> None:
        """setPriority: `priority_mode` "insert" puts the profile there and shifts the rest;
        "swap" exchanges it with the profile that holds that place. Priorities of the
        profile's platform stay 0..n-1."""
        moved = self.enrollment_profiles[profile_id]
        ordered = self.profiles_by_priority(moved.get("platform"))
        position = max(0, min(priority, len(ordered) - 1))
        if self.priority_mode == "swap":
            old = ordered.index(moved)
            ordered[old], ordered[position] = ordered[position], ordered[old]
        else:
            ordered.remove(moved)
            ordered.insert(position, moved)
        for index, profile in enumerate(ordered):
            profile["priority"] = index

    def add_profile(self, profile: dict[str, Any]) -> None:
        """A new profile lands last, or first (the others shift down), per `new_profile_lands`."""
        same = self.profiles_by_priority(profile.get("platform"))
        self.enrollment_profiles[profile["id"]] = profile
        if self.new_profile_lands == "first":
            for index, other in enumerate([profile, *same]):
                other["priority"] = index
        else:
            profile["priority"] = len(same)

    # ---- persistence ------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tenant:
        names = {f.name for f in fields(cls) if not f.name.startswith("_")}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown keys in sandbox state: {', '.join(sorted(unknown))}")
        return cls(**{k: v for k, v in data.items() if k in names})
