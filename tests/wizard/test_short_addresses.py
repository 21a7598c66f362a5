"""Long addresses at 80x24 (issue 17, point 5): Review's admin-center links after an apply
and the discovery check's addresses in Prerequisites are short links whose full address
c copies to the clipboard; nothing is cut. Through the real Backend on the sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from screens.widgets.address_link import AddressLink
from tui.sandbox.server import RunningSandbox, start_sandbox
from tui.text import short_addresses

from .late_steps_support import new_session, signed_in_app, until
from .test_review_step import apply_confirmed, outcome, planned


@pytest.fixture
def sb() -> Iterator[RunningSandbox]:
    with start_sandbox(seed="demo", retry_after=0) as running:
        yield running


@pytest.fixture
def broken_discovery() -> Iterator[RunningSandbox]:
    # The sign-in domain answers 404 where the device looks for the file.
    with start_sandbox(seed="demo", discovery_variant="http-404") as running:
        yield running


async def _copies_whole(pilot: Any, link: AddressLink) -> None:
    """Shown short and whole (within its width), and c copies the full address."""
    label = str(link.render())
    assert label != link.address, label
    assert "…" in label, label
    assert cell_len(label) <= link.content_size.width, (label, link.content_size)
    assert link.region.right <= pilot.app.size.width
    link.focus()
    await pilot.press("c")
    assert pilot.app.clipboard == link.address


async def test_reviews_admin_center_links_are_short_and_copy_whole(
    tmp_path: Path, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in_app(new_session(tmp_path, "review"), sb, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await planned(pilot)
        await apply_confirmed(pilot)
        assert "Open each object in the Intune admin center" in outcome(app)
        links = list(app.query("#review-outcome AddressLink").results(AddressLink))
        assert len(links) >= 3, outcome(app)
        for link in links:
            assert link.address.startswith("https://intune.microsoft.com/")
            assert str(link.render()).startswith("intune.microsoft.com/")
            link.scroll_visible(animate=False)
            await pilot.pause()
            await _copies_whole(pilot, link)
        # No Static repeats the long address (cut or wrapped at 80 columns).
        assert all(link.address not in outcome(app) for link in links)


async def test_discovery_addresses_in_prerequisites_are_short_and_copy_whole(
    tmp_path: Path, broken_discovery: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = signed_in_app(new_session(tmp_path, "prerequisites"), broken_discovery, monkeypatch)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: bool(app.query("#discovery-results AddressLink")))
        rows = [str(r.render()) for r in app.query("#discovery-results .check-row")]
        assert rows, rows
        assert not any("https://" in row for row in rows), rows
        links = list(app.query("#discovery-results AddressLink").results(AddressLink))
        assert any(".well-known/com.apple.remotemanagement" in link.address for link in links)
        copied = 0
        for link in links:
            link.scroll_visible(animate=False)
            await pilot.pause()
            if "…" in str(link.render()):
                await _copies_whole(pilot, link)
                copied += 1
        assert copied, [str(link.render()) for link in links]


def test_short_addresses_keep_the_sentence_and_list_each_address_once() -> None:
    url = (
        "https://contoso.com/.well-known/com.apple.remotemanagement"
        "?user-identifier=someone%40contoso.com&model-family=iPhone"
    )
    text, found = short_addresses(f"Fetched {url}. Again: {url}, then (https://a.example/x).")
    assert text == (
        "Fetched contoso.com/.well-known/com.apple.remotemanagement?…. Again: "
        "contoso.com/.well-known/com.apple.remotemanagement?…, then (a.example/x)."
    )
    assert found == [url, "https://a.example/x"]
