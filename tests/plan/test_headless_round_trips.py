"""`adue plan` and `adue status` as a pipeline runs them (subprocesses, token auth, real
HTTP to a sandbox that adds latency to every request): the tenant check rides in the
plan's first `$batch`, so a session that stores the apps' ids needs ONE sequential round
trip and one with group ids only needs two (the apps found in the lists are read by id
for their assignments). Before the pin joined the batch these were 2 and 3."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plan.helpers import round_trips, session_with_ids
from tests.plan.test_tenant_pin import adue
from tui.sandbox.server import RunningSandbox, start_sandbox

AUTHENTICATOR = "com.microsoft.azureauthenticator"


@pytest.fixture(scope="module")
def slow() -> Iterator[RunningSandbox]:
    """80 ms a request: requests in a row are told apart from requests sent at once."""
    with start_sandbox(seed="demo", latency_ms=80) as sb:
        yield sb


def _with_app_ids(sb: RunningSandbox, path: Path) -> Path:
    """The session as a first apply leaves it for the apps: Authenticator's and the
    Company Portal web clip's ids recorded."""
    with sb.lock:
        apps = list(sb.state.mobile_apps.values())
    authenticator = next(
        a["id"]
        for a in apps
        if a.get("bundleId") == AUTHENTICATOR and a["@odata.type"] == "#microsoft.graph.iosVppApp"
    )
    clip = next(a["id"] for a in apps if a["@odata.type"] == "#microsoft.graph.webApp")
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "same_groups_as_sso = true", f'same_groups_as_sso = true\napp_id = "{authenticator}"'
    ).replace("[web_clip]\nenabled = true", f'[web_clip]\nenabled = true\napp_id = "{clip}"')
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("app_ids", "trips"), [(False, 2), (True, 1)])
def test_plan_checks_the_tenant_in_its_first_round_trip(
    slow: RunningSandbox, tmp_path: Path, app_ids: bool, trips: int
) -> None:
    path = session_with_ids(slow, tmp_path)
    if app_ids:
        _with_app_ids(slow, path)
    slow.clear_requests()
    result = adue(slow, tmp_path, "plan", "--session", str(path))
    assert result.returncode == 2, result.stderr
    assert result.stdout.splitlines()[0] == f"Tenant: Contoso ({slow.tenant_id}) · cloud: global"
    assert round_trips(slow) == trips
    first = [r.path for r in slow.requests if r.in_batch]
    assert "/v1.0/organization" in first
    assert slow.writes() == []


def test_status_json_names_the_checked_tenant_after_one_round_trip(
    slow: RunningSandbox, tmp_path: Path
) -> None:
    path = _with_app_ids(slow, session_with_ids(slow, tmp_path))
    slow.clear_requests()
    result = adue(slow, tmp_path, "status", "--session", str(path), "--json")
    assert result.returncode == 2, result.stderr
    answer = json.loads(result.stdout)
    assert answer["tenant"] == {"id": slow.tenant_id, "name": "Contoso"}
    assert answer["drift"]["checked"] is True
    assert round_trips(slow) == 1
