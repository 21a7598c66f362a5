"""Who may use the sandbox: its admin token for /sandbox/* and sign-in approval, and only
tokens it signed itself on the Graph routes (issue 14, point 5).

Another user on the same machine can reach a loopback port; these tests are that user.
"""

from __future__ import annotations

import base64
import json
import ssl
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import SandboxFactory
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tokens import mint_token, new_secret

PROFILES = "/beta/deviceManagement/appleUserInitiatedEnrollmentProfiles"

# Every control route, with a body where it takes one.
CONTROL_ROUTES: list[tuple[str, str, object]] = [
    ("GET", "/sandbox/requests", None),
    ("DELETE", "/sandbox/requests", None),
    ("GET", "/sandbox/info", None),
    ("GET", "/sandbox/state", None),
    ("POST", "/sandbox/token", {"scopes": ["DeviceManagementServiceConfig.ReadWrite.All"]}),
    ("GET", "/sandbox/discovery-variant", None),
    ("PUT", "/sandbox/discovery-variant", {"variant": "missing"}),
    ("GET", "/sandbox/nope", None),
]


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(sb: RunningSandbox) -> dict[str, object]:
    now = int(time.time())
    return {
        "aud": "00000003-0000-0000-c000-000000000000",
        "tid": sb.tenant_id,
        "upn": sb.admin_upn,
        "scp": "DeviceManagementServiceConfig.ReadWrite.All Group.Read.All",
        "iat": now,
        "exp": now + 3600,
        "jti": "forged",
    }


def forged_tokens(sb: RunningSandbox) -> dict[str, str]:
    """Tokens anyone could write: the right claims, but not signed by this sandbox."""
    claims = _claims(sb)
    real_header = sb.token.split(".")[0]
    real_signature = sb.token.split(".")[2]
    return {
        "unsigned (alg none)": f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{_b64(claims)}.",
        "HS256, another key": mint_token(
            secret=new_secret(), tenant_id=sb.tenant_id, upn=sb.admin_upn
        ),
        "claims swapped under a real signature": (f"{real_header}.{_b64(claims)}.{real_signature}"),
        "alg none, signature kept": (
            f"{_b64({'typ': 'JWT', 'alg': 'none'})}.{sb.token.split('.')[1]}.{real_signature}"
        ),
    }


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_ROUTES)
def test_control_routes_without_the_admin_token_are_401(
    sandbox: RunningSandbox, method: str, path: str, body: object
) -> None:
    before = json.dumps(sandbox.state.to_json(), sort_keys=True)
    variant = sandbox.discovery_variant
    httpx.get(f"{sandbox.graph_url}/v1.0/organization", headers=_bearer(sandbox.token))
    for headers in (
        {},
        _bearer(sandbox.token),  # a Graph access token is not the admin token
        _bearer(sandbox.admin_token[:-1] + "x"),
        {"Authorization": sandbox.admin_token},  # no scheme
    ):
        answer = httpx.request(
            method, f"{sandbox.graph_url}{path}", json=body, headers=headers, timeout=10
        )
        assert answer.status_code == 401, (method, path, headers)
        assert "access_token" not in answer.text
        assert sandbox.tenant_id not in answer.text
    assert len(sandbox.requests) == 1  # DELETE did not clear the log
    assert sandbox.discovery_variant == variant
    assert json.dumps(sandbox.state.to_json(), sort_keys=True) == before
    # With the admin token the same route answers.
    answer = httpx.request(
        method,
        f"{sandbox.graph_url}{path}",
        json=body,
        headers=_bearer(sandbox.admin_token),
        timeout=10,
    )
    assert answer.status_code == (404 if path == "/sandbox/nope" else 200)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_admin_tokens_are_random_per_run(sandbox_factory: SandboxFactory) -> None:
    first = sandbox_factory()
    second = sandbox_factory()
    assert first.admin_token != second.admin_token
    assert len(first.admin_token) >= 40
    assert first.token_secret != second.token_secret
    # A token one run signed is forged for the other.
    answer = httpx.get(f"{second.graph_url}/v1.0/organization", headers=_bearer(first.token))
    assert answer.status_code == 401


def test_forged_tokens_are_401_and_change_nothing(sandbox: RunningSandbox) -> None:
    profile_id = next(iter(sandbox.state.enrollment_profiles))
    before = json.dumps(sandbox.state.to_json(), sort_keys=True)
    for label, forged in forged_tokens(sandbox).items():
        headers = _bearer(forged)
        deleted = httpx.delete(f"{sandbox.graph_url}{PROFILES}/{profile_id}", headers=headers)
        created = httpx.post(
            f"{sandbox.graph_url}{PROFILES}",
            headers=headers,
            json={
                "@odata.type": "#microsoft.graph.appleUserInitiatedEnrollmentProfile",
                "displayName": "planted",
            },
        )
        read = httpx.get(f"{sandbox.graph_url}/v1.0/groups", headers=headers)
        for answer in (deleted, created, read):
            assert answer.status_code == 401, label
            error = answer.json()["error"]
            assert error["code"] == "InvalidAuthenticationToken", label
            assert answer.headers["www-authenticate"].startswith("Bearer "), label
        assert "Signature validation failed" in read.json()["error"]["message"], label
    assert json.dumps(sandbox.state.to_json(), sort_keys=True) == before
    # The real token still works, so the 401s above were the forgery, not the route.
    ok = httpx.get(f"{sandbox.graph_url}{PROFILES}/{profile_id}", headers=_bearer(sandbox.token))
    assert ok.status_code == 200


def test_device_code_approval_needs_the_admin_token(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(device_auto_approve_seconds=None)
    trust = ssl.create_default_context(cafile=str(sb.ca_path))
    with httpx.Client(verify=trust, timeout=10) as https:
        tenant_url = f"{sb.https_url}/{sb.tenant_id}/oauth2/v2.0"
        flow = https.post(f"{tenant_url}/devicecode", data={"client_id": "x", "scope": "y"}).json()

        def poll() -> httpx.Response:
            return https.post(
                f"{tenant_url}/token",
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                    "device_code": flow["device_code"],
                    "client_id": "x",
                },
            )

        for attempt in (
            {"user_code": flow["user_code"]},
            {"user_code": flow["user_code"], "admin_token": sb.token},
            {"user_code": flow["user_code"], "admin_token": sb.admin_token + "x"},
        ):
            refused = https.post(flow["verification_uri"], data=attempt)
            assert refused.status_code == 401
            assert sb.admin_upn not in refused.text
            assert poll().json()["error"] == "authorization_pending"
        # A GET with the code approves nothing either (it only shows the form).
        https.get(flow["verification_uri"], params={"user_code": flow["user_code"]})
        assert poll().json()["error"] == "authorization_pending"
        approved = https.post(
            flow["verification_uri"],
            data={"user_code": flow["user_code"], "admin_token": sb.admin_token},
        )
        assert approved.status_code == 200
        assert sb.admin_upn in approved.text
        token = poll().json()["access_token"]
    assert httpx.get(f"{sb.graph_url}/v1.0/organization", headers=_bearer(token)).status_code == 200


def test_approve_device_code_in_process(sandbox_factory: SandboxFactory) -> None:
    sb = sandbox_factory(device_auto_approve_seconds=None)
    trust = ssl.create_default_context(cafile=str(sb.ca_path))
    with httpx.Client(verify=trust, timeout=10) as https:
        flow = https.post(
            f"{sb.https_url}/{sb.tenant_id}/oauth2/v2.0/devicecode", data={"client_id": "x"}
        ).json()
        assert not sb.approve_device_code("NOSUCHCODE")
        assert sb.approve_device_code(flow["user_code"])


def test_listens_on_loopback_only(sandbox: RunningSandbox) -> None:
    assert sandbox.graph_url.startswith("http://127.0.0.1:")
    assert sandbox.https_url.startswith("https://127.0.0.1:")


def test_the_wizards_own_sandbox_approves_no_other_sign_in(tmp_path: Path) -> None:
    """`adue --sandbox` approves the code it showed, in-process; a sign-in someone else
    starts on its loopback port stays pending."""
    from tui.backend import Backend, WizardOptions
    from tui.session import Session

    session = Session.open(tmp_path / "rollout.toml")
    backend = Backend(session, WizardOptions(sandbox=True))
    try:
        info = backend.start_sandbox()
        sb = backend._sandbox  # white-box: the sandbox the wizard's Backend started
        assert info is not None
        assert sb is not None
        assert info.auto_approve_seconds > 0  # the person is still told it approves itself
        assert sb.device_auto_approve_seconds is None  # ... but not over HTTP
        trust = ssl.create_default_context(cafile=str(sb.ca_path))
        with httpx.Client(verify=trust, timeout=10) as https:
            tenant_url = f"{sb.https_url}/{sb.tenant_id}/oauth2/v2.0"
            flow = https.post(f"{tenant_url}/devicecode", data={"client_id": "x"}).json()
            time.sleep(0.5)
            answer = https.post(
                f"{tenant_url}/token",
                data={
                    "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                    "device_code": flow["device_code"],
                    "client_id": "x",
                },
            )
        assert answer.json()["error"] == "authorization_pending"
    finally:
        backend.close()
        session.close()


def test_sandbox_check_approves_only_its_own_sign_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`adue --sandbox check` signs in to its own sandbox by approving the code it shows,
    in-process; a sign-in another local user starts on its loopback port meanwhile is
    still pending when the checks run (it was approved after 1 s over HTTP before)."""
    import tui.commands.check as check
    import tui.commands.connect as connect
    import tui.graph.checks as checks
    import tui.sandbox.server as server
    from tui.cli import build_parser

    started: list[RunningSandbox] = []
    real_start = server.start_sandbox

    def start(**kwargs: object) -> RunningSandbox:
        started.append(real_start(**kwargs))  # type: ignore[arg-type]
        return started[-1]

    def token_request(flow: dict[str, str]) -> dict[str, str]:
        sb = started[0]
        trust = ssl.create_default_context(cafile=str(sb.ca_path))
        with httpx.Client(verify=trust, timeout=10) as https:
            return dict(
                https.post(
                    f"{sb.https_url}/{sb.tenant_id}/oauth2/v2.0/token",
                    data={
                        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                        "device_code": flow["device_code"],
                        "client_id": "x",
                    },
                ).json()
            )

    foreign: dict[str, dict[str, str]] = {}
    real_show = connect.show_device_code

    def show(prompt: Any) -> None:
        sb = started[0]
        trust = ssl.create_default_context(cafile=str(sb.ca_path))
        with httpx.Client(verify=trust, timeout=10) as https:
            foreign["flow"] = https.post(
                f"{sb.https_url}/{sb.tenant_id}/oauth2/v2.0/devicecode", data={"client_id": "x"}
            ).json()
        real_show(prompt)

    real_run_checks = checks.run_checks
    answers: list[dict[str, str]] = []

    async def run_checks(*args: Any, **kwargs: Any) -> Any:
        # adue is signed in, so its own code was approved (>= 1 s after the foreign one).
        answers.append(token_request(foreign["flow"]))
        return await real_run_checks(*args, **kwargs)

    monkeypatch.setattr(server, "start_sandbox", start)
    monkeypatch.setattr(connect, "show_device_code", show)
    monkeypatch.setattr(checks, "run_checks", run_checks)
    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["--sandbox", "check"])
    _target, report, _ = check._check_sandbox(args)
    assert report.organization is not None
    assert started[0].tenant_id == report.organization.id
    assert answers, answers
    assert answers[0].get("error") == "authorization_pending", answers
