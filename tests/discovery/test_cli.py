"""`adue discovery ...` as a user runs it: a real process, exit codes, files, --json."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.discovery.servers import TENANT, Listener, domain_for
from tui.discovery.well_known import generate
from tui.sandbox.tls import TlsFiles

ROOT = Path(__file__).resolve().parents[2]
# An empty working folder, so no ./adue-session.toml lying around changes the results.
EMPTY = Path(tempfile.mkdtemp(prefix="adue-discovery-cli-"))


def adue(
    *args: str, env: dict[str, str] | None = None, cwd: Path = EMPTY
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "SSL_CERT_FILE"}
    environment.update(env or {})
    environment["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=60,
    )


def test_generate_prints_the_exact_file() -> None:
    result = adue("discovery", "generate", "--tenant-id", TENANT, "--cloud", "usgov")
    assert result.returncode == 0, result.stderr
    assert result.stdout == generate(TENANT, "usgov")  # piped: no newline added


def test_top_level_cloud_option_applies(tmp_path: Path) -> None:
    result = adue("--cloud", "china", "discovery", "generate", "--tenant-id", TENANT, cwd=tmp_path)
    assert result.stdout == generate(TENANT, "china")


def test_generate_saves_0644_a_file_to_publish(tmp_path: Path) -> None:
    target = tmp_path / "com.apple.remotemanagement"
    result = adue("discovery", "generate", "--tenant-id", TENANT, "-o", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_bytes() == generate(TENANT).encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert "wrote" in result.stderr


def test_generate_refuses_a_bad_tenant_id() -> None:
    result = adue("discovery", "generate", "--tenant-id", "contoso.com")
    assert result.returncode == 64
    assert "--tenant-id" in result.stderr
    assert "GUID" in result.stderr
    assert result.stdout == ""


def test_generate_needs_a_tenant(tmp_path: Path) -> None:
    result = adue("discovery", "generate", cwd=tmp_path)
    assert result.returncode == 64
    assert "--tenant-id: required" in result.stderr


def test_recipes_one_and_all() -> None:
    one = adue("discovery", "recipes", "--tenant-id", TENANT, "--only", "nginx")
    assert one.returncode == 0
    assert generate(TENANT) in one.stdout
    assert "default_type application/json" in one.stdout
    every = adue("discovery", "recipes", "--tenant-id", TENANT)
    for name in ("nginx", "Apache", "IIS", "Caddy", "Static Web Apps", "Blob"):
        assert name in every.stdout


def _check(
    host: Listener, tls: TlsFiles, domain: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return adue(
        "discovery",
        "check",
        domain,
        "--tenant-id",
        TENANT,
        "--connect-to",
        f"{host.host}:{host.port}",
        "--ca-file",
        str(tls.ca_path),
        "--timeout",
        "5",
        *extra,
    )


def test_check_passing_exits_0_with_json(discovery_host: Listener, tls_files: TlsFiles) -> None:
    result = _check(discovery_host, tls_files, domain_for("ok"), "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "pass"
    assert data["schema"] == 1
    assert data["domain"] == domain_for("ok")
    assert {f["status"] for f in data["findings"]} == {"pass"}
    assert [h["status"] for h in data["requests"]["iPhone"]] == [200]


def test_check_failure_exits_2_and_names_the_fix(
    discovery_host: Listener, tls_files: TlsFiles
) -> None:
    result = _check(discovery_host, tls_files, domain_for("content-type"))
    assert result.returncode == 2
    assert "FAIL  Content-Type is application/json" in result.stdout
    assert "fix: Serve the file with `Content-Type: application/json`" in result.stdout
    as_json = json.loads(
        _check(discovery_host, tls_files, domain_for("content-type"), "--json").stdout
    )
    assert [f["id"] for f in as_json["findings"] if f["status"] == "fail"] == ["content_type"]


def test_check_warning_exits_0(discovery_host: Listener, tls_files: TlsFiles) -> None:
    result = _check(discovery_host, tls_files, domain_for("redirect"))
    assert result.returncode == 0
    assert "WARN" in result.stdout
    assert "passed with warnings" in result.stdout


def test_check_unreachable_exits_1() -> None:
    result = adue("discovery", "check", "nosuch.invalid", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["status"] == "error"
    assert [f["id"] for f in data["findings"]] == ["dns"]


def test_check_honours_ssl_cert_file(discovery_host: Listener, tls_files: TlsFiles) -> None:
    args = [
        "discovery",
        "check",
        domain_for("ok"),
        "--connect-to",
        f"127.0.0.1:{discovery_host.port}",
    ]
    trusted = adue(*args, env={"SSL_CERT_FILE": str(tls_files.ca_path)})
    assert trusted.returncode == 0, trusted.stdout
    untrusted = adue(*args)
    assert untrusted.returncode == 2
    assert "Certificate valid for the domain" in untrusted.stdout


def test_check_usage_errors_exit_64() -> None:
    bad_connect = adue("discovery", "check", "contoso.test", "--connect-to", "localhost")
    assert bad_connect.returncode == 64
    assert "--connect-to" in bad_connect.stderr
    bad_domain = adue("discovery", "check", "not a domain")
    assert bad_domain.returncode == 64
    assert "domain:" in bad_domain.stderr
    missing_ca = adue("discovery", "check", "contoso.test", "--ca-file", "/nonexistent.pem")
    assert missing_ca.returncode == 64
    assert "--ca-file" in missing_ca.stderr


def test_check_takes_domain_tenant_and_cloud_from_the_session(
    discovery_host: Listener, tls_files: TlsFiles, tmp_path: Path
) -> None:
    from tui.session import Session

    path = tmp_path / "contoso.toml"
    with Session.open(path) as session:
        session.set("tenant", "tenant_id", TENANT)
        session.set("tenant", "cloud", "usgov")
        session.set("tenant", "sign_in_domain", domain_for("ok", "usgov"))
        session.save()
    result = adue(
        "--session",
        str(path),
        "discovery",
        "check",
        "--connect-to",
        f"127.0.0.1:{discovery_host.port}",
        "--ca-file",
        str(tls_files.ca_path),
        "--json",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert (data["domain"], data["tenant_id"], data["cloud"]) == (
        domain_for("ok", "usgov"),
        TENANT,
        "usgov",
    )


def test_sandbox_check_passes_and_rehearses_a_variant() -> None:
    passing = adue("--sandbox", "discovery", "check", "--json")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert json.loads(passing.stdout)["status"] == "pass"
    rehearsal = adue("--sandbox", "discovery", "check", "--rehearse", "servers-two", "--json")
    assert rehearsal.returncode == 2
    failing = [f["id"] for f in json.loads(rehearsal.stdout)["findings"] if f["status"] != "pass"]
    assert failing == ["servers"]
    alone = adue("discovery", "check", "contoso.com", "--rehearse", "version")
    assert alone.returncode == 64
    assert "--rehearse: only with adue --sandbox" in alone.stderr
