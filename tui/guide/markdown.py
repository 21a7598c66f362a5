"""The guide as CommonMark: what the wizard previews and copies to the clipboard."""

from __future__ import annotations

import re
from itertools import groupby

from tui.guide.document import Block, BlockWriter, Document, Inline, build_document
from tui.guide.illustrations import Picture
from tui.guide.settings import GuideSettings

# Backslash-escaped wherever they appear: each can start emphasis, code, a link,
# raw HTML, a heading, a table cell or strikethrough; and `&` when it would start a
# character reference (`&amp;`, `&#60;`). One pass, so no escape is escaped again.
_SPECIAL = re.compile(r"[\\`*_\[\]<>#|~]|&(?=#?[A-Za-z0-9]+;)")
# Only special at the start of a line: list markers, setext underlines.
_LINE_START = re.compile(r"^(\d+)([.)])|^([-+=])")
_CALLOUT_ICON = {"warning": "⚠", "info": "ℹ"}


def escape(text: str, *, line_start: bool = False) -> str:
    """`text` so that CommonMark (and GFM) shows it literally."""
    escaped = _SPECIAL.sub(lambda match: "\\" + match.group(0), text)
    if line_start:
        escaped = _LINE_START.sub(
            lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", escaped
        )
    return escaped


def inline(spans: Inline) -> str:
    parts: list[str] = []
    # Neighbouring bold spans share one pair of ** (a label can hold a value).
    for strong, run in groupby(spans, key=lambda span: span.strong):
        text = ""
        for span in run:
            shown = escape(span.text, line_start=not parts and not text)
            text += f"[{shown}]({span.href})" if span.href else shown
        parts.append(f"**{text}**" if strong else text)
    return "".join(parts)


class _MarkdownBlocks(BlockWriter):
    def __init__(self) -> None:
        self.out: list[str] = []

    def paragraph(self, spans: Inline) -> None:
        self.out.append(inline(spans))

    def bullets(self, items: tuple[Inline, ...]) -> None:
        self.out.append("\n".join(f"- {inline(item)}" for item in items))

    def steps(self, items: tuple[Inline, ...], _pictures: tuple[Picture, ...]) -> None:
        # Its drawings are for HTML and PDF: the Markdown is one text that is previewed
        # and copied, with no file beside it for a picture to live in.
        self.out.append("\n".join(f"{n}. {inline(item)}" for n, item in enumerate(items, 1)))

    def callout(self, tone: str, title: Inline, spans: Inline) -> None:
        icon = _CALLOUT_ICON[tone]
        self.out.append(f"> {icon} **{inline(title)}**\n>\n> {inline(spans)}")

    def qr_code(self, _url: str, _label: str, caption: Inline) -> None:
        self.out.append(inline(caption))  # no image in Markdown: the link says it all

    def subsection(
        self, title: Inline, blocks: tuple[Block, ...], level: int, _number: int
    ) -> None:
        self.out.append(f"{'#' * level} {inline(title)}")
        self.write_blocks(blocks, level + 1)


def _blocks(blocks: tuple[Block, ...], level: int) -> list[str]:
    writer = _MarkdownBlocks()
    writer.write_blocks(blocks, level)
    return writer.out


def document_markdown(document: Document) -> str:
    parts = [f"# {inline(document.title)}", inline(document.lead)]
    for section in document.sections:
        parts.append(f"## {inline(section.title)}")
        parts.extend(_blocks(section.blocks, 3))
    parts += ["---", f"*{inline(document.footer)}*"]
    return "\n\n".join(parts) + "\n"


def render_markdown(settings: GuideSettings, lang: str) -> str:
    return document_markdown(build_document(settings, lang))
