"""Corrupted and hand-broken session files: every kind is refused with a message naming the
key (and its line where there is one) or the file, and the file stays byte-identical.

Generated from the schema itself, so a key added later is covered: a wrong type for
every key of every table, an unknown key in every table, a misspelt table, a journal
entry broken in each field; then damage no person makes on purpose: truncation at
every line, a flipped byte, NULs, another encoding, an empty file. Through the library
(Session.open, what the wizard does) and through `adue plan` (exit 1, stderr).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plan.helpers import EXAMPLE, ROOT
from tui.session import JOURNAL_SCHEMA, SCHEMA, Session, SessionError

VALID = EXAMPLE.read_text(encoding="utf-8")
WRONG = {  # a value of another kind for each kind of key
    "str": "42",
    "bool": '"yes"',
    "int": '"one"',
    "datetime": '"yesterday"',
    "strs": '"com.contoso.app"',
    "groups": '["BYOD pilot"]',
    "keys": '"AppPrefixAllowList"',
}


def _wrong_value(kind: object) -> str:
    return '"not-one-of-them"' if isinstance(kind, tuple) else WRONG[str(kind)]


def _with(table: str, line: str) -> str:
    """The example session with `line` added at the top of `[table]` (added if missing)."""
    header = f"[{table}]"
    if header in VALID:
        return VALID.replace(header, f"{header}\n{line}", 1)
    return f"{VALID}\n{header}\n{line}\n"


CASES: dict[str, tuple[str, str]] = {}  # name -> (content, text the message must contain)
for table, fields in SCHEMA.items():
    for key, spec in fields.items():
        if table == "session" and key == "schema":
            continue
        body = _with(table, f"{key} = {_wrong_value(spec.kind)}")
        if f"\n{key} =" in VALID.split(f"[{table}]", 1)[-1].split("\n[", 1)[0]:
            continue  # the example sets it already: a duplicate key is its own case below
        CASES[f"wrong-type-{table}.{key}"] = (body, f"[{table}] {key} (line ")
    CASES[f"unknown-key-{table}"] = (_with(table, "colour = 1"), f"[{table}] colour (line ")
for key, spec in JOURNAL_SCHEMA.items():
    entry = {
        "time": "2026-11-27T10:00:00Z",
        "intent": '"sso_extension:create"',
        "action": '"create"',
        "object_type": '"sso_policy"',
        "result": '"ok"',
    }
    entry[key] = _wrong_value(spec.kind)
    lines = "\n".join(f"{k} = {v}" for k, v in entry.items())
    CASES[f"journal-{key}"] = (f"{VALID}\n[[journal]]\n{lines}\n", f"[journal] {key} (line ")
CASES.update(
    {
        "misspelt-table": (VALID.replace("[authenticator]", "[authentiator]"), "[authentiator]"),
        "duplicate-key": (
            VALID.replace("[priority]\n", "[priority]\norder = []\n", 1),
            "not valid TOML",
        ),
        "duplicate-table": (VALID + "\n[guide]\n", "not valid TOML"),
        "newer-schema": (VALID.replace("schema = 1", "schema = 2", 1), "[session] schema (line "),
        "no-schema": (VALID.replace("schema = 1", "", 1), "[session] schema is missing"),
        "table-as-value": (VALID.replace("[priority]\n", "priority = 3\n[priority_]\n"), "line"),
        "unclosed-string": (VALID.replace('"Contoso"', '"Contoso', 1), "not valid TOML"),
        "unclosed-array": (VALID.replace("order = []", "order = ["), "not valid TOML"),
        "group-without-id-or-name": (
            VALID.replace('{ name = "Executives" }', "{ }"),
            "[sso_extension] exclude_groups (line ",
        ),
        "group-extra-key": (
            VALID.replace('{ name = "Executives" }', '{ name = "Executives", gid = "x" }'),
            "[sso_extension] exclude_groups (line ",
        ),
        "empty-file": ("", "[session] schema is missing"),
        "nul-bytes": (VALID[:200] + "\x00\x00" + VALID[200:], "not valid TOML"),
        "latin-1": (VALID.encode("utf-8").decode("utf-8"), ""),  # replaced below
    }
)


def _write(path: Path, content: str | bytes) -> bytes:
    data = content.encode("utf-8") if isinstance(content, str) else content
    path.write_bytes(data)
    path.chmod(0o600)
    return data


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_broken_file_is_named_and_left_byte_identical(
    name: str, tmp_path: Path, tally: Counter[str]
) -> None:
    content, expected = CASES[name]
    path = tmp_path / "rollout.toml"
    data: bytes
    if name == "latin-1":
        data = _write(path, VALID.encode("utf-8").replace("–".encode(), "–".encode("cp1252")))
        expected = "not UTF-8"
    else:
        data = _write(path, content)
    with pytest.raises(SessionError) as caught:
        Session.open(path)
    message = str(caught.value)
    assert expected in message, message
    assert str(path) in message or "--session" in message
    assert path.read_bytes() == data
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "rollout.toml.lock") == [
        "rollout.toml"
    ]
    tally["broken session files refused untouched"] += 1


@pytest.mark.parametrize("name", ["wrong-type-guide.output_dir", "unclosed-string"])
def test_adue_plan_says_the_same_and_exits_1(name: str, tmp_path: Path) -> None:
    content, expected = CASES[name]
    path = tmp_path / "rollout.toml"
    data = _write(path, content)
    env = dict(os.environ, PYTHONPATH=str(ROOT), ADUE_ACCESS_TOKEN="unused")
    result = subprocess.run(
        [sys.executable, "-m", "tui", "plan", "--session", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result
    assert expected in result.stderr
    assert str(path) in result.stderr
    assert path.read_bytes() == data


def test_truncation_at_every_line_is_refused_or_still_valid(
    tmp_path: Path, tally: Counter[str]
) -> None:
    """A file cut short (a disk full, a bad copy) is either still a valid session or refused
    with a message; it is never half-read, and never changed."""
    path = tmp_path / "rollout.toml"
    lines = VALID.splitlines(keepends=True)
    for cut in range(len(lines)):
        for partial in (0, len(lines[cut]) // 2):
            data = _write(path, "".join(lines[:cut]) + lines[cut][:partial])
            try:
                Session.open(path, create=False).close()
            except SessionError as error:
                assert str(path) in str(error) or "[session]" in str(error)
                tally["truncated files refused untouched"] += 1
            else:
                tomllib.loads(data.decode())  # it was a valid, shorter session
                tally["truncated files still valid"] += 1
            assert path.read_bytes() == data


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_random_byte_damage_never_crashes_nor_writes(tmp_path: Path, data: st.DataObject) -> None:
    raw = bytearray(VALID.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    path = tmp_path / "fuzzed.toml"
    path.write_bytes(bytes(raw))
    try:
        Session.open(path, create=False, lock=False)
    except SessionError as error:
        assert str(error)
    assert path.read_bytes() == bytes(raw)


def test_the_unbroken_base_opens(tmp_path: Path) -> None:
    """The base of every case above is itself valid (else the cases prove nothing)."""
    path = tmp_path / "rollout.toml"
    _write(path, VALID)
    with Session.open(path, create=False) as session:
        assert session.get("guide", "organization") == "Contoso"
