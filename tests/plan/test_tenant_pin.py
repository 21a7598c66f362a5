"""Tenant pinning, as a user runs adue (subprocesses, real HTTP to the sandbox): a session
pinned to another tenant, an invalid tenant_id, a domain of another tenant and a token of
another tenant are refused with both tenants named, the sandbox sees no write (and no
request after the tenant check's round trip: GET /organization, alone or in the plan's first
$batch), and the session file is left byte for byte."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.plan.helpers import ROOT, count_named, example_session
from tui.sandbox.server import RunningSandbox, start_sandbox

OTHER_GUID = "11111111-2222-4333-8444-555555555555"


def adue(
    sb: RunningSandbox, cwd: Path, *args: str, token: str = ""
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ADUE_ACCESS_TOKEN=token or sb.token, ADUE_GRAPH_URL=sb.graph_url)
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


def pinned_session(tmp_path: Path, tenant_id: str, organization: str = "") -> Path:
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8")
    extra = f'tenant_id = "{tenant_id}"\n'
    if organization:
        extra += f'organization = "{organization}"\n'
    text = text.replace("[tenant]\n", "[tenant]\n" + extra, 1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fabrikam() -> Iterator[RunningSandbox]:
    """A second, unrelated tenant (its own id, domains and objects)."""
    with start_sandbox(seed="demo", directory="fabrikam") as sb:
        yield sb


def only_the_check_round_trip(sb: RunningSandbox) -> None:
    """Nothing written and nothing sent after the refusal: the sandbox saw only the tenant
    check's round trip, GET /organization (alone, or in the plan's first `$batch` beside
    its reads, which are never used for a refused tenant) and nothing but reads."""
    assert sb.writes() == []
    assert all(r.method == "GET" or r.is_batch for r in sb.requests)
    assert ("GET", "/v1.0/organization") in {(r.method, r.path) for r in sb.requests}
    # One round trip: GET /organization alone, or one $batch per API version sent at once.
    top = sorted((r.method, r.path) for r in sb.top_level_requests())
    assert top in (
        [("GET", "/v1.0/organization")],
        [("POST", "/beta/$batch"), ("POST", "/v1.0/$batch")],
    ), top


@pytest.mark.parametrize("command", ["apply", "plan"])
def test_a_session_pinned_to_another_guid_is_refused(
    fresh: RunningSandbox, tmp_path: Path, command: str
) -> None:
    path = pinned_session(tmp_path, OTHER_GUID, "Fabrikam")
    before = path.read_bytes()
    extra = ("--yes",) if command == "apply" else ()
    result = adue(fresh, tmp_path, command, "--session", str(path), *extra)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"names Fabrikam ({OTHER_GUID})" in result.stderr
    assert f"the sign-in is for Contoso ({fresh.tenant_id})" in result.stderr
    assert "adue wrote nothing" in result.stderr
    assert result.stdout == ""  # no headline for a tenant that is refused
    only_the_check_round_trip(fresh)
    assert path.read_bytes() == before
    assert count_named(fresh) == (0, 0)


def test_plan_json_on_a_wrong_tenant_is_an_error_object(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    path = pinned_session(tmp_path, OTHER_GUID)
    result = adue(fresh, tmp_path, "plan", "--session", str(path), "--json")
    assert result.returncode == 1
    answer = json.loads(result.stdout)
    assert answer["version"] == 1
    assert "Wrong tenant" in answer["error"]
    assert OTHER_GUID in answer["error"]
    assert fresh.tenant_id in answer["error"]


@pytest.mark.parametrize("command", ["apply", "plan", "status"])
def test_an_invalid_tenant_id_names_the_key_line_and_fix_and_sends_nothing(
    fresh: RunningSandbox, tmp_path: Path, command: str
) -> None:
    path = pinned_session(tmp_path, "not a tenant!!")
    before = path.read_bytes()
    line = 1 + before.decode().splitlines().index('tenant_id = "not a tenant!!"')
    extra = ("--yes",) if command == "apply" else ()
    result = adue(fresh, tmp_path, command, "--session", str(path), *extra)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"[tenant] tenant_id (line {line}): 'not a tenant!!' is neither" in result.stderr
    assert "a GUID like 00000000-0000-0000-0000-000000000000" in result.stderr
    assert "The file was not changed." in result.stderr
    assert fresh.requests == []
    assert path.read_bytes() == before


def test_a_domain_of_another_tenant_is_refused(fresh: RunningSandbox, tmp_path: Path) -> None:
    path = pinned_session(tmp_path, "fabrikam.com")
    before = path.read_bytes()
    result = adue(fresh, tmp_path, "apply", "--session", str(path), "--yes")
    assert result.returncode == 1, result.stdout
    assert "the verified domain fabrikam.com" in result.stderr
    assert f"Contoso ({fresh.tenant_id})" in result.stderr
    only_the_check_round_trip(fresh)
    assert path.read_bytes() == before


def test_a_token_of_another_tenant_is_refused(
    fresh: RunningSandbox, fabrikam: RunningSandbox, tmp_path: Path
) -> None:
    # The session was applied to Contoso, so it is pinned to Contoso's GUID; then the
    # admin signs in to Fabrikam (Graph answers for the token's tenant).
    path = pinned_session(tmp_path, fresh.tenant_id, "Contoso")
    before = path.read_bytes()
    result = adue(fabrikam, tmp_path, "apply", "--session", str(path), "--yes")
    assert result.returncode == 1, result.stdout
    assert f"names Contoso ({fresh.tenant_id})" in result.stderr
    assert f"the sign-in is for Fabrikam ({fabrikam.tenant_id})" in result.stderr
    only_the_check_round_trip(fabrikam)
    assert count_named(fabrikam) == (0, 0)
    assert path.read_bytes() == before


def test_a_verified_domain_of_the_tenant_is_accepted_and_replaced_by_the_guid(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    path = pinned_session(tmp_path, "Contoso.com")
    result = adue(fresh, tmp_path, "apply", "--session", str(path), "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Tenant: Contoso ({fresh.tenant_id}) · cloud: global"
    text = path.read_text(encoding="utf-8")
    assert re.search(rf'^tenant_id = "{fresh.tenant_id}"', text, re.MULTILINE)
    assert count_named(fresh) == (1, 1)
    # pinned now: the same session against another tenant is refused
    again = adue(fresh, tmp_path, "plan", "--session", str(path))
    assert again.returncode == 0, again.stderr


def test_check_refuses_a_session_of_another_tenant(fresh: RunningSandbox, tmp_path: Path) -> None:
    path = pinned_session(tmp_path, OTHER_GUID)
    result = adue(fresh, tmp_path, "check", "--session", str(path), "--json")
    assert result.returncode == 1
    assert "Wrong tenant" in json.loads(result.stdout)["error"]
    only_the_check_round_trip(fresh)


# A token without a permission to read the organization (none of User.Read,
# Organization.Read.All, Organization.ReadWrite.All, Directory.Read.All: GET /organization
# answers 403, graph.md "Prerequisite reads") but with everything the rollout writes need.
WITHOUT_ORGANIZATION = (
    "DeviceManagementApps.ReadWrite.All",
    "DeviceManagementConfiguration.ReadWrite.All",
    "DeviceManagementServiceConfig.ReadWrite.All",
    "Group.Read.All",
)


def test_without_organization_read_a_guid_pin_is_checked_against_the_tokens_tenant(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    # GET /organization is refused, so the tenant id is compared with the token's `tid`
    # (tui.graph.target.TenantPin._without_organization): the right GUID applies.
    token = fresh.mint_token(scopes=WITHOUT_ORGANIZATION)
    path = pinned_session(tmp_path, fresh.tenant_id)
    result = adue(fresh, tmp_path, "apply", "--session", str(path), "--yes", token=token)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == f"Tenant: {fresh.tenant_id} · cloud: global"
    assert count_named(fresh) == (1, 1)
    assert ("GET", "/v1.0/organization") in {(r.method, r.path) for r in fresh.requests}


def test_without_organization_read_another_guid_is_still_refused(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    token = fresh.mint_token(scopes=WITHOUT_ORGANIZATION)
    path = pinned_session(tmp_path, OTHER_GUID)
    before = path.read_bytes()
    result = adue(fresh, tmp_path, "apply", "--session", str(path), "--yes", token=token)
    assert result.returncode == 1, result.stdout
    assert f"tenant_id names {OTHER_GUID}" in result.stderr
    assert f"the sign-in is for {fresh.tenant_id}" in result.stderr
    only_the_check_round_trip(fresh)
    assert path.read_bytes() == before


def test_without_organization_read_a_domain_pin_cannot_be_checked_and_names_the_permission(
    fresh: RunningSandbox, tmp_path: Path
) -> None:
    # A verified domain can only be checked against the organization's domains: without
    # the read, adue refuses (rather than trust the pin) and names the permission to grant.
    token = fresh.mint_token(scopes=WITHOUT_ORGANIZATION)
    path = pinned_session(tmp_path, "contoso.com")
    before = path.read_bytes()
    result = adue(fresh, tmp_path, "apply", "--session", str(path), "--yes", token=token)
    assert result.returncode == 1, result.stdout
    assert "Could not read the organization: permission denied" in result.stderr
    assert "needs the delegated permission Organization.Read.All" in result.stderr
    assert "Traceback" not in result.stderr
    only_the_check_round_trip(fresh)
    assert path.read_bytes() == before
