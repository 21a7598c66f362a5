"""The fleet file: every problem named with the file, the tenant, table.key, line and fix;
ids apply writes refused; unknown tables and keys refused naming the known ones; no
exception but FleetFileError for any input (hypothesis); nothing written when bad."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui import cli
from tui.fleet.file import FleetFileError, parse_fleet

EXAMPLES = int(os.environ.get("ADUE_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
GOOD = """\
[fleet]
name = "MSP"

[sign_in]
mode = "gdap"
partner_tenant = "partner.example"

[template.sso_extension]
all_users = true

[template.enrollment_profile]
groups = [{ name = "BYOD iOS" }]

[[tenant]]
id = "fabrikam.example"
label = "fabrikam"
name = "Fabrikam Ltd"
[tenant.overrides]
"enrollment_profile.groups" = [{ name = "Fabrikam BYOD" }]
"guide.organization" = "Fabrikam"

[[tenant]]
id = "2F7B0C1E-1111-2222-3333-444455556666"
label = "contoso"
"""


def problem(text: str) -> str:
    with pytest.raises(FleetFileError) as caught:
        parse_fleet(text, Path("/x/fleet.toml"))
    return str(caught.value)


def test_a_good_file_resolves_template_and_overrides() -> None:
    fleet = parse_fleet(GOOD, Path("/x/fleet.toml"))
    assert fleet.name == "MSP"
    assert fleet.concurrency == 8
    assert fleet.sessions_dir == Path("/x/fleet.tenants")
    fabrikam, contoso = fleet.tenants
    assert fabrikam.desired["enrollment_profile"]["groups"] == [{"name": "Fabrikam BYOD"}]
    assert fabrikam.desired["guide"] == {"organization": "Fabrikam"}
    assert contoso.desired["enrollment_profile"]["groups"] == [{"name": "BYOD iOS"}]
    assert "guide" not in contoso.desired  # only fabrikam's overrides name [guide]
    assert contoso.id == "2f7b0c1e-1111-2222-3333-444455556666"
    assert fleet.session_path(contoso) == Path("/x/fleet.tenants/contoso.toml")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # a bad value: file, tenant, table.key, line, the fix
        (
            ('"guide.organization" = "Fabrikam"', '"guide.languages" = "de"'),
            "fleet.toml: tenant 'fabrikam': [tenant.overrides] guide.languages (line 20):"
            " guide.languages must be an array of strings.",
        ),
        (
            ("all_users = true", "all_users = 1"),
            "fleet.toml: [template.sso_extension] all_users (line 9): sso_extension.all_users"
            " must be true or false.",
        ),
        # ids apply writes
        (
            ("all_users = true", 'policy_id = "abc"'),
            "[template.sso_extension] policy_id (line 9): sso_extension.policy_id is written"
            " by apply",
        ),
        (
            ('"guide.organization" = "Fabrikam"', '"priority.applied_order" = ["a"]'),
            "tenant 'fabrikam': [tenant.overrides] priority.applied_order (line 20)",
        ),
        (
            ('{ name = "BYOD iOS" }', '{ id = "g1", name = "BYOD iOS" }'),
            "enrollment_profile.groups: give groups by name only",
        ),
        (
            ("[template.sso_extension]", "[template.review]"),
            "[template.review] (line 8): [review] is not desired state",
        ),
        # unknown tables and keys, with the known ones
        (
            ("[template.sso_extension]", "[template.sso_extensoin]"),
            "unknown session table 'sso_extensoin'. Tables a fleet file may set: tenant,"
            " sso_extension, authenticator, web_clip, enrollment_profile, priority, guide.",
        ),
        (
            ("all_users = true", "al_users = true"),
            "sso_extension.al_users: unknown key. Keys of [sso_extension] a fleet file may"
            " set: name, description, bundle_ids",
        ),
        (
            ("[fleet]", "[fleets]"),
            "[fleets] (line 1): unknown table 'fleets'. Known tables: [fleet], [sign_in],"
            " [template], [[tenant]].",
        ),
        (
            ('name = "MSP"', 'nmae = "MSP"'),
            "[fleet] nmae (line 2): unknown key 'nmae' in [fleet]. Known keys: name,"
            " sessions_dir, concurrency.",
        ),
        (
            ('mode = "gdap"', 'secret = "hunter2"'),
            "[sign_in] secret (line 5): unknown key 'secret' in [sign_in]",
        ),
        (
            ('mode = "gdap"', 'mode = "password"'),
            "mode 'password' is not a fleet sign-in: choose one of gdap, app-secret,"
            " app-certificate",
        ),
        (
            ('"guide.organization" = "Fabrikam"', '"tenant.tenant_id" = "x.example"'),
            "tenant.tenant_id: the sign-in keys come from [sign_in] and each [[tenant]] id",
        ),
        (
            ('"guide.organization" = "Fabrikam"', '"guide" = "Fabrikam"'),
            "'guide' is not a table.key",
        ),
        (
            ('"guide.organization" = "Fabrikam"', '"guide.output_dir" = "x"\nx = 1'),
            "",  # an override of output_dir is fine; x = 1 is an unknown override table
        ),
        # the tenants
        (
            ('label = "contoso"', 'label = "fabrikam"'),
            "[tenant] label (line 24): [[tenant]] label 'fabrikam' appears twice (first at"
            " line 16)",
        ),
        (
            ('id = "2F7B0C1E-1111-2222-3333-444455556666"', 'id = "FABRIKAM.example"'),
            "[tenant] id (line 23): [[tenant]] id 'FABRIKAM.example' appears twice (first at"
            " line 15)",
        ),
        (('label = "contoso"', 'label = "Contoso Ltd"'), "label 'Contoso Ltd': use a-z, 0-9"),
        (('label = "contoso"', 'lable = "contoso"'), "unknown key 'lable' in [[tenant]]"),
        (('label = "contoso"', ""), "[[tenant]] number 2 (line 22): label is missing"),
        (
            ('id = "fabrikam.example"', 'id = "not a tenant"'),
            "tenant 'fabrikam': [tenant] id (line 15): 'not a tenant' is neither a tenant id"
            " nor a domain",
        ),
        (('id = "fabrikam.example"', 'id = "common"'), "tenant 'fabrikam'"),
    ],
)
def test_each_problem_is_named_with_its_place_and_fix(
    change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    message = problem(text)
    assert message.startswith("fleet.toml: "), message
    assert expected in message, message


def test_template_output_dir_and_no_tenants_are_refused() -> None:
    text = GOOD.replace("all_users = true", 'all_users = true\n[template.guide]\noutput_dir = "g"')
    assert "guide.output_dir cannot be shared" in problem(text)
    assert "no [[tenant]]" in problem(GOOD.split("[[tenant]]")[0])


def test_dotted_override_keys_mean_the_same() -> None:
    text = GOOD.replace('"guide.organization" = "Fabrikam"', 'guide.organization = "Fabrikam"')
    fabrikam = parse_fleet(text, Path("/x/fleet.toml")).tenants[0]
    assert fabrikam.desired["guide"] == {"organization": "Fabrikam"}
    bad = GOOD.replace('"guide.organization" = "Fabrikam"', "guide.organization = 3")
    assert (
        "[tenant.overrides] guide.organization (line 20): guide.organization must be a"
        in problem(bad)
    )


def test_only_names_unknown_labels() -> None:
    fleet = parse_fleet(GOOD, Path("/x/fleet.toml"))
    assert [t.label for t in fleet.select(["contoso"])] == ["contoso"]
    assert [t.label for t in fleet.select(["contoso,fabrikam"])] == ["fabrikam", "contoso"]
    with pytest.raises(
        FleetFileError,
        match=re.escape("--only nope: no such tenant label in fleet.toml. Its labels: fabrikam"),
    ):
        fleet.select(["nope"])


def test_a_bad_fleet_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fleet.toml"
    text = GOOD.replace(
        "[template.enrollment_profile]",
        "[template.authenticator]\napp_id = 'x'\n[template.enrollment_profile]",
    )
    path.write_text(text, encoding="utf-8")
    for action in ("apply", "plan", "guide"):
        args = ["fleet", action, "--fleet", str(path)] + (["--yes"] if action == "apply" else [])
        assert cli.main(args) == 1
        err = capsys.readouterr().err
        assert f"adue fleet {action}: fleet.toml: [template.authenticator] app_id (line 12)" in err
        assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fleet.toml"]
    assert path.read_text(encoding="utf-8") == text
    missing = cli.main(["fleet", "plan", "--fleet", str(tmp_path / "nope.toml")])
    assert missing == 1
    assert "no such fleet file" in capsys.readouterr().err


# --- fuzzing ---------------------------------------------------------------------------

toml_scalar = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
toml_value = st.recursive(
    toml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.text(min_size=1, max_size=10), inner, max_size=3),
    ),
    max_leaves=8,
)
PLACES = [
    ("fleet",),
    ("sign_in",),
    ("template",),
    ("template", "sso_extension"),
    ("template", "enrollment_profile"),
]


def _refusal(text: str) -> str | None:
    """The message of the FleetFileError for `text`, or None when it parses."""
    try:
        parse_fleet(text, Path("/x/fleet.toml"))
    except FleetFileError as exc:
        return str(exc)
    return None


@FUZZ
@given(st.text(max_size=400))
def test_any_text_gives_a_message_or_a_fleet(text: str) -> None:
    refusal = _refusal(text)
    assert refusal is None or refusal.startswith("fleet.toml: ")


@FUZZ
@given(
    st.sampled_from([*PLACES, ("tenant", 0), ("tenant", 0, "overrides"), ("tenant", 1)]),
    st.one_of(
        st.sampled_from(
            ["mode", "label", "id", "name", "overrides", "groups", "all_users", "concurrency"]
        ),
        st.sampled_from(["guide.languages", "tenant.sign_in_domain", "sso_extension.groups"]),
        st.text(min_size=1, max_size=12),
    ),
    toml_value,
)
def test_any_value_anywhere_gives_a_message_or_a_fleet(
    place: tuple[Any, ...], key: str, value: Any
) -> None:
    data = tomllib.loads(GOOD)
    target: Any = data
    for step in place:
        target = (
            target[step]
            if not isinstance(target, dict) or step in target
            else target.setdefault(step, {})
        )
    target[key] = value
    try:
        text = tomlkit.dumps(data)
    except Exception:  # tomlkit cannot write every value hypothesis makes
        return
    refusal = _refusal(text)
    assert refusal is None or refusal.startswith("fleet.toml: ")
