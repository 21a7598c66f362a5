"""The session file: round trips, validation with line numbers, atomic 0600 saves, the lock."""

from __future__ import annotations

import fcntl
import os
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import tomllib
from pathlib import Path

import pytest

from tui.session import SCHEMA_VERSION, Session, SessionError, SessionLockedError


def test_new_session_has_every_table_and_is_private(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with Session.open(path) as session:
        assert session.current_step == "sign_in"
    data = tomllib.loads(path.read_text())
    assert data["session"]["schema"] == SCHEMA_VERSION
    for table in (
        "tenant",
        "sign_in",
        "prerequisites",
        "sso_extension",
        "authenticator",
        "enrollment_profile",
        "priority",
        "review",
        "guide",
    ):
        assert table in data, table
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # No dotted keys anywhere (tomlkit corrupts edits of them).
    for line in path.read_text().splitlines():
        key = line.split("=", 1)[0]
        assert "=" not in line or line.lstrip().startswith("#") or "." not in key.strip(), line


def test_hand_edits_and_comments_survive_a_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    Session.open(path).close()
    text = path.read_text().replace(
        "[sso_extension]",
        "# Finance asked for these apps (ticket 4711)\n[sso_extension]",
    )
    text = text.replace('description = ""', 'description = "hand written" # keep me', 1)
    path.write_text(text)
    with Session.open(path) as session:
        session.set("sso_extension", "bundle_ids", ["com.contoso.expenses"])
        session.set("sso_extension", "groups", [{"id": "g-1", "name": "Finance"}])
        session.save()
    after = path.read_text()
    assert "# Finance asked for these apps (ticket 4711)" in after
    assert 'description = "hand written" # keep me' in after
    data = tomllib.loads(after)
    assert data["sso_extension"]["bundle_ids"] == ["com.contoso.expenses"]
    assert data["sso_extension"]["groups"] == [{"id": "g-1", "name": "Finance"}]
    assert "{id = " in after  # groups stay inline tables


def test_journal_entries_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with Session.open(path) as session:
        index = session.journal_append(
            intent="sso_extension.create",
            action="create",
            object_type="iosDeviceFeaturesConfiguration",
            result="pending",
        )
        session.save()
        session.journal_update(index, result="ok", object_id="abc", request_id="r-1")
        session.save()
    with Session.open(path) as session:
        (entry,) = session.journal()
    assert entry["result"] == "ok"
    assert entry["object_id"] == "abc"
    assert entry["request_id"] == "r-1"


def test_what_a_loaded_session_hands_out_is_its_own_copy(tmp_path: Path) -> None:
    """data, table, get and journal copy the plain values read from the file: a caller
    changing what it got (nested lists and tables too) changes nothing in the session."""
    path = tmp_path / "s.toml"
    with Session.open(path) as session:
        session.set("priority", "applied_order", ["a", "b"])
        session.journal_append(intent="x.create", action="create", result="ok")
        session.save()
    with Session.open(path) as session:
        before = session.data
        got = [session.data, session.table("priority"), session.journal()[0]]
        got[0]["priority"]["applied_order"].append("from data")
        got[0]["journal"][0]["result"] = "from data"
        got[1]["applied_order"].append("from table")
        got[2]["result"] = "from journal"
        session.get("priority", "applied_order").append("from get")
        assert session.data == before
        assert session.get("priority", "applied_order") == ["a", "b"]


BAD_FILES = {
    "bad TOML": ('[session]\nschema = 1\nid = "x\n', "not valid TOML", "line 3"),
    "wrong type": (
        '[session]\nschema = 1\n\n[sso_extension]\nall_users = "yes"\n',
        "[sso_extension] all_users (line 5): all_users must be true or false",
        None,
    ),
    "unknown step": (
        '[session]\nschema = 1\ncurrent_step = "sign-on"\n',
        "[session] current_step (line 3): current_step must be one of",
        None,
    ),
    "newer schema": (
        "[session]\nschema = 7\n",
        "[session] schema (line 2): this file has schema 7, written by a newer adue",
        "Upgrade adue",
    ),
    "unknown key": (
        "[session]\nschema = 1\n\n[sso_extension]\nbundle_id = []\n",
        "[sso_extension] bundle_id (line 5): unknown key 'bundle_id'",
        "Fix the spelling",
    ),
    "unknown table": (
        "[session]\nschema = 1\n[tenants]\n",
        "[tenants] (line 3): unknown table",
        None,
    ),
    "bad group": (
        '[session]\nschema = 1\n[enrollment_profile]\ngroups = [{ gid = "x" }]\n',
        "[enrollment_profile] groups (line 4)",
        None,
    ),
    "no schema": ('[tenant]\ncloud = "global"\n', "[session] schema is missing", None),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_files_name_key_and_line_and_stay_byte_identical(tmp_path: Path, name: str) -> None:
    content, message, extra = BAD_FILES[name]
    path = tmp_path / "s.toml"
    path.write_text(content)
    before = path.read_bytes()
    with pytest.raises(SessionError) as caught:
        Session.open(path)
    assert message in str(caught.value)
    if extra:
        assert extra in str(caught.value)
    assert path.read_bytes() == before


def test_set_refuses_bad_values_without_touching_the_file(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with Session.open(path) as session:
        before = path.read_bytes()
        with pytest.raises(SessionError, match=r"\[tenant\] cloud must be one of"):
            session.set("tenant", "cloud", "mars")
        with pytest.raises(KeyError):
            session.set("tenant", "password", "hunter2")
    assert path.read_bytes() == before


def test_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="does not exist"):
        Session.open(tmp_path / "nope" / "s.toml")


def test_leftover_temp_files_are_cleaned_when_the_lock_is_taken(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    Session.open(path).close()
    stale = tmp_path / ".s.toml.99999.1.tmp"
    stale.write_text("half")
    Session.open(path).close()
    assert not stale.exists()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from tui.session import Session
    s = Session.open(sys.argv[1])
    print("locked", flush=True)
    time.sleep(60)
    """
)


def test_second_process_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        before = path.read_bytes()
        with pytest.raises(SessionLockedError) as caught:
            Session.open(path)
        assert f"pid {holder.pid}" in str(caught.value)
        # The CLI says the same and exits non-zero without touching the file.
        result = subprocess.run(
            [sys.executable, "-m", "tui", "--session", str(path)],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 1
        assert f"pid {holder.pid}" in result.stderr
        assert "in use" in result.stderr
        assert path.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the dead holder's lock: the session opens again.
    Session.open(path).close()


def lock_details(details: dict[str, object]) -> bytes:
    return "".join(f"{key}={value}\n" for key, value in details.items()).encode()


def write_over(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def test_a_comer_right_after_the_lock_was_taken_still_learns_the_holder(tmp_path: Path) -> None:
    # The holder takes the flock first and writes its details a moment later; a second
    # adue arriving in between must wait for them, not say "another adue process".
    path = tmp_path / "s.toml"
    Session.open(path).close()
    lock_path = tmp_path / "s.toml.lock"
    fd = os.open(lock_path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.ftruncate(fd, 0)
    # What a holder killed earlier left behind (this host, a pid that no longer runs)...
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    stale = {"pid": int(dead.stdout), "user": "old", "host": socket.gethostname(), "since": "x"}
    os.pwrite(fd, lock_details(stale), 0)
    # ...is replaced by the new holder's details 0.2 s after it took the lock.
    details = {"pid": os.getpid(), "user": "ops", "host": socket.gethostname(), "since": "now"}
    writer = threading.Timer(0.2, write_over, (fd, lock_details(details)))
    writer.start()
    try:
        with pytest.raises(SessionLockedError) as caught:
            Session.open(path)
        assert f"in use by adue (pid {os.getpid()}, user ops on" in str(caught.value)
    finally:
        writer.join()
        os.close(fd)


def test_save_is_atomic_replace_in_the_same_folder(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with Session.open(path) as session:
        inode = path.stat().st_ino
        session.set("guide", "organization", "Contoso")
        session.save()
        assert path.stat().st_ino != inode  # replaced, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml", "s.toml.lock"]
    assert os.stat(path).st_mode & 0o077 == 0
