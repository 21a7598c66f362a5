"""Rendering a guide to bytes in a format, and exporting it to files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tui.choices import GUIDE_FORMATS, GuideFormat
from tui.files import write_public
from tui.guide.document import build_document
from tui.guide.errors import GuideError
from tui.guide.settings import GuideSettings

FILE_STEM = "onboarding-guide"


def render(settings: GuideSettings, lang: str, fmt: GuideFormat | str) -> bytes:
    """The guide in `lang` as the bytes of a `fmt` file ("md", "html" or "pdf")."""
    document = build_document(settings, lang)
    if fmt == "md":
        from tui.guide.markdown import document_markdown

        return document_markdown(document).encode("utf-8")
    if fmt == "html":
        from tui.guide.html import document_html

        return document_html(document).encode("utf-8")
    if fmt == "pdf":
        from tui.guide.pdf import document_pdf

        return document_pdf(document)
    raise GuideError(f"format {fmt!r} is not supported: use one of {', '.join(GUIDE_FORMATS)}")


def default_filename(lang: str, fmt: GuideFormat | str) -> str:
    """e.g. "onboarding-guide-de.html"."""
    return f"{FILE_STEM}-{lang}.{fmt}"


def export(settings: GuideSettings, lang: str, fmt: GuideFormat | str, path: Path | str) -> Path:
    """Render and write one guide file (0644: a document to publish; atomic); returns its path."""
    return write_public(Path(path), render(settings, lang, fmt))


def export_all(
    settings: GuideSettings,
    folder: Path | str,
    languages: Sequence[str] | None = None,
    formats: Sequence[GuideFormat | str] | None = None,
) -> list[Path]:
    """Every language x format (default: the settings' own) into `folder`, named
    by `default_filename`. Returns the written paths in order."""
    written = []
    for lang in languages or settings.languages:
        for fmt in formats or settings.formats:
            written.append(export(settings, lang, fmt, Path(folder) / default_filename(lang, fmt)))
    return written
