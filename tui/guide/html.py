"""The guide as one self-contained HTML page: inline CSS, inline SVG, nothing fetched."""

from __future__ import annotations

import re
from functools import cache
from html import escape
from importlib import resources
from itertools import groupby

from tui.guide.document import Block, BlockWriter, Document, Inline, Span, build_document, plain
from tui.guide.illustrations import Picture, draw, drawing_svg
from tui.guide.qr import qr_svg
from tui.guide.settings import GuideSettings

# The page may not load anything: no fonts, images, scripts or frames, even if a
# value slipped through escaping. Inline <style> and data: images only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)


@cache
def stylesheet() -> str:
    # The drawings' rules live with the drawings; appended so they can override.
    return "".join(
        resources.files(package).joinpath(name).read_text(encoding="utf-8")
        for package, name in (
            ("tui.guide", "guide.css"),
            ("tui.guide.illustrations", "illustrations.css"),
        )
    )


# Punctuation that ends a sentence or clause: kept on the line of the address before it.
_TRAILING = re.compile(r"^[.,;:!?)»”’]+")
# Where an address may wrap: before "@" and ".", after "/" ... never at a hyphen, which a
# reader would take for hyphenation (and so type "ithelp@" for "it-help@").
_ADDRESS_BREAK = re.compile(r"(?=[@.?#&])|(?<=/)(?!/)")
_LONGEST_UNBROKEN = 16  # characters; longer pieces get break points too (a phone is narrow)


def address_html(text: str) -> str:
    """`text` escaped, with <wbr> at the only places it may wrap (the address is nowrap)."""
    pieces: list[str] = []
    for piece in _ADDRESS_BREAK.split(text):
        while len(piece) > _LONGEST_UNBROKEN:
            cut = _LONGEST_UNBROKEN
            while cut < len(piece) and piece[cut - 1] == "-":
                cut += 1  # a line never ends in a hyphen of the address
            pieces.append(escape(piece[:cut]))
            piece = piece[cut:]
        if piece:
            pieces.append(escape(piece))
    return "<wbr>".join(pieces)


def _span_html(span: Span, trailing: str) -> str:
    shown = address_html(span.text) if span.address else escape(span.text)
    if span.href:
        rel = ' rel="noopener noreferrer"' if span.href.startswith("http") else ""
        # A link that shows its own address is not spelled out again on paper.
        literal = ' class="literal"' if span.href.rstrip("/") == span.text.rstrip("/") else ""
        shown = f'<a href="{escape(span.href)}"{rel}{literal}>{shown}</a>'
    if span.address:
        # The sentence's "." after the address stays with it (inside the nowrap box).
        return f'<span class="address">{shown}{escape(trailing)}</span>'
    return shown


def inline(spans: Inline) -> str:
    parts: list[str] = []
    for strong, group in groupby(spans, key=lambda span: span.strong):
        run = list(group)
        text = ""
        carried = ""  # punctuation already shown with the address before it
        for index, span in enumerate(run):
            rest = span.text[len(carried) :] if carried else span.text
            span = Span(rest, span.strong, span.value, span.href, span.address) if carried else span
            carried = ""
            trailing = ""
            if span.address and index + 1 < len(run) and not run[index + 1].address:
                match = _TRAILING.match(run[index + 1].text)
                trailing = carried = match.group() if match else ""
            if span.text:
                text += _span_html(span, trailing)
        parts.append(f"<strong>{text}</strong>" if strong else text)
    return "".join(parts)


def step_list_html(items: tuple[Inline, ...], pictures: tuple[Picture, ...], id_prefix: str) -> str:
    """The numbered steps; each item's text, then its drawing (if it has one)."""
    shown = []
    for number, item in enumerate(items, 1):
        picture = ""
        if number <= len(pictures):
            picture = drawing_svg(draw(pictures[number - 1]), f"{id_prefix}-{number}")
        shown.append(
            f"<li><p>{inline(item)}</p>{picture}</li>" if picture else f"<li>{inline(item)}</li>"
        )
    return f'<ol class="steps">{"".join(shown)}</ol>'


class _HtmlBlocks(BlockWriter):
    def __init__(self, anchor: str) -> None:
        self.anchor = anchor  # the section's or subsection's id: its headings' ids start so
        self.out: list[str] = []

    def paragraph(self, spans: Inline) -> None:
        self.out.append(f"<p>{inline(spans)}</p>")

    def bullets(self, items: tuple[Inline, ...]) -> None:
        shown = "".join(f"<li>{inline(item)}</li>" for item in items)
        self.out.append(f"<ul>{shown}</ul>")

    def steps(self, items: tuple[Inline, ...], pictures: tuple[Picture, ...]) -> None:
        self.out.append(step_list_html(items, pictures, f"{self.anchor}-step"))

    def callout(self, tone: str, title: Inline, spans: Inline) -> None:
        self.out.append(
            f'<div class="callout callout-{tone}" role="note">'
            f'<p class="callout-title"><strong>{inline(title)}</strong></p>'
            f"<p>{inline(spans)}</p></div>"
        )

    def qr_code(self, url: str, label: str, caption: Inline) -> None:
        self.out.append(
            f'<figure class="qr">{qr_svg(url, label)}'
            f"<figcaption>{inline(caption)}</figcaption></figure>"
        )

    def subsection(self, title: Inline, blocks: tuple[Block, ...], level: int, number: int) -> None:
        anchor = f"{self.anchor}-{number}"
        self.out.append(f'<h{level} id="{anchor}">{inline(title)}</h{level}>')
        self.out.extend(_blocks(blocks, level + 1, anchor))


def _blocks(blocks: tuple[Block, ...], level: int, anchor: str) -> list[str]:
    writer = _HtmlBlocks(anchor)
    writer.write_blocks(blocks, level)
    return writer.out


def document_html(document: Document) -> str:
    contents = "".join(
        f'<li><a href="#{section.anchor}">{inline(section.title)}</a></li>'
        for section in document.sections
    )
    sections = "\n".join(
        f'<section id="{section.anchor}" aria-labelledby="{section.anchor}-title">\n'
        f'<h2 id="{section.anchor}-title">{inline(section.title)}</h2>\n'
        + "\n".join(_blocks(section.blocks, 3, section.anchor))
        + "\n</section>"
        for section in document.sections
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(document.lang)}" dir="{escape(document.direction)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="adue">
<title>{escape(plain(document.title))}</title>
<style>
{stylesheet()}</style>
</head>
<body>
<a class="skip-link" href="#main">{escape(document.skip_link_label)}</a>
<div class="page">
<header class="masthead">
<p class="organization">{escape(document.organization)}</p>
<h1>{inline(document.title)}</h1>
<p class="lead">{inline(document.lead)}</p>
</header>
<nav class="contents" aria-labelledby="contents-title">
<h2 id="contents-title">{escape(document.contents_label)}</h2>
<ol>{contents}</ol>
</nav>
<main id="main" tabindex="-1">
{sections}
</main>
<footer class="footer">
<p>{inline(document.footer)}</p>
</footer>
</div>
</body>
</html>
"""


def render_html(settings: GuideSettings, lang: str) -> str:
    return document_html(build_document(settings, lang))
