"""Pure parts: the validators the wizard reuses, and the desired state read from a session."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.plan.helpers import EXAMPLE, apply_file, group_id, plan_file, session_with_ids
from tui.rollout.desired import DesiredStateError, desired_state
from tui.rollout.model import ActionKind
from tui.sandbox.server import RunningSandbox
from tui.session import Session
from tui.validators import (
    bundle_id_problem,
    bundle_ids_problems,
    display_name_problem,
    domain_problem,
    guid_problem,
)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("com.contoso.expenses", ""),
        ("  com.contoso.expenses  ", ""),
        ("com.microsoft.azureauthenticator", "is Microsoft Authenticator"),
        ("COM.Microsoft.AzureAuthenticator", "is Microsoft Authenticator"),
        ("com.microsoft.skype.teams", "is a Microsoft app"),
        ("contoso", "is not reverse-DNS"),
        ("com.contoso app", "contains spaces"),
        ("com..contoso", "is not reverse-DNS"),
        ("", "is empty"),
    ],
)
def test_bundle_ids(value: str, fragment: str) -> None:
    problem = bundle_id_problem(value)
    assert (fragment in problem) if fragment else problem == ""


def test_bundle_id_list_duplicates() -> None:
    assert bundle_ids_problems(["com.a.b", "com.A.b "]) == [
        "bundle id 'com.A.b' is listed twice: keep one"
    ]


@given(st.from_regex(r"[a-z]{2,8}(\.[a-z0-9-]{1,10}){1,3}", fullmatch=True))
def test_any_reverse_dns_non_microsoft_id_is_accepted(value: str) -> None:
    if not value.startswith(("com.microsoft.", "com.skype.", "com.yammer.", "com.linkedin.")):
        assert bundle_id_problem(value) == ""


def test_guid_domain_and_name_validators() -> None:
    assert guid_problem("5f1c8f7e-1111-2222-3333-444455556666") == ""
    assert "is not a GUID" in guid_problem("5f1c8f7e", "group id")
    assert domain_problem("contoso.com") == ""
    assert "bare domain" in domain_problem("user@contoso.com")
    assert "not a domain" in domain_problem("contoso")
    assert display_name_problem("iOS – SSO") == ""
    assert "is empty" in display_name_problem("  ", "policy name")
    assert "control characters" in display_name_problem("a\tb")


def test_the_example_is_a_complete_desired_state() -> None:
    desired = desired_state(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert desired.sso
    assert desired.authenticator
    assert desired.profile
    assert desired.authenticator.groups == desired.sso.groups  # same_groups_as_sso
    assert desired.priority == ()
    assert [g.name for g in desired.profile.groups] == ["BYOD pilot", "All iOS users"]


def test_bad_session_content_names_every_key() -> None:
    data = {
        "sso_extension": {
            "name": " ",
            "bundle_ids": ["com.microsoft.azureauthenticator"],
            "all_users": False,
            "groups": [{"id": "not-a-guid"}],
        },
        "authenticator": {"same_groups_as_sso": False, "groups": []},
        "enrollment_profile": {"name": "P"},
        "priority": {"order": ["nonsense", "enrollment_profile", "enrollment_profile"]},
    }
    with pytest.raises(DesiredStateError) as error:
        desired_state(data)
    problems = error.value.problems
    assert [p.split(":")[0] for p in problems] == [
        "[sso_extension] name",
        "[sso_extension] bundle_ids",
        "[sso_extension] groups",
        "[authenticator] groups",
        "[enrollment_profile] groups",  # no target: nobody could enroll with it
        "[priority] order",
        "[priority] order",
    ]


def test_missing_tables_leave_those_objects_alone() -> None:
    desired = desired_state({"enrollment_profile": {"name": "P", "all_users": True}})
    assert desired.sso is None
    assert desired.authenticator is None
    assert desired.priority == ()  # no [priority]: the default, ours first


async def test_explicit_priority_order(fresh: RunningSandbox, tmp_path: Path) -> None:
    sb = fresh
    with sb.lock:
        web = next(
            p["id"]
            for p in sb.state.enrollment_profiles.values()
            if p["displayName"] == "iOS – Web-based device enrollment"
        )
    path = session_with_ids(sb, tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "order = []", f'order = ["{web}", "enrollment_profile"]'
    )
    path.write_text(text, encoding="utf-8")
    assert group_id(sb, "BYOD pilot")
    plan = await plan_file(sb, path)
    moves = [a for a in plan.changes if a.kind is ActionKind.SET_PRIORITY]
    assert len(moves) == 1
    assert moves[0].op.order[:2] == (web, "")
    assert (await apply_file(sb, path)).ok
    ours = Session.read_only(path).get("enrollment_profile", "profile_id")
    with sb.lock:
        order = [p["id"] for p in sb.state.profiles_by_priority("iOS")]
    assert order[:2] == [web, ours]
    assert (await plan_file(sb, path)).is_empty
