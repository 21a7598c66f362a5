"""The web-based guide's step drawings in headless Chromium at 375 px: each of the seven
steps shows its drawing whole, inside the page, with its localized labels and text
alternative, actually painted (bezel, accent, text). Screenshots land in the test's temp
folder, or in $ADUE_GUIDE_SCREENSHOTS."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.guide import render_html

from .cdp import Browser
from .conftest import LANGUAGES, make_settings
from .test_browser import PHONE, open_guide, problems, screenshot_folder
from .test_illustrations import SHOWN, squashed
from .test_illustrations_browser import measure_pictures, near, painted
from .test_illustrations_web import ADDRESS, web_steps

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_web_step_shows_its_drawing_at_phone_width(
    browser: Browser, tmp_path: Path, lang: str
) -> None:
    path = tmp_path / f"web-{lang}.html"
    path.write_text(render_html(make_settings(mode="web-based"), lang), encoding="utf-8")
    page = open_guide(browser, path, PHONE)
    try:
        found = measure_pictures(page)
        pictures = web_steps(lang).pictures
        assert len(found) == len(pictures) == 7
        folder = screenshot_folder(tmp_path)
        for number, (info, picture) in enumerate(zip(found, pictures, strict=True), 1):
            where = f"{lang} web step {number} ({picture.name})"
            assert info["count"] == 1, where
            assert info["role"] == "img", where
            assert info["title"] == picture.description, where
            assert info["visible"], where
            assert info["textsInside"], where
            assert info["width"] == 220, (where, info)
            assert info["height"] > 100, (where, info)
            assert info["x"] >= 0
            assert info["itemRight"] <= info["innerWidth"] == PHONE[0]
            keys, with_address = SHOWN[picture.name]
            for key in keys:
                assert squashed(picture.labels[key]) in squashed(info["text"]), (where, key)
            if with_address:
                assert squashed(picture.example_address) in squashed(info["text"]), where
            if picture.name == "web_open_safari":
                assert squashed(ADDRESS) in squashed(info["text"]), where
            png = page.screenshot_png(info["x"], info["y"], info["width"], info["height"])
            (folder / f"web-step-{lang}-{number}.png").write_bytes(png)
            share, colours = painted(png)
            assert share > 0.2, (where, share)
            assert near((0x4B, 0x55, 0x63), colours), where  # the bezel
            assert near((0x0B, 0x5C, 0xAD), colours), where  # the highlight
            assert near((0x1B, 0x1F, 0x24), colours, slack=40), where  # label text
        assert page.evaluate("document.documentElement.scrollWidth") == PHONE[0]
        assert problems(page, path.as_uri()) == []
    finally:
        page.close()
