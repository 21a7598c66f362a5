"""Rollout progress against the `enrolled` sandbox through the real SDK pipeline, and
`adue progress` as a user runs it (subprocess, real HTTP): exact counts, the CSV's content
and mode, paging across many pages.

The seed (tui/sandbox/seeds_enrolled.py), for examples/sandbox-demo.toml's profile groups
BYOD pilot (AdeleV, MeganB, PradeepG + IT Administrators: admin, JohannaL) and All iOS
users (AdeleV, AlexW, IsaiahL, LeeG, MeganB, PattiF, PradeepG): 9 targeted users;
enrolled through account-driven UE: AdeleV, MeganB (2 devices), PradeepG, JohannaL;
other enrollments only: AlexW (corporate ADE, Company Portal device enrollment), IsaiahL
(old Company Portal UE), LeeG (Windows, Company Portal device enrollment without a
profile), PattiF (web-based device enrollment); nothing: admin.
DiegoS and GradyA enrolled but are not targeted. In web-based mode only PattiF counts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.graph.conftest import make_client
from tests.plan.helpers import ROOT, example_session
from tui.graph.models import CheckTargets
from tui.progress.export import reminder_csv
from tui.progress.read import read_progress
from tui.progress.targets import progress_targets
from tui.progress.text import report_lines
from tui.rollout.modes import session_mode, session_profile_name
from tui.sandbox.seeds_enrolled import device
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.session import Session

ENROLLED = {"AdeleV", "MeganB", "PradeepG", "JohannaL"}
TO_ENROLL = {"AlexW", "IsaiahL", "LeeG", "PattiF", "admin"}


@pytest.fixture(autouse=True)
def _private_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


@pytest.fixture(scope="module")
def enrolled() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="enrolled") as sb:
        yield sb


def _aliases(upns: Any) -> set[str]:
    return {str(u).split("@")[0] for u in upns}


def _targets(tmp_path: Path) -> CheckTargets:
    session = Session.read_only(example_session(tmp_path))
    try:
        return progress_targets(session.data)
    finally:
        session.close()


async def test_exact_counts_on_the_enrolled_seed(enrolled: RunningSandbox, tmp_path: Path) -> None:
    client = make_client(enrolled)
    try:
        report = await read_progress(client, _targets(tmp_path))
    finally:
        await client.aclose()
    assert report.targeted == 9
    assert _aliases(u.user.user_principal_name for u in report.enrolled) == ENROLLED
    assert _aliases(u.user.user_principal_name for u in report.to_enroll) == TO_ENROLL
    assert report.outside_enrolled == 2  # DiegoS and GradyA
    megan = next(u for u in report.users if u.user.user_principal_name.startswith("MeganB@"))
    assert len(megan.devices) == 2
    others = {u.user.user_principal_name.split("@")[0] for u in report.users if u.other_devices}
    assert others == {"AlexW", "IsaiahL", "LeeG", "PattiF"}  # Apple devices only
    groups = {g.name: (g.enrolled, g.targeted) for g in report.groups}
    assert groups == {"BYOD pilot": (4, 5), "All iOS users": (3, 7)}
    today = report.read_at.date()
    days = {(today - day).days: n for day, n in report.per_day()}
    # Adele 5 days ago, Megan 3.1, Johanna 1.2, Pradeep 1 (UTC days, so 1.2 may be 2).
    assert sum(days.values()) == 4
    assert days[5] == 1
    assert days.get(3, 0) + days.get(4, 0) == 1


async def test_paging_across_many_pages_in_batches() -> None:
    """2,500 members in a target group (3 pages of 999) and 2,100 devices (3 pages of
    1000): every member and device is read, the pages ride in $batch requests."""
    with start_sandbox(seed="demo") as sb:
        now = dt.datetime.now(dt.UTC)
        with sb.lock:
            t = sb.state
            gid = next(g["id"] for g in t.groups.values() if g["displayName"] == "BYOD pilot")
            for i in range(2_500):
                uid = f"00000000-0000-4000-8000-{i:012d}"
                t.users[uid] = {"id": uid, "displayName": f"U{i}", "userPrincipalName": f"u{i}@x"}
                t.members[gid].append(uid)
                if i < 2_100:
                    device(t, f"m{i}", t.users[uid], name=f"m{i}", enrolled=now, synced=now)
            t.directory_changed()
        client = make_client(sb)
        try:
            report = await read_progress(client, CheckTargets(group_ids=(gid,)))
        finally:
            await client.aclose()
        trips = sb.top_level_requests()
        items = [r for r in sb.requests if r.in_batch]
    assert report.targeted == 2_505
    assert len(report.enrolled) == 2_100
    assert {t.path for t in trips} == {"/v1.0/$batch", "/beta/$batch"}
    member_pages = [r for r in items if r.path.endswith("/transitiveMembers/microsoft.graph.user")]
    device_pages = [r for r in items if r.path.endswith("/managedDevices")]
    assert len(member_pages) == 3
    assert len(device_pages) == 3


# ---- adue progress -----------------------------------------------------------------------


def adue(sb: RunningSandbox, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=sb.token, ADUE_GRAPH_URL=sb.graph_url)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_text_json_and_csv(enrolled: RunningSandbox, tmp_path: Path) -> None:
    path = example_session(tmp_path)
    before = path.read_bytes()
    csv_path = tmp_path / "remind.csv"
    text = adue(enrolled, tmp_path, "progress", "--session", str(path), "--csv", str(csv_path))
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == f"Tenant: Contoso ({enrolled.tenant_id}) · cloud: global"
    assert "Targeted users: 9 (2 group(s), nested members included)" in lines
    assert "Enrolled: 4 (44%) · still to enroll: 5" in lines
    assert any(line.strip().endswith("BYOD pilot") and "4 / 5" in line for line in lines)
    assert "Wrote the 5 users still to enroll to" in lines[-1]
    assert stat.S_IMODE(csv_path.stat().st_mode) == 0o600
    rows = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "displayName,userPrincipalName,mail"
    assert {r.split(",")[1].split("@")[0] for r in rows[1:]} == TO_ENROLL
    assert "Patti Fernandez,PattiF@contoso.com,PattiF@contoso.com" in rows
    assert path.read_bytes() == before  # reads only

    answer = adue(enrolled, tmp_path, "progress", "--session", str(path), "--json")
    assert answer.returncode == 0, answer.stderr
    body = json.loads(answer.stdout)
    assert list(body)[:3] == ["version", "tenant", "cloud"]
    assert body["tenant"] == {"id": enrolled.tenant_id, "name": "Contoso"}
    assert body["cloud"] == "global"
    assert (body["targeted"], body["enrolled"], body["to_enroll"]) == (9, 4, 5)
    assert _aliases(u["user_principal_name"] for u in body["users"] if u["enrolled"]) == ENROLLED
    adele = next(u for u in body["users"] if u["user_principal_name"].startswith("AdeleV@"))
    (phone,) = adele["devices"]
    assert phone["enrollment_type"] == "appleAccountDrivenUserEnrollment"
    assert phone["owner_type"] == "personal"
    assert phone["os_version"] == "18.5"
    assert phone["last_sync"]
    assert phone["compliance_state"] == "compliant"


def test_csv_cells_that_look_like_formulas_are_quoted() -> None:
    from tui.progress.report import ProgressReport, TargetUser, UserProgress

    user = TargetUser("id", '=HYPERLINK("x")', "+u@x", "@m")
    report = ProgressReport(
        read_at=dt.datetime.now(dt.UTC),
        all_users=False,
        users=(UserProgress(user, (), ()),),
        groups=(),
    )
    assert reminder_csv(report).splitlines()[1] == '"\'=HYPERLINK(""x"")",\'+u@x,\'@m'


def test_command_without_the_device_permission_names_it(
    enrolled: RunningSandbox, tmp_path: Path
) -> None:
    path = example_session(tmp_path)
    token = enrolled.mint_token(scopes=["Organization.Read.All", "Group.Read.All"])
    env = dict(os.environ, ADUE_ACCESS_TOKEN=token, ADUE_GRAPH_URL=enrolled.graph_url)
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "tui", "progress", "--session", str(path)],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "DeviceManagementManagedDevices.Read.All" in result.stderr
    assert "Traceback" not in result.stderr


def test_command_refuses_another_tenant_and_names_both(
    enrolled: RunningSandbox, tmp_path: Path
) -> None:
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "[tenant]\n", '[tenant]\ntenant_id = "11111111-2222-4333-8444-555555555555"\n', 1
    )
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    result = adue(enrolled, tmp_path, "progress", "--session", str(path), "--json")
    assert result.returncode == 1
    assert "Wrong tenant" in result.stderr
    assert enrolled.tenant_id in result.stderr
    assert json.loads(result.stdout)["error"].startswith("Wrong tenant")
    assert path.read_bytes() == before


def _web_based_session(tmp_path: Path) -> Path:
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        '[enrollment_profile]\nname = "iOS – account-driven user enrollment"\n',
        '[enrollment_profile]\nmode = "web-based"\nname = "iOS – web-based device enrollment"\n',
        1,
    )
    assert 'mode = "web-based"' in text
    path.write_text(text, encoding="utf-8")
    return path


async def test_web_based_mode_counts_web_based_not_company_portal_enrollments(
    enrolled: RunningSandbox, tmp_path: Path
) -> None:
    """[enrollment_profile] mode = "web-based": Graph reports web-based and Company Portal
    device enrollments alike (`userEnrollment`, personal); only those naming the rollout's
    web-based profile count (tui/graph/devices.py). On the `enrolled` seed: PattiF
    (web-based) counts; AlexW (Company Portal profile), LeeG (Company Portal, no profile)
    and the account-driven enrollments do not."""
    session = Session.read_only(_web_based_session(tmp_path))
    try:
        targets = progress_targets(session.data)
        mode, profile = session_mode(session.data), session_profile_name(session.data)
    finally:
        session.close()
    assert (mode, profile) == ("web-based", "iOS – web-based device enrollment")
    client = make_client(enrolled)
    try:
        web = await read_progress(client, targets, mode=mode, profile_name=profile)
        renamed = await read_progress(client, targets, mode=mode, profile_name="Another profile")
    finally:
        await client.aclose()
    assert _aliases(u.user.user_principal_name for u in web.enrolled) == {"PattiF"}
    (patti,) = web.enrolled
    assert [d.device_name for d in patti.devices] == ["Patti's iPhone"]
    lee = next(u for u in web.users if u.user.user_principal_name.startswith("LeeG@"))
    alex = next(u for u in web.users if u.user.user_principal_name.startswith("AlexW@"))
    assert "Lee's iPhone" in [d.device_name for d in lee.other_devices]
    assert "Alex's iPhone" in [d.device_name for d in alex.other_devices]
    assert web.outside_enrolled == 0  # DiegoS and GradyA enrolled account-driven
    assert {g.name: (g.enrolled, g.targeted) for g in web.groups} == {
        "BYOD pilot": (0, 5),
        "All iOS users": (1, 7),
    }
    assert renamed.enrolled == ()  # another profile's enrollments are not this rollout's
    lines = report_lines(web)
    assert lines[0].startswith("Rollout progress: web-based device enrollment")
    assert any("Company Portal device enrollment" in line for line in lines)
    assert web.to_dict()["mode"] == "web-based"


def test_command_in_web_based_mode(enrolled: RunningSandbox, tmp_path: Path) -> None:
    """`adue progress` on a web-based session counts what the wizard's view counts."""
    path = _web_based_session(tmp_path)
    answer = adue(enrolled, tmp_path, "progress", "--session", str(path), "--json")
    assert answer.returncode == 0, answer.stderr
    body = json.loads(answer.stdout)
    assert (body["mode"], body["targeted"], body["enrolled"]) == ("web-based", 9, 1)
    (patti,) = [u for u in body["users"] if u["enrolled"]]
    assert patti["user_principal_name"].startswith("PattiF@")
    assert patti["devices"][0]["enrollment_type"] == "userEnrollment"
    assert patti["devices"][0]["enrollment_profile_name"] == "iOS – web-based device enrollment"
    text = adue(enrolled, tmp_path, "progress", "--session", str(path))
    assert text.returncode == 0, text.stderr
    assert "Enrolled: 1 (11%) · still to enroll: 8" in text.stdout.splitlines()
