"""Recording (Python and GET /sandbox/requests), on_request, control routes, the state file,
and the HTTPS listener (discovery host, identity endpoints)."""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tui.sandbox.recording import RequestRecord
from tui.sandbox.server import RunningSandbox

SandboxFactory = Callable[..., RunningSandbox]


def auth(sb: RunningSandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {sb.token}"}


def admin(sb: RunningSandbox) -> dict[str, str]:
    return {"Authorization": f"Bearer {sb.admin_token}"}


def test_requests_are_recorded_in_python_and_over_http(sandbox: RunningSandbox) -> None:
    body = {"@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration", "displayName": "n"}
    httpx.get(f"{sandbox.graph_url}/v1.0/groups?$top=2", headers=auth(sandbox))
    httpx.post(
        f"{sandbox.graph_url}/beta/deviceManagement/deviceConfigurations",
        headers=auth(sandbox),
        json=body,
    )
    first, second = sandbox.requests
    assert (first.method, first.path, first.query, first.status) == (
        "GET",
        "/v1.0/groups",
        {"$top": "2"},
        200,
    )
    assert second.body == body
    assert second.status == 201
    assert second.is_write
    assert second.upn == "admin@contoso.com"
    assert second.time >= first.time
    assert [r.path for r in sandbox.writes()] == ["/beta/deviceManagement/deviceConfigurations"]

    over_http = httpx.get(f"{sandbox.graph_url}/sandbox/requests", headers=admin(sandbox)).json()[
        "value"
    ]
    assert [r["request_id"] for r in over_http] == [first.request_id, second.request_id]
    assert over_http[1]["body"] == body
    assert over_http[1]["is_write"] is True
    since = httpx.get(
        f"{sandbox.graph_url}/sandbox/requests?since={first.seq}", headers=admin(sandbox)
    ).json()["value"]
    assert len(since) == 1
    httpx.delete(f"{sandbox.graph_url}/sandbox/requests", headers=admin(sandbox))
    assert sandbox.requests == []  # control routes are not recorded


def test_on_request_runs_before_the_answer_is_sent(sandbox: RunningSandbox) -> None:
    seen: list[tuple[str, int, bool]] = []
    answered = threading.Event()

    def callback(record: RequestRecord) -> None:
        seen.append((record.path, record.status, answered.is_set()))

    remove = sandbox.on_request(callback)
    httpx.get(f"{sandbox.graph_url}/v1.0/organization", headers=auth(sandbox))
    answered.set()
    remove()
    httpx.get(f"{sandbox.graph_url}/v1.0/organization", headers=auth(sandbox))
    assert seen == [("/v1.0/organization", 200, False)]


def test_control_routes(sandbox: RunningSandbox) -> None:
    info = httpx.get(f"{sandbox.graph_url}/sandbox/info", headers=admin(sandbox)).json()
    assert info["tenant_id"] == sandbox.tenant_id
    assert info["seed"] == "demo"
    assert sandbox.admin_token not in json.dumps(info)
    minted = httpx.post(
        f"{sandbox.graph_url}/sandbox/token", json={"scopes": ["User.Read"]}, headers=admin(sandbox)
    ).json()["access_token"]
    denied = httpx.get(
        f"{sandbox.graph_url}/v1.0/groups", headers={"Authorization": f"Bearer {minted}"}
    )
    assert denied.status_code == 403
    assert httpx.get(f"{sandbox.graph_url}/sandbox/nope", headers=admin(sandbox)).status_code == 404


def test_state_file_survives_a_restart(sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    first = sandbox_factory(state_file=state)
    answer = httpx.post(
        f"{first.graph_url}/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles",
        headers=auth(first),
        json={
            "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
            "displayName": "kept",
        },
    )
    assert answer.status_code == 201
    first.stop()
    assert state.stat().st_mode & 0o777 == 0o600
    assert first.token not in state.read_text()
    second = sandbox_factory(state_file=state, seed="large")  # the file wins over the seed
    assert answer.json()["id"] in second.state.enrollment_profiles
    assert len(second.state.groups) == 14
    # New ids continue where the first run stopped.
    assert second.state.new_id() != answer.json()["id"]


def test_damaged_state_file_is_named(sandbox_factory: SandboxFactory, tmp_path: Path) -> None:
    state = tmp_path / "bad.json"
    state.write_text(json.dumps({"format": 99}))
    with pytest.raises(ValueError, match=re.escape(str(state))):
        sandbox_factory(state_file=state)


def test_https_listener_serves_discovery_and_identity(demo_sandbox_shared: RunningSandbox) -> None:
    sb = demo_sandbox_shared
    with httpx.Client(verify=ssl.create_default_context(cafile=str(sb.ca_path))) as https:
        found = https.get(
            f"{sb.https_url}/.well-known/com.apple.remotemanagement",
            params={"user-identifier": "AdeleV@contoso.com", "model-family": "iPhone"},
        )
        assert found.status_code == 200
        assert found.headers["content-type"].startswith("application/json")
        server = found.json()["Servers"][0]
        assert server["Version"] == "mdm-byod"
        assert sb.tenant_id in server["BaseURL"]
        openid = https.get(f"{sb.https_url}/{sb.tenant_id}/v2.0/.well-known/openid-configuration")
        assert openid.status_code == 200
        assert "device_authorization_endpoint" in openid.json()
