"""Property-based fuzzing (hypothesis) of the session loader: arbitrary bytes, arbitrary
TOML documents, and the example session with values of every type put in every key.

Property: opening the file (as `plan` does, read-only, and as `apply` does, with the
lock) either loads it or raises SessionError — never another exception — and the file
stays byte-identical.

More examples: ADUE_FUZZ_EXAMPLES=5000 (what `make soak` uses).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tui.session import Session, SessionError
from tui.session.schema import SCHEMA

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_TEXT = (ROOT / "examples" / "sandbox-demo.toml").read_text(encoding="utf-8")
EXAMPLE = tomllib.loads(EXAMPLE_TEXT)

# Quick form in `make test`; `make soak` sets 5000.
EXAMPLES = int(os.environ.get("ADUE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FOLDER = Path(tempfile.mkdtemp(prefix="adue-fuzz-session-"))

# Every value TOML can hold, nested a little.
toml_scalar = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(max_size=40),
    st.datetimes(timezones=st.sampled_from([dt.UTC, None])),
    st.dates(),
    st.times(),
)
toml_value = st.recursive(
    toml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(min_size=1, max_size=12), inner, max_size=4),
    ),
    max_leaves=12,
)
known_table = st.sampled_from([*SCHEMA, "journal"])
known_key = st.sampled_from(sorted({key for fields in SCHEMA.values() for key in fields}))


def _opens_or_refuses(data: bytes) -> None:
    """The property, for one file content."""
    path = FOLDER / "fuzz.toml"
    lock = path.with_name(path.name + ".lock")
    path.write_bytes(data)
    path.chmod(0o600)
    for opener in (Session.read_only, lambda p: Session.open(p, create=False)):
        try:
            session = opener(path)
        except SessionError as exc:
            assert str(exc), "a SessionError always says what is wrong"
        else:
            session.data  # noqa: B018 - reading everything must work too
            session.journal()
            session.close()
        assert path.read_bytes() == data, "the session file was changed"
    lock.unlink(missing_ok=True)


def _dump(document: dict[str, Any]) -> bytes:
    return tomlkit.dumps(document).encode("utf-8")


@FUZZ
@given(st.binary(max_size=2000))
@example(b"\xef\xbb\xbf[session]\nschema = 1\n")
@example(b"[session]\nschema = 0\n")
@example(b"a = " + b"[" * 5000)
@example(b"a = " + b"{x = " * 3000)
@example(b"[[journal]]\n" * 3)
@example("[session]\nschema = 1\n".encode("utf-16"))
def test_any_bytes(data: bytes) -> None:
    _opens_or_refuses(data)


@FUZZ
@given(st.dictionaries(st.text(min_size=1, max_size=12), toml_value, max_size=5))
def test_any_toml_document(document: dict[str, Any]) -> None:
    _opens_or_refuses(_dump(document))


@FUZZ
@given(st.dictionaries(known_table, st.dictionaries(known_key, toml_value, max_size=4), max_size=4))
def test_known_tables_with_values_of_any_type(document: dict[str, Any]) -> None:
    _opens_or_refuses(_dump(document))


@FUZZ
@given(
    st.sampled_from(sorted((t, k) for t, fields in SCHEMA.items() for k in fields)),
    st.one_of(toml_value, st.none()),
)
def test_the_example_with_one_key_of_any_value(place: tuple[str, str], value: Any) -> None:
    """The whole valid example, with one key replaced (None: removed)."""
    document = copy.deepcopy(EXAMPLE)
    table, key = place
    container = document.setdefault(table, {})
    if value is None:
        container.pop(key, None)
    else:
        container[key] = value
    _opens_or_refuses(_dump(document))


@FUZZ
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(
                [
                    "time",
                    "intent",
                    "action",
                    "object_type",
                    "object_id",
                    "request_id",
                    "result",
                    "detail",
                    "other",
                ]
            ),
            toml_value,
            max_size=8,
        ),
        max_size=6,
    )
)
def test_journal_entries_of_any_shape(entries: list[dict[str, Any]]) -> None:
    document = copy.deepcopy(EXAMPLE)
    aot = tomlkit.aot()
    for entry in entries:
        table = tomlkit.table()
        table.update(entry)
        aot.append(table)
    _opens_or_refuses(_dump(document) + b"\n" + tomlkit.dumps({"journal": aot}).encode())


@FUZZ
@given(st.integers(0, len(EXAMPLE_TEXT)), st.text(max_size=8), st.integers(0, 20))
@example(0, "", 0)
def test_the_example_with_a_typo(at: int, inserted: str, removed: int) -> None:
    """Hand edits gone wrong: characters inserted or deleted anywhere, or a cut-off file."""
    text = EXAMPLE_TEXT[:at] + inserted + EXAMPLE_TEXT[at + removed :]
    _opens_or_refuses(text.encode("utf-8", "surrogatepass"))
    _opens_or_refuses(EXAMPLE_TEXT[:at].encode("utf-8"))
