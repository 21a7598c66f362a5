"""The step drawings in the fpdf2 PDF: each step's drawing is on the page beside its text,
its labels real text in the drawing's column, in the reader's language."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tui.guide import render_pdf
from tui.guide.illustrations import draw
from tui.guide.pdf import MARGIN, PICTURE_WIDTH

from .conftest import LANGUAGES, make_settings
from .test_illustrations import steps_of

PT_PER_MM = 72 / 25.4
A4_WIDTH_MM = 210.0


def picture_column_text(pdf: bytes) -> list[str]:
    """The text runs drawn in the drawings' column (right of the step text, above the
    page numbers), in order."""
    left = (A4_WIDTH_MM - MARGIN - PICTURE_WIDTH) * PT_PER_MM - 0.5
    right = (A4_WIDTH_MM - MARGIN) * PT_PER_MM + 0.5
    runs: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:

        def visit(text: str, _cm: Any, tm: Any, _font: Any, _size: Any) -> None:
            if text.strip() and left <= tm[4] <= right and tm[5] > MARGIN * PT_PER_MM:
                runs.append(text.strip())  # pypdf puts a space between runs on one line

        page.extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "variant",
    [{"identity": "federated"}, {"identity": "managed_apple_id", "authenticator_required": False}],
    ids=["federated", "managed-apple-id"],
)
def test_every_drawing_is_in_the_pdf_beside_its_step(lang: str, variant: dict[str, Any]) -> None:
    pdf = render_pdf(make_settings(**variant), lang)
    runs = picture_column_text(pdf)
    expected = [
        text for picture in steps_of(lang, **variant).pictures for text in draw(picture).texts
    ]
    # Every label of every drawing, in step order, and nothing else in that column.
    assert runs == expected
    assert runs.count("9:41") == 8


def test_drawings_print_characters_the_font_lacks_as_question_marks() -> None:
    # The example address holds a value the font cannot show: like the text, "?" not a box.
    pdf = render_pdf(make_settings(sign_in_domain="東京.example"), "en")
    runs = picture_column_text(pdf)
    assert any("@??.example" in run or run.startswith("??.example") for run in runs), runs


def test_adue_guide_writes_the_drawings_into_pdf_and_html(tmp_path: Path) -> None:
    # As an admin runs it: `adue guide --format pdf|html --lang de` from an applied session.
    from .conftest import SESSION, write_session
    from .test_cli import adue

    session = write_session(tmp_path / "adue-session.toml", SESSION)
    for fmt in ("pdf", "html"):
        out = tmp_path / f"onboarding.{fmt}"
        args = ("guide", "--session", str(session), "--format", fmt, "--lang", "de")
        result = adue(*args, "-o", str(out))
        assert result.returncode == 0, result.stderr.decode()
        if fmt == "pdf":
            runs = picture_column_text(out.read_bytes())
            assert runs.count("9:41") == 8
            for label in ("VPN und", "Geräteverwaltung", "VERWALTETER ACCOUNT", "Fortfahren"):
                assert label in runs
            assert "contoso.com" in runs  # the example address, from the session's domain
        else:
            html = out.read_text(encoding="utf-8")
            assert html.count('<svg class="step-picture"') == 8
            assert "VERWALTETER ACCOUNT</text>" in html
