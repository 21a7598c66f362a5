"""QR codes drawn with terminal half blocks, for the device-code dialog.

Each text line carries two rows of modules ("▀", "▄", "█", " "), so a QR code of
a sign-in URL fits a 24-line terminal. Dark modules are drawn as the terminal's
background colour would be on paper: callers show it dark-on-light.
"""

from __future__ import annotations

_CELLS = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


def qr_lines(text: str, *, border: int = 2) -> list[str]:
    """The QR code of `text` as lines of half-block characters (dark modules drawn)."""
    import segno  # small, but only needed when a dialog shows a code

    code = segno.make(text, error="l", micro=False)
    rows = [[bool(m) for m in row] for row in code.matrix_iter(scale=1, border=border)]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    return [
        "".join(_CELLS[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(rows[0::2], rows[1::2], strict=True)
    ]
