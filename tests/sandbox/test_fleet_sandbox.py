"""The fleet sandbox: many tenants behind one Graph root, picked by the token's tenant.

Everything goes through the real msgraph-sdk pipeline (tui.graph.client) over loopback,
and tokens come from the real azure-identity credentials against the identity emulator.
"""

from __future__ import annotations

import asyncio
import json
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azure.core.exceptions import ClientAuthenticationError

from tui.graph import operations as ops
from tui.graph.auth import StaticTokenCredential
from tui.graph.client import build_graph_client
from tui.graph.errors import PermissionMissing, ServiceUnavailable, SignInRequired
from tui.sandbox.fleet import (
    ACCESS_MISSING_PERMISSION,
    ACCESS_REFUSED,
    FleetTenantInfo,
    start_fleet_sandbox,
    write_fleet_file,
)
from tui.sandbox.server import RunningSandbox

SCOPE = "https://graph.microsoft.com/.default"
GRAPH_CLI = "14d82eec-204b-4c2f-b7e8-296a70dab67e"
CLIP_URL = "https://portal.manage.microsoft.com/"


@pytest.fixture(scope="module")
def fleet() -> Iterator[RunningSandbox]:
    with start_fleet_sandbox(12, device_auto_approve_seconds=0) as sb:
        yield sb


def member(sb: RunningSandbox, label: str) -> FleetTenantInfo:
    return next(m for m in sb.fleet if m.label == label)


def identity_kwargs(sb: RunningSandbox) -> dict[str, Any]:
    return {
        "authority": sb.https_url,
        "disable_instance_discovery": True,
        "connection_verify": str(sb.ca_path),
    }


def run_with(sb: RunningSandbox, credential: Any, work: Any) -> Any:
    async def go() -> Any:
        client = build_graph_client(credential, graph_root=sb.graph_url, scopes=[SCOPE])
        try:
            return await work(client)
        finally:
            await client.aclose()

    return asyncio.run(go())


def organization_id(sb: RunningSandbox, credential: Any) -> str:
    async def work(client: Any) -> str:
        return str((await ops.get_organization(client)).id)

    return str(run_with(sb, credential, work))


def test_tenants_are_distinct_and_stable() -> None:
    with start_fleet_sandbox(3) as one, start_fleet_sandbox(12) as other:
        assert [m.id for m in one.fleet] == [m.id for m in other.fleet[:3]]
        ids = {m.id for m in other.fleet} | {other.partner_tenant_id}
        assert len(ids) == 13
        assert len({m.domain for m in other.fleet}) == 12
        assert len({m.name for m in other.fleet}) == 12
        for m in other.fleet:
            tenant = other.tenant_for(m.id)
            assert tenant.organization["displayName"] == m.name
            assert tenant.sign_in_domain == m.domain
            assert tenant.find_user(m.admin_upn) is not None
        assert member(other, "t03").seed == "expired-apns"
        assert member(other, "t07").access == ACCESS_MISSING_PERMISSION
        assert member(other, "t10").access == ACCESS_REFUSED
        assert all(m.access != ACCESS_REFUSED for m in one.fleet)  # fewer than 10: none


def test_graph_answers_for_the_token_s_tenant_only(fleet: RunningSandbox) -> None:
    t01, t02 = member(fleet, "t01"), member(fleet, "t02")
    token = StaticTokenCredential(fleet.mint_token(tenant_id=t01.id))
    assert organization_id(fleet, token) == t01.id
    assert organization_id(fleet, StaticTokenCredential(fleet.mint_token(tenant_id=t02.id))) == (
        t02.id
    )
    records = [r for r in fleet.requests if r.path.endswith("/organization")]
    assert {r.tenant_id for r in records[-2:]} == {t01.id, t02.id}


def test_a_token_for_a_tenant_not_served_is_401(fleet: RunningSandbox) -> None:
    from tui.sandbox.tokens import mint_token

    stranger = mint_token(
        secret=fleet.token_secret,
        tenant_id="9e3c0f5e-0000-4000-8000-000000000001",
        upn="admin@elsewhere.example",
    )
    with pytest.raises(SignInRequired):
        organization_id(fleet, StaticTokenCredential(stranger))
    assert fleet.requests[-1].status == 401


def test_a_write_in_one_tenant_is_not_seen_in_another(fleet: RunningSandbox) -> None:
    t01, t02 = member(fleet, "t01"), member(fleet, "t02")
    name = "Fleet isolation web clip"

    async def create(client: Any) -> str:
        return str((await ops.create_web_app(client, name, CLIP_URL)).value.id)

    async def find(client: Any) -> list[str]:
        return [app.id for app in await ops.find_web_apps(client, CLIP_URL, name)]

    made = run_with(fleet, StaticTokenCredential(fleet.mint_token(tenant_id=t01.id)), create)
    assert run_with(fleet, StaticTokenCredential(fleet.mint_token(tenant_id=t01.id)), find) == [
        made
    ]
    assert run_with(fleet, StaticTokenCredential(fleet.mint_token(tenant_id=t02.id)), find) == []
    assert made in fleet.tenant_for(t01.id).mobile_apps
    assert made not in fleet.tenant_for(t02.id).mobile_apps
    write = [r for r in fleet.writes() if r.path.endswith("/mobileApps")][-1]
    assert write.tenant_id == t01.id


def test_gdap_device_code_once_then_a_token_per_customer(fleet: RunningSandbox) -> None:
    from azure.identity import DeviceCodeCredential

    prompts: list[str] = []
    credential = DeviceCodeCredential(
        client_id=GRAPH_CLI,
        tenant_id=fleet.partner_tenant_id,
        additionally_allowed_tenants=["*"],
        prompt_callback=lambda _uri, code, _expires: prompts.append(code),
        disable_automatic_authentication=True,
        **identity_kwargs(fleet),
    )
    record = credential.authenticate(scopes=[SCOPE])
    assert record.tenant_id == fleet.partner_tenant_id
    assert record.username == fleet.admin_upn
    for label in ("t01", "t02", "t07"):
        wanted = member(fleet, label)
        token = credential.get_token(SCOPE, tenant_id=wanted.id)
        access = ops.decode_access_token(token.token)
        assert access.tenant_id == wanted.id
        assert access.account == fleet.admin_upn
        assert access.roles == frozenset()
    assert len(prompts) == 1  # one sign-in for every tenant

    # The refused tenant: Entra ID's AADSTS50020 (no GDAP relationship), no new prompt.
    with pytest.raises(ClientAuthenticationError) as refused:
        credential.get_token(SCOPE, tenant_id=member(fleet, "t10").id)
    assert "AADSTS50020" in str(refused.value)
    assert member(fleet, "t10").name in str(refused.value)
    assert len(prompts) == 1


def test_app_only_tokens_by_secret_and_certificate(fleet: RunningSandbox, tmp_path: Path) -> None:
    from azure.identity import CertificateCredential, ClientSecretCredential

    t02 = member(fleet, "t02")
    by_secret = ClientSecretCredential(
        t02.id, fleet.fleet_client_id, fleet.fleet_client_secret, **identity_kwargs(fleet)
    )
    access = ops.decode_access_token(by_secret.get_token(SCOPE).token)
    assert access.tenant_id == t02.id
    assert access.scopes == frozenset()
    assert "DeviceManagementConfiguration.ReadWrite.All" in access.roles
    assert organization_id(fleet, by_secret) == t02.id  # Graph accepts roles

    pem = tmp_path / "app.pem"
    pem.write_text(fleet.fleet_certificate_pem)
    by_cert = CertificateCredential(
        t02.id, fleet.fleet_client_id, certificate_path=str(pem), **identity_kwargs(fleet)
    )
    assert ops.decode_access_token(by_cert.get_token(SCOPE).token).tenant_id == t02.id

    wrong = ClientSecretCredential(
        t02.id, fleet.fleet_client_id, "not-the-secret", **identity_kwargs(fleet)
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        wrong.get_token(SCOPE)
    refused = ClientSecretCredential(
        member(fleet, "t10").id,
        fleet.fleet_client_id,
        fleet.fleet_client_secret,
        **identity_kwargs(fleet),
    )
    with pytest.raises(ClientAuthenticationError, match="AADSTS700016"):
        refused.get_token(SCOPE)


def test_an_app_token_has_no_me(fleet: RunningSandbox) -> None:
    t01 = member(fleet, "t01")
    token = fleet.mint_app_token(tenant_id=t01.id, roles=["User.Read.All"])

    async def me(client: Any) -> Any:
        return await client.request("GET", "/me", what="read me")

    from tui.graph.errors import BadRequest

    with pytest.raises(BadRequest, match="delegated"):
        run_with(fleet, StaticTokenCredential(token), me)


def test_missing_permission_tenant_reads_then_its_first_write_is_403(
    fleet: RunningSandbox,
) -> None:
    from azure.identity import ClientSecretCredential

    t07 = member(fleet, "t07")
    credential = ClientSecretCredential(
        t07.id, fleet.fleet_client_id, fleet.fleet_client_secret, **identity_kwargs(fleet)
    )

    async def work(client: Any) -> None:
        assert await ops.find_web_apps(client, CLIP_URL) is not None  # reading works
        await ops.create_web_app(client, "Fleet t07 clip", CLIP_URL)

    with pytest.raises(PermissionMissing):
        run_with(fleet, credential, work)
    denied = fleet.requests[-1]
    assert denied.status == 403
    assert denied.method == "POST"
    assert denied.tenant_id == t07.id
    assert not [a for a in fleet.tenant_for(t07.id).mobile_apps.values() if "t07" in str(a)]


def test_faults_per_tenant() -> None:
    with start_fleet_sandbox(3, tenant_faults={"t02": ["500:1.0"]}) as sb:
        ok = StaticTokenCredential(sb.mint_token(tenant_id=member(sb, "t01").id))
        assert organization_id(sb, ok) == member(sb, "t01").id
        sb.clear_requests()
        broken = StaticTokenCredential(sb.mint_token(tenant_id=member(sb, "t02").id))
        with pytest.raises(ServiceUnavailable):
            organization_id(sb, broken)
        assert sb.requests
        assert all(r.status == 500 for r in sb.requests)


def test_state_file_round_trip_with_many_tenants(tmp_path: Path) -> None:
    state = tmp_path / "fleet-state.json"
    with start_fleet_sandbox(15, state_file=state) as sb:
        t12 = member(sb, "t12")

        async def create(client: Any) -> str:
            return str((await ops.create_web_app(client, "Kept clip", CLIP_URL)).value.id)

        made = run_with(sb, StaticTokenCredential(sb.mint_token(tenant_id=t12.id)), create)
    assert state.stat().st_mode & 0o777 == 0o600
    assert json.loads(state.read_text())["format"] == 2
    with start_fleet_sandbox(15, state_file=state) as again:
        assert made in again.tenant_for(t12.id).mobile_apps
        assert made not in again.tenant_for(member(again, "t11").id).mobile_apps
        assert len(again.tenants) == 16
    with pytest.raises(ValueError, match="--tenants 15"):
        start_fleet_sandbox(4, state_file=state)


def test_write_fleet_file(fleet: RunningSandbox, tmp_path: Path) -> None:
    import tomllib

    path = write_fleet_file(fleet, tmp_path / "rehearsal")
    data = tomllib.loads(path.read_text())
    assert path.stat().st_mode & 0o777 == 0o600
    assert data["sign_in"]["mode"] == "gdap"
    assert data["sign_in"]["partner_tenant"] == fleet.partner_tenant_id
    assert data["sign_in"]["graph_url"] == fleet.graph_url
    assert data["sign_in"]["authority"] == fleet.https_url
    assert Path(data["sign_in"]["ca_file"]).read_text() == fleet.ca_path.read_text()
    assert [t["label"] for t in data["tenant"]] == [m.label for m in fleet.fleet]
    assert [t["id"] for t in data["tenant"]] == [m.id for m in fleet.fleet]
    t04 = next(t for t in data["tenant"] if t["label"] == "t04")
    assert t04["overrides"]["guide.languages"] == ["de", "en"]
    assert t04["overrides"]["tenant.sign_in_domain"] == member(fleet, "t04").domain
    assert fleet.fleet_client_secret not in path.read_text()


def test_a_hundred_tenants_start_quickly_and_small() -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with start_fleet_sandbox(100) as sb:
        took = time.monotonic() - started
        assert len(sb.tenants) == 101
        last = sb.fleet[-1]
        assert last.label == "t100"
        token = StaticTokenCredential(sb.mint_token(tenant_id=last.id))
        assert organization_id(sb, token) == last.id
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert took < 10, f"100 tenants took {took:.1f} s to start"
    assert grown_mib < 150, f"100 tenants grew the process by {grown_mib:.0f} MiB"


def test_the_discovery_host_serves_each_tenant_at_its_own_domain(fleet: RunningSandbox) -> None:
    import ssl

    import httpx

    verify = ssl.create_default_context(cafile=str(fleet.ca_path))
    url = f"{fleet.https_url}/.well-known/com.apple.remotemanagement"
    for host, tenant_id in (
        (member(fleet, "t02").domain, member(fleet, "t02").id),
        (member(fleet, "t09").domain, member(fleet, "t09").id),
        ("127.0.0.1", fleet.partner_tenant_id),
    ):
        answer = httpx.get(url, headers={"Host": host}, verify=verify, timeout=10)
        assert answer.status_code == 200
        assert f"aadTenantId={tenant_id}" in answer.json()["Servers"][0]["BaseURL"]


def test_the_state_file_follows_writes_while_serving(tmp_path: Path) -> None:
    # Saved shortly after each write (not only at stop), each tenant as it is now.
    state = tmp_path / "live.json"
    with start_fleet_sandbox(4, state_file=state) as sb:
        t02, t03 = member(sb, "t02"), member(sb, "t03")
        for m in (t02, t03):

            async def create(client: Any, label: str = m.label) -> str:
                clip = await ops.create_web_app(client, f"Live {label}", CLIP_URL)
                return str(clip.value.id)

            run_with(sb, StaticTokenCredential(sb.mint_token(tenant_id=m.id)), create)
            deadline = time.monotonic() + 5
            while f"Live {m.label}" not in state.read_text() and time.monotonic() < deadline:
                time.sleep(0.05)
        saved = {t["tenant_id"]: t for t in json.loads(state.read_text())["tenants"]}
        for m in (t02, t03):
            names = [a["displayName"] for a in saved[m.id]["mobile_apps"].values()]
            assert f"Live {m.label}" in names
        assert "Live" not in json.dumps(saved[member(sb, "t01").id])


def test_seeds_and_access_per_label() -> None:
    from tui.sandbox.fleet import fleet_members

    members = fleet_members(
        12, seeds={"t05": "no-vpp-token"}, access={"t10": "ok", "t02": "refused"}
    )
    by_label = {m.label: m for m in members}
    assert by_label["t05"].seed == "no-vpp-token"
    assert by_label["t03"].seed == "expired-apns"
    assert by_label["t10"].access == "ok"
    assert by_label["t02"].access == ACCESS_REFUSED
    assert by_label["t07"].access == ACCESS_MISSING_PERMISSION
    with pytest.raises(ValueError, match="t13"):
        fleet_members(12, access={"t13": "ok"})
    with pytest.raises(ValueError, match="choose one of ok"):
        fleet_members(12, access={"t01": "maybe"})
    with start_fleet_sandbox(2, seeds={"t02": "no-vpp-token"}, access={"t01": "refused"}) as sb:
        assert sb.tenant_for(member(sb, "t02").id).vpp_tokens == {}
        assert sb.fleet_access is not None
        assert not sb.fleet_access.consented(member(sb, "t01").id)


def test_the_identity_emulator_keeps_connections_open_only_when_asked(
    fleet: RunningSandbox,
) -> None:
    import requests

    def discovery_and_token(sb: RunningSandbox) -> list[str | None]:
        """The Connection header of its discovery and token answers (HTTP/1.1: none
        keeps the connection open for the next request)."""
        tenant = member(sb, "t02").id
        form = {
            "grant_type": "client_credentials",
            "client_id": sb.fleet_client_id,
            "client_secret": sb.fleet_client_secret,
            "scope": SCOPE,
        }
        ca = str(sb.ca_path)  # per request: $REQUESTS_CA_BUNDLE would win over the session's
        with requests.Session() as session:
            answers = [
                session.get(
                    f"{sb.https_url}/{tenant}/v2.0/.well-known/openid-configuration", verify=ca
                ),
                session.post(f"{sb.https_url}/{tenant}/oauth2/v2.0/token", data=form, verify=ca),
            ]
            assert [a.status_code for a in answers] == [200, 200]
            return [a.headers.get("connection") for a in answers]

    # By default each answer closes its connection (an idle one would hold up stop()).
    assert discovery_and_token(fleet) == ["close", "close"]
    with start_fleet_sandbox(2, identity_keep_alive=True) as kept:
        assert discovery_and_token(kept) == [None, None]  # as Entra ID
        started = time.monotonic()
    assert time.monotonic() - started < 1.5  # the client closed its connection first
