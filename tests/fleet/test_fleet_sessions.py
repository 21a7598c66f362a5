"""Each tenant's session follows the fleet file at every run: desired-state keys from the
template and overrides (a key removed goes back to the default), what apply wrote kept
(ids, group ids of unchanged names, journal, [review]); refused, with the file unchanged,
when it belongs to another tenant or would lose ids apply recorded."""

from __future__ import annotations

import dataclasses
import stat
import threading
from pathlib import Path

import pytest

from tests.fleet.test_fleet_file import GOOD
from tui.fleet.file import Fleet, load_fleet
from tui.fleet.sessions import (
    TenantSessionError,
    make_sessions_folder,
    open_for_apply,
    open_read_only,
)
from tui.session import Session, SessionError, SessionLockedError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fleet.toml"
    path.write_text(text, encoding="utf-8")
    return path


def session_of(tmp_path: Path, label: str) -> Path:
    return tmp_path / "fleet.tenants" / f"{label}.toml"


def test_first_run_writes_an_ordinary_session_with_only_the_fleets_tables(
    tmp_path: Path,
) -> None:
    fleet = load_fleet(write(tmp_path, GOOD))
    fabrikam = fleet.tenants[0]
    open_for_apply(fleet, fabrikam).close()
    path = session_of(tmp_path, "fabrikam")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    data = Session.read_only(path).data  # validates as a session
    assert set(data) == {"session", "tenant", "sso_extension", "enrollment_profile", "guide"}
    assert data["tenant"]["tenant_id"] == "fabrikam.example"
    assert data["tenant"]["auth"] == "device-code"
    assert data["tenant"]["organization"] == "Fabrikam Ltd"
    assert data["enrollment_profile"]["groups"] == [{"name": "Fabrikam BYOD"}]
    assert data["guide"]["organization"] == "Fabrikam"
    assert data["guide"]["output_dir"] == "fabrikam"


def test_a_rerun_follows_the_fleet_file_and_keeps_what_apply_wrote(tmp_path: Path) -> None:
    fleet_path = write(tmp_path, GOOD)
    fleet = load_fleet(fleet_path)
    with open_for_apply(fleet, fleet.tenants[0]) as session:  # as apply leaves it
        session.update("sso_extension", {"policy_id": "p-1", "status": "done"})
        session.set("enrollment_profile", "groups", [{"id": "g-1", "name": "Fabrikam BYOD"}])
        session.update("tenant", {"tenant_id": "2f7b0c1e-aaaa-bbbb-cccc-444455556666"})
        session.set("review", "last_result", "ok")
        session.journal_append(
            intent="sso_extension:create", action="create", object_type="sso_policy",
            result="ok", object_id="p-1",
        )  # fmt: skip
        session.save()
    changed = GOOD.replace("all_users = true", 'description = "BYOD"').replace(
        '"guide.organization" = "Fabrikam"', '"guide.organization" = "Fabrikam AG"'
    )
    fleet = load_fleet(write(tmp_path, changed))
    open_for_apply(fleet, fleet.tenants[0]).close()
    data = Session.read_only(session_of(tmp_path, "fabrikam")).data
    sso = data["sso_extension"]
    assert sso["description"] == "BYOD"
    assert "all_users" not in sso  # the default again
    assert sso["policy_id"] == "p-1"
    assert sso["status"] == "done"
    assert data["enrollment_profile"]["groups"] == [{"id": "g-1", "name": "Fabrikam BYOD"}]
    assert data["guide"]["organization"] == "Fabrikam AG"
    # the GUID recorded at the first sign-in stays, though the fleet gives a domain
    assert data["tenant"]["tenant_id"] == "2f7b0c1e-aaaa-bbbb-cccc-444455556666"
    assert data["review"]["last_result"] == "ok"
    assert len(data["journal"]) == 1

    renamed = changed.replace('"Fabrikam BYOD"', '"Fabrikam iPhones"')
    fleet = load_fleet(write(tmp_path, renamed))
    open_for_apply(fleet, fleet.tenants[0]).close()
    groups = Session.read_only(session_of(tmp_path, "fabrikam")).get("enrollment_profile", "groups")
    assert groups == [{"name": "Fabrikam iPhones"}]  # a new name: its id is looked up again


def test_unsafe_refreshes_are_refused_and_leave_the_file_unchanged(tmp_path: Path) -> None:
    fleet = load_fleet(write(tmp_path, GOOD))
    contoso = fleet.tenants[1]
    with open_for_apply(fleet, contoso) as session:
        session.set("sso_extension", "policy_id", "p-9")
        session.save()
    path = session_of(tmp_path, "contoso")
    before = path.read_bytes()

    moved = GOOD.replace(
        "2F7B0C1E-1111-2222-3333-444455556666", "99999999-1111-2222-3333-444455556666"
    )
    fleet = load_fleet(write(tmp_path, moved))
    with pytest.raises(
        TenantSessionError,
        match=r"tenant_id is 2f7b0c1e-1111-2222-3333-444455556666.*give the new tenant another",
    ):
        open_for_apply(fleet, fleet.tenants[1])
    assert path.read_bytes() == before

    dropped = GOOD.replace("[template.sso_extension]\nall_users = true\n", "")
    fleet = load_fleet(write(tmp_path, dropped))
    with pytest.raises(
        TenantSessionError, match=r"no longer sets \[sso_extension\].*sso_extension.policy_id"
    ):
        open_for_apply(fleet, fleet.tenants[1])
    with pytest.raises(TenantSessionError):
        open_read_only(fleet, fleet.tenants[1])
    assert path.read_bytes() == before


def test_read_only_commands_write_nothing_and_a_locked_session_is_named(tmp_path: Path) -> None:
    fleet = load_fleet(write(tmp_path, GOOD))
    session = open_read_only(fleet, fleet.tenants[0])
    assert session.data["enrollment_profile"]["groups"] == [{"name": "Fabrikam BYOD"}]
    assert not (tmp_path / "fleet.tenants").exists()
    with (
        open_for_apply(fleet, fleet.tenants[0]),
        pytest.raises(SessionLockedError, match=r"fabrikam\.toml is in use by"),
    ):
        open_for_apply(fleet, fleet.tenants[0])


def test_tenants_opening_at_once_all_find_the_new_sessions_folder(tmp_path: Path) -> None:
    """A fleet's tenants open their sessions in worker threads at once: each finds the
    sessions folder whoever made it (a look before the mkdir once took another
    thread's new folder for a file and failed that tenant)."""
    fleet = load_fleet(write(tmp_path, GOOD))
    for attempt in range(40):
        folder = tmp_path / f"run{attempt}" / "fleet.tenants"
        fleet = dataclasses.replace(fleet, sessions_dir=folder)
        start = threading.Barrier(16)
        failures: list[str] = []

        def make(
            fleet: Fleet = fleet, start: threading.Barrier = start, failures: list[str] = failures
        ) -> None:
            start.wait()
            try:
                make_sessions_folder(fleet)
            except SessionError as exc:
                failures.append(str(exc))

        threads = [threading.Thread(target=make) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert folder.is_dir()


def test_a_sessions_dir_that_is_a_file_is_refused_by_name(tmp_path: Path) -> None:
    fleet = load_fleet(write(tmp_path, GOOD))
    fleet.sessions_dir.parent.mkdir(parents=True, exist_ok=True)
    fleet.sessions_dir.write_text("not a folder", encoding="utf-8")
    with pytest.raises(SessionError, match=r"sessions_dir .* is a file, not a folder"):
        open_for_apply(fleet, fleet.tenants[0])
    assert fleet.sessions_dir.read_text(encoding="utf-8") == "not a folder"
