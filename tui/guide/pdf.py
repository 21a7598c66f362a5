"""The guide as a printable A4 PDF (fpdf2), with the bundled DejaVu Sans subset.

fpdf2's core fonts only cover Latin-1, which lacks “ ” ’ – … › and œ; the bundled
TrueType subset covers Latin, Greek, Cyrillic and typographic punctuation. A
character outside it (e.g. CJK in an organisation name) prints as "?" rather
than an empty box.
"""

from __future__ import annotations

import unicodedata
from contextlib import ExitStack
from importlib import resources
from typing import TYPE_CHECKING, NamedTuple

from tui.guide.document import Block, BlockWriter, Document, Inline, build_document, plain
from tui.guide.errors import GuideError
from tui.guide.illustrations import Picture, draw
from tui.guide.illustrations.pdf import draw_pdf
from tui.guide.qr import qr_runs
from tui.guide.settings import GuideSettings

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = "Guide"
MARGIN = 18.0  # mm
BODY_SIZE = 10.5  # pt
LINE = 5.4  # mm per body line
INDENT = 7.5  # mm for list markers
QR_SIZE = 34.0  # mm; scans reliably from paper at arm's length
TEXT = (27, 31, 36)
MUTED = (87, 96, 106)
ACCENT = (11, 92, 173)
WARN = (201, 154, 30)
RULE = (208, 215, 222)
PICTURE_WIDTH = 44.0  # mm; a drawing's labels print at about 7 pt
PICTURE_GAP = 6.0  # mm between a step's text and its drawing


class _Writer(BlockWriter):
    """Lays the document model out on fpdf2 pages."""

    def __init__(self, pdf: FPDF, covered: frozenset[int], *, keep_last_topic: bool) -> None:
        self.pdf = pdf
        self.covered = covered
        self.color = TEXT
        # Start the topic before the contact section on a new page, so the last page
        # never holds the contact section alone (set on a second pass, see document_pdf).
        self.keep_last_topic = keep_last_topic
        self.last_page_before_contact = 0  # the page the content before it ended on

    def set_color(self, color: tuple[int, int, int]) -> None:
        self.color = color
        self.pdf.set_text_color(*color)

    def printable(self, text: str) -> str:
        if all(ord(ch) in self.covered for ch in text):
            return text
        out = []
        for ch in text:
            if ord(ch) in self.covered:
                out.append(ch)
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", ch) if ord(c) in self.covered)
            out.append(base or "?")
        return "".join(out)

    def keep_space(self, height: float) -> None:
        """Start a new page unless `height` mm still fit (no orphaned headings)."""
        if self.pdf.get_y() + height > self.pdf.h - self.pdf.b_margin:
            self.pdf.add_page()

    def spans(
        self,
        spans: Inline,
        size: float = BODY_SIZE,
        bold: bool = False,
        left: float = 0.0,
        right: float = 0.0,
    ) -> None:
        """One paragraph, `left` mm in from the margin. fpdf2's text region wraps at
        spaces across spans (plain `write` calls break inside a word when a span starts
        near the end of a line)."""
        pdf = self.pdf
        with (
            pdf.text_columns(
                l_margin=pdf.l_margin + left, r_margin=pdf.r_margin + right, line_height=1.22
            ) as columns,
            columns.paragraph() as paragraph,
        ):
            for span in spans:
                pdf.set_font(FONT, "B" if bold or span.strong else "", size)
                if span.href:
                    pdf.set_text_color(*ACCENT)
                    paragraph.write(self.printable(span.text), link=span.href)
                    pdf.set_text_color(*self.color)
                else:
                    paragraph.write(self.printable(span.text))

    def heading(self, spans: Inline, level: int) -> None:
        size = {2: 15.0, 3: 11.5}[level]
        self.keep_space(28 if level == 2 else 18)
        self.pdf.ln(5 if level == 2 else 2.5)
        self.pdf.start_section(self.printable(plain(spans)), level=level - 2, strict=False)
        self.set_color(ACCENT if level == 2 else TEXT)
        self.spans(spans, size=size, bold=True)
        self.set_color(TEXT)
        self.pdf.ln(1.5)

    def paragraph(self, spans: Inline) -> None:
        self.spans(spans)
        self.pdf.ln(2.2)

    def bullets(self, items: tuple[Inline, ...]) -> None:
        pdf = self.pdf
        for item in items:
            self.keep_space(LINE * 2)
            y = pdf.get_y()
            pdf.set_font(FONT, "", BODY_SIZE)
            pdf.set_xy(pdf.l_margin + 1.5, y)
            pdf.cell(INDENT - 1.5, LINE, "•")
            pdf.set_y(y)
            self.spans(item, left=INDENT)
            pdf.ln(1.2)
        pdf.ln(1.2)

    def steps(self, items: tuple[Inline, ...], pictures: tuple[Picture, ...]) -> None:
        pdf = self.pdf
        for number, item in enumerate(items, 1):
            drawing = draw(pictures[number - 1]) if number <= len(pictures) else None
            if drawing is not None:
                self.keep_space(drawing.height * PICTURE_WIDTH / drawing.width + 4)
            else:
                self.keep_space(LINE * 2.5)
            x, y = pdf.l_margin, pdf.get_y()
            pdf.set_fill_color(*ACCENT)
            pdf.ellipse(x, y - 0.1, 5.6, 5.6, style="F")
            pdf.set_text_color(255, 255, 255)
            pdf.set_font(FONT, "B", 9)
            pdf.set_xy(x, y - 0.1)
            pdf.cell(5.6, 5.6, str(number), align="C")
            self.set_color(TEXT)
            pdf.set_y(y)
            if drawing is None:
                self.spans(item, left=INDENT + 1)
            else:  # the step's text, and its drawing beside it on the right
                self.spans(item, left=INDENT + 1, right=PICTURE_WIDTH + PICTURE_GAP)
                left = pdf.w - pdf.r_margin - PICTURE_WIDTH
                height = draw_pdf(pdf, drawing, left, y, PICTURE_WIDTH, FONT, self.printable)
                self.set_color(TEXT)
                pdf.set_y(max(pdf.get_y(), y + height + 2))
            pdf.ln(2)
        pdf.ln(1)

    def callout(self, _tone: str, title: Inline, spans: Inline) -> None:
        pdf = self.pdf
        self.keep_space(LINE * 5)
        pdf.ln(1)
        x, top, page = pdf.l_margin, pdf.get_y(), pdf.page_no()
        self.spans(title, bold=True, left=5)
        pdf.ln(0.8)
        self.spans(spans, left=5)
        bottom = pdf.get_y()
        if pdf.page_no() != page:  # the box broke over a page: mark only its tail
            top = pdf.t_margin
        pdf.set_fill_color(*WARN)
        pdf.rect(x, top - 0.6, 1.6, bottom - top + 1.2, style="F")
        pdf.ln(4)

    def qr_code(self, url: str, _label: str, caption: Inline) -> None:
        pdf = self.pdf
        self.keep_space(QR_SIZE + 6)
        pdf.ln(2)
        x, y = pdf.l_margin, pdf.get_y()
        modules, runs = qr_runs(url)
        unit = QR_SIZE / modules
        pdf.set_fill_color(0, 0, 0)
        for row, col, length in runs:
            # Slight overlap avoids hairline gaps between rows in some viewers.
            pdf.rect(x + col * unit, y + row * unit, length * unit, unit + 0.02, style="F")
        pdf.set_y(y + QR_SIZE / 2 - LINE)
        self.spans(caption, left=QR_SIZE + 5)
        pdf.set_y(max(pdf.get_y(), y + QR_SIZE) + 3)

    def subsection(
        self, title: Inline, blocks: tuple[Block, ...], level: int, _number: int
    ) -> None:
        self.heading(title, level)
        self.write_blocks(blocks, level + 1)

    def document(self, document: Document) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.set_color(MUTED)
        pdf.set_font(FONT, "B", 9)
        pdf.multi_cell(0, 4.5, self.printable(document.organization.upper()))
        pdf.ln(1.5)
        self.set_color(TEXT)
        pdf.start_section(self.printable(plain(document.title)), level=0)
        self.spans(document.title, size=19, bold=True)
        pdf.ln(3)
        self.spans(document.lead, size=11.5)
        pdf.ln(2)
        *body, contact = document.sections
        for index, section in enumerate(body):
            self.heading(section.title, 2)
            blocks = section.blocks
            if index == len(body) - 1 and self.keep_last_topic and len(blocks) > 1:
                self.write_blocks(blocks[:-1], 3)
                self.pdf.add_page()
                blocks = blocks[-1:]
            self.write_blocks(blocks, 3)
        self.last_page_before_contact = pdf.page_no()
        self.heading(contact.title, 2)
        self.write_blocks(contact.blocks, 3)
        pdf.ln(4)
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(3)
        self.set_color(MUTED)
        self.spans(document.footer, size=8.5)


def document_pdf(document: Document) -> bytes:
    from fpdf import FPDF  # ~0.2 s of imports: only when a PDF is asked for

    class GuidePdf(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, "", 8)
            self.set_text_color(*MUTED)
            self.cell(0, 5, f"{self.page_no()} / {{nb}}", align="R")

    laid_out = _render(GuidePdf, document, keep_last_topic=False)
    if laid_out.pdf.pages_count > laid_out.last_page_before_contact:
        # The contact section (or its tail) ran onto a page of its own: lay out again
        # with the topic before it moved over to that page.
        laid_out = _render(GuidePdf, document, keep_last_topic=True)
    return bytes(laid_out.pdf.output())


class _LaidOut(NamedTuple):
    pdf: FPDF
    last_page_before_contact: int


def _render(pdf_class: type[FPDF], document: Document, *, keep_last_topic: bool) -> _LaidOut:
    pdf = pdf_class(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    fonts = resources.files("tui.guide").joinpath("fonts")
    with ExitStack() as stack:
        for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
            try:
                path = stack.enter_context(resources.as_file(fonts / name))
                pdf.add_font(FONT, style, str(path))
            except FileNotFoundError:
                raise GuideError(
                    f"the PDF font tui/guide/fonts/{name} is missing from this installation:"
                    " reinstall adue (its package data must include *.ttf)"
                ) from None
    covered = frozenset[int].intersection(
        *(frozenset(getattr(pdf.fonts[key], "cmap", {})) for key in ("guide", "guideB"))
    )
    writer = _Writer(pdf, covered, keep_last_topic=keep_last_topic)
    pdf.set_lang(document.lang)
    pdf.set_title(plain(document.title))
    pdf.set_author(document.organization)
    pdf.set_creator("adue")
    writer.set_color(TEXT)
    writer.document(document)
    return _LaidOut(pdf, writer.last_page_before_contact)


def render_pdf(settings: GuideSettings, lang: str) -> bytes:
    return document_pdf(build_document(settings, lang))
