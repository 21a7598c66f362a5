"""The HTML guide in headless Chromium: phone and desktop layout, no console errors,
no requests, dark mode, landmarks, escaping in a real browser, and print to PDF.

Screenshots land in the test's temp folder, or in $ADUE_GUIDE_SCREENSHOTS if set.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tui.guide import render_html
from tui.guide.document import build_document, plain

from .cdp import Browser, Page
from .conftest import LANGUAGES, make_settings

pytestmark = pytest.mark.browser

# Long values with no natural break points: they widen a phone page unless the
# stylesheet lets them wrap anywhere.
LONG = {
    "organization": "Contoso Pharmaceuticals Research & Development International",
    "sign_in_domain": "contosopharmaceuticalsresearchanddevelopment.example",
    "support_contact": "https://servicedesk.contoso.example/selfservicemobiledeviceenrollmenthelp",
    "link_url": "https://intranet.contoso.example/howtoenrollyourowniphoneoripadwithuserenrollment",
}
PHONE = (375, 812)
DESKTOP = (1280, 900)


def screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("ADUE_GUIDE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_guide(browser: Browser, path: Path, size: tuple[int, int], scheme: str = "light") -> Page:
    page = browser.new_page()
    page.set_viewport(*size, mobile=size[0] < 600)
    page.emulate(color_scheme=scheme)
    page.load(path.as_uri())
    return page


def problems(page: Page, document_url: str) -> list[str]:
    """Console errors, exceptions, log errors and any request besides the page itself."""
    found = []
    for event in page.my_events():
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in {
            "error",
            "assert",
            "warning",
        }:
            found.append(f"console.{params['type']}: {params['args']}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in {"error", "warning"}:
            found.append(f"log: {params['entry']['text']}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if url != document_url and not url.startswith("data:"):
                found.append(f"request: {url}")
        elif method == "Page.javascriptDialogOpening":
            found.append(f"dialog: {params['message']}")
    return found


MEASURE = """JSON.stringify({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  tooWide: [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(e => e.tagName + '.' + e.className).slice(0, 5),
  fontSize: parseFloat(getComputedStyle(document.querySelector('main p')).fontSize),
})"""


def measure(page: Page) -> dict[str, Any]:
    import json

    result: dict[str, Any] = json.loads(page.evaluate(MEASURE))
    return result


@pytest.fixture(scope="module")
def guides(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("guides")
    paths = {}
    for lang in LANGUAGES:
        path = folder / f"guide-{lang}.html"
        path.write_text(render_html(make_settings(**LONG), lang), encoding="utf-8")
        paths[lang] = path
    return paths


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone-375", "desktop-1280"])
def test_layout_fits_without_horizontal_scrolling(
    browser: Browser, guides: dict[str, Path], tmp_path: Path, lang: str, size: tuple[int, int]
) -> None:
    page = open_guide(browser, guides[lang], size)
    try:
        metrics = measure(page)
        # In mobile emulation an overflowing page widens the layout viewport itself
        # (innerWidth grows past 375), so both numbers are checked.
        assert metrics["innerWidth"] == size[0], metrics
        assert metrics["scrollWidth"] <= metrics["innerWidth"], metrics
        assert metrics["tooWide"] == [], metrics
        assert metrics["fontSize"] >= 16  # readable on a phone without zooming
        shot = page.screenshot(screenshot_folder(tmp_path) / f"guide-{lang}-{size[0]}.png")
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert problems(page, guides[lang].as_uri()) == []
    finally:
        page.close()


def test_dark_mode_follows_the_system(
    browser: Browser, guides: dict[str, Path], tmp_path: Path
) -> None:
    page = open_guide(browser, guides["de"], PHONE, scheme="dark")
    try:
        colours = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color,"
            " document.querySelector('.qr-code path').getAttribute('fill')]"
        )
        assert colours == ["rgb(17, 20, 24)", "rgb(230, 237, 243)", "#fff"]
        page.screenshot(screenshot_folder(tmp_path) / "guide-de-375-dark.png")
        assert problems(page, guides["de"].as_uri()) == []
    finally:
        page.close()


def test_landmarks_headings_and_language(browser: Browser, guides: dict[str, Path]) -> None:
    page = open_guide(browser, guides["fr"], DESKTOP)
    try:
        info = page.evaluate(
            """({
              lang: document.documentElement.lang,
              title: document.title,
              h1: document.querySelectorAll('h1').length,
              landmarks: ['header', 'nav', 'main', 'footer']
                .map(t => document.querySelectorAll(t).length),
              sections: [...document.querySelectorAll('main > section')].map(s =>
                document.getElementById(s.getAttribute('aria-labelledby')).tagName),
              tocTargets: [...document.querySelectorAll('nav a')]
                .every(a => document.querySelector(a.getAttribute('href')) !== null),
              qrName: document.querySelector('svg.qr-code[role=img] title').textContent,
            })"""
        )
        document = build_document(make_settings(**LONG), "fr")
        assert info["lang"] == "fr"
        assert info["title"] == plain(document.title)
        assert info["h1"] == 1
        assert info["landmarks"] == [1, 1, 1, 1]
        assert info["sections"] == ["H2"] * len(document.sections)
        assert info["tocTargets"] is True
        assert info["qrName"] == f"Code QR pour {LONG['link_url']}"
    finally:
        page.close()


def test_script_as_organisation_is_inert(browser: Browser, tmp_path: Path) -> None:
    organization = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    path = tmp_path / "xss.html"
    path.write_text(render_html(make_settings(organization=organization), "en"), encoding="utf-8")
    page = open_guide(browser, path, PHONE)
    try:
        heading = page.evaluate("document.querySelector('h1').textContent")
        assert heading == f"Set up your iPhone or iPad for {organization}"
        assert page.evaluate("document.querySelectorAll('script, img').length") == 0
        assert problems(page, path.as_uri()) == []
    finally:
        page.close()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_print_output_has_the_headings(
    browser: Browser, guides: dict[str, Path], tmp_path: Path, lang: str
) -> None:
    page = open_guide(browser, guides[lang], DESKTOP)
    try:
        pdf = page.print_pdf()
    finally:
        page.close()
    (screenshot_folder(tmp_path) / f"guide-{lang}-print.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() or "" for p in reader.pages))
    document = build_document(make_settings(**LONG), lang)
    for section in document.sections:
        assert plain(section.title) in text
    # Print stylesheet: no table of contents or skip link on paper; URLs spelled out.
    assert document.contents_label not in text
    assert document.skip_link_label not in text
    assert "(https://portal.manage.microsoft.com/)" in text


def test_cli_written_german_guide_opens_cleanly_on_a_phone(
    browser: Browser, tmp_path: Path
) -> None:
    # The "done when": adue guide --format html --lang de from an applied session.
    from .conftest import SESSION, write_session
    from .test_cli import adue

    session = write_session(tmp_path / "adue-session.toml", SESSION)
    out = tmp_path / "onboarding.html"
    result = adue(
        "guide", "--session", str(session), "--format", "html", "--lang", "de", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr.decode()
    page = open_guide(browser, out, PHONE)
    try:
        metrics = measure(page)
        assert (metrics["innerWidth"], metrics["scrollWidth"]) == (375, 375), metrics
        assert page.evaluate("document.documentElement.lang") == "de"
        assert page.evaluate("document.querySelector('h1').textContent") == (
            "iPhone oder iPad für Contoso einrichten"
        )
        assert problems(page, out.as_uri()) == []
    finally:
        page.close()
