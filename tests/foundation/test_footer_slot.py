"""The footer mounts once the first frame is out; an empty row in its colours holds its
place until then (AdueApp._mount_footer), so nothing on the screen moves when it comes.
A key pressed at once (the screen gone before the footer's turn): tests/foundation/
test_quit_hint.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widget import Widget
from textual.widgets import Footer

from tests.wizard.conftest import until
from tui.app import AdueApp
from tui.session import Session


def tenant_session(path: Path) -> Session:
    session = Session.open(path, lock=False)
    session.set("tenant", "tenant_id", "contoso.example")  # the real-tenant sign-in form
    return session


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 40)])
async def test_the_footers_row_is_held_until_it_mounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    app = AdueApp(tenant_session(tmp_path / "full.toml"))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: bool(app.query(Footer)), what="the footer")
        await pilot.pause()
        footer = app.query_one(Footer)
        full = (app.query_one("#body").region, footer.region, footer.styles.background)
        assert not app.query("#footer-slot")
        assert len(app.screen.query(Footer)) == 1

    held: list[AdueApp] = []

    async def hold(self: AdueApp) -> None:
        held.append(self)  # the first frame's state, kept: the footer never mounts

    monkeypatch.setattr(AdueApp, "_mount_footer", hold)
    app = AdueApp(tenant_session(tmp_path / "first.toml"))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: bool(held), what="the footer's turn")
        await pilot.pause()
        assert not app.query(Footer)
        slot = app.query_one("#footer-slot", Widget)
        assert (app.query_one("#body").region, slot.region, slot.styles.background) == full
        assert slot.region.y == size[1] - 1  # the screen's last row
