"""The employee onboarding guide: one document model, rendered to Markdown, HTML and PDF.

    settings = GuideSettings.from_session(tomllib.load(f))   # or GuideSettings(...) in the wizard
    text = render_markdown(settings, "de")                   # preview / clipboard
    export(settings, "de", "html", Path("guide-de.html"))    # 0600, atomic

Importing this package is cheap: segno and fpdf2 load only when HTML or PDF is rendered.
"""

from __future__ import annotations

from tui.guide.document import Document, build_document
from tui.guide.errors import GuideError, GuideSettingsError, Problem, UnknownLanguageError
from tui.guide.export import default_filename, export, export_all, render
from tui.guide.html import render_html
from tui.guide.markdown import render_markdown
from tui.guide.pdf import render_pdf
from tui.guide.settings import GuideSettings
from tui.guide.strings import available_languages, language_name, missing_strings

__all__ = [
    "Document",
    "GuideError",
    "GuideSettings",
    "GuideSettingsError",
    "Problem",
    "UnknownLanguageError",
    "available_languages",
    "build_document",
    "default_filename",
    "export",
    "export_all",
    "language_name",
    "missing_strings",
    "render",
    "render_html",
    "render_markdown",
    "render_pdf",
]
