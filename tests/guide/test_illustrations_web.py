"""The web-based guide's step drawings ([enrollment_profile] mode = "web-based"): Safari at
the web enrollment page, the profile download, Settings › Profile Downloaded › Install,
the sign-in; then the Authenticator, work-app and Teams screens the account-driven guide
draws too. One per step, localized labels whole and inside the phone, the words of the
steps, in the HTML (inline SVG), the PDF, and Chromium at 375 px."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tui.guide import render_html, render_markdown, render_pdf
from tui.guide.document import WEB_ENROLLMENT_URL, StepList, build_document
from tui.guide.illustrations import draw
from tui.guide.illustrations.measure import text_width
from tui.guide.illustrations.phone import SCREEN_LEFT, SCREEN_RIGHT
from tui.guide.illustrations.shapes import ACCENT, Box, Label
from tui.guide.strings import builtin_catalogue

from .conftest import LANGUAGES, make_settings
from .test_illustrations import SHOWN, squashed
from .test_illustrations_pdf import picture_column_text

ADDRESS = urlsplit(WEB_ENROLLMENT_URL).netloc  # Safari shows the host
NAMES = ["web_open_safari", "web_sign_in", "web_download", "web_install"]
# The step's sentence names what its drawing highlights (same words).
SAID = {
    "web.download": ("allow_download",),
    "web.install": ("settings", "profile_downloaded", "install"),
}


def web_steps(lang: str, **changes: Any) -> StepList:
    document = build_document(make_settings(mode="web-based", **changes), lang)
    enroll = next(section for section in document.sections if section.anchor == "enroll")
    return next(block for block in enroll.blocks if isinstance(block, StepList))


@pytest.mark.parametrize("required", [True, False], ids=["authenticator-required", "optional"])
def test_every_web_step_has_its_drawing(required: bool) -> None:
    steps = web_steps("en", authenticator_required=required)
    names = [picture.name for picture in steps.pictures]
    kind = "required" if required else "optional"
    assert names == [*NAMES, f"authenticator_{kind}", "approve_apps", "teams"]
    assert len(steps.items) == len(steps.pictures) == 7
    assert {picture.web_address for picture in steps.pictures} == {ADDRESS}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_web_labels_are_localized_whole_and_inside_the_phone(lang: str) -> None:
    strings = builtin_catalogue().strings(lang)
    for picture in web_steps(lang).pictures:
        drawing = draw(picture)
        shown = squashed("".join(drawing.texts))
        keys, with_address = SHOWN[picture.name]
        for key in keys:
            text = strings[f"pictures.{key}"]
            assert squashed(text) in shown, f"{lang} {picture.name}: {text!r} cut or missing"
        if with_address:
            assert squashed(picture.example_address) in shown
        if picture.name == "web_open_safari":
            assert squashed(ADDRESS) in shown  # the whole address, wrapped, not cut
        assert "…" not in shown, f"{lang} {picture.name}: a label was cut"
        assert drawing.description == strings[f"pictures.{picture.name}_alt"].replace(
            "{example_address}", picture.example_address
        )
        for label in (shape for shape in drawing.shapes if isinstance(shape, Label)):
            width = text_width(label.text, label.size, label.bold)
            left = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[
                label.anchor
            ]
            assert left >= SCREEN_LEFT, (lang, label)
            assert left + width <= SCREEN_RIGHT, (lang, label)
            assert 0 < label.y <= drawing.height, (lang, label)
            assert label.size >= 10, (lang, label)
        # The thing to tap is outlined in the accent colour.
        assert any(
            isinstance(s, Box) and s.stroke == ACCENT and s.fill is None for s in drawing.shapes
        ), picture.name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_web_drawings_use_the_words_of_the_steps(lang: str) -> None:
    strings = builtin_catalogue().strings(lang)
    for step_key, keys in SAID.items():
        for key in keys:
            assert strings[f"pictures.{key}"] in strings[step_key], (lang, step_key, key)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_web_guide_html_has_a_drawing_per_step(lang: str) -> None:
    html = render_html(make_settings(mode="web-based"), lang)
    steps = re.search(r'<ol class="steps">.*?</ol>', html, flags=re.S)
    assert steps is not None
    svgs = re.findall(r'<svg class="step-picture".*?</svg>', steps.group(0), flags=re.S)
    assert len(svgs) == 7
    strings = builtin_catalogue().strings(lang)
    assert strings["pictures.profile_downloaded"] in svgs[3]
    assert squashed(ADDRESS) in squashed(re.sub(r"<[^>]+>", "", svgs[0]))
    assert "<svg" not in render_markdown(make_settings(mode="web-based"), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_web_drawing_is_in_the_pdf_beside_its_step(lang: str) -> None:
    pdf = render_pdf(make_settings(mode="web-based"), lang)
    runs = picture_column_text(pdf)
    expected = [text for picture in web_steps(lang).pictures for text in draw(picture).texts]
    assert runs == expected
    assert runs.count("9:41") == 7


def test_adue_guide_writes_the_web_drawings_into_pdf_and_html(tmp_path: Path) -> None:
    """As an admin runs it: `adue guide --format pdf|html --lang fr` from a session whose
    enrollment profile is web-based."""
    from .conftest import SESSION, write_session
    from .test_cli import adue

    data = {**SESSION, "enrollment_profile": {"mode": "web-based"}}
    session = write_session(tmp_path / "adue-session.toml", data)
    strings = builtin_catalogue().strings("fr")
    for fmt in ("pdf", "html"):
        out = tmp_path / f"onboarding.{fmt}"
        args = ("guide", "--session", str(session), "--format", fmt, "--lang", "fr")
        result = adue(*args, "-o", str(out))
        assert result.returncode == 0, result.stderr.decode()
        if fmt == "pdf":
            runs = picture_column_text(out.read_bytes())
            assert runs.count("9:41") == 7
            for key in ("profile_downloaded", "install_profile", "allow_download"):
                assert strings[f"pictures.{key}"] in runs, key
            assert ADDRESS in "".join(runs)
        else:
            html = out.read_text(encoding="utf-8")
            assert html.count('<svg class="step-picture"') == 7
            assert f"{strings['pictures.profile_downloaded']}</text>" in html
