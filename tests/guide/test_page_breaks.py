"""The contact section never makes a last page of its own, in the fpdf2 PDF and when
the HTML guide is printed from Chromium: it stays with the topic before it."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tui.guide import render_html, render_pdf
from tui.guide.document import build_document, plain

from .cdp import Browser
from .conftest import LANGUAGES, make_settings
from .test_browser import DESKTOP, LONG, open_guide

# Every variant of the guide's text that moves the page breaks (most of these put the
# contact section alone on page 3 or 4 before the fix).
VARIANTS: list[dict[str, Any]] = [
    {"identity": identity, "authenticator_required": required, "link_url": link}
    for identity, required, link in itertools.product(
        ("federated", "managed_apple_id"),
        (True, False),
        ("https://intranet.contoso.com/enroll", ""),
    )
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def contact_starts_the_last_page(pdf: bytes, contact_title: str) -> str:
    """The last page's opening words when the contact section opens that page or comes
    after it on the page before ("" when content from before it is on the last page)."""
    pages = [_flat(page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf)).pages]
    whole = " ".join(pages)
    contact = whole.rindex(_flat(contact_title))
    opening = pages[-1][:40]
    return opening if whole.rindex(opening) >= contact else ""


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda v: "-".join(map(str, v.values())))
def test_pdf_last_page_is_not_the_contact_section_alone(lang: str, variant: dict[str, Any]) -> None:
    settings = make_settings(**variant)
    contact = plain(build_document(settings, lang).sections[-1].title)
    assert contact_starts_the_last_page(render_pdf(settings, lang), contact) == ""


# The printed HTML guide: every combination of what moves its page breaks (the values'
# length, the link and its QR code, the enrollment mode, identity, Authenticator, the web
# clip). Before the fix, 30 of these 256 prints ended on a page holding only the footer
# (e.g. en short without a link, de long, es long web-based). `make test` prints the
# ones that failed and one of each mode and length per language; `make soak` all.
def _printed_variants() -> list[Any]:
    quick = {
        ("short", False, "account-driven"),
        ("long", True, "account-driven"),
        ("long", False, "web-based"),
        ("long", True, "web-based"),
    }
    found = []
    for length, link, mode, identity, required, web_clip in itertools.product(
        ("short", "long"),
        (True, False),
        ("account-driven", "web-based"),
        ("federated", "managed_apple_id"),
        (True, False),
        (False, True),
    ):
        values: dict[str, Any] = dict(LONG) if length == "long" else {}
        values.update(
            identity=identity, authenticator_required=required, mode=mode, web_clip=web_clip
        )
        if not link:
            values["link_url"] = ""
        name = "-".join(
            (length, "link" if link else "nolink", mode, identity, str(required), str(web_clip))
        )
        first = identity == "federated" and required and not web_clip
        marks = () if first and (length, link, mode) in quick else (pytest.mark.soak,)
        found.append(pytest.param(values, id=name, marks=marks))
    return found


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("values", _printed_variants())
def test_printed_html_last_page_is_not_the_contact_section_alone(
    browser: Browser, tmp_path: Path, lang: str, values: dict[str, Any]
) -> None:
    settings = make_settings(**values)
    path = tmp_path / f"guide-{lang}.html"
    path.write_text(render_html(settings, lang), encoding="utf-8")
    page = open_guide(browser, path, DESKTOP)
    try:
        pdf = page.print_pdf()
    finally:
        page.close()
    document = build_document(settings, lang)
    # Neither the contact section nor the page footer ("Prepared for … with adue") opens
    # the last page: it always carries the end of the topic before them too.
    assert contact_starts_the_last_page(pdf, plain(document.sections[-1].title)) == ""
