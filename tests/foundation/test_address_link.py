"""Long web addresses in the wizard are short links whose full address is one key away
(issue 17, point 5): F1's Microsoft page at 80x24, `c` copies it and shows it whole."""

from __future__ import annotations

from pathlib import Path

from screens.dialogs.help import STEP_HELP
from screens.widgets.address_link import AddressLink
from tui.app import AdueApp
from tui.session import Session
from tui.text import short_url

LONG = "https://learn.microsoft.com/intune/device-enrollment/apple/setup-account-driven-user"


def test_short_url_keeps_host_and_last_part() -> None:
    assert short_url(LONG) == "learn.microsoft.com/…/setup-account-driven-user"
    assert short_url("https://learn.microsoft.com/graph/x") == "learn.microsoft.com/graph/x"
    assert len(short_url("https://h.example/" + "a" * 200)) <= 52
    assert len(short_url("https://" + "h" * 80 + ".example/p")) <= 52
    for step in STEP_HELP.values():  # every help page's address fits an 80x24 dialog
        assert len(short_url(step.page[1])) <= 52


async def test_help_shows_the_page_short_and_c_copies_it_whole(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "s.toml", lock=False)
    session.set("session", "current_step", "prerequisites")
    app = AdueApp(session)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause(0.5)
        link = app.screen.query_one("#help-page-link", AddressLink)
        assert str(link.render()) == "learn.microsoft.com/…/setup-account-driven-user"
        await pilot.press("c")
        await pilot.pause()
        assert app.clipboard == LONG
        shown = [str(n.message) for n in app._notifications]
        assert LONG in shown, shown
