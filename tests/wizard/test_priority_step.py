"""Step 6, Priority: the demo tenant's profiles, reordering by keys and mouse, who wins.

Graph traffic goes through the real Backend and msgraph-sdk pipeline to a sandbox
over loopback HTTP. The demo tenant has two Apple enrollment profiles: "Determine
based on user choice" (priority 0, assigned to Sales) and "Web-based device
enrollment" (priority 1, Executives); our profile targets BYOD pilot.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from screens.priority import PriorityStep
from screens.widgets.priority_list import PriorityList
from tui.app import AdueApp
from tui.graph.models import (
    AssignmentTarget,
    EnrollmentProfile,
    ProfileAssignment,
    TargetKind,
)
from tui.rollout.priority import (
    OURS,
    GroupTarget,
    PriorityEntry,
    arrange,
    new_ours,
    tenant_entry,
    who_wins,
)
from tui.sandbox.server import RunningSandbox, start_sandbox

from .late_steps_support import (
    demo_group,
    demo_profile_id,
    new_session,
    reopen,
    signed_in_app,
    until,
)

CHOICE = demo_profile_id("user-choice")
WEB = demo_profile_id("web-device")


@pytest.fixture(scope="module")
def demo() -> Iterator[RunningSandbox]:
    """Read only: the priority step never writes to the tenant."""
    with start_sandbox(seed="demo") as sb:
        yield sb


async def ready(app: AdueApp, pilot: Any) -> None:
    """The profiles are listed and the list has the focus."""
    listing = app.query_one(PriorityList)
    await until(pilot, lambda: len(listing.entries()) == 3 and listing.index is not None)


def names(app: AdueApp) -> list[str]:
    return [e.label for e in app.query_one(PriorityList).entries()]


def verdict(app: AdueApp) -> str:
    return str(app.query_one("#priority-verdict", Static).render())


# -- the order and who-wins rules, without the UI ---------------------------------------
def _entry(
    key: str, *groups: str, excluded: tuple[str, ...] = (), all_users: bool = False
) -> PriorityEntry:
    return PriorityEntry(
        key=key,
        name=key,
        enrollment_type="x",
        groups=tuple(GroupTarget(g, g.upper()) for g in groups),
        excluded=tuple(GroupTarget(g, g.upper()) for g in excluded),
        all_users=all_users,
    )


def test_arrange_follows_the_stored_order_and_defaults_to_ours_first() -> None:
    a, b, ours = _entry("a"), _entry("b"), new_ours("Ours")
    assert [e.key for e in arrange([a, b, ours], [])] == [OURS, "a", "b"]
    assert [e.key for e in arrange([a, b, ours], ["b", OURS])] == ["b", OURS, "a"]
    # an id gone from the tenant is skipped; ours may be stored by its real id
    assert [e.key for e in arrange([a, b, ours], ["gone", "b", "real-id"], "real-id")] == [
        "b",
        OURS,
        "a",
    ]


def test_who_wins_takes_the_highest_matching_profile_and_honours_exclusions() -> None:
    first = _entry("first", "g1", excluded=("g2",))
    second = _entry("second", "g3")
    everyone = _entry("everyone", all_users=True)
    result = who_wins([first, second, everyone], ["g1", "g2", "g3"], [])
    assert result.winner is not None
    assert result.winner.entry.key == "second"
    assert [m.entry.key for m in result.excluded] == ["first"]
    assert result.matches[1].via == ("all users",)
    assert who_wins([first, second], ["nothing"], []).winner is None
    # a session group given by name only matches by display name
    by_name = PriorityEntry(OURS, "Ours", "x", groups=(GroupTarget("", "Pilot"),), is_ours=True)
    assert who_wins([by_name], [], ["Pilot"]).winner is not None


def test_tenant_entry_reads_group_all_users_and_exclusion_targets() -> None:
    profile = EnrollmentProfile("p", "Profile", "", "iOS", 0, "webDeviceEnrollment")
    entry = tenant_entry(
        profile,
        [
            ProfileAssignment("1", AssignmentTarget.group("g1")),
            ProfileAssignment("2", AssignmentTarget(TargetKind.ALL_USERS)),
            ProfileAssignment("3", AssignmentTarget.exclude("g2")),
        ],
        {"g1": "Sales"},
    )
    assert entry.targets_text == "all users, Sales (except g2)"
    assert entry.enrollment_type == "web-based device enrollment"


# -- the step against the sandbox ----------------------------------------------------------
async def test_lists_every_profile_with_groups_and_ours_as_new(
    tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "priority")
    app = signed_in_app(session, demo, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        entries = app.query_one(PriorityList).entries()
        assert [e.label for e in entries] == [
            "new: iOS – account-driven user enrollment",
            "iOS – Determine based on user choice",
            "iOS – Web-based device enrollment",
        ]
        assert [e.targets_text for e in entries] == ["BYOD pilot", "Sales", "Executives"]
        assert app.focused is app.query_one(PriorityList)  # keys work at once
        assert session.get("priority", "status") == "todo"  # shown, not yet gone through
        assert session.get("priority", "order") == []  # nothing stored until a move


async def test_reorder_by_keys_and_mouse_persists_and_resumes(
    tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "priority")
    app = signed_in_app(session, demo, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        await pilot.press("shift+down")
        assert session.get("priority", "order") == [CHOICE, OURS, WEB]
        await pilot.press("shift+down")
        await pilot.press("shift+down")  # already last: nothing moves
        assert session.get("priority", "order") == [CHOICE, WEB, OURS]
        # mouse: select the web profile, then Move up
        listing = app.query_one(PriorityList)
        await pilot.click(listing.children[1])
        await pilot.click("#priority-up")
        assert names(app)[0] == "iOS – Web-based device enrollment"
        assert session.get("priority", "order") == [WEB, CHOICE, OURS]
        # the order is on disk at once; quit in the middle of the step
        await pilot.press("ctrl+q")
    session = reopen(session)
    assert session.get("priority", "order") == [WEB, CHOICE, OURS]
    assert session.current_step == "priority"
    app = signed_in_app(session, demo, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        assert isinstance(app.query_one("#priority"), PriorityStep)
        assert names(app) == [
            "iOS – Web-based device enrollment",
            "iOS – Determine based on user choice",
            "new: iOS – account-driven user enrollment",
        ]


async def test_who_wins_for_demo_users(
    tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "priority")
    app = signed_in_app(session, demo, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(app, pilot)
        user = app.query_one("#priority-user", Input)
        user.focus()
        await pilot.press(*"not an address")
        assert user.has_class("-invalid")
        problem = str(app.query_one("#priority-user-problem", Static).render())
        assert problem.startswith("User: type the user's sign-in name")
        user.value = "AdeleV@contoso.com"  # in Sales and (through nesting-free) BYOD pilot
        await pilot.press("enter")
        await until(pilot, lambda: verdict(app).startswith("AdeleV@contoso.com gets"))
        text = verdict(app)
        assert text.startswith(
            "AdeleV@contoso.com gets “new: iOS – account-driven user enrollment” (place 1), "
            "through BYOD pilot."
        )
        assert "but lower: “iOS – Determine based on user choice” (place 2" in text
        # moving ours below the user-choice profile changes the answer at once
        app.query_one(PriorityList).focus()
        await pilot.press("shift+down")
        text = verdict(app)
        assert text.startswith("AdeleV@contoso.com gets “iOS – Determine based on user choice”")
        assert "Move ours above the winner" in text
        # JohannaL is in BYOD pilot only through IT Administrators (nested group)
        user.value = "JohannaL@contoso.com"
        await pilot.click("#priority-check")
        await until(pilot, lambda: verdict(app).startswith("JohannaL"))
        assert "gets “new: iOS – account-driven user enrollment”" in verdict(app)
        user.value = "DiegoS@contoso.com"  # Human Resources: no profile targets HR
        user.focus()
        await pilot.press("enter")
        await until(pilot, lambda: "DiegoS" in verdict(app) and "Reading" not in verdict(app))
        assert verdict(app).startswith("No enrollment profile targets DiegoS@contoso.com")
        user.value = "nobody@contoso.com"
        await pilot.press("enter")
        await until(pilot, lambda: "nobody" in verdict(app) and "Reading" not in verdict(app))
        assert verdict(app).startswith("No user nobody@contoso.com in this tenant")


async def test_a_missing_permission_is_named(
    tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = demo.mint_token(scopes=["Group.Read.All", "GroupMember.Read.All"])
    app = signed_in_app(new_session(tmp_path, "priority"), demo, monkeypatch, token=token)
    async with app.run_test(size=(80, 24)) as pilot:
        status = app.query_one("#priority-status", Static)
        await until(pilot, lambda: status.has_class("-error"))
        assert "DeviceManagementServiceConfig.Read.All" in str(status.render())
        assert status.has_class("-error")
        assert app.query_one(PriorityList).entries() == []


def _snapshot_app(tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> AdueApp:
    session = new_session(tmp_path, "priority")
    session.set("enrollment_profile", "groups", [demo_group("byod-pilot"), demo_group("finance")])
    return signed_in_app(session, demo, monkeypatch)


async def _settle(pilot: Any) -> None:
    await ready(pilot.app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_priority_snapshot(
    snap_compare: Any,
    tmp_path: Path,
    demo: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
) -> None:
    app = _snapshot_app(tmp_path, demo, monkeypatch)
    assert snap_compare(app, terminal_size=size, run_before=_settle)


def test_outranking_warnings_name_user_choice_and_web_enrollment() -> None:
    from tui.rollout.priority import outranking_warnings

    def tenant(key: str, kind: str, *groups: str) -> PriorityEntry:
        return PriorityEntry(
            key=key,
            name=key,
            enrollment_type="x",
            groups=tuple(GroupTarget(g, g.upper()) for g in groups),
            default_type=kind,
        )

    ours = PriorityEntry(
        key=OURS, name="ours", enrollment_type="x", groups=(GroupTarget("b", "B"),), is_ours=True
    )
    choice = tenant("choice", "unknown", "b")
    other_choice = tenant("other", "unknown", "z")
    web = tenant("web", "webDeviceEnrollment", "z")
    assert outranking_warnings([ours, choice, web]) == []  # ours first: nothing outranks it
    lines = outranking_warnings([choice, other_choice, web, ours])
    assert len(lines) == 2
    assert lines[0].startswith("“choice” (place 1, determine based on user choice) also targets B")
    assert "“I own this device” now leads to account-driven user enrollment" in lines[0]
    assert lines[1].startswith("“web” (place 3, web-based device enrollment) outranks ours")

    # Ours in web-based mode (issue 18.5): another web profile is no warning, an
    # account-driven one above ours is, and user choice names what its path needs.
    web_ours = PriorityEntry(
        key=OURS,
        name="ours",
        enrollment_type="x",
        groups=(GroupTarget("b", "B"),),
        is_ours=True,
        default_type="webDeviceEnrollment",
    )
    account = tenant("account", "accountDrivenUserEnrollment", "b")
    lines = outranking_warnings([choice, web, account, web_ours])
    assert len(lines) == 2
    assert "service-discovery file" in lines[0]
    assert lines[1].startswith(
        "“account” (place 3, account-driven user enrollment) targets B: a user it targets "
        "gets account-driven user enrollment, not web-based device enrollment"
    )


async def test_the_step_warns_about_profiles_that_outrank_ours(
    tmp_path: Path, demo: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = new_session(tmp_path, "priority")
    session.set("enrollment_profile", "all_users", True)  # so it shares Sales with user choice
    session.save()
    async with signed_in_app(session, demo, monkeypatch).run_test(size=(100, 40)) as pilot:
        app = pilot.app
        assert isinstance(app, AdueApp)
        await ready(app, pilot)
        box = app.query_one("#priority-warnings", Static)
        assert not box.display  # ours is first
        await pilot.press("shift+down")
        await pilot.press("shift+down")
        await pilot.pause()
        text = str(box.render())
        assert box.display
        assert "Warning: “iOS – Determine based on user choice” (place 1" in text
        assert "also targets all users, so Sales" in text
        assert "Warning: “iOS – Web-based device enrollment” (place 2, web-based device" in text
