"""The step drawings as shapes and SVG: one per step, in the reader's language, every
label whole and inside the phone, agreeing with the step's text; values escaped."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest

from tui.guide import render_html, render_markdown
from tui.guide.document import StepList, build_document
from tui.guide.illustrations import STEP_DRAWINGS, Picture, draw, drawing_svg
from tui.guide.illustrations.measure import text_width, wrap
from tui.guide.illustrations.phone import SCREEN_LEFT, SCREEN_RIGHT
from tui.guide.illustrations.shapes import Label
from tui.guide.strings import Catalogue, builtin_catalogue

from .conftest import LANGUAGES, make_settings

SVG = "{http://www.w3.org/2000/svg}"
# What each drawing must show in full: [pictures] keys, and whether the example address too.
SHOWN: dict[str, tuple[tuple[str, ...], bool]] = {
    "open_settings": (("settings", "general", "about", "software_update", "vpn"), False),
    "sign_in": (("vpn", "sign_in_row", "sign_in_title", "continue"), True),
    "icloud": (("icloud_title", "continue"), True),
    "allow": (("remote_management", "allow"), False),
    "check": (("vpn", "managed_account"), True),
    "authenticator_required": (("authenticator",), False),
    "authenticator_optional": (("authenticator_full", "get"), False),
    "approve_apps": (("app_installation", "cancel", "install"), False),
    "teams": (("teams", "sign_in"), True),
    # Web-based device enrollment (tests/guide/test_illustrations_web.py).
    "web_open_safari": ((), False),  # the page's address: Picture.web_address
    "web_sign_in": (("sign_in", "next"), True),
    "web_download": (("download_prompt", "ignore", "allow_download"), False),
    "web_install": (
        ("settings", "profile_downloaded", "general", "install_profile", "install"),
        False,
    ),
}
# The label a drawing highlights is the one the step's sentence names (same words).
SAID: dict[str, tuple[str, tuple[str, ...]]] = {
    "steps.open_settings": ("open_settings", ("settings", "general", "vpn")),
    "steps.icloud_federated": ("icloud", ("icloud_title", "continue")),
    "steps.icloud_managed_apple_id": ("icloud", ("icloud_title", "continue")),
    "steps.allow": ("allow", ("allow",)),
    "steps.check": ("check", ("vpn", "managed_account")),
    "steps.teams": ("teams", ("teams",)),
}
VARIANTS = [
    {"identity": "federated", "authenticator_required": True},
    {"identity": "managed_apple_id", "authenticator_required": False},
]


def squashed(text: str) -> str:
    """Text without whitespace: a label wrapped over lines still matches."""
    return re.sub(r"\s+", "", text)


def steps_of(lang: str, **changes: object) -> StepList:
    document = build_document(make_settings(**changes), lang)
    enroll = next(section for section in document.sections if section.anchor == "enroll")
    return next(block for block in enroll.blocks if isinstance(block, StepList))


@pytest.mark.parametrize("variant", VARIANTS, ids=["federated", "managed-apple-id"])
def test_every_step_has_its_drawing(variant: dict[str, object]) -> None:
    steps = steps_of("en", **variant)
    assert len(steps.pictures) == len(steps.items) == 8
    names = [picture.name for picture in steps.pictures]
    assert set(names) <= set(STEP_DRAWINGS)
    expected = "required" if variant["authenticator_required"] else "optional"
    assert names[5] == f"authenticator_{expected}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("variant", VARIANTS, ids=["federated", "managed-apple-id"])
def test_labels_are_localized_whole_and_inside_the_phone(
    lang: str, variant: dict[str, object]
) -> None:
    strings = builtin_catalogue().strings(lang)
    for picture in steps_of(lang, **variant).pictures:
        drawing = draw(picture)
        shown = squashed("".join(drawing.texts))
        keys, with_address = SHOWN[picture.name]
        for key in keys:
            text = strings[f"pictures.{key}"]
            assert squashed(text) in shown, f"{lang} {picture.name}: {text!r} cut or missing"
        if with_address:
            assert squashed(picture.example_address) in shown
        # No label was shortened to fit ("…" only where a label itself has one).
        own_ellipses = sum(strings[f"pictures.{key}"].count("…") for key in keys)
        assert shown.count("…") == own_ellipses, f"{lang} {picture.name}: a label was cut"
        assert drawing.description == re.sub(
            r"\{example_address\}", picture.example_address, strings[f"pictures.{picture.name}_alt"]
        )
        for label in (shape for shape in drawing.shapes if isinstance(shape, Label)):
            width = text_width(label.text, label.size, label.bold)
            left = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[
                label.anchor
            ]
            assert left >= SCREEN_LEFT, (lang, label)
            assert left + width <= SCREEN_RIGHT, (lang, label)
            assert 0 < label.y <= drawing.height, (lang, label)
            # Legible: at 1 px per unit on a phone, no label is smaller than 10 px.
            assert label.size >= 10, (lang, label)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_drawings_use_the_words_of_the_steps(lang: str) -> None:
    strings = builtin_catalogue().strings(lang)
    for step_key, (_, keys) in SAID.items():
        for key in keys:
            assert strings[f"pictures.{key}"] in strings[step_key], (lang, step_key, key)


def test_a_long_address_breaks_after_the_at_sign() -> None:
    lines = wrap("firstname.lastname@contosopharmaceuticals.example", 12.5, 150)
    assert lines[0] == "firstname.lastname@"
    assert "".join(lines) == "firstname.lastname@contosopharmaceuticals.example"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single' ]]>"


def test_svg_escapes_labels_address_and_description() -> None:
    labels = {
        key.removeprefix("pictures."): HOSTILE
        for key in builtin_catalogue().strings("en")
        if key.startswith("pictures.")
    }
    for name in STEP_DRAWINGS:
        address = f"{HOSTILE}@contoso.com"
        picture = Picture(name, f"{HOSTILE} {name}", labels, address, f"{HOSTILE}.example")
        root = _parse(drawing_svg(draw(picture), f"step-{name}"))
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        tags = {element.tag.removeprefix(SVG) for element in root.iter()}
        assert tags <= {"svg", "title", "rect", "circle", "line", "text"}, tags
        assert root.find(f"{SVG}title").text == f"{HOSTILE} {name}"  # type: ignore[union-attr]
        assert root.get("aria-labelledby") == f"step-{name}-title"
        texts = squashed("".join(element.text or "" for element in root.iter(f"{SVG}text")))
        assert texts.count("<script>") >= 1  # as text, not an element (see tags)
        if SHOWN[name][1]:
            assert squashed(f"{HOSTILE}@contoso.com") in texts


def _catalogue_with_hostile_english(tmp_path: Path) -> Catalogue:
    # A translation file is data too: its labels and example user go into the drawings.
    folder = tmp_path / "lang"
    folder.mkdir()
    with resources.as_file(resources.files("tui.guide").joinpath("lang", "en.toml")) as en:
        shutil.copy(en, folder / "en.toml")
    (folder / "xx.toml").write_text(
        "[document]\nexample_user = 'a<b>&\"c\"'\n[pictures]\n"
        "vpn = '<script>alert(1)</script> & \"VPN\"'\n"
        "open_settings_alt = 'Drawing </title><script>alert(2)</script> & \"x\"'\n",
        encoding="utf-8",
    )
    return Catalogue(folder)


def test_hostile_strings_stay_text_in_the_page(tmp_path: Path) -> None:
    catalogue = _catalogue_with_hostile_english(tmp_path)
    settings = make_settings(
        organization='<script>x</script> & "Co"', languages=("xx",), catalogue=catalogue
    )
    html = render_html(settings, "xx")
    assert "<script" not in html
    svgs = re.findall(r"<svg class=\"step-picture\".*?</svg>", html, flags=re.S)
    assert len(svgs) == 8
    first = _parse(svgs[0])
    assert first.find(f"{SVG}title").text == 'Drawing </title><script>alert(2)</script> & "x"'  # type: ignore[union-attr]
    texts = squashed("".join(e.text or "" for e in first.iter(f"{SVG}text")))
    assert squashed('<script>alert(1)</script> & "VPN"') in texts
    sign_in = squashed("".join(e.text or "" for e in _parse(svgs[1]).iter(f"{SVG}text")))
    assert 'a<b>&"c"@contoso.com' in sign_in


def test_markdown_has_no_pictures() -> None:
    # Markdown is previewed and copied as one text: a picture there would be a broken
    # reference, so the drawings are in the HTML and PDF only.
    markdown = render_markdown(make_settings(), "en")
    assert "<svg" not in markdown
    assert "![" not in markdown
    assert ".svg" not in markdown
