"""What `adue fleet` prints and asks: tenant text shown as data, the progress line only
on a terminal, the one confirmation for the whole fleet, and --concurrency honoured."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.helpers import fleet_file, fleet_sandbox, writes_by_label
from tui import cli
from tui.fleet.connect import SignInConnector
from tui.fleet.file import FleetTenant, load_fleet
from tui.fleet.output import ProgressLine, summary, tenant_line
from tui.fleet.run import FleetRun, TenantOutcome

HOSTILE = "Evil\x1b]0;pwned\x07 Corp\u202e\r\nnext"


def outcome(**changes: Any) -> TenantOutcome:
    tenant = FleetTenant(id="fabrikam.example", label="t01", name="", desired={}, index=0)
    values: dict[str, Any] = {"result": "failed", "name": HOSTILE, "reason": HOSTILE}
    values.update(changes)
    return TenantOutcome(tenant, **values)


def test_tenant_text_is_shown_never_acted_on() -> None:
    for text in (tenant_line(outcome()), summary([outcome()], HOSTILE, 1.0)):
        assert "\x1b" not in text
        assert "\x07" not in text
        assert "\u202e" not in text
        assert "\r" not in text
        assert "␛]0;pwned␇" in text
        assert "<U+202E>" in text


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_only_on_a_terminal() -> None:
    pipe = io.StringIO()
    line = ProgressLine(4, pipe)
    line.draw(2)
    line.print("t01  done", 1)
    line.finish()
    assert pipe.getvalue() == "t01  done\n"
    terminal = Terminal()
    line = ProgressLine(4, terminal)
    line.done = 1
    line.draw(3)
    line.print("t01  done", 2)
    line.finish()
    text = terminal.getvalue()
    assert "\r\x1b[2K[#####...............] 1/4 done, 3 running" in text
    assert "t01  done\n" in text
    assert text.endswith("\r\x1b[2K")


def test_apply_asks_once_for_the_fleet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with fleet_sandbox(3, monkeypatch) as sb:
        path = fleet_file(sb, tmp_path)
        for answer, applied in (("n\n", False), ("y\n", True)):
            stdin = Terminal(answer)
            monkeypatch.setattr(sys, "stdin", stdin)
            code = cli.main(["fleet", "apply", "--fleet", str(path), "--json"])
            out, err = capsys.readouterr()
            assert err.count("Apply these") == 1, err
            assert "change(s) in 3 tenant(s) of Sandbox fleet: 3 tenants? [y/N]" in err
            results = {t["label"]: t["result"] for t in json.loads(out)["tenants"]}
            if applied:
                assert code == 0
                assert set(results.values()) == {"applied"}
                assert all(writes_by_label(sb).values())
            else:
                assert "nothing written" in err
                assert set(results.values()) == {"not started"}
                assert sum(writes_by_label(sb).values()) == 0
                assert code == 1


class _TokenLog(SignInConnector):
    """The real fleet sign-in; each tenant's first token is logged when it arrives."""

    def __init__(self, fleet: Any, log: list[str]) -> None:
        super().__init__(fleet, interactive=False)
        self.log = log

    def credential_for(self, tenant: FleetTenant) -> Any:
        real = super().credential_for(tenant)
        log = self.log

        class Logged:
            def get_token(self, *scopes: str, **kwargs: Any) -> Any:
                token = real.get_token(*scopes, **kwargs)
                if f"token {tenant.label}" not in log:
                    log.append(f"token {tenant.label}")
                return token

        return Logged()


def test_tokens_are_fetched_ahead_of_the_tenants_turns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One tenant at a time, and Graph 300 ms away: the next tenants' first tokens (one or
    two round trips to the identity platform each) arrive while the first tenant still
    plans, not after it, so no tenant's Graph work waits behind its token's round trips."""
    with fleet_sandbox(4, monkeypatch, latency_ms=300) as sb:
        fleet = load_fleet(fleet_file(sb, tmp_path))
        log: list[str] = []
        connector = _TokenLog(fleet, log)
        connector.sign_in()
        runner = FleetRun(fleet, list(fleet.tenants), "plan", connector, concurrency=1)
        runner.on_done = lambda outcome: log.append(f"done {outcome.label}")
        try:
            outcomes = asyncio.run(runner.run())
        finally:
            connector.close()
    assert {o.result for o in outcomes} == {"changes"}
    assert log.index("token t02") < log.index("done t01"), log
    assert [e for e in log if e.startswith("done")] == [f"done t0{n}" for n in (1, 2, 3, 4)]


def test_the_tenants_share_their_graph_connections(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Graph is one host for the whole fleet: one tenant after another, each planning
    with its two $batch requests at once, goes over the connections the first opened
    (a TCP and TLS handshake apiece), not two new ones per tenant. Each tenant's
    requests still carry its own token: every plan reads its own tenant."""
    import socket
    from urllib.parse import urlsplit

    with fleet_sandbox(4, monkeypatch) as sb:
        graph = urlsplit(sb.graph_url)
        to_graph: list[object] = []
        real_connect = socket.socket.connect

        def connect(self: socket.socket, address: Any) -> None:
            if tuple(address)[1] == graph.port:
                to_graph.append(address)
            real_connect(self, address)

        fleet = load_fleet(fleet_file(sb, tmp_path))
        connector = SignInConnector(fleet, interactive=False)
        connector.sign_in()
        runner = FleetRun(fleet, list(fleet.tenants), "plan", connector, concurrency=1)
        try:
            with monkeypatch.context() as patched:
                patched.setattr(socket.socket, "connect", connect)
                outcomes = asyncio.run(runner.run())
        finally:
            connector.close()
    assert [o.result for o in outcomes] == ["changes"] * 4
    assert [o.tenant_id for o in outcomes] == [m.id for m in sb.fleet]
    assert 1 <= len(to_graph) <= 2, to_graph  # not 2 per tenant (8)


def test_concurrency_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with fleet_sandbox(5, monkeypatch, latency_ms=50) as sb:
        fleet = load_fleet(fleet_file(sb, tmp_path))
        connector = SignInConnector(fleet, interactive=False)
        connector.sign_in()
        seen: list[int] = []
        runner = FleetRun(fleet, list(fleet.tenants), "plan", connector, concurrency=2)
        runner.on_start = lambda _: seen.append(runner.running)
        try:
            outcomes = asyncio.run(runner.run())
        finally:
            connector.close()
        assert max(seen) == 2
        assert len(seen) == 5
        assert {o.result for o in outcomes} == {"changes"}
