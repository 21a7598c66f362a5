"""Sign-in: settings from CLI + session, and the REAL DeviceCodeCredential against the
sandbox's identity emulator over HTTPS (auto-approve, approve page, cancel, resume)."""

from __future__ import annotations

import argparse
import os
import ssl
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tui.choices import AuthMethod
from tui.graph import operations as ops
from tui.graph.auth import (
    DEFAULT_CLIENT_ID,
    ConnectionSettings,
    SettingsError,
    StaticTokenCredential,
    browser_problem,
    build_credential,
    record_path,
    sign_in,
)
from tui.graph.client import build_graph_client
from tui.graph.errors import SignInCancelled, SignInFailed, SignInRequired
from tui.graph.sign_in_models import DeviceCodePrompt
from tui.sandbox.server import RunningSandbox, start_sandbox


def args(**values: object) -> argparse.Namespace:
    base: dict[str, object] = {
        "cloud": None,
        "tenant": None,
        "client_id": None,
        "graph_url": None,
        "auth": None,
        "certificate_path": None,
        "allow_plaintext_token_cache": False,
    }
    base.update(values)
    return argparse.Namespace(**base)


# -- settings ---------------------------------------------------------------------------
def test_defaults_are_global_device_code_and_graph_cli_app() -> None:
    s = ConnectionSettings.from_args_and_session(args(), None, environ={})
    assert (s.cloud.name, s.auth, s.client_id, s.tenant) == (
        "global",
        AuthMethod.DEVICE_CODE,
        DEFAULT_CLIENT_ID,
        "organizations",
    )
    assert s.graph_root == "https://graph.microsoft.com"
    assert s.scopes == ["https://graph.microsoft.com/.default"]
    assert s.authority_url == "https://login.microsoftonline.com"


def test_cli_wins_over_session_and_session_fills_gaps() -> None:
    table = {"cloud": "usgov", "tenant_id": "contoso.us", "client_id": "app-1", "auth": "azure-cli"}
    s = ConnectionSettings.from_args_and_session(args(tenant="other.us"), table, environ={})
    assert (s.cloud.name, s.tenant, s.client_id, s.auth) == (
        "usgov",
        "other.us",
        "app-1",
        AuthMethod.AZURE_CLI,
    )
    assert s.scopes == ["https://graph.microsoft.us/.default"]
    assert s.to_tenant_table()["tenant_id"] == "other.us"


def test_access_token_env_selects_token_auth_unless_auth_given() -> None:
    env = {"ADUE_ACCESS_TOKEN": "x.y.z"}
    table = {"auth": "device-code"}
    assert ConnectionSettings.from_args_and_session(args(), table, environ=env).auth is (
        AuthMethod.TOKEN
    )
    chosen = ConnectionSettings.from_args_and_session(args(auth="azure-cli"), table, environ=env)
    assert chosen.auth is AuthMethod.AZURE_CLI


@pytest.mark.parametrize(
    ("given", "table", "message"),
    [
        (args(auth="token"), {}, "ADUE_ACCESS_TOKEN"),
        (args(auth="secret", client_id="app"), {}, "--tenant"),
        (args(auth="secret", tenant="contoso.com"), {}, "--client-id"),
        (args(auth="certificate", tenant="contoso.com", client_id="a"), {}, "--certificate-path"),
        (
            args(
                auth="certificate",
                tenant="contoso.com",
                client_id="a",
                certificate_path="/nope.pem",
            ),
            {},
            "not a readable file",
        ),
        (args(graph_url="http://graph.contoso.test"), {}, "--graph-url"),
        (args(), {"cloud": "mars"}, "--cloud"),
        (args(), {"auth": "carrier-pigeon"}, "--auth"),
        (args(), {"tenant_id": 42}, "[tenant] tenant_id"),
        (
            args(),
            {"tenant_id": "not a tenant!!"},
            "[tenant] tenant_id: 'not a tenant!!' is neither",
        ),
        (args(tenant="not a tenant!!"), {}, "--tenant: 'not a tenant!!' is neither"),
    ],
)
def test_bad_settings_name_the_field(
    given: argparse.Namespace, table: dict[str, object], message: str
) -> None:
    with pytest.raises(SettingsError) as info:
        ConnectionSettings.from_args_and_session(given, table, environ={})
    assert message in str(info.value)


def test_browser_is_not_offered_over_ssh() -> None:
    assert "SSH" in browser_problem({"SSH_CONNECTION": "1.2.3.4 5 6.7.8.9 22", "DISPLAY": ":0"})
    with pytest.raises(SettingsError, match="device-code"):
        build_credential(
            ConnectionSettings.from_args_and_session(args(auth="browser"), None, environ={}),
            environ={"SSH_TTY": "/dev/pts/1"},
        )


def test_static_token_credential_reads_expiry() -> None:
    with start_sandbox(seed="demo") as sb:
        token = sb.mint_token(expires_in=120)
    cred = StaticTokenCredential(token)
    assert abs(cred.get_token("x").expires_on - (time.time() + 120)) < 5
    with pytest.raises(SettingsError, match="empty"):
        StaticTokenCredential("  ")


# -- the device-code flow, for real ---------------------------------------------------------
@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo", device_auto_approve_seconds=None) as sb:
        yield sb


def sandbox_settings(sb: RunningSandbox, **values: object) -> ConnectionSettings:
    return ConnectionSettings.from_args_and_session(args(**values), None, environ={}).with_sandbox(
        https_url=sb.https_url, ca_path=sb.ca_path, graph_url=sb.graph_url, tenant_id=sb.tenant_id
    )


def approve_in_background(sb: RunningSandbox, prompts: list[DeviceCodePrompt]) -> None:
    """What a person does on their phone: open the URL and enter the code (a real POST)."""

    def go() -> None:
        prompt = prompts[-1]
        assert prompt.verification_uri == f"{sb.https_url}/device"
        trust = ssl.create_default_context(cafile=str(sb.ca_path))
        answer = httpx.post(
            prompt.verification_uri,
            data={"user_code": prompt.user_code, "admin_token": sb.admin_token},
            verify=trust,
        )
        assert answer.status_code == 200
        assert sb.admin_upn in answer.text

    threading.Thread(target=go, daemon=True).start()


def test_device_code_sign_in_then_graph_with_that_token(sandbox: RunningSandbox) -> None:
    prompts: list[DeviceCodePrompt] = []

    def prompt(p: DeviceCodePrompt) -> None:
        prompts.append(p)
        approve_in_background(sandbox, prompts)

    settings = sandbox_settings(sandbox)
    credential = build_credential(settings, prompt=prompt)
    signed = sign_in(credential)
    assert len(prompts) == 1
    assert len(prompts[0].user_code) == 9
    assert 800 < prompts[0].seconds_left() <= 900
    assert signed.account == sandbox.admin_upn
    assert signed.tenant_id == sandbox.tenant_id
    assert "DeviceManagementApps.ReadWrite.All" in signed.scopes
    assert "no usable keyring" in signed.cache_notice  # CI has no libsecret session

    record = record_path(settings)
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert "access_token" not in record.read_text()
    assert sandbox.admin_upn in record.read_text()

    import asyncio

    async def read_org() -> str:
        client = build_graph_client(
            credential.credential, graph_root=settings.graph_root, scopes=settings.scopes
        )
        try:
            return (await ops.get_organization(client)).id
        finally:
            await client.aclose()

    assert asyncio.run(read_org()) == sandbox.tenant_id


def test_auto_approve_and_resume_from_the_plaintext_cache() -> None:
    with start_sandbox(seed="demo", device_auto_approve_seconds=0.5) as sb:
        settings = sandbox_settings(sb, allow_plaintext_token_cache=True)
        prompts: list[DeviceCodePrompt] = []
        first = sign_in(build_credential(settings, prompt=prompts.append))
        assert len(prompts) == 1
        assert first.account == sb.admin_upn
        assert "UNENCRYPTED" in first.cache_notice
        cache_files = list((Path(os.environ["HOME"]) / ".IdentityService").glob("adue*"))
        assert cache_files
        assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in cache_files)

        # A new process resumes: the record + cache give a token without a new prompt.
        again: list[DeviceCodePrompt] = []
        resumed = sign_in(build_credential(settings, prompt=again.append), interactive=False)
        assert again == []
        assert resumed.account == sb.admin_upn


def test_without_a_cache_a_headless_resume_asks_to_sign_in(sandbox: RunningSandbox) -> None:
    settings = sandbox_settings(sandbox, client_id="another-app")
    prompts: list[DeviceCodePrompt] = []

    def prompt(p: DeviceCodePrompt) -> None:
        prompts.append(p)
        approve_in_background(sandbox, prompts)

    sign_in(build_credential(settings, prompt=prompt))
    with pytest.raises(SignInRequired):
        sign_in(build_credential(settings, prompt=prompt), interactive=False)


def test_cancel_stops_a_waiting_sign_in(sandbox: RunningSandbox) -> None:
    cancel = threading.Event()
    settings = sandbox_settings(sandbox, client_id="cancel-app")
    credential = build_credential(
        settings, prompt=lambda _: threading.Timer(0.3, cancel.set).start(), cancel=cancel
    )
    started = time.monotonic()
    with pytest.raises(SignInCancelled):
        sign_in(credential, cancel=cancel)
    assert time.monotonic() - started < 5
    assert not record_path(settings).exists()


def test_an_unreachable_sign_in_service_is_blamed_on_the_network_once(tmp_path: Path) -> None:
    # A sandbox that has stopped: its identity endpoints refuse connections, as a machine
    # without network (or DNS) does. The tenant and the app were never asked.
    with start_sandbox(seed="demo") as sb:
        ca = tmp_path / "ca.pem"  # the sandbox removes its own CA file when it stops
        ca.write_bytes(sb.ca_path.read_bytes())
        settings = ConnectionSettings.from_args_and_session(args(), None, environ={})
        settings = settings.with_sandbox(
            https_url=sb.https_url, ca_path=ca, graph_url=sb.graph_url, tenant_id=sb.tenant_id
        )
    credential = build_credential(settings, prompt=lambda _: None)
    with pytest.raises(SignInFailed) as caught:
        sign_in(credential)
    message, fix = caught.value.message, caught.value.fix
    assert message.startswith("Sign-in failed: could not reach the sign-in service")
    assert "the connection was refused" in message
    assert message.count("Sign-in failed") == 1
    assert "network" in fix
    assert "tenant" in fix
    assert "--" not in fix  # no CLI flags


def test_a_refused_sign_in_names_tenant_and_app_without_cli_flags() -> None:
    from azure.core.exceptions import ClientAuthenticationError

    from tui.graph.errors import sign_in_failed

    refused = ClientAuthenticationError("AADSTS90002: Tenant 'nosuch.example' not found.")
    err = sign_in_failed(refused, service="https://login.microsoftonline.com")
    assert err.message == "Sign-in failed: AADSTS90002: Tenant 'nosuch.example' not found."
    assert err.fix == "check the tenant, the client id and the sign-in method, then try again"


TOKEN_PATH = """
import asyncio, os, sys
from tui.graph import operations as ops
from tui.graph.auth import ConnectionSettings, build_credential, sign_in
from tui.graph.client import build_graph_client
from tui.graph.errors import GraphError
import argparse

env = dict(os.environ)
settings = ConnectionSettings.from_args_and_session(
    argparse.Namespace(auth="token", graph_url=env["ADUE_GRAPH_URL"]), {}, environ=env
)
credential = build_credential(settings, environ=env)
sign_in(credential, interactive=False)
client = build_graph_client(
    credential.credential, graph_root=settings.graph_root, scopes=settings.scopes
)
print(asyncio.run(ops.get_organization(client)).display_name)
# An expired token is refused before any request: the error path imports nothing more.
os.environ["ADUE_ACCESS_TOKEN"] = "e30.eyJleHAiOjF9.c2ln"  # {} . {"exp":1} . sig
try:
    sign_in(build_credential(settings), interactive=False)
except GraphError as exc:
    print(type(exc).__name__)
print(",".join(m for m in sys.modules if m.startswith("azure.identity")) or "none")
"""


def test_token_auth_never_imports_azure_identity(sandbox: RunningSandbox) -> None:
    """$ADUE_ACCESS_TOKEN needs nothing of azure.identity (0.15-0.20 s to import): a
    pipeline's `adue plan` starts without it, sign-in, reads and a refused token alike."""
    import subprocess
    import sys

    env = {
        **os.environ,
        "ADUE_ACCESS_TOKEN": sandbox.token,
        "ADUE_GRAPH_URL": sandbox.graph_url,
    }
    done = subprocess.run(
        [sys.executable, "-c", TOKEN_PATH], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["Contoso", "SignInFailed", "none"]
