"""The group picker against the sandbox over real HTTP: search as you type, paging on
demand, users/devices per visible row, device groups refused, removal by key and mouse."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import OptionList

from screens.widgets.group_picker import MORE_ID, PAGE_SIZE, GroupPicker
from tests.wizard.sso_auth_profile_support import (
    PickerApp,
    demo_group,
    group_reads,
    kind_reads,
    private_home,
    settle,
    signed_in_backend,
    text_of,
)
from tui.graph.models import GroupPage
from tui.sandbox.server import RunningSandbox
from tui.session import Session


@pytest.fixture
def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Session:
    private_home(tmp_path, monkeypatch)
    return Session.open(tmp_path / "s.toml", lock=False)


def option_ids(options: OptionList) -> list[str]:
    return [options.get_option_at_index(i).id or "" for i in range(options.option_count)]


async def test_typing_searches_once_after_a_pause_and_shows_users_or_devices(
    session: Session, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = demo_sandbox_shared
    app = PickerApp(signed_in_backend(session, sb, monkeypatch))
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one(GroupPicker)
        since = len(sb.requests)
        await pilot.click("#picker-search")
        await pilot.press(*"kios")  # quicker than the 250 ms pause: one search only
        await pilot.pause(0.4)
        await settle(app, pilot)
        searches = group_reads(sb, since)
        assert len(searches) == 1, [r.query for r in searches]
        assert searches[0].query["$search"] == '"displayName:kios"'
        assert searches[0].query["$top"] == str(PAGE_SIZE)
        assert option_ids(picker.results) == [demo_group("kiosk-iphones")["id"]]
        # An assigned group: its members were read ($batch) to tell devices from users.
        assert "devices" in str(picker.results.get_option_at_index(0).prompt)
        assert kind_reads(sb, since)

        # A newer search replaces the shown one; a dynamic group's kind needs no request.
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"corporate")
        await pilot.pause(0.4)
        await settle(app, pilot)
        assert option_ids(picker.results) == [demo_group("corporate-ipads")["id"]]
        assert "devices" in str(picker.results.get_option_at_index(0).prompt)
        assert len(group_reads(sb, since)) == 2


async def test_a_search_superseded_while_in_flight_is_cancelled(
    session: Session, sandbox_factory: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every answer takes 600 ms: the first search is still running when the second starts.
    sb: RunningSandbox = sandbox_factory(seed="demo", latency_ms=600)  # type: ignore[operator]
    app = PickerApp(signed_in_backend(session, sb, monkeypatch))
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one(GroupPicker)
        shown: list[str] = []
        show_page = picker._show_page

        def record(page: GroupPage, *, append: bool) -> None:
            shown.append(page.query)
            show_page(page, append=append)

        monkeypatch.setattr(picker, "_show_page", record)
        await pilot.click("#picker-search")
        await pilot.press(*"fin")
        await pilot.pause(0.45)  # the search for "fin" is on the wire now
        await pilot.press("backspace", "backspace", "backspace", *"sales")
        await pilot.pause(0.4)
        await settle(app, pilot)
        assert [picker._results[i].display_name for i in option_ids(picker.results)] == ["Sales"]
        assert "“sales”" in text_of(picker.status)
        assert shown == ["sales"]  # the answer for "fin" was never waited for nor shown


async def test_large_tenant_one_page_per_request_and_more_on_demand(
    session: Session, large_sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = large_sandbox
    app = PickerApp(signed_in_backend(session, sb, monkeypatch))
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one(GroupPicker)
        since = len(sb.requests)
        await pilot.click("#picker-search")
        started = time.perf_counter()
        await pilot.press(*"Finance")
        await pilot.pause(0.3)
        await settle(app, pilot)
        elapsed = time.perf_counter() - started
        assert elapsed < 5, f"search on 100,000 groups took {elapsed:.1f} s"
        ids = option_ids(picker.results)
        assert len(ids) == PAGE_SIZE + 1
        assert ids[-1] == MORE_ID
        searches = group_reads(sb, since)
        assert len(searches) == 1
        assert searches[0].query["$top"] == str(PAGE_SIZE)
        assert "$skiptoken" not in searches[0].query
        # Users or devices is asked only for the rows on screen, not for the whole page.
        rows = picker.results.scrollable_content_region.height
        assert 0 < len(kind_reads(sb, since)) <= 2 * rows < 2 * PAGE_SIZE

        # "More results…" fetches exactly one further page.
        picker.results.focus()
        picker.results.highlighted = PAGE_SIZE
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(group_reads(sb, since)) == 2
        assert len(option_ids(picker.results)) == 2 * PAGE_SIZE + 1
        assert all(int(r.query.get("$top", PAGE_SIZE)) <= PAGE_SIZE for r in group_reads(sb, 0))


async def test_device_groups_refused_with_the_reason(
    session: Session, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = PickerApp(
        signed_in_backend(session, demo_sandbox_shared, monkeypatch), refuse_devices=True
    )
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one(GroupPicker)
        await pilot.click("#picker-search")
        await pilot.press(*"kiosk", "enter")
        await settle(app, pilot)
        await pilot.press("enter")  # choose Kiosk iPhones (an assigned device group)
        await settle(app, pilot)
        assert picker.groups == []
        assert app.changes == []
        status = text_of(picker.status)
        assert "Kiosk iPhones holds devices" in status
        assert "targets users" in status
        assert picker.status.has_class("-error")

        picker.search_input.value = ""
        await pilot.click("#picker-search")
        await pilot.press(*"pilot", "enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert picker.groups == [demo_group("byod-pilot")]
        assert app.changes == [[demo_group("byod-pilot")]]


async def test_selected_groups_removed_by_keyboard_and_mouse(
    session: Session, demo_sandbox_shared: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = [demo_group("finance"), demo_group("sales"), demo_group("hr")]
    app = PickerApp(signed_in_backend(session, demo_sandbox_shared, monkeypatch), groups=chosen)
    async with app.run_test(size=(80, 24)) as pilot:
        picker = app.query_one(GroupPicker)
        assert picker.selected_list.option_count == 3
        picker.selected_list.focus()
        picker.selected_list.highlighted = 1
        await pilot.press("enter")
        assert picker.groups == [chosen[0], chosen[2]]
        await pilot.click("#picker-selected", offset=(4, 0))
        await pilot.pause()
        assert picker.groups == [chosen[2]]
        assert app.changes[-1] == [chosen[2]]
        assert "Removed Finance" in text_of(picker.status)

        # Adding with the mouse: click a result row.
        await pilot.click("#picker-search")
        await pilot.press(*"legal", "enter")
        await settle(app, pilot)
        await pilot.click("#picker-results", offset=(12, 0))
        await settle(app, pilot)
        assert picker.groups == [chosen[2], demo_group("legal")]


async def test_not_signed_in_says_so(session: Session) -> None:
    from tui.backend import Backend

    app = PickerApp(Backend(session))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#picker-search")
        await pilot.press(*"fin", "enter")
        await settle(app, pilot)
        status = app.query_one("#picker-status")
        assert "Sign in first" in text_of(status)
