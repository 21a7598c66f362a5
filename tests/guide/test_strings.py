"""The translation tables: complete, consistent, and English as the fallback."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from tui.guide import available_languages, missing_strings, render_markdown
from tui.guide.document import build_document, placeholders, plain
from tui.guide.errors import GuideError, UnknownLanguageError
from tui.guide.strings import Catalogue, builtin_catalogue

from .conftest import LANGUAGES, make_settings

ENGLISH = builtin_catalogue().table("en").strings


def test_the_four_languages_ship_english_first() -> None:
    languages = available_languages()
    assert languages[0] == "en"
    assert set(LANGUAGES) <= set(languages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_string_is_missing(lang: str) -> None:
    # The report: a language lacking keys still renders (in English there), but we say which.
    missing = missing_strings(lang)
    assert missing == [], f"{lang}.toml lacks (shown in English): {', '.join(missing)}"
    unknown = builtin_catalogue().unknown(lang)
    assert unknown == [], f"{lang}.toml has keys English does not know: {', '.join(unknown)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_and_markup_match_english(lang: str) -> None:
    table = builtin_catalogue().table(lang).strings
    for key, text in table.items():
        assert text.strip(), f"{lang}: {key} is empty"
        assert placeholders(text) == placeholders(ENGLISH[key]), f"{lang}: {key} placeholders"
        assert text.count("**") % 2 == 0, f"{lang}: {key} has an unclosed **"


def _catalogue_with(tmp_path: Path, files: dict[str, str]) -> Catalogue:
    folder = tmp_path / "lang"
    folder.mkdir()
    with resources.as_file(resources.files("tui.guide").joinpath("lang", "en.toml")) as en:
        shutil.copy(en, folder / "en.toml")
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Catalogue(folder)


def test_adding_a_language_is_adding_a_file_and_gaps_fall_back_to_english(
    tmp_path: Path,
) -> None:
    catalogue = _catalogue_with(
        tmp_path,
        {
            "nl.toml": '[meta]\nname = "Nederlands"\n\n[before]\n'
            'title = "Voordat u begint"\n\n[help]\ntitle = "Contact"\n'
            'nonsense = "typo"\n',
            "notes.txt": "ignored",
        },
    )
    assert catalogue.languages() == ["en", "nl"]
    assert catalogue.table("nl").name == "Nederlands"
    missing = catalogue.missing("nl")
    assert "before.title" not in missing
    assert "steps.title" in missing
    assert len(missing) == len(ENGLISH) - 2
    assert catalogue.unknown("nl") == ["help.nonsense"]

    settings = make_settings(languages=("nl",), catalogue=catalogue)
    document = build_document(settings, "nl")
    titles = [plain(section.title) for section in document.sections]
    assert titles[0] == "Voordat u begint"  # translated
    assert titles[1] == "Enroll your device"  # English fallback
    assert document.lang == "nl"


def test_a_broken_language_file_is_named(tmp_path: Path) -> None:
    catalogue = _catalogue_with(tmp_path, {"it.toml": "[before\n"})
    with pytest.raises(GuideError, match=r"it\.toml is not valid TOML"):
        catalogue.table("it")


def test_unknown_language_lists_the_available_ones() -> None:
    with pytest.raises(UnknownLanguageError, match="use one of en, de"):
        render_markdown(make_settings(), "xx")
