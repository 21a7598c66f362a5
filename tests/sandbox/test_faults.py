"""Fault injection: latency, 429 with Retry-After, 503, dropped connections, token expiry,
per route prefix, deterministic for a seed."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.sandbox.sdk import make_client
from tui.sandbox.faults import FaultPlan, parse_rule
from tui.sandbox.server import RunningSandbox

SandboxFactory = Callable[..., RunningSandbox]  # the `sandbox_factory` fixture


def get(sb: object, path: str, token: str | None = None) -> httpx.Response:
    graph_url = sb.graph_url  # type: ignore[attr-defined]
    return httpx.get(
        f"{graph_url}{path}",
        headers={"Authorization": f"Bearer {token or sb.token}"},  # type: ignore[attr-defined]
        timeout=5,
    )


def test_rule_parsing() -> None:
    assert str(parse_rule("503:0.1@/beta/deviceManagement")) == "503:0.1@/beta/deviceManagement"
    for bad in ("429", "418:0.5", "429:2", "drop:x", "latency:-1", "429:0.1@beta"):
        with pytest.raises(ValueError, match="--fault"):
            parse_rule(bad)


def test_decisions_are_deterministic_and_order_independent() -> None:
    keys = [("GET", f"/v1.0/groups/{i}", "") for i in range(200)]
    first = FaultPlan.parse(["429:0.3"], seed=7)
    second = FaultPlan.parse(["429:0.3"], seed=7)
    a = [first.decide(*k).status for k in keys]
    b = [second.decide(*k).status for k in reversed(keys)][::-1]
    assert a == b
    assert 30 < a.count(429) < 90  # about 30 %
    other = FaultPlan.parse(["429:0.3"], seed=8)
    assert [other.decide(*k).status for k in keys] != a


def test_latency(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(latency_ms=150)
    started = time.perf_counter()
    assert get(sb, "/v1.0/organization").status_code == 200
    assert time.perf_counter() - started >= 0.15
    assert sb.requests[-1].fault == "latency"


def test_429_with_retry_after_then_sdk_retries(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(faults=["429:1@/v1.0/groups"], retry_after=3)
    answer = get(sb, "/v1.0/groups")
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "3"
    assert answer.json()["error"]["code"] == "TooManyRequests"
    assert get(sb, "/v1.0/organization").status_code == 200  # other prefixes untouched


@pytest.mark.usefixtures("msgraph_warm")
async def test_sdk_retry_handler_rides_out_throttling(sandbox_factory: SandboxFactory) -> None:
    # With fault seed 0 the first try of this request draws a 429, the retry does not.
    plan = FaultPlan.parse(["429:0.5"], seed=0, retry_after=1)
    assert [plan.decide("GET", "/v1.0/organization", "").status for _ in range(3)] == [
        429,
        None,
        None,
    ]
    sb = sandbox_factory(faults=["429:0.5"], fault_seed=0, retry_after=1)
    orgs = await make_client(sb).organization.get()
    assert orgs
    assert orgs.value
    assert [r.status for r in sb.requests] == [429, 200]  # retried after Retry-After: 1


def test_503(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(faults=["503:1@/beta/deviceManagement"])
    answer = get(sb, "/beta/deviceManagement/deviceConfigurations")
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "ServiceUnavailable"
    assert get(sb, "/v1.0/deviceManagement/deviceConfigurations").status_code == 200


def test_dropped_connection(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(faults=["drop:1@/v1.0/groups"])
    with pytest.raises(httpx.TransportError):
        get(sb, "/v1.0/groups")
    assert sb.requests[-1].status == 0
    assert sb.requests[-1].fault == "drop"
    assert get(sb, "/v1.0/organization").status_code == 200  # the server is fine


def test_token_expires_after_n_requests(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(expire_token_after=3)
    assert [get(sb, "/v1.0/organization").status_code for _ in range(4)] == [200, 200, 200, 401]
    assert "expired" in get(sb, "/v1.0/organization").json()["error"]["message"]
    fresh = sb.mint_token()
    assert get(sb, "/v1.0/organization", fresh).status_code == 200


def test_token_expires_after_n_requests_on_one_route_only(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(faults=["expire:2@/v1.0/groups"])
    assert [get(sb, "/v1.0/groups").status_code for _ in range(3)] == [200, 200, 401]
    assert "expired" in get(sb, "/v1.0/groups").json()["error"]["message"]
    # The same token still works elsewhere; a fresh one works on the route again.
    assert get(sb, "/v1.0/organization").status_code == 200
    assert get(sb, "/v1.0/groups", sb.mint_token()).status_code == 200
    with pytest.raises(ValueError, match="whole number of requests"):
        parse_rule("expire:0.5@/v1.0/groups")


def test_faults_can_change_at_runtime(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory()
    assert get(sb, "/v1.0/groups").status_code == 200
    sb.faults = FaultPlan.parse(["429:1"])
    assert get(sb, "/v1.0/groups").status_code == 429
    sb.faults = FaultPlan()
    assert get(sb, "/v1.0/groups").status_code == 200


def test_batch_items_are_throttled_one_by_one(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(faults=["429:1@/v1.0/subscribedSkus"])
    answer = httpx.post(
        f"{sb.graph_url}/v1.0/$batch",
        headers={"Authorization": f"Bearer {sb.token}"},
        json={
            "requests": [
                {"id": "a", "method": "GET", "url": "/organization"},
                {"id": "b", "method": "GET", "url": "/subscribedSkus"},
            ]
        },
    )
    assert answer.status_code == 200
    statuses = {r["id"]: r["status"] for r in answer.json()["responses"]}
    assert statuses == {"a": 200, "b": 429}
    throttled = next(r for r in answer.json()["responses"] if r["id"] == "b")
    assert throttled["headers"]["Retry-After"] == "1"


SSO_BODY = {
    "@odata.type": "#microsoft.graph.iosDeviceFeaturesConfiguration",
    "displayName": "lost answer probe",
}


def _post(sb: RunningSandbox, path: str, body: object) -> httpx.Response:
    return httpx.post(
        f"{sb.graph_url}{path}", headers={"Authorization": f"Bearer {sb.token}"}, json=body
    )


def _configs_named(sb: RunningSandbox, name: str) -> int:
    with sb.lock:
        return sum(1 for c in sb.state.device_configurations.values() if c["displayName"] == name)


@pytest.mark.parametrize(("kind", "status"), [("lost-503", 503), ("lost-504", 504)])
def test_lost_answer_makes_the_write_then_answers_an_error(
    kind: str, status: int, sandbox_factory: SandboxFactory
) -> None:
    sb = sandbox_factory(faults=[f"{kind}:1@/beta/deviceManagement/deviceConfigurations"])
    answer = _post(sb, "/beta/deviceManagement/deviceConfigurations", SSO_BODY)
    assert answer.status_code == status
    assert "error" in answer.json()
    assert _configs_named(sb, "lost answer probe") == 1  # made, although the client saw an error
    assert sb.requests[-1].fault == kind
    assert sb.requests[-1].status == status
    # Reads are never "lost": only a write can be made and its answer lost.
    assert get(sb, "/beta/deviceManagement/deviceConfigurations").status_code == 200


def test_lost_answer_as_a_dropped_connection(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(faults=["lost-drop:1"])
    with pytest.raises(httpx.TransportError):
        _post(sb, "/beta/deviceManagement/deviceConfigurations", SSO_BODY)
    assert _configs_named(sb, "lost answer probe") == 1
    assert sb.requests[-1].fault == "lost-drop"


def test_lost_picks_503_504_or_drop_and_star_matches_one_segment() -> None:
    plan = FaultPlan.parse(["lost:1@/beta/deviceManagement/deviceConfigurations/*/assign"], seed=3)
    forms = {
        plan.decide("POST", f"/beta/deviceManagement/deviceConfigurations/{i}/assign", "").lost
        for i in range(60)
    }
    assert forms == {"503", "504", "drop"}
    assert plan.decide("POST", "/beta/deviceManagement/deviceConfigurations", "").lost is None
    assert (
        plan.decide("GET", "/beta/deviceManagement/deviceConfigurations/x/assign", "").lost is None
    )
    assert plan.decide(
        "POST", "/beta/deviceManagement/deviceConfigurations/x/assign", "", batch_item=True
    ).lost in ("503", "504")
    assert str(parse_rule("lost:0.5@/beta/x/*/y")) == "lost:0.5@/beta/x/*/y"
    with pytest.raises(ValueError, match="--fault"):
        parse_rule("lost:2")


def test_lost_answer_inside_a_batch(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(faults=["lost-503:1@/beta/deviceManagement/deviceConfigurations"])
    answer = httpx.post(
        f"{sb.graph_url}/beta/$batch",
        headers={"Authorization": f"Bearer {sb.token}"},
        json={
            "requests": [
                {
                    "id": "a",
                    "method": "POST",
                    "url": "/deviceManagement/deviceConfigurations",
                    "body": SSO_BODY,
                    "headers": {"Content-Type": "application/json"},
                }
            ]
        },
    )
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["responses"]] == [503]
    assert _configs_named(sb, "lost answer probe") == 1
