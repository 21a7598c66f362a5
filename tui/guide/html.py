"""The guide as one self-contained HTML page: inline CSS, inline SVG, nothing fetched."""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources
from itertools import groupby

from tui.guide.document import (
    Block,
    BulletList,
    Callout,
    Document,
    Inline,
    Paragraph,
    QrCode,
    StepList,
    Subsection,
    build_document,
    plain,
)
from tui.guide.illustrations import draw, drawing_svg
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


def inline(spans: Inline) -> str:
    parts: list[str] = []
    for strong, run in groupby(spans, key=lambda span: span.strong):
        text = ""
        for span in run:
            shown = escape(span.text)
            if span.href:
                rel = ' rel="noopener noreferrer"' if span.href.startswith("http") else ""
                shown = f'<a href="{escape(span.href)}"{rel}>{shown}</a>'
            text += shown
        parts.append(f"<strong>{text}</strong>" if strong else text)
    return "".join(parts)


def step_list_html(block: StepList, id_prefix: str) -> str:
    """The numbered steps; each item's text, then its drawing (if it has one)."""
    items = []
    for number, item in enumerate(block.items, 1):
        picture = ""
        if number <= len(block.pictures):
            picture = drawing_svg(draw(block.pictures[number - 1]), f"{id_prefix}-{number}")
        items.append(
            f"<li><p>{inline(item)}</p>{picture}</li>" if picture else f"<li>{inline(item)}</li>"
        )
    return f'<ol class="steps">{"".join(items)}</ol>'


def _blocks(blocks: tuple[Block, ...], level: int, anchor: str) -> list[str]:
    out: list[str] = []
    for number, block in enumerate(blocks, 1):
        if isinstance(block, Paragraph):
            out.append(f"<p>{inline(block.spans)}</p>")
        elif isinstance(block, BulletList):
            items = "".join(f"<li>{inline(item)}</li>" for item in block.items)
            out.append(f"<ul>{items}</ul>")
        elif isinstance(block, StepList):
            out.append(step_list_html(block, f"{anchor}-step"))
        elif isinstance(block, Callout):
            out.append(
                f'<div class="callout callout-{block.tone}" role="note">'
                f'<p class="callout-title"><strong>{inline(block.title)}</strong></p>'
                f"<p>{inline(block.spans)}</p></div>"
            )
        elif isinstance(block, QrCode):
            out.append(
                f'<figure class="qr">{qr_svg(block.url, block.label)}'
                f"<figcaption>{inline(block.caption)}</figcaption></figure>"
            )
        elif isinstance(block, Subsection):
            out.append(f'<h{level} id="{anchor}-{number}">{inline(block.title)}</h{level}>')
            out.extend(_blocks(block.blocks, level + 1, f"{anchor}-{number}"))
    return out


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
