"""SIGKILL at random moments of a save loop never leaves a corrupt or half-written session."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

from tui.session import Session

SAVE_LOOP = textwrap.dedent(
    """
    import sys
    from tui.session import Session
    s = Session.open(sys.argv[1])
    start = int(sys.argv[2])
    print("ready", flush=True)
    n = start
    while True:
        n += 1
        s.set("guide", "organization", f"org-{n}")
        s.set("sso_extension", "bundle_ids", [f"com.contoso.app{i}" for i in range(n % 40)])
        s.save()
    """
)

KILLS = 200


def test_two_hundred_sigkills_leave_old_or_new_content(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    Session.open(path).close()
    rng = random.Random(20261127)
    last = 0
    for _ in range(KILLS):
        child = subprocess.Popen(
            [sys.executable, "-c", SAVE_LOOP, str(path), str(last)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        data = tomllib.loads(path.read_text())  # parses: never half-written
        organization = data["guide"]["organization"]
        if organization:
            number = int(organization.removeprefix("org-"))
            # old or new content: the two keys saved together always agree
            expected = [f"com.contoso.app{i}" for i in range(number % 40)]
            assert data["sso_extension"]["bundle_ids"] == expected
            assert number >= last
            last = number
        with Session.open(path) as session:  # and it still validates
            assert session.current_step == "sign_in"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []  # every open cleaned the dead writer's temp file
