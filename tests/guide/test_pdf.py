"""The fpdf2 PDF: its text as pypdf extracts it, metadata, outline and the QR code."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from tui.guide import render_pdf
from tui.guide.document import build_document, plain
from tui.guide.qr import qr_runs

from .conftest import LANGUAGES, make_settings

TYPOGRAPHY = "Contoso – “Müller & Søn” … l’équipe › Œuvre"


def extract(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return reader, text


def squash(text: str) -> str:
    """Text with all whitespace runs as one space (lines wrap anywhere in a PDF)."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_text_has_every_heading_and_the_facts(lang: str) -> None:
    settings = make_settings(organization=TYPOGRAPHY)
    document = build_document(settings, lang)
    reader, text = extract(render_pdf(settings, lang))
    flat = squash(text)
    for section in document.sections:
        assert squash(plain(section.title)) in flat, plain(section.title)
    assert squash(plain(document.title)) in flat
    assert TYPOGRAPHY in flat  # – “ ” … ’ › Œ ø survive (DejaVu subset, not Latin-1)
    facts = ("Microsoft Teams", "17", "Enrollment SSO application", "the expected services")
    for fact in facts:
        assert fact in flat
    assert "it-help@contoso.com" in flat
    assert reader.metadata is not None
    assert reader.metadata.title == plain(document.title)
    root = reader.trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    assert root.get("/Lang") == lang
    outline = [item.title for item in reader.outline if not isinstance(item, list)]
    assert outline[0] == plain(document.title)


def test_german_specials_render() -> None:
    _, text = extract(render_pdf(make_settings(), "de"))
    flat = squash(text)
    for phrase in (
        "„The Enrollment SSO application has been installed on the device“",
        "VERWALTETER ACCOUNT",
        "Geräteverwaltung",
        "heißt",
        "kann – und was nicht",
    ):
        assert phrase in flat


def test_characters_outside_the_font_become_question_marks() -> None:
    _, text = extract(render_pdf(make_settings(organization="東京 Contoso"), "en"))
    assert "?? Contoso" in squash(text)


def _filled_rects(pdf: bytes) -> int:
    reader = PdfReader(io.BytesIO(pdf))
    streams = [page.get_contents() for page in reader.pages]
    assert all(stream is not None for stream in streams)
    content = b"".join(stream.get_data() for stream in streams if stream is not None)
    return len(re.findall(rb" re f\b", content))


def test_qr_code_drawn_only_with_a_link() -> None:
    url = "https://intranet.contoso.com/enroll"
    with_link = render_pdf(make_settings(link_url=url), "en")
    without = render_pdf(make_settings(link_url=""), "en")
    _, runs = qr_runs(url)
    assert _filled_rects(with_link) - _filled_rects(without) == len(list(runs))
    assert url in squash(extract(with_link)[1])
    assert url not in squash(extract(without)[1])


def test_qr_runs_cover_exactly_the_dark_modules() -> None:
    import segno

    url = "https://intranet.contoso.com/enroll"
    size, runs = qr_runs(url)
    grid = [[False] * size for _ in range(size)]
    for row, col, length in runs:
        for c in range(col, col + length):
            grid[row][c] = True
    expected = [list(map(bool, row)) for row in segno.make(url, error="m").matrix_iter(border=4)]
    assert grid == expected
