"""Web-based device enrollment as a second mode (issue 18.5), through the real SDK over
HTTP against the sandbox: the profile's enrollment type follows `[enrollment_profile]
mode`, a change of mode updates the profile adue made (never a second one), the plan
explains what the company can see and do, and a wrong value is refused by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import apply_file, plan_file, session_with_ids
from tui.rollout.model import ActionKind
from tui.sandbox.server import RunningSandbox
from tui.session import Session, SessionError

PROFILES = "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles"
WEB = "webDeviceEnrollment"


def _set(path: Path, table: str, **values: Any) -> None:
    with Session.open(path, create=False) as session:
        session.update(table, values)
        session.save()


def _ours(sb: RunningSandbox, path: Path) -> dict[str, Any]:
    profile_id = Session.read_only(path).get("enrollment_profile", "profile_id")
    with sb.lock:
        return dict(sb.state.enrollment_profiles[profile_id])


async def test_a_web_based_rollout_creates_a_web_enrollment_profile_and_then_rests(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    _set(path, "enrollment_profile", mode="web-based")
    plan = await plan_file(sb, path)
    create = next(a for a in plan.changes if a.key == "enrollment_profile:create")
    assert any("web based device enrollment" in d for d in create.details)
    assert any("Intune sees the device's serial number" in n for n in plan.notes)

    assert (await apply_file(sb, path)).ok
    profile = _ours(sb, path)
    assert profile["defaultEnrollmentType"] == WEB
    options = profile["availableEnrollmentTypeOptions"]
    assert [(o["ownerType"], o["enrollmentType"]) for o in options] == [("personal", WEB)]
    assert (await plan_file(sb, path)).is_empty


async def test_changing_the_mode_updates_the_profile_adue_made_and_says_so(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    sb = fresh
    path = session_with_ids(sb, tmp_path)
    assert (await apply_file(sb, path)).ok
    first = _ours(sb, path)
    assert first["defaultEnrollmentType"] == "accountDrivenUserEnrollment"

    _set(path, "enrollment_profile", mode="web-based")
    plan = await plan_file(sb, path)
    update = next(a for a in plan.changes if a.key == "enrollment_profile:update")
    assert update.kind is ActionKind.UPDATE
    assert any("changes its enrollment type" in n for n in plan.notes)
    assert not [a for a in plan.changes if a.key == "enrollment_profile:create"]

    assert (await apply_file(sb, path)).ok
    after = _ours(sb, path)
    assert after["id"] == first["id"]
    assert after["defaultEnrollmentType"] == WEB
    with sb.lock:
        named = [
            p
            for p in sb.state.enrollment_profiles.values()
            if p["displayName"] == first["displayName"]
        ]
    assert len(named) == 1
    patches = [w for w in sb.writes() if w.method == "PATCH" and w.path.startswith(PROFILES)]
    assert patches
    assert patches[-1].body["defaultEnrollmentType"] == WEB
    assert (await plan_file(sb, path)).is_empty


def test_an_unknown_mode_is_refused_by_key_and_the_file_is_untouched(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        '[session]\nschema = 1\n[enrollment_profile]\nmode = "device"\nname = "p"\n',
        encoding="utf-8",
    )
    path.chmod(0o600)
    before = path.read_bytes()
    with pytest.raises(SessionError) as caught:
        Session.read_only(path)
    message = str(caught.value)
    assert "mode" in message
    assert "web-based" in message
    assert "account-driven" in message
    assert path.read_bytes() == before
