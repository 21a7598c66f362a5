"""Text from a tenant, a file or a keyboard, made safe to show: `safe_text(s)`.

Group names, organisation names, search strings and error messages are other
people's data. Shown in a terminal, a raw ESC starts an escape sequence (an OSC
sequence retitles the window, a CSI one moves the cursor or clears the screen), a
C1 control does the same in one byte, a carriage return overwrites the line, and a
bidi override (U+202A-202E, U+2066-2069) makes text read differently than it is
stored. So every such character is made visible instead of acted on:

- C0 controls and DEL become their Unicode "control pictures" (ESC -> ␛, BEL -> ␇,
  CR -> ␍, newline -> ␊ unless `keep_newlines`), so `\\x1b]0;x\\x07` shows as `␛]0;x␇`;
- C1 controls, bidi embeddings/overrides/isolates and marks, and the line/paragraph
  separators become `<U+202E>`-style tags;
- a lone surrogate (possible in JSON) becomes U+FFFD, as it cannot be encoded.

Markup is a separate matter: screens show the result as plain text (a Content or
rich Text object, or `markup=False`), never as Rich/Textual markup. JSON output
uses `json_text`, which escapes the same characters as \\uXXXX.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# C0 controls and DEL -> the Control Pictures block (U+2400 + code, U+2421 for DEL).
_C0 = {code: 0x2400 + code for code in range(0x20)} | {0x7F: 0x2421}
_TAGGED = (
    *range(0x80, 0xA0),  # C1 controls (0x9B is a one-byte CSI, 0x9D an OSC)
    *(0x061C, 0x200E, 0x200F),  # bidi marks (ALM, LRM, RLM)
    *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO
    *range(0x2066, 0x206A),  # LRI RLI FSI PDI
    *(0x2028, 0x2029),  # line and paragraph separators
)


class _Table(dict[int, str | int]):
    """A str.translate table that maps each lone surrogate (U+D800-DFFF) as it is looked
    up, with `surrogate(code)`, rather than holding all 2,048 of them: the four tables
    below were built at every start, before the wizard's first frame. Every character
    looked up is then held (`__missing__`)."""

    def __init__(self, entries: dict[int, str | int], surrogate: Callable[[int], str]) -> None:
        super().__init__(entries)
        self._surrogate = surrogate

    def __missing__(self, code: int) -> str | int:
        # Each answer is kept: str.translate looks up every character of the text, and a
        # call here for each (a fleet's --json report is ~0.5 s of them) costs far more
        # than the table holding the characters seen. A character that stays as it is
        # maps to itself, which translate reads as leaving it.
        value: str | int = self._surrogate(code) if 0xD800 <= code <= 0xDFFF else code
        self[code] = value
        return value


def _replaced(_code: int) -> str:
    return "\ufffd"


_PICTURES: dict[int, str | int] = {code: chr(picture) for code, picture in _C0.items()}
_TAGS: dict[int, str | int] = {code: f"<U+{code:04X}>" for code in _TAGGED}
_MULTILINE_TABLE = _Table({**_PICTURES, **_TAGS, ord("\n"): "\n", ord("\t"): "\t"}, _replaced)
_ONE_LINE_TABLE = _Table({**_PICTURES, **_TAGS, ord("\t"): " "}, _replaced)


def _json_escape(code: int) -> str:
    return f"\\u{code:04x}"


# The characters json.dumps(ensure_ascii=False) would leave raw but a terminal acts on.
_JSON_ESCAPES = _Table({code: _json_escape(code) for code in [0x7F, *_TAGGED]}, _json_escape)


def safe_text(value: object, *, keep_newlines: bool = False) -> str:
    """`value` as text with every control, escape and bidi character made visible.

    One line by default (a newline shows as ␤, a tab as a space); `keep_newlines`
    keeps newlines and tabs for multi-line messages.
    """
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # the common case: nothing to do (Cc, Cf, Cs are not printable)
        return text
    return text.translate(_MULTILINE_TABLE if keep_newlines else _ONE_LINE_TABLE)


# One character for one: where a field shows what is being typed, the cursor must
# stay where it is, so every replacement is a single one-cell character.
_SAME_LENGTH_TABLE = _Table({**_PICTURES, **dict.fromkeys(_TAGGED, "\ufffd")}, _replaced)


def visible_chars(text: str) -> str:
    """`text` with each control, escape or bidi character shown as one visible character
    (control pictures, U+FFFD), length kept: for text fields being edited."""
    return text if text.isprintable() else text.translate(_SAME_LENGTH_TABLE)


def safe_lines(value: object) -> str:
    """`safe_text` for a multi-line message: newlines and tabs kept."""
    return safe_text(value, keep_newlines=True)


def json_text(value: Any, *, indent: int | None = 2) -> str:
    """JSON with non-ASCII letters kept readable but every control, C1, bidi and
    separator character escaped as \\uXXXX (json already escapes C0 controls)."""
    # Imported here: every screen imports this module; the wizard's first frame needs no JSON.
    import json

    text = json.dumps(value, indent=indent, ensure_ascii=False)
    # Outside strings JSON holds only ASCII, so escaping these characters wherever they
    # are keeps the document valid and equal in value.
    return text.translate(_JSON_ESCAPES)


class SafeStream:
    """A text stream that passes every write through `safe_lines`: the CLI's stdout and
    stderr, so no tenant or file text reaches the terminal as a control sequence
    whichever print() it comes from. Everything else is the wrapped stream's."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    @property
    def wrapped(self) -> Any:
        return self._stream

    def write(self, text: str) -> int:
        self._stream.write(safe_lines(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def short_url(url: str, limit: int = 52) -> str:
    """`url` shortened for a narrow screen: the host, "…" and the end of the path, at
    most `limit` characters (the full address stays one key away: copy it)."""
    bare = url.split("://", 1)[-1].rstrip("/")
    if len(bare) <= limit:
        return bare
    host, _, path = bare.partition("/")
    last = path.rsplit("/", 1)[-1]
    room = limit - len(host) - 3  # "/…/"
    if room < 8:
        return bare[: limit - 1] + "…"
    if len(last) > room:
        last = "…" + last[-(room - 1) :]
    return f"{host}/…/{last}"


# An address in a sentence: up to a space, a closing bracket or quote; a full stop or
# comma after it ends the sentence, not the address.
_ADDRESS = re.compile(r"https?://[^\s)\]\"'<>]+")


def short_addresses(text: str, limit: int = 52) -> tuple[str, list[str]]:
    """`text` with each long web address in it shortened (short_url), and the addresses
    in full, in order, each once: shown beside the text so they can be copied whole."""
    found: list[str] = []

    def shorten(match: re.Match[str]) -> str:
        url = match.group(0)
        tail = ""
        while url and url[-1] in ".,;:":
            url, tail = url[:-1], url[-1] + tail
        if url not in found:
            found.append(url)
        return short_address(url, limit) + tail

    return _ADDRESS.sub(shorten, text), found


def short_address(url: str, limit: int = 52) -> str:
    """short_url of the address without its query ("?…" stands for it): the part a
    person recognises (host and path), never the middle of a query string."""
    base, mark, _query = url.partition("?")
    return short_url(base, limit - 2) + "?…" if mark else short_url(url, limit)
