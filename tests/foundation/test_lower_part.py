"""The opening step's lower part mounts one refresh after the first frame (StepPanel).

What the first frame shows must be what the full form shows, only without that lower
part: the same rows above it, the same scrollbar (so the same widths), and once it has
mounted, the same widgets in the same order as a Sign in panel built on a later visit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widget import Widget
from textual.widgets import Button, Input

from screens.widgets.step_panel import StepPanel
from tests.wizard.conftest import until
from tui.app import AdueApp
from tui.session import Session

SIZES = [(80, 24), (100, 30), (100, 40), (120, 50)]


def real_tenant_session(path: Path, step: str = "sign_in") -> Session:
    session = Session.open(path, lock=False)
    session.set("tenant", "tenant_id", "contoso.example")  # the real-tenant sign-in form
    session.set("session", "current_step", step)
    return session


def screen_rows(app: AdueApp) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def layout(panel: StepPanel) -> list[tuple[str, str | None, tuple[str, ...], bool]]:
    return [
        (type(w).__name__, w.id, tuple(sorted(w.classes)), w.display)
        for w in panel.walk_children(Widget)
    ]


async def full_form(path: Path, size: tuple[int, int]) -> tuple[list[str], bool, Any]:
    app = AdueApp(real_tenant_session(path))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: bool(app.query("#sign-in-button")), what="the Sign in button")
        await pilot.pause()
        panel = app.query_one("#sign_in", StepPanel)
        assert not panel.query(".lower-spacer")  # gone once the lower part is in
        return screen_rows(app), panel.show_vertical_scrollbar, layout(panel)


@pytest.mark.parametrize("size", SIZES)
async def test_the_first_frame_is_the_full_form_without_its_lower_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    full_rows, full_scrollbar, _ = await full_form(tmp_path / "full.toml", size)

    held: list[list[Widget]] = []

    async def hold(_panel: StepPanel, lower: list[Widget], _spacer: Widget) -> None:
        held.append(lower)  # the first frame's state, kept: the lower part never mounts

    monkeypatch.setattr(StepPanel, "_mount_lower", hold)
    app = AdueApp(real_tenant_session(tmp_path / "first.toml"))
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: bool(held), what="the lower part's turn")
        await pilot.pause()
        panel = app.query_one("#sign_in", StepPanel)
        assert not panel.query(Button)  # the buttons are in the lower part, and
        assert len(panel.query(Input)) == 1  # the app id's box: only the tenant's is there
        assert [w.id for w in held[0] if w.id] == [
            "sign-in-client-id",
            "sign-in-problem",
            "sign-in-graph-root",
            "sign-in-token-cache",
            "sign-in-token-cache-help",
            "sign-in-result",
        ]
        # The spacer keeps the panel overflowing exactly when the full form does.
        assert panel.show_vertical_scrollbar is full_scrollbar
        first_rows = screen_rows(app)
        region = panel.region
        right = panel.scrollable_content_region.right  # not the scrollbar: its thumb is shorter
        shown = 0
        for y, (first, full) in enumerate(zip(first_rows, full_rows, strict=True)):
            if not region.y <= y < region.bottom:
                continue
            first_part, full_part = first[region.x : right], full[region.x : right]
            if first_part.strip():
                assert first_part == full_part, f"row {y} differs from the full form's"
                shown += 1
        assert shown >= 12  # the title, the summary and the fields above the fold
        if size == (80, 24):  # everything the full form shows at 80x24 is there at once
            panel_rows = [row[region.x : right] for row in full_rows[region.y : region.bottom]]
            assert shown == sum(1 for row in panel_rows if row.strip())


async def test_once_mounted_the_form_is_the_one_a_later_visit_builds(tmp_path: Path) -> None:
    _, _, opened_on = await full_form(tmp_path / "opened.toml", (80, 24))
    app = AdueApp(real_tenant_session(tmp_path / "later.toml", step="prerequisites"))
    async with app.run_test(size=(80, 24)) as pilot:
        app.go_to_step("sign_in")  # built now, not the panel the app opened on
        await until(pilot, lambda: bool(app.query("#sign-in-button")), what="the Sign in step")
        panel = app.query_one("#sign_in", StepPanel)
        assert not panel.query(".lower-spacer")
        assert layout(panel) == opened_on
