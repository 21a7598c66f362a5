"""The progress report: targeted users, their account-driven enrollments, counts per group
and per day. Pure data (no Graph): tui.progress.read fills it, commands and screens show it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.graph.devices import ManagedDevice
from tui.graph.models import DirectoryUser


@dataclass(frozen=True)
class TargetUser(DirectoryUser):
    """A targeted user as read, with the mail a reminder goes to (the CSV's column)."""

    mail: str


@dataclass(frozen=True)
class TargetGroup:
    """A targeted group as read: its id, its name and its members' user ids."""

    id: str
    name: str
    member_ids: tuple[str, ...]


@dataclass(frozen=True)
class GroupProgress:
    id: str
    name: str
    targeted: int
    enrolled: int


@dataclass(frozen=True)
class UserProgress:
    user: TargetUser
    devices: tuple[ManagedDevice, ...]  # enrolled the rollout's way (the report's mode)
    other_devices: tuple[ManagedDevice, ...]  # other Apple enrollments: not counted

    @property
    def enrolled(self) -> bool:
        return bool(self.devices)

    @property
    def first_enrolled(self) -> dt.datetime | None:
        dates = [d.enrolled for d in self.devices if d.enrolled]
        return min(dates) if dates else None


@dataclass(frozen=True)
class ProgressReport:
    read_at: dt.datetime
    all_users: bool
    users: tuple[UserProgress, ...]
    groups: tuple[GroupProgress, ...]
    outside_enrolled: int = 0  # account-driven enrollments of users nobody targets
    notes: tuple[str, ...] = field(default_factory=tuple)
    mode: str = "account-driven"  # [enrollment_profile] mode: which enrollments count

    @property
    def targeted(self) -> int:
        return len(self.users)

    @property
    def enrolled(self) -> tuple[UserProgress, ...]:
        return tuple(u for u in self.users if u.enrolled)

    @property
    def to_enroll(self) -> tuple[UserProgress, ...]:
        return tuple(u for u in self.users if not u.enrolled)

    @property
    def percent(self) -> int:
        return round(100 * len(self.enrolled) / self.targeted) if self.targeted else 0

    def per_day(self) -> list[tuple[dt.date, int]]:
        """Users by the (UTC) day their first device enrolled, oldest first."""
        days = Counter(
            first.astimezone(dt.UTC).date()
            for first in (u.first_enrolled for u in self.users)
            if first is not None
        )
        return sorted(days.items())

    def to_dict(self) -> dict[str, Any]:
        return {
            "read_at": self.read_at.isoformat(),
            "mode": self.mode,
            "all_users": self.all_users,
            "targeted": self.targeted,
            "enrolled": len(self.enrolled),
            "to_enroll": len(self.to_enroll),
            "percent_enrolled": self.percent,
            "outside_enrolled": self.outside_enrolled,
            "groups": [
                {"id": g.id, "name": g.name, "targeted": g.targeted, "enrolled": g.enrolled}
                for g in self.groups
            ],
            "per_day": [{"date": d.isoformat(), "enrolled": n} for d, n in self.per_day()],
            "users": [
                {
                    "id": u.user.id,
                    "display_name": u.user.display_name,
                    "user_principal_name": u.user.user_principal_name,
                    "mail": u.user.mail,
                    "enrolled": u.enrolled,
                    "devices": [d.to_dict() for d in u.devices],
                    "other_enrollments": [d.to_dict() for d in u.other_devices],
                }
                for u in self.users
            ],
            "notes": list(self.notes),
        }


def build_report(
    *,
    users: Sequence[TargetUser],
    groups: Sequence[TargetGroup],
    devices: Iterable[ManagedDevice],
    all_users: bool,
    read_at: dt.datetime,
    notes: Sequence[str] = (),
    mode: str = "account-driven",
    profile_name: str = "",
) -> ProgressReport:
    """Match devices to targeted users by `userId` (GUIDs: case does not matter). In
    web-based mode only enrollments with the rollout's profile `profile_name` count
    (tui.graph.devices: Company Portal device enrollments do not)."""
    ours: dict[str, list[ManagedDevice]] = {}
    others: dict[str, list[ManagedDevice]] = {}
    targeted = {u.id.lower() for u in users}
    outside = 0
    for device in devices:
        owner = device.user_id.lower()
        if not owner:
            continue
        if device.enrolled_as(mode, profile_name):
            if owner in targeted:
                ours.setdefault(owner, []).append(device)
            else:
                outside += 1
        elif owner in targeted:
            others.setdefault(owner, []).append(device)
    progress = tuple(
        UserProgress(
            u,
            tuple(sorted(ours.get(u.id.lower(), ()), key=lambda d: d.enrolled or read_at)),
            tuple(others.get(u.id.lower(), ())),
        )
        for u in users
    )
    enrolled = {p.user.id.lower() for p in progress if p.enrolled}
    counts = []
    for group in groups:
        ids = {m.lower() for m in group.member_ids}
        counts.append(GroupProgress(group.id, group.name, len(ids), len(ids & enrolled)))
    return ProgressReport(
        read_at=read_at,
        all_users=all_users,
        users=progress,
        groups=tuple(counts),
        outside_enrolled=outside,
        notes=tuple(notes),
        mode=mode,
    )
