"""The fleet's one sign-in (tui.fleet.sign_in) against the fleet sandbox.

Real azure-identity credentials against the sandbox's identity emulator, real
msgraph-sdk (tui.graph.client.build_graph_client) over loopback to its Graph root.
"""

from __future__ import annotations

import asyncio
import tomllib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tui.fleet.sign_in import FleetSignIn, FleetSignInSettings
from tui.graph import operations as ops
from tui.graph.auth import SettingsError
from tui.graph.client import build_graph_client
from tui.graph.errors import PermissionMissing, SignInFailed
from tui.graph.sign_in_models import DeviceCodePrompt
from tui.sandbox.fleet import FleetTenantInfo, start_fleet_sandbox, write_fleet_file
from tui.sandbox.server import RunningSandbox

CLIP_URL = "https://portal.manage.microsoft.com/"


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Sign-in records and token caches go to a throw-away home, never the developer's.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("AZURE_CLIENT_SECRET", raising=False)


@pytest.fixture(scope="module")
def fleet() -> Iterator[RunningSandbox]:
    with start_fleet_sandbox(12, device_auto_approve_seconds=0) as sb:
        yield sb


def member(sb: RunningSandbox, label: str) -> FleetTenantInfo:
    return next(m for m in sb.fleet if m.label == label)


def where(key: str) -> str:
    return f"fleet.toml: [sign_in] {key} (line 7)"


def sandbox_table(sb: RunningSandbox, **changes: str) -> dict[str, Any]:
    table: dict[str, Any] = {
        "mode": "gdap",
        "partner_tenant": sb.partner_tenant_id,
        "client_id": "",
        "graph_url": sb.graph_url,
        "authority": sb.https_url,
        "ca_file": str(sb.ca_path),
    }
    table.update(changes)
    return table


def organization_id(settings: FleetSignInSettings, credential: Any) -> str:
    async def go() -> str:
        client = build_graph_client(
            credential,
            graph_root=settings.graph_root,
            scopes=["https://graph.microsoft.com/.default"],
        )
        try:
            return str((await ops.get_organization(client)).id)
        finally:
            await client.aclose()

    return asyncio.run(go())


# ---- the [sign_in] table -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"mode": "password"}, "mode", "gdap, app-secret, app-certificate"),
        ({"partner_tenant": ""}, "partner_tenant", "partner's own tenant"),
        ({"partner_tenant": "organizations"}, "partner_tenant", "partner's own tenant"),
        ({"client_id": "my app"}, "client_id", "GUID"),
        ({"mode": "app-secret"}, "client_id", "application (client) id"),
        ({"graph_url": "https://graph.evil.example"}, "graph_url", "loopback"),
        ({"authority": "https://login.evil.example"}, "authority", "loopback"),
        ({"authority": "http://127.0.0.1:9"}, "authority", "loopback"),
        ({"authority": "", "ca_file": "/etc/hostname"}, "ca_file", "system's trust store"),
        ({"ca_file": "/no/such/ca.pem"}, "ca_file", "not a readable file"),
        ({"certificate_path": "/x.pem"}, "certificate_path", "only mode app-certificate"),
        ({"unknown": "1"}, "unknown", "known ones are mode"),
        ({"cloud": "mars"}, "cloud", "choose one of global"),
    ],
)
def test_bad_sign_in_values_name_the_key_and_the_fix(
    fleet: RunningSandbox, changes: dict[str, str], key: str, words: str
) -> None:
    with pytest.raises(SettingsError) as error:
        FleetSignInSettings.from_table(sandbox_table(fleet, **changes), where=where)
    assert str(error.value).startswith(where(key))
    assert words in str(error.value)


def test_a_certificate_file_must_hold_key_and_certificate(
    fleet: RunningSandbox, tmp_path: Path
) -> None:
    app = "0bf14583-b384-46bf-a9f4-3505e288feb8"
    half = tmp_path / "cert-only.pem"
    half.write_text("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    table = sandbox_table(fleet, mode="app-certificate", client_id=app, certificate_path=str(half))
    with pytest.raises(SettingsError, match="private key"):
        FleetSignInSettings.from_table(table, where=where)
    with pytest.raises(SettingsError, match="needs the path"):
        FleetSignInSettings.from_table({**table, "certificate_path": ""}, where=where)


def test_the_sandbox_fleet_file_s_sign_in_table_is_accepted(
    fleet: RunningSandbox, tmp_path: Path
) -> None:
    data = tomllib.loads(write_fleet_file(fleet, tmp_path).read_text())
    settings = FleetSignInSettings.from_table(data["sign_in"], where=where)
    assert settings.mode == "gdap"
    assert settings.partner_tenant == fleet.partner_tenant_id
    assert settings.graph_root == fleet.graph_url
    assert settings.client_id == "14d82eec-204b-4c2f-b7e8-296a70dab67e"  # Graph CLI tools
    plain = FleetSignInSettings.from_table(
        {"mode": "gdap", "partner_tenant": "northwind-msp.example"}, where=where
    )
    assert plain.graph_root == "https://graph.microsoft.com"
    assert plain.authority_url == "https://login.microsoftonline.com"


# ---- gdap ---------------------------------------------------------------------------------


def test_gdap_one_device_code_then_every_tenant_concurrently(fleet: RunningSandbox) -> None:
    settings = FleetSignInSettings.from_table(sandbox_table(fleet), where=where)
    prompts: list[DeviceCodePrompt] = []
    fleet_sign_in = FleetSignIn(settings, prompt=prompts.append, ask_secret=None)
    try:
        fleet_sign_in.sign_in()
        assert len(prompts) == 1
        assert fleet_sign_in.account == fleet.admin_upn
        members = [m for m in fleet.fleet if m.label != "t10"]

        def token_tenant(m: FleetTenantInfo) -> str:
            # By id for most, by verified domain for one (a fleet file may give either).
            wanted = m.domain if m.label == "t05" else m.id
            token = fleet_sign_in.credential_for(wanted).get_token(settings.scopes[0])
            access = ops.decode_access_token(token.token)
            assert access.account == fleet.admin_upn
            return access.tenant_id

        with ThreadPoolExecutor(max_workers=16) as pool:
            got = list(pool.map(token_tenant, members * 2))
        assert got == [m.id for m in members] * 2
        assert len(prompts) == 1  # one sign-in for the whole fleet

        # Each tenant's credential reads that tenant only, through the real SDK.
        for m in (members[0], members[5]):
            credential = fleet_sign_in.credential_for(m.id)
            assert organization_id(settings, credential) == m.id
    finally:
        fleet_sign_in.close()


def test_gdap_refused_tenant_names_the_tenant_and_the_fix(fleet: RunningSandbox) -> None:
    settings = FleetSignInSettings.from_table(sandbox_table(fleet), where=where)
    fleet_sign_in = FleetSignIn(settings, prompt=lambda _: None, ask_secret=None)
    t10 = member(fleet, "t10")
    try:
        fleet_sign_in.sign_in()
        with pytest.raises(SignInFailed) as refused:
            organization_id(settings, fleet_sign_in.credential_for(t10.id))
        text = str(refused.value)
        assert t10.id in text
        assert "AADSTS50020" in text
        assert "GDAP relationship" in text
        assert "Intune Administrator" in refused.value.fix
        # The others still work after a refusal.
        t01 = member(fleet, "t01")
        assert organization_id(settings, fleet_sign_in.credential_for(t01.id)) == t01.id
    finally:
        fleet_sign_in.close()


def test_gdap_missing_permission_tenant_gets_403_on_its_first_write(
    fleet: RunningSandbox,
) -> None:
    settings = FleetSignInSettings.from_table(sandbox_table(fleet), where=where)
    fleet_sign_in = FleetSignIn(settings, prompt=lambda _: None, ask_secret=None)
    t07 = member(fleet, "t07")

    async def write() -> None:
        client = build_graph_client(
            fleet_sign_in.credential_for(t07.id),
            graph_root=settings.graph_root,
            scopes=settings.scopes,
        )
        try:
            assert (await ops.get_organization(client)).id == t07.id
            await ops.create_web_app(client, "t07 clip", CLIP_URL)
        finally:
            await client.aclose()

    try:
        fleet_sign_in.sign_in()
        with pytest.raises(PermissionMissing):
            asyncio.run(write())
        assert fleet.requests[-1].status == 403
        assert fleet.requests[-1].tenant_id == t07.id
    finally:
        fleet_sign_in.close()


def test_without_a_prompt_and_no_kept_sign_in_it_asks_to_sign_in(fleet: RunningSandbox) -> None:
    from tui.graph.errors import SignInRequired

    settings = FleetSignInSettings.from_table(sandbox_table(fleet), where=where)
    with pytest.raises(SignInRequired):
        FleetSignIn(settings, prompt=None, ask_secret=None).sign_in()


# ---- app-only ----------------------------------------------------------------------------


def app_settings(sb: RunningSandbox, **changes: str) -> FleetSignInSettings:
    table = sandbox_table(sb, mode="app-secret", client_id=sb.fleet_client_id, **changes)
    return FleetSignInSettings.from_table(table, where=where)


def test_app_secret_from_the_environment_gives_app_tokens_per_tenant(
    fleet: RunningSandbox,
) -> None:
    settings = app_settings(fleet)
    environ = {"AZURE_CLIENT_SECRET": fleet.fleet_client_secret}
    fleet_sign_in = FleetSignIn(settings, prompt=None, ask_secret=None, environ=environ)
    try:
        fleet_sign_in.sign_in()
        members = [m for m in fleet.fleet if m.label != "t10"]

        def roles_and_tenant(m: FleetTenantInfo) -> tuple[str, bool]:
            token = fleet_sign_in.credential_for(m.id).get_token(settings.scopes[0])
            access = ops.decode_access_token(token.token)
            return access.tenant_id, not access.scopes and bool(access.roles)

        with ThreadPoolExecutor(max_workers=8) as pool:
            got = list(pool.map(roles_and_tenant, members))
        assert got == [(m.id, True) for m in members]
        t03 = member(fleet, "t03")
        assert organization_id(settings, fleet_sign_in.credential_for(t03.id)) == t03.id

        with pytest.raises(SignInFailed) as refused:
            fleet_sign_in.credential_for(member(fleet, "t10").id).get_token(settings.scopes[0])
        assert member(fleet, "t10").id in str(refused.value)
        assert "AADSTS700016" in str(refused.value)
        assert "adminconsent" in refused.value.fix
    finally:
        fleet_sign_in.close()


def test_app_secret_typed_at_the_prompt_is_never_stored(
    fleet: RunningSandbox, tmp_path: Path
) -> None:
    asked: list[str] = []

    def ask(label: str) -> str:
        asked.append(label)
        return fleet.fleet_client_secret

    fleet_sign_in = FleetSignIn(app_settings(fleet), prompt=None, ask_secret=ask, environ={})
    fleet_sign_in.sign_in()
    fleet_sign_in.close()
    assert len(asked) == 1
    assert fleet.fleet_client_id in asked[0]
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert fleet.fleet_client_secret not in path.read_text(errors="replace")


def test_app_secret_missing_or_wrong(fleet: RunningSandbox) -> None:
    with pytest.raises(SettingsError, match="AZURE_CLIENT_SECRET"):
        FleetSignIn(app_settings(fleet), prompt=None, ask_secret=None, environ={}).sign_in()
    wrong = FleetSignIn(
        app_settings(fleet),
        prompt=None,
        ask_secret=None,
        environ={"AZURE_CLIENT_SECRET": "not-it"},
    )
    with pytest.raises(SignInFailed, match="AADSTS7000215") as error:
        wrong.sign_in()
    assert "client secret" in error.value.fix


def test_app_certificate(fleet: RunningSandbox, tmp_path: Path) -> None:
    pem = tmp_path / "fleet-app.pem"
    pem.write_text(fleet.fleet_certificate_pem)
    pem.chmod(0o600)
    settings = FleetSignInSettings.from_table(
        sandbox_table(
            fleet,
            mode="app-certificate",
            client_id=fleet.fleet_client_id,
            certificate_path=str(pem),
        ),
        where=where,
    )
    fleet_sign_in = FleetSignIn(settings, prompt=None, ask_secret=None, environ={})
    try:
        fleet_sign_in.sign_in()
        t02 = member(fleet, "t02")
        assert organization_id(settings, fleet_sign_in.credential_for(t02.id)) == t02.id
    finally:
        fleet_sign_in.close()


def test_a_token_fetched_in_a_thread_serves_the_sdk_without_a_second_sign_in(
    fleet: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fleet-core fetches each tenant's token in a worker thread first, so the SDK's own
    # get_token call on the event loop must be answered from what that fetch got.
    settings = app_settings(fleet)
    environ = {"AZURE_CLIENT_SECRET": fleet.fleet_client_secret}
    fleet_sign_in = FleetSignIn(settings, prompt=None, ask_secret=None, environ=environ)
    fetched: list[str] = []
    real_fetch = FleetSignIn._fetch

    def counting(self: FleetSignIn, tenant: str, scopes: tuple[str, ...], **kw: Any) -> Any:
        fetched.append(tenant)
        return real_fetch(self, tenant, scopes, **kw)

    monkeypatch.setattr(FleetSignIn, "_fetch", counting)
    t04 = member(fleet, "t04")
    try:
        fleet_sign_in.sign_in()
        credential = fleet_sign_in.credential_for(t04.id)

        async def go() -> str:
            await asyncio.to_thread(credential.get_token, *settings.scopes, enable_cae=True)
            client = build_graph_client(
                credential, graph_root=settings.graph_root, scopes=settings.scopes
            )
            try:
                await ops.get_organization(client)
                return str((await ops.get_organization(client)).id)
            finally:
                await client.aclose()

        assert asyncio.run(go()) == t04.id
        assert fetched == [fleet.partner_tenant_id, t04.id]  # sign_in, then one for t04
    finally:
        fleet_sign_in.close()


def test_a_claims_challenge_gets_a_new_token_not_the_cached_one(fleet: RunningSandbox) -> None:
    environ = {"AZURE_CLIENT_SECRET": fleet.fleet_client_secret}
    fleet_sign_in = FleetSignIn(app_settings(fleet), prompt=None, ask_secret=None, environ=environ)
    scope = "https://graph.microsoft.com/.default"
    try:
        fleet_sign_in.sign_in()
        credential = fleet_sign_in.credential_for(member(fleet, "t06").id)
        first = credential.get_token(scope)
        assert credential.get_token(scope).token == first.token  # cached
        challenge = '{"access_token":{"nbf":{"essential":true,"value":"1700000000"}}}'
        renewed = credential.get_token(scope, claims=challenge)
        assert renewed.token != first.token
        assert ops.decode_access_token(renewed.token).tenant_id == member(fleet, "t06").id
    finally:
        fleet_sign_in.close()


def test_an_encrypted_certificate_key_without_its_password_is_a_settings_error(
    fleet: RunningSandbox, tmp_path: Path
) -> None:
    from cryptography.hazmat.primitives import serialization

    key_pem, _, cert_pem = fleet.fleet_certificate_pem.partition("-----END PRIVATE KEY-----\n")
    key = serialization.load_pem_private_key(
        (key_pem + "-----END PRIVATE KEY-----\n").encode(), None
    )
    locked = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"sesame"),
    ).decode()
    pem = tmp_path / "locked.pem"
    pem.write_text(locked + cert_pem)
    settings = FleetSignInSettings.from_table(
        sandbox_table(
            fleet,
            mode="app-certificate",
            client_id=fleet.fleet_client_id,
            certificate_path=str(pem),
        ),
        where=where,
    )
    fleet_sign_in = FleetSignIn(settings, prompt=None, ask_secret=None, environ={})
    with pytest.raises(SettingsError, match="AZURE_CLIENT_CERTIFICATE_PASSWORD"):
        fleet_sign_in.sign_in()
    unlocked = FleetSignIn(
        settings,
        prompt=None,
        ask_secret=None,
        environ={"AZURE_CLIENT_CERTIFICATE_PASSWORD": "sesame"},
    )
    unlocked.sign_in()
    unlocked.close()


def test_the_partner_tenant_by_its_verified_domain(fleet: RunningSandbox) -> None:
    settings = FleetSignInSettings.from_table(
        sandbox_table(fleet, partner_tenant=fleet.sign_in_domain), where=where
    )
    fleet_sign_in = FleetSignIn(settings, prompt=lambda _: None, ask_secret=None)
    try:
        fleet_sign_in.sign_in()
        t08 = member(fleet, "t08")
        assert organization_id(settings, fleet_sign_in.credential_for(t08.id)) == t08.id
    finally:
        fleet_sign_in.close()


def test_a_tenant_the_identity_platform_does_not_know(fleet: RunningSandbox) -> None:
    settings = FleetSignInSettings.from_table(sandbox_table(fleet), where=where)
    fleet_sign_in = FleetSignIn(settings, prompt=lambda _: None, ask_secret=None)
    try:
        fleet_sign_in.sign_in()
        with pytest.raises(SignInFailed, match="AADSTS90002") as error:
            fleet_sign_in.credential_for("nowhere.example").get_token(settings.scopes[0])
        assert "nowhere.example" in str(error.value)
        assert "fleet file" in error.value.fix
    finally:
        fleet_sign_in.close()
