"""The translation tables: one TOML file per language in `tui/guide/lang/`.

Adding a language is adding `<code>.toml` with the same keys as `en.toml`;
any key it lacks falls back to English (`missing_strings` lists them).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from tui.guide.errors import GuideError, UnknownLanguageError

FALLBACK_LANGUAGE = "en"
# BCP 47-ish: "de", "pt-BR", "zh-Hant". The code is also the HTML `lang` value.
_LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
_META_TABLE = "meta"


@dataclass(frozen=True)
class LanguageTable:
    code: str
    name: str  # the language's own name, e.g. "Deutsch"
    direction: str  # "ltr" or "rtl", for the HTML `dir` attribute
    strings: Mapping[str, str]  # flattened keys, e.g. "steps.title"


def _flatten(table: Mapping[str, Any], prefix: str, source: str) -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}.", source))
        elif isinstance(value, str):
            flat[name] = value
        else:
            raise GuideError(f"{source}: {name} must be a string, not {type(value).__name__}")
    return flat


class Catalogue:
    """The languages found in one folder of `<code>.toml` files."""

    def __init__(self, folder: Traversable | Path) -> None:
        self._folder = folder
        self._tables: dict[str, LanguageTable] = {}

    def languages(self) -> list[str]:
        """Language codes with a file, English first, then alphabetical."""
        codes = sorted(
            entry.name.removesuffix(".toml")
            for entry in self._folder.iterdir()
            if entry.name.endswith(".toml") and _LANG_CODE.match(entry.name.removesuffix(".toml"))
        )
        return sorted(codes, key=lambda code: (code != FALLBACK_LANGUAGE, code))

    def table(self, lang: str) -> LanguageTable:
        if lang in self._tables:
            return self._tables[lang]
        if lang not in self.languages():
            raise UnknownLanguageError(lang, self.languages())
        source = f"{lang}.toml"
        try:
            data = tomllib.loads(self._folder.joinpath(source).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise GuideError(f"translation file {source} is not valid TOML: {exc}") from exc
        meta = data.pop(_META_TABLE, {})
        table = LanguageTable(
            code=lang,
            name=str(meta.get("name", lang)),
            direction="rtl" if meta.get("dir") == "rtl" else "ltr",
            strings=_flatten(data, "", source),
        )
        self._tables[lang] = table
        return table

    def strings(self, lang: str) -> dict[str, str]:
        """All strings for `lang`, English where the language has none."""
        merged = dict(self.table(FALLBACK_LANGUAGE).strings)
        merged.update(
            (key, value)
            for key, value in self.table(lang).strings.items()
            if key in merged  # a key English does not know is a typo, never shown
        )
        return merged

    def missing(self, lang: str) -> list[str]:
        """Keys English has and `lang` lacks (they fall back to English)."""
        own = self.table(lang).strings
        return [key for key in self.table(FALLBACK_LANGUAGE).strings if key not in own]

    def unknown(self, lang: str) -> list[str]:
        """Keys `lang` has that English does not (typos; ignored when rendering)."""
        reference = self.table(FALLBACK_LANGUAGE).strings
        return [key for key in self.table(lang).strings if key not in reference]


@cache
def builtin_catalogue() -> Catalogue:
    """The languages shipped inside the package."""
    return Catalogue(resources.files("tui.guide").joinpath("lang"))


def available_languages() -> list[str]:
    return builtin_catalogue().languages()


def missing_strings(lang: str) -> list[str]:
    return builtin_catalogue().missing(lang)


def language_name(lang: str) -> str:
    return builtin_catalogue().table(lang).name
