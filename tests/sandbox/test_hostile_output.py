"""CLI output on the `hostile` seed (issue 14, point 2): `plan`, `status` and `check` print
the tenant's and the session's names with every control, escape and bidi character
made visible, and their `--json` escapes them, so the values survive exactly.

Real subprocesses against a real sandbox; the bytes they write are what is checked."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.sandbox.seeds import HOSTILE_GROUPS, HOSTILE_ORGANIZATION
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.text import json_text, safe_lines, safe_text

ROOT = Path(__file__).resolve().parents[2]
NAMES = {key: name for key, name, _ in HOSTILE_GROUPS}
PICKED = ("h-finance", "h-external", "h-click", "h-osc", "h-ansi", "h-c1", "h-bidi", "h-cjk")
POLICY_NAME = "[bold]SSO[/] \u202eycilop\u202c [@click=app.quit]x[/]"
# Raw in the output, any of these would be acted on by a terminal.
FORBIDDEN = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))] + [
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
]


def toml_string(value: str) -> str:
    # JSON escapes every control character as \\uXXXX, which TOML reads the same way;
    # other characters (C1, bidi, CJK) are allowed raw in a TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def group_list(keys: tuple[str, ...]) -> str:
    return "[" + ", ".join(f"{{ name = {toml_string(NAMES[k])} }}" for k in keys) + "]"


@pytest.fixture(scope="module")
def hostile() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="hostile") as sb:
        yield sb


def session_file(folder: Path) -> Path:
    path = folder / "rollout.toml"
    path.write_text(
        f"""[session]
schema = 1

[tenant]
cloud = "global"
auth = "token"
sign_in_domain = "contoso.com"

[sso_extension]
name = {toml_string(POLICY_NAME)}
bundle_ids = ["com.contoso.expenses"]
all_users = false
groups = {group_list(PICKED)}

[authenticator]
same_groups_as_sso = true

[enrollment_profile]
name = "iOS – account-driven user enrollment"
groups = {group_list(PICKED)}
""",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


def adue(sb: RunningSandbox, folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ADUE_", "AZURE_"))}
    env.update(
        ADUE_ACCESS_TOKEN=sb.token,
        ADUE_GRAPH_URL=sb.graph_url,
        HOME=str(folder / "home"),
        XDG_STATE_HOME=str(folder / "state"),
        PYTHONPATH=str(ROOT),
    )
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        env=env,
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
    )


def visible(name: str, out: str) -> bool:
    """`name` is in `out` made visible: as tui/text.py shows it, or as the plan's titles
    quote names (Python's repr, which escapes the same characters as \\x1b, \\u202e)."""
    return safe_text(name) in out or repr(name)[1:-1] in out


def strings(value: object) -> str:
    """Every string inside a parsed JSON value, joined (the values, not their escapes)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(strings(k) + "\n" + strings(v) for k, v in value.items())
    if isinstance(value, list):
        return "\n".join(strings(v) for v in value)
    return ""


def assert_no_control_bytes(raw: bytes) -> str:
    text = raw.decode("utf-8")
    found = sorted({hex(ord(c)) for c in text if c in FORBIDDEN and c not in "\n\t"})
    assert not found, f"raw control characters in the output: {found}\n{text}"
    return text


def test_plan_prints_names_literally_and_json_escapes_them(
    hostile: RunningSandbox, tmp_path: Path
) -> None:
    path = session_file(tmp_path)
    before = path.read_bytes()
    shown = adue(hostile, tmp_path, "plan", "--session", str(path))
    assert shown.returncode == 2, shown.stderr.decode()
    out = assert_no_control_bytes(shown.stdout)
    assert_no_control_bytes(shown.stderr)
    assert visible(POLICY_NAME, out)
    for key in PICKED:
        assert visible(NAMES[key], out), NAMES[key]
    assert "Finance [/]" in out
    assert "[@click=app.quit]Quit on click[/]" in out

    as_json = adue(hostile, tmp_path, "plan", "--session", str(path), "--json")
    assert as_json.returncode == 2, as_json.stderr.decode()
    text = assert_no_control_bytes(as_json.stdout)
    plan = json.loads(text)  # escaped, not lost: the values are the tenant's own
    everything = strings(plan)
    for key in PICKED:  # (action titles quote names as the text output does)
        assert NAMES[key] in everything or visible(NAMES[key], everything), NAMES[key]
    assert POLICY_NAME in everything  # the object's own name, exactly
    assert path.read_bytes() == before  # plan writes nothing


def test_status_prints_names_literally_and_json_escapes_them(
    hostile: RunningSandbox, tmp_path: Path
) -> None:
    path = session_file(tmp_path)
    shown = adue(hostile, tmp_path, "status", "--session", str(path))
    assert shown.returncode in (0, 2), shown.stderr.decode()
    out = assert_no_control_bytes(shown.stdout)
    assert_no_control_bytes(shown.stderr)
    assert "Finance [/]" in out
    assert visible(NAMES["h-osc"], out)
    assert visible(NAMES["h-bidi"], out)
    as_json = adue(hostile, tmp_path, "status", "--session", str(path), "--json")
    report = json.loads(assert_no_control_bytes(as_json.stdout))
    assert visible(NAMES["h-osc"], strings(report))


def test_check_prints_the_organisation_literally(hostile: RunningSandbox, tmp_path: Path) -> None:
    shown = adue(hostile, tmp_path, "check", "--session", str(tmp_path / "none.toml"))
    out = assert_no_control_bytes(shown.stdout)
    assert_no_control_bytes(shown.stderr)
    assert f"Tenant: {safe_text(HOSTILE_ORGANIZATION)}" in out, out
    as_json = adue(hostile, tmp_path, "check", "--session", str(tmp_path / "none.toml"), "--json")
    report = json.loads(assert_no_control_bytes(as_json.stdout))
    assert report["tenant"]["name"] == HOSTILE_ORGANIZATION


def test_safe_text_and_json_text() -> None:
    assert safe_text("a\x1b]0;t\x07b") == "a␛]0;t␇b"
    assert safe_text("x\x9b31m\u202ey\u2066") == "x<U+009B>31m<U+202E>y<U+2066>"
    assert safe_text("one\ntwo\tthree\r") == "one␊two three␍"
    assert safe_lines("one\ntwo\tthree") == "one\ntwo\tthree"
    assert safe_text("lone \ud800 surrogate") == "lone \ufffd surrogate"
    assert safe_text("Finance [/] 経理 🚀") == "Finance [/] 経理 🚀"  # printable: untouched
    value = {"n": "\x1b[31m\u202e😀中\x85\u2028"}
    text = json_text(value)
    assert json.loads(text) == value
    assert not any(c in text for c in FORBIDDEN if c not in "\n")
    assert "😀中" in text  # letters stay readable
