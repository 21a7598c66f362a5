"""The step drawings in headless Chromium at 375 px: each step shows its drawing, whole,
inside the page, with its localized labels and text alternative, and actually painted;
and Chromium's print of the page carries them too.

Screenshots of each drawing land in the test's temp folder, or in $ADUE_GUIDE_SCREENSHOTS.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any, cast

import pytest
from PIL import Image
from pypdf import PdfReader

from tui.guide import render_html
from tui.guide.illustrations import draw

from .cdp import Browser
from .conftest import LANGUAGES, make_settings
from .test_browser import LONG, PHONE, open_guide, problems, screenshot_folder
from .test_illustrations import SHOWN, squashed, steps_of

pytestmark = pytest.mark.browser

MEASURE = """JSON.stringify([...document.querySelectorAll('ol.steps > li')].map(li => {
  const svgs = li.querySelectorAll('svg.step-picture');
  const svg = svgs[0];
  if (!svg) return {count: 0};
  const box = svg.getBoundingClientRect();
  const item = li.getBoundingClientRect();
  const title = document.getElementById(svg.getAttribute('aria-labelledby'));
  return {
    count: svgs.length,
    role: svg.getAttribute('role'),
    title: title && title.parentNode === svg ? title.textContent : null,
    x: box.left + scrollX, y: box.top + scrollY, width: box.width, height: box.height,
    itemRight: item.right, innerWidth: window.innerWidth,
    visible: getComputedStyle(svg).visibility === 'visible'
      && getComputedStyle(svg).display !== 'none',
    text: [...svg.querySelectorAll('text')].map(t => t.textContent).join(''),
    // every label inside the drawing's own box (not cut by its edges)
    textsInside: [...svg.querySelectorAll('text')].every(t => {
      const r = t.getBoundingClientRect();
      return r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
        && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
    }),
  };
}))"""


def measure_pictures(page: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = json.loads(page.evaluate(MEASURE))
    return result


def painted(png: bytes) -> tuple[float, set[tuple[int, int, int]]]:
    """(share of pixels that differ from the page background, colours seen)."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    pixels = [image.getpixel((x, y)) for y in range(image.height) for x in range(image.width)]
    background = (255, 255, 255)
    share = sum(1 for p in pixels if p != background) / len(pixels)
    return share, {cast(tuple[int, int, int], p) for p in pixels}


def near(colour: tuple[int, int, int], seen: set[tuple[int, int, int]], slack: int = 12) -> bool:
    return any(all(abs(a - b) <= slack for a, b in zip(colour, c, strict=True)) for c in seen)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("illustrated")
    paths = {}
    for lang in LANGUAGES:
        path = folder / f"guide-{lang}.html"
        path.write_text(render_html(make_settings(), lang), encoding="utf-8")
        paths[lang] = path
    return paths


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_step_shows_its_drawing_at_phone_width(
    browser: Browser, pages: dict[str, Path], tmp_path: Path, lang: str
) -> None:
    page = open_guide(browser, pages[lang], PHONE)
    try:
        found = measure_pictures(page)
        pictures = steps_of(lang).pictures
        assert len(found) == len(pictures) == 8
        folder = screenshot_folder(tmp_path)
        for number, (info, picture) in enumerate(zip(found, pictures, strict=True), 1):
            where = f"{lang} step {number} ({picture.name})"
            assert info["count"] == 1, where
            assert info["role"] == "img", where
            assert info["title"] == picture.description, where
            assert info["visible"], where
            # Legible: one CSS pixel per drawing unit (labels >= 10 px), as on a phone.
            assert info["width"] == 220, (where, info)
            assert info["height"] > 100, (where, info)
            assert info["x"] >= 0
            assert info["x"] + info["width"] <= info["itemRight"] + 0.5
            assert info["itemRight"] <= info["innerWidth"] == PHONE[0], (where, info)
            assert info["textsInside"], where
            keys, with_address = SHOWN[picture.name]
            labels = picture.labels
            for key in keys:
                assert squashed(labels[key]) in squashed(info["text"]), (where, key)
            if with_address:
                assert squashed(picture.example_address) in squashed(info["text"]), where
            png = page.screenshot_png(info["x"], info["y"], info["width"], info["height"])
            (folder / f"step-{lang}-{number}.png").write_bytes(png)
            share, colours = painted(png)
            # Painted, not blank (a blank region is all page white): the phone's bezel,
            # the highlight's accent colour (#0b5cad) and dark label text are on screen.
            assert share > 0.2, (where, share)
            assert near((0x4B, 0x55, 0x63), colours), where
            assert len(colours) > 20, where
            assert near((0x0B, 0x5C, 0xAD), colours), where
            assert near((0x1B, 0x1F, 0x24), colours, slack=40), where
        assert problems(page, pages[lang].as_uri()) == []
    finally:
        page.close()


def test_long_values_keep_drawings_inside_the_phone(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "long.html"
    path.write_text(render_html(make_settings(**LONG), "fr"), encoding="utf-8")
    page = open_guide(browser, path, PHONE)
    try:
        found = measure_pictures(page)
        assert len(found) == 8
        for info in found:
            assert info["count"] == 1, info
            assert info["textsInside"], info
            assert info["itemRight"] <= PHONE[0]
        assert page.evaluate("document.documentElement.scrollWidth") == PHONE[0]
    finally:
        page.close()


def test_hostile_organization_leaves_the_drawings_inert(browser: Browser, tmp_path: Path) -> None:
    path = tmp_path / "hostile.html"
    organization = "<script>alert(1)</script> & \"Co\" 'x'"
    path.write_text(render_html(make_settings(organization=organization), "en"), "utf-8")
    page = open_guide(browser, path, PHONE)
    try:
        assert page.evaluate("document.querySelectorAll('script').length") == 0
        assert page.evaluate("document.querySelectorAll('svg.step-picture').length") == 8
        assert problems(page, path.as_uri()) == []
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_chromium_print_carries_the_drawings(
    browser: Browser, pages: dict[str, Path], tmp_path: Path, lang: str
) -> None:
    page = open_guide(browser, pages[lang], (1280, 900))
    try:
        pdf = page.print_pdf()
    finally:
        page.close()
    (screenshot_folder(tmp_path) / f"illustrated-{lang}-print.pdf").write_bytes(pdf)
    pages_text = " ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages)
    text = squashed(unicodedata.normalize("NFKC", pages_text))  # Chromium's "ﬁ" ligature
    assert text.count("9:41") == 8  # one status bar per drawing
    for picture in steps_of(lang).pictures:
        for label in draw(picture).texts:
            assert squashed(unicodedata.normalize("NFKC", label)) in text, (lang, label)
    assert re.search(r"\d", text)


def test_print_keeps_the_steps_heading_with_the_first_drawing(
    browser: Browser, tmp_path: Path
) -> None:
    # German with long values puts "Gerät registrieren" near the foot of page 1: the
    # heading and its sentence must move to page 2 with step 1, not stay behind alone.
    path = tmp_path / "long-de.html"
    path.write_text(render_html(make_settings(**LONG), "de"), encoding="utf-8")
    page = open_guide(browser, path, (1280, 900))
    try:
        pdf = page.print_pdf()
    finally:
        page.close()
    texts = [squashed(p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages]
    heading = next(i for i, text in enumerate(texts) if "Gerätregistrieren" in text)
    first_drawing = next(i for i, text in enumerate(texts) if "9:41" in text)
    assert heading == first_drawing


def test_on_a_wide_screen_each_drawing_sits_beside_its_text(
    browser: Browser, pages: dict[str, Path]
) -> None:
    page = open_guide(browser, pages["en"], (1280, 900))
    try:
        placed = json.loads(
            page.evaluate(
                """JSON.stringify([...document.querySelectorAll('ol.steps > li')].map(li => {
                  const text = li.querySelector(':scope > p').getBoundingClientRect();
                  const svg = li.querySelector('svg.step-picture').getBoundingClientRect();
                  return {beside: svg.left >= text.right, top: Math.abs(svg.top - text.top),
                          width: svg.width};
                }))"""
            )
        )
    finally:
        page.close()
    assert len(placed) == 8
    for where in placed:
        assert where["beside"], where
        assert where["top"] < 8, where
        assert where["width"] == 220, where
