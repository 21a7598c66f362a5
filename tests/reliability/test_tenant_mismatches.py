"""Tenant mismatches refused, broadly: real `python -m tui` runs (apply, plan, status,
check) against the sandbox with sessions pinned to many random other-tenant GUIDs, many
invalid tenant_id values, domains the signed-in tenant has not verified, and tokens of
another tenant (a second sandbox tenant, Fabrikam). Each one: refused with a non-zero
exit and no traceback, both tenants named (an invalid value: the key, its line and the
fix, before any request), zero writes in the sandbox's request log (and no request
after the tenant check's round trip: GET /organization, alone or in the plan's first
$batch), the session file byte for byte as it was.

One case of each kind in `make test` (tests/plan/test_tenant_pin.py has the worded
checks); the rest with `make soak`.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.plan.helpers import count_named, example_session
from tests.plan.test_tenant_pin import adue, only_the_check_round_trip
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.validators import tenant_value_problem

GUIDS = 20
INVALID = 15
DOMAINS = 10
TOKENS = 10
COMMANDS = ("apply", "plan", "check", "status")


def _cases(kind: str, count: int) -> list[Any]:
    return [
        pytest.param(i, id=f"{kind}-{i}", marks=() if i == 0 else (pytest.mark.soak,))
        for i in range(count)
    ]


def _command(index: int) -> tuple[str, ...]:
    command = COMMANDS[index % len(COMMANDS)]
    return ("apply", "--yes") if command == "apply" else (command,)


@pytest.fixture(scope="module")
def contoso() -> Iterator[RunningSandbox]:
    """Shared: nothing here may write (each case checks that, and clears the log first)."""
    with start_sandbox(seed="demo") as sb:
        yield sb


@pytest.fixture(scope="module")
def fabrikam() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo", directory="fabrikam") as sb:
        yield sb


def _pinned(tmp_path: Path, tenant_id: str, organization: str = "") -> Path:
    """The example session with `[tenant] tenant_id` (any string, TOML-escaped)."""
    path = example_session(tmp_path)
    text = path.read_text(encoding="utf-8")
    extra = f"tenant_id = {json.dumps(tenant_id)}\n"
    if organization:
        extra += f"organization = {json.dumps(organization)}\n"
    path.write_text(text.replace("[tenant]\n", "[tenant]\n" + extra, 1), encoding="utf-8")
    return path


def _run(
    sb: RunningSandbox, tmp_path: Path, path: Path, index: int, token: str = ""
) -> tuple[str, bytes]:
    before = path.read_bytes()
    sb.clear_requests()
    json_form = ("--json",) if index % 2 else ()  # the text form and the --json form alike
    result = adue(sb, tmp_path, *_command(index), "--session", str(path), *json_form, token=token)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output
    assert path.read_bytes() == before
    return output, before


def _invalid_value(rng: random.Random) -> str:
    """Something a person might paste as a tenant: a cut or mangled GUID, a URL, words,
    a mail address, control characters; each one neither a GUID nor a domain."""
    guid = str(uuid.UUID(int=rng.getrandbits(128)))
    makers: list[Callable[[], str]] = [
        lambda: guid[: rng.randint(8, 35)],
        lambda: guid.replace("-", rng.choice("_ /:")),
        lambda: guid[:9] + rng.choice("ghxz!") + guid[10:],
        lambda: f"https://{rng.choice(['contoso', 'login'])}.example/{guid}",
        lambda: "not a tenant!!",
        lambda: f"admin@{rng.choice(['contoso.com', 'fabrikam.com'])}",
        lambda: "".join(rng.choice(string.punctuation) for _ in range(rng.randint(2, 12))),
        lambda: f"contoso.com\n{guid}",
        lambda: "\x1b[31m" + guid,
        lambda: "a" * rng.randint(64, 300) + ".com",
    ]
    for _ in range(50):
        value = rng.choice(makers)()
        if value.strip() and tenant_value_problem(value):
            return value
    raise AssertionError("no invalid value drawn")


@pytest.mark.parametrize("index", _cases("guid", GUIDS))
def test_a_random_other_tenant_guid_is_refused(
    contoso: RunningSandbox, tmp_path: Path, index: int, tally: Counter[str]
) -> None:
    other = str(uuid.UUID(int=random.Random(index).getrandbits(128), version=4))
    assert other != contoso.tenant_id
    named = index % 2 == 0  # with and without the organization the session recorded
    path = _pinned(tmp_path, other.upper() if index % 3 == 0 else other, "Fabrikam" * named)
    output, _ = _run(contoso, tmp_path, path, index)
    assert other.lower() in output.lower()
    assert contoso.tenant_id in output
    assert "Contoso" in output
    only_the_check_round_trip(contoso)
    assert count_named(contoso) == (0, 0)
    tally["tenant mismatches refused: other GUIDs"] += 1


@pytest.mark.parametrize("index", _cases("invalid", INVALID))
def test_an_invalid_tenant_id_is_refused_before_any_request(
    contoso: RunningSandbox, tmp_path: Path, index: int, tally: Counter[str]
) -> None:
    value = _invalid_value(random.Random(1000 + index))
    path = _pinned(tmp_path, value)
    output, _ = _run(contoso, tmp_path, path, index)
    assert "[tenant] tenant_id" in output
    assert "is neither a tenant id nor a domain" in output
    assert contoso.requests == []  # refused before the sign-in is even used
    assert "\x1b" not in output  # the value is data, never passed to the terminal raw
    tally["tenant mismatches refused: invalid values"] += 1


@pytest.mark.parametrize("index", _cases("domain", DOMAINS))
def test_a_domain_the_tenant_has_not_verified_is_refused(
    contoso: RunningSandbox, tmp_path: Path, index: int, tally: Counter[str]
) -> None:
    rng = random.Random(2000 + index)
    word = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 12)))
    domain = ["fabrikam.com", f"{word}.com", f"{word}.onmicrosoft.com", f"contoso.{word}"][
        index % 4
    ]
    path = _pinned(tmp_path, domain)
    output, _ = _run(contoso, tmp_path, path, index)
    assert f"the verified domain {domain}" in output
    assert f"Contoso ({contoso.tenant_id})" in output
    only_the_check_round_trip(contoso)
    assert count_named(contoso) == (0, 0)
    tally["tenant mismatches refused: other domains"] += 1


@pytest.mark.parametrize("index", _cases("token", TOKENS))
def test_a_token_of_another_tenant_is_refused(
    contoso: RunningSandbox,
    fabrikam: RunningSandbox,
    tmp_path: Path,
    index: int,
    tally: Counter[str],
) -> None:
    # The session belongs to Contoso (by id, or by its verified domain); the sign-in is
    # Fabrikam's, and Graph answers for the token's tenant.
    pin = contoso.tenant_id if index % 2 == 0 else contoso.sign_in_domain
    path = _pinned(tmp_path, pin, "Contoso")
    token = fabrikam.mint_token(expires_in=600 + index)
    output, _ = _run(fabrikam, tmp_path, path, index, token=token)
    assert pin in output
    assert f"Fabrikam ({fabrikam.tenant_id})" in output
    only_the_check_round_trip(fabrikam)
    assert count_named(fabrikam) == (0, 0)
    tally["tenant mismatches refused: other-tenant tokens"] += 1
