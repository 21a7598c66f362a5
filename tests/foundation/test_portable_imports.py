"""Every module of tui/ and screens/ imports where `fcntl` does not exist (Windows): the
session lock imports the platform's locking module only when it takes the lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
sys.modules["fcntl"] = None  # what `import fcntl` meets on Windows
failed, seen = {}, []
for package in ("tui", "screens"):
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if info.name.endswith(".__main__"):
            continue  # running it starts adue
        seen.append(info.name)
        try:
            importlib.import_module(info.name)
        except Exception as exc:
            failed[info.name] = repr(exc)
print(json.dumps({"file": sys.modules["tui"].__file__, "seen": seen, "failed": failed}))
"""


def test_every_module_imports_without_fcntl() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert Path(report["file"]).is_relative_to(ROOT)  # this checkout, not an installed copy
    assert {"tui.session.lock", "tui.app", "screens.sign_in"} <= set(report["seen"])
    assert report["failed"] == {}
