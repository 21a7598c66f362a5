"""Seeded hostile strings for the soak forms of issue 14: what a tenant, a session file
or a paste can hold. Markup of Rich, Textual, Markdown and HTML; every C0 and C1
control, DEL, ANSI/OSC sequences (a window title, a clipboard write); bidi overrides and
isolates; zero-width joiners, combining marks, emoji, wide CJK; lone surrogates; runs of
hundreds of characters. Each string is several of these, in a random order."""

from __future__ import annotations

import random

PIECES: tuple[str, ...] = (
    "[/",
    "[/]",
    "[b]",
    "[bold red]",
    "[@click=app.quit]",
    "[link=javascript:alert(1)]",
    "[$accent]",
    "**x**",
    "`c`",
    "[l](javascript:alert(1))",
    "<script>x</script>",
    "# ",
    "\\",
    "\x1b[31m",
    "\x1b[2J",
    "\x1b]0;PWNED\x07",
    "\x1b]52;c;cHduZWQ=\x07",
    "\x9b31m",
    "\x9d0;PWNED\x9c",
    "\u202e",
    "\u202a",
    "\u2067",
    "\u2069",
    "\u200f",
    "\u2028",
    "\ud800",
    "👩\u200d💻",
    "🚀",
    "経理部",
    "e\u0301",
    "Finance",
    " ",
)
CONTROLS = [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]]


def hostile_strings(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 8))]
        parts += [rng.choice(CONTROLS) for _ in range(rng.randint(0, 3))]
        if rng.random() < 0.1:
            parts.append("Long name " * rng.randint(20, 40))
        rng.shuffle(parts)
        out.append("".join(parts))
    return out
