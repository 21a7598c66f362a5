"""Session values are text in every format: never markup, never a script or a link."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tui.guide import GuideSettingsError, render_html, render_markdown
from tui.guide.document import build_document, plain
from tui.guide.markdown import escape

from .conftest import make_settings

XSS = "<script>alert(1)</script>"
# Everything a Markdown or HTML reader could act on.
NASTY = "<img src=x onerror=alert(2)> **b** _i_ `c` [l](javascript:alert(3)) &amp; # | ~~s~~ \\"
# The guide's own tags; a value adding any other (or an attribute) is a failure.
GUIDE_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "a",
    "div",
    "header",
    "p",
    "h1",
    "h2",
    "h3",
    "nav",
    "ol",
    "ul",
    "li",
    "main",
    "section",
    "strong",
    "span",  # an address, kept in one piece ...
    "wbr",  # ... but for the places it may wrap
    "footer",
    "figure",
    "figcaption",
    "svg",
    "path",
    # the step drawings (tui/guide/illustrations)
    "rect",
    "circle",
    "line",
    "text",
}


def commonmark() -> MarkdownIt:
    # Raw HTML on, like many Markdown viewers: escaping must not rely on it being off.
    return MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


VOID = {"meta", "link", "br", "img", "input", "hr", "wbr", "source"}


class Outline(HTMLParser):
    """Tags, attributes and the text of h1 in a rendered page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.h1 = ""
        self.title = ""
        self.paragraphs: list[str] = []
        self._inside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)
        if tag not in VOID:
            self._inside.append(tag)
        if tag == "p":
            self.paragraphs.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._inside:
            while self._inside.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "h1" in self._inside:
            self.h1 += data
        if "p" in self._inside:
            self.paragraphs[-1] += data
        if self._inside[-2:] == ["head", "title"]:
            self.title += data


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    parser.close()
    return parser


@pytest.mark.parametrize("organization", [XSS, NASTY])
def test_html_shows_values_as_text(organization: str) -> None:
    settings = make_settings(organization=organization)
    html = render_html(settings, "en")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    page = outline(html)
    assert set(page.tags) <= GUIDE_TAGS
    assert not any(name.startswith("on") for name, _ in page.attributes)
    assert not any(value and "javascript:" in value for _, value in page.attributes)
    title = plain(build_document(settings, "en").title)
    assert page.h1 == title
    assert page.title == title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or organization != XSS


@pytest.mark.parametrize("organization", [XSS, NASTY])
def test_markdown_shows_values_as_text(organization: str) -> None:
    settings = make_settings(organization=organization)
    markdown = render_markdown(settings, "en")
    html = commonmark().render(markdown)
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    page = outline(f"<body>{html}</body>")
    assert "code" not in page.tags
    assert "s" not in page.tags
    assert page.tags.count("em") == 1  # the footer; a value adds none
    assert not any(value and "javascript:" in value for _, value in page.attributes)
    assert page.h1 == plain(build_document(settings, "en").title)


def test_support_contact_cannot_inject_attributes() -> None:
    contact = 'https://help.example/"onmouseover="alert(1)'  # not a URL: plain text
    html = render_html(make_settings(support_contact=contact), "en")
    assert not any(name.startswith("on") for name, _ in outline(html).attributes)
    assert "Contact https://help.example/&quot;onmouseover=&quot;alert(1).</p>" in html


@pytest.mark.parametrize(
    "organization",
    ["1. Contoso", "2) Contoso", "- Contoso", "+ Contoso", "> Contoso", "# Contoso", "=== Contoso"],
)
def test_markdown_line_starts_stay_text(organization: str) -> None:
    # The lead paragraph starts with the organisation: it must not become a list,
    # quote or heading.
    settings = make_settings(organization=organization)
    tokens = commonmark().parse(render_markdown(settings, "en"))
    kinds = [t.type for t in tokens if t.type.endswith("_open")]
    assert kinds.count("ordered_list_open") == 1  # the enrollment steps
    assert kinds.count("bullet_list_open") == 3  # before you start, can, cannot
    assert kinds.count("heading_open") == 1 + 6 + 2 + 6
    assert kinds.count("blockquote_open") == 1  # the Authenticator warning
    lead = next(
        tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "paragraph_open" and i > 2
    )
    assert lead.replace("\\", "").startswith(organization)


def test_escape_leaves_plain_text_readable() -> None:
    assert escape("contoso.com & Co (Ltd) - 15 minutes.") == "contoso.com & Co (Ltd) - 15 minutes."
    assert escape("a*b_c<d>[e]`f`#g|h~i\\") == "a\\*b\\_c\\<d\\>\\[e\\]\\`f\\`\\#g\\|h\\~i\\\\"
    assert escape("&amp; &#60; AT&T") == "\\&amp; \\&\\#60; AT&T"


# Any one-line text a session may hold as organisation name, rich in the characters
# Markdown and HTML care about.
MARKUP = list("<>&;#*_`[]()!|~\\-+=.:/\"' 1")
ORGANIZATION = (
    st.text(
        st.one_of(
            st.sampled_from(MARKUP),
            st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn")),
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organization=ORGANIZATION)
def test_any_organization_round_trips_as_text(organization: str) -> None:
    try:
        settings_ = make_settings(organization=organization)
    except GuideSettingsError:
        return  # rejected with a message instead (tested above)
    title = plain(build_document(settings_, "en").title)
    page = outline(render_html(settings_, "en"))
    assert page.h1 == title
    assert set(page.tags) <= GUIDE_TAGS
    md_page = outline(f"<body>{commonmark().render(render_markdown(settings_, 'en'))}</body>")
    # CommonMark trims a heading's trailing spaces; nothing else may change.
    assert md_page.h1 == title.rstrip(" \t")
    # The lead paragraph starts with the organisation: a line start in Markdown.
    assert md_page.paragraphs[0] == plain(build_document(settings_, "en").lead)


# --- the support contact, and characters that make text read differently -----------------


@pytest.mark.parametrize("contact", [XSS, NASTY, "Desk `x` **y** # z"])
def test_a_support_contact_is_text_in_markdown_html_and_pdf(contact: str) -> None:
    from pypdf import PdfReader

    from tui.guide import render_pdf

    settings = make_settings(support_contact=contact)
    html = commonmark().render(render_markdown(settings, "en"))
    page = outline(f"<body>{html}</body>")
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "code" not in page.tags
    assert "s" not in page.tags
    assert page.tags.count("em") == 1  # the footer; the contact adds none
    assert not any(value and "javascript:" in value for _, value in page.attributes)
    assert any(contact in paragraph for paragraph in page.paragraphs), page.paragraphs
    rendered = render_html(settings, "en")
    html_page = outline(rendered)
    assert set(html_page.tags) <= GUIDE_TAGS
    assert not any(value and "javascript:" in value for _, value in html_page.attributes)
    assert any(contact in paragraph for paragraph in html_page.paragraphs)
    pdf = PdfReader(io.BytesIO(render_pdf(settings, "en")))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert " ".join(contact.split()) in text


# Invisible characters that reorder or hide text (a right-to-left override turns
# "Payroll \u202egnp.exe" into what reads as "Payroll exe.png"), and C1 controls (0x9B
# starts an escape sequence in a terminal that prints the Markdown).
READ_DIFFERENTLY = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u061c", "\x9b", "\x85"]


@pytest.mark.parametrize("character", READ_DIFFERENTLY)
@pytest.mark.parametrize("field", ["organization", "support_contact"])
def test_values_that_would_read_differently_are_refused(field: str, character: str) -> None:
    with pytest.raises(GuideSettingsError) as refused:
        make_settings(**{field: f"Payroll {character}gnp.exe"})
    message = str(refused.value)
    assert f"U+{ord(character):04X}" in message, message
