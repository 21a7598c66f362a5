"""A fleet imports httpx first for its one TLS context (tui.fleet.run.FleetRun.tls_context),
before any Graph client: without httpx's command-line client (click, rich, pygments),
as build_graph_client imports it, since a fleet command starts that much sooner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from tui.fleet.run import FleetRun
run = FleetRun.__new__(FleetRun)
run._tls = None
run.tls_context()
print(json.dumps({
    "httpx": "httpx" in sys.modules,
    "cli": sys.modules.get("httpx._main") is not None,
    "rich": any(name == "rich" or name.startswith("rich.") for name in sys.modules),
}))
"""


def test_the_fleets_tls_context_imports_httpx_without_its_command_line() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == {"httpx": True, "cli": False, "rich": False}
