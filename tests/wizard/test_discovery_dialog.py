"""Step 2's "File & how to publish" dialog: its Save button writes the well-known file
beside the session through the backend (the dialog itself writes nothing), published
(0644) and byte for byte the file `adue discovery generate` makes."""

from __future__ import annotations

import stat
from pathlib import Path

from textual.widgets import Button, Static

from screens.dialogs.discovery import DiscoveryDialog
from tests.wizard.conftest import wait_until
from tui.app import AdueApp
from tui.discovery.well_known import FILE_NAME, generate
from tui.session import Session

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"


async def test_save_writes_the_published_file_beside_the_session(tmp_path: Path) -> None:
    with Session.open(tmp_path / "adue-session.toml") as session:
        session.set("tenant", "tenant_id", TENANT_ID)
        session.set("session", "current_step", "prerequisites")
        app = AdueApp(session)
        async with app.run_test(size=(120, 40)) as pilot:
            app.main_screen.query_one("#discovery-show", Button).press()
            await wait_until(pilot, lambda: isinstance(app.screen, DiscoveryDialog), "the dialog")
            app.screen.query_one("#discovery-save", Button).press()
            saved = app.screen.query_one("#discovery-saved", Static)
            await wait_until(pilot, lambda: "Saved" in str(saved.render()), "Saved …")
    path = tmp_path / FILE_NAME
    assert path.read_text(encoding="utf-8") == generate(TENANT_ID, "global")
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
