"""Text widths from the bundled DejaVu Sans, so labels are wrapped before they are drawn.

The PDF draws in DejaVu Sans itself; browsers use the system sans-serif, which is
narrower than DejaVu almost everywhere, so a label wrapped to fit DejaVu fits there too.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

_FALLBACK_ADVANCE = 0.62  # em; a glyph the subset lacks prints as "?" in the PDF


@cache
def _advances(bold: bool) -> dict[int, float]:
    from fontTools.ttLib import TTFont  # a dependency of fpdf2; only loaded for exports

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    with resources.as_file(resources.files("tui.guide").joinpath("fonts", name)) as path:
        font: Any = TTFont(str(path), lazy=True)
        per_em = float(font["head"].unitsPerEm)
        metrics = font["hmtx"].metrics
        widths = {  # advance widths in em
            code: metrics[glyph][0] / per_em
            for code, glyph in font.getBestCmap().items()
            if glyph in metrics
        }
        font.close()
    return widths


def text_width(text: str, size: float, bold: bool = False) -> float:
    widths = _advances(bold)
    return size * sum(widths.get(ord(ch), _FALLBACK_ADVANCE) for ch in text)


def wrap(text: str, size: float, width: float, bold: bool = False, max_lines: int = 4) -> list[str]:
    """`text` in lines no wider than `width`: at spaces, or inside a word that is longer
    than a line (a long domain). Past `max_lines` the last line ends in "…"."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, size, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        # A word wider than a line: after its "@" or a "." if the head fits, else anywhere.
        while text_width(word, size, bold) > width:
            fitting = [
                i + 1
                for i, ch in enumerate(word)
                if ch in "@./-" and text_width(word[: i + 1], size, bold) <= width
            ]
            at = word.find("@") + 1
            cut = at if at in fitting else max(fitting, default=0)
            if not cut:
                break
            lines.append(word[:cut])
            word = word[cut:]
        for ch in word:  # what is left breaks where it must
            if line and text_width(line + ch, size, bold) > width:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size, bold) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]
