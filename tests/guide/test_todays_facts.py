"""Today's facts everywhere (enrollment-facts.md): Intune needs iOS/iPadOS 17 or later,
user enrollment with Company Portal is no fallback any more, Apple's current names, and
the on-device error of a broken service-discovery file in the guide's troubleshooting."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tui.discovery.findings import DEVICE_ERROR
from tui.guide.document import Subsection, build_document, plain
from tui.guide.html import render_html
from tui.guide.markdown import render_markdown
from tui.guide.pdf import render_pdf

from .conftest import LANGUAGES, make_settings
from .test_pdf import extract, squash

REPO = Path(__file__).resolve().parents[2]
ON_DEVICE = "Your Apple ID does not support the expected services on this device"

# An iOS/iPadOS version 14, 15 or 16 (e.g. "iOS 15", "iOS/iPadOS 15+", "iOS bzw. iPadOS 15",
# "iOS 15.7 to 16.3"): below Intune's minimum, so no text should name one at all.
OLD_IOS = re.compile(
    r"\b(?:iOS|iPadOS)\b(?:\s*(?:/|or|bzw\.|ou|o|and)\s*iPadOS)?\s*1[456](?:\.\d+)*\b",
    re.IGNORECASE,
)
NEW_MINIMUM = re.compile(r"\biOS\b[^\n]{0,12}\biPadOS 17\b")
# The old fallback: older devices enrolled "with the Company Portal app instead".
PORTAL = r"(?:Company Portal|Unternehmensportal|Portail d.entreprise|Portal de empresa)"
INSTEAD = r"(?:instead|fall(?:s|ing)? back|stattdessen|à la place|en su lugar|en lugar)"
FALLBACK = re.compile(
    # 14.9 the old cut-over version, not a duration ("14.9 s" in README's bench table).
    rf"{PORTAL}[^.\n]{{0,80}}{INSTEAD}|{INSTEAD}[^.\n]{{0,80}}{PORTAL}|\b14\.9\b(?! ?s\b)",
    re.IGNORECASE,
)
# Admin-center paths that moved (enrollment-facts.md has today's).
OLD_PATHS = re.compile(
    r"Devices > Enrollment > (?:Device platform restriction|Apple(?! > Apple MDM))"
    r"|Devices > iOS/iPadOS > Enrollment"
)
# Apple's old names.
OLD_NAMES = re.compile(r"managed Apple IDs?\b|verwaltete[nr]? Apple-ID|\bABM\b", re.IGNORECASE)
ABM = "Apple Business Manager"


def _stale(text: str) -> list[str]:
    found = [m.group(0) for m in (*OLD_IOS.finditer(text), *FALLBACK.finditer(text))]
    found += [m.group(0) for m in OLD_NAMES.finditer(text)]
    found += [m.group(0) for m in OLD_PATHS.finditer(text)]
    # "Apple Business Manager" only as the former name of Apple Business.
    found += [
        ABM for m in re.finditer(ABM, text) if "formerly " not in text[max(0, m.start() - 30) :]
    ]
    return found


def _guides() -> Iterator[tuple[str, str]]:
    for lang in LANGUAGES:
        for identity in ("federated", "managed_apple_id"):
            settings = make_settings(identity=identity)
            yield f"{lang}/{identity}.md", render_markdown(settings, lang)
            yield f"{lang}/{identity}.html", render_html(settings, lang)


def _strings_in(path: Path) -> Iterator[str]:
    """Every string constant in a module: its messages, help texts and fix texts."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value
        elif isinstance(node, ast.JoinedStr):
            yield "".join(
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            )


def _product_messages() -> Iterator[tuple[str, str]]:
    for folder in ("tui", "screens"):
        for path in sorted((REPO / folder).rglob("*.py")):
            if "sandbox" in path.parts:
                continue  # the emulated tenant, not a message to an admin or employee
            # Adjacent literals are one message: join them so a phrase split over two
            # lines is still seen.
            yield str(path.relative_to(REPO)), " ".join(_strings_in(path))


def _documents() -> Iterator[tuple[str, str]]:
    for path in [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]:
        yield str(path.relative_to(REPO)), path.read_text(encoding="utf-8")
    for path in sorted((REPO / "tui" / "guide" / "lang").glob("*.toml")):
        yield str(path.relative_to(REPO)), path.read_text(encoding="utf-8")
    for path in sorted((REPO / "examples").rglob("*")):
        if path.is_file() and path.suffix in (".toml", ".md", ".txt"):
            yield str(path.relative_to(REPO)), path.read_text(encoding="utf-8")


def test_the_patterns_catch_what_they_are_for() -> None:
    for stale in (
        "This needs iOS or iPadOS 15 or later.",
        "Dafür ist iOS bzw. iPadOS 15 oder neuer nötig.",
        "personal devices (iOS/iPadOS 15+)",
        "On iOS 15.7 to 16.3, a code by text message does not work",
        "Devices with iOS 14.9 or earlier are enrolled with the Company Portal app instead",
        "users fall back to user enrollment with Company Portal.",
        "Users need managed Apple IDs.",
        "Download a new token in Apple Business Manager.",
        "Intune admin center: Devices > Enrollment > Device platform restriction",
        "Shown in Intune > Devices > Enrollment > Apple.",
        "Devices > iOS/iPadOS > Enrollment: open the profile by its name",
    ):
        assert _stale(stale), stale
    for fine in (
        "This needs iOS or iPadOS 17 or later.",
        "iOS/iPadOS 18.2+ may then ask Apple Business (formerly Apple Business Manager).",
        "It takes about 15 minutes.",
        "fleet apply: 15.6 s (adue's CPU 14.9 s)",  # a bench figure, not a version
        "in the Company Portal app or at the website",
        "user enrollment with Company Portal",  # an existing profile's type, named as such
        "Devices > Device onboarding > Enrollment > Device platform restriction",
        "Devices > Enrollment > Apple > Apple MDM Push Certificate",
    ):
        assert not _stale(fine), fine


@pytest.mark.parametrize(
    "source", ["guides", "documents", "messages"], ids=["guides", "docs", "messages"]
)
def test_no_text_names_an_old_minimum_the_portal_fallback_or_old_names(source: str) -> None:
    texts = {"guides": _guides, "documents": _documents, "messages": _product_messages}[source]
    stale = {name: found for name, text in texts() if (found := _stale(text))}
    assert not stale


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pdf_guide_names_no_old_minimum(lang: str) -> None:
    _, text = extract(render_pdf(make_settings(), lang))
    assert not _stale(" ".join(text.split()))
    assert squash(ON_DEVICE) in squash(text)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("identity", ["federated", "managed_apple_id"])
def test_troubleshooting_carries_the_on_device_discovery_error(lang: str, identity: str) -> None:
    document = build_document(make_settings(identity=identity), lang)
    trouble = next(s for s in document.sections if s.anchor == "troubleshooting")
    titles = [plain(b.title) for b in trouble.blocks if isinstance(b, Subsection)]
    assert sum(ON_DEVICE in t for t in titles) == 1, titles
    assert ON_DEVICE in DEVICE_ERROR  # the same words as `discovery check` uses
    # ...and the minimum the guide states is today's.
    assert NEW_MINIMUM.search(render_markdown(make_settings(identity=identity), lang))
