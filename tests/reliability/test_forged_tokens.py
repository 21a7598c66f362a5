"""Forged tokens against the sandbox, in bulk (issue 14, point 5; the single cases are
tests/sandbox/test_access_guard.py): per batch, seeded forgeries of the admin token (one
character changed, cut short, extended, another run's, the Graph token, random) on every
control route and on the device-code approval page, and forgeries of Graph tokens
(unsigned, another key, claims changed under the real signature, one signature character
changed) on reads and writes. Every one is 401 and the tenant, the request log and the
pending sign-in are unchanged. One batch in `make test`, ten more with `make soak`.
"""

from __future__ import annotations

import base64
import json
import random
import secrets
import ssl
import string
import time
from collections import Counter

import httpx
import pytest

from tests.conftest import SandboxFactory
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tokens import mint_token, new_secret

CONTROL_ROUTES: list[tuple[str, str, object]] = [
    ("GET", "/sandbox/requests", None),
    ("DELETE", "/sandbox/requests", None),
    ("GET", "/sandbox/info", None),
    ("GET", "/sandbox/state", None),
    ("POST", "/sandbox/token", {"scopes": ["DeviceManagementServiceConfig.ReadWrite.All"]}),
    ("PUT", "/sandbox/discovery-variant", {"variant": "missing"}),
]
PROFILES = "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles"
PER_BATCH = 12
ALPHABET = string.ascii_letters + string.digits + "-_"


def batches() -> list[object]:
    return [0, *(pytest.param(b, marks=pytest.mark.soak) for b in range(1, 11))]


def _b64(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _changed(rng: random.Random, token: str) -> str:
    """`token` with one character replaced by another."""
    at = rng.randrange(len(token))
    other = rng.choice([c for c in ALPHABET if c != token[at]])
    return token[:at] + other + token[at + 1 :]


def forged_admin_tokens(rng: random.Random, sb: RunningSandbox) -> list[str]:
    real = sb.admin_token
    makers = [
        lambda: _changed(rng, real),
        lambda: real[: rng.randrange(len(real))],
        lambda: real + rng.choice(ALPHABET),
        lambda: secrets.token_urlsafe(32),
        lambda: sb.token,  # a Graph access token is not the admin token
        lambda: real.swapcase(),
        lambda: "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 80))),
    ]
    return [rng.choice(makers)() for _ in range(PER_BATCH)]


def forged_graph_tokens(rng: random.Random, sb: RunningSandbox) -> list[str]:
    header, payload, signature = sb.token.split(".")
    now = int(time.time())
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(jti=secrets.token_hex(4), exp=now + rng.randint(60, 10**6))
    makers = [
        lambda: f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}.",
        lambda: f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{payload}.{signature}",
        lambda: mint_token(secret=new_secret(), tenant_id=sb.tenant_id, upn=sb.admin_upn),
        lambda: f"{header}.{_b64(claims)}.{signature}",
        lambda: f"{header}.{payload}.{_changed(rng, signature)}",
        lambda: f"{header}.{payload}",
    ]
    return [rng.choice(makers)() for _ in range(PER_BATCH)]


def _state(sb: RunningSandbox) -> str:
    with sb.lock:
        return json.dumps(sb.state.to_json(), sort_keys=True)


@pytest.mark.parametrize("batch", batches())
def test_forged_tokens_get_401_and_change_nothing(
    batch: int, sandbox_factory: SandboxFactory, tally: Counter[str]
) -> None:
    rng = random.Random(batch)
    sb = sandbox_factory(device_auto_approve_seconds=None)
    profile_id = next(iter(sb.state.enrollment_profiles))
    trust = ssl.create_default_context(cafile=str(sb.ca_path))
    with httpx.Client(verify=trust, timeout=10) as https:
        flow = https.post(
            f"{sb.https_url}/{sb.tenant_id}/oauth2/v2.0/devicecode", data={"client_id": "x"}
        ).json()
        real = {"Authorization": f"Bearer {sb.token}"}
        seen = httpx.get(f"{sb.graph_url}/v1.0/organization", headers=real).headers["request-id"]
        before, variant = _state(sb), sb.discovery_variant
        with httpx.Client(base_url=sb.graph_url, timeout=10) as graph:
            for forged in forged_admin_tokens(rng, sb):
                for method, path, body in CONTROL_ROUTES:
                    answer = graph.request(
                        method, path, json=body, headers={"Authorization": f"Bearer {forged}"}
                    )
                    tally["forged admin tokens refused (control route)"] += 1
                    assert answer.status_code == 401, (method, path, forged)
                approval = https.post(
                    flow["verification_uri"],
                    data={"user_code": flow["user_code"], "admin_token": forged},
                )
                tally["forged admin tokens refused (device-code approval)"] += 1
                assert approval.status_code == 401, forged
                assert sb.admin_upn not in approval.text
            for forged in forged_graph_tokens(rng, sb):
                headers = {"Authorization": f"Bearer {forged}"}
                for answer in (
                    graph.get("/v1.0/groups", headers=headers),
                    graph.delete(f"{PROFILES}/{profile_id}", headers=headers),
                    graph.post(
                        PROFILES,
                        headers=headers,
                        json={
                            "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
                            "displayName": "planted",
                        },
                    ),
                ):
                    tally["forged Graph tokens refused"] += 1
                    assert answer.status_code == 401, forged
                    assert answer.json()["error"]["code"] == "InvalidAuthenticationToken"
        assert _state(sb) == before
        assert sb.discovery_variant == variant
        # No forged DELETE /sandbox/requests cleared the log.
        assert seen in {r.request_id for r in sb.requests}
        pending = https.post(
            f"{sb.https_url}/{sb.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "device_code": flow["device_code"],
                "client_id": "x",
            },
        ).json()
        assert pending["error"] == "authorization_pending"
    # The real tokens still work: the 401s were the forgeries, not the routes.
    ok = httpx.get(
        f"{sb.graph_url}/sandbox/info", headers={"Authorization": f"Bearer {sb.admin_token}"}
    )
    assert ok.status_code == 200
    ok = httpx.get(f"{sb.graph_url}/v1.0/groups", headers={"Authorization": f"Bearer {sb.token}"})
    assert ok.status_code == 200
