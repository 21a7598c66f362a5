"""QR codes for the admin's link: inline SVG for HTML, module runs for the PDF."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

QUIET_ZONE = 4  # modules of white border the QR standard asks for


def _make(url: str) -> Any:
    import segno  # only exports need it; keeps `import tui.guide` light

    # Level M: survives a crease or smudge on a printed page.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, label: str) -> str:
    """An inline <svg> (no size: CSS sets it) whose <title> is `label`, escaped by segno."""
    svg: str = _make(url).svg_inline(
        scale=1,
        border=QUIET_ZONE,
        omitsize=True,
        dark="#000",
        light="#fff",
        title=label,
        svgclass="qr-code",
        lineclass=None,
    )
    # Dark on light in every colour scheme, so phones can scan it from a dark-mode page.
    return svg.replace("<svg ", '<svg role="img" shape-rendering="crispEdges" ', 1)


def qr_runs(url: str) -> tuple[int, Iterator[tuple[int, int, int]]]:
    """(size in modules incl. quiet zone, dark runs as (row, first column, length))."""
    code = _make(url)
    size: int = code.symbol_size(border=QUIET_ZONE)[0]

    def runs() -> Iterator[tuple[int, int, int]]:
        for row, modules in enumerate(code.matrix_iter(scale=1, border=QUIET_ZONE)):
            start = None
            for col, dark in enumerate([*modules, False]):
                if dark and start is None:
                    start = col
                elif not dark and start is not None:
                    yield row, start, col - start
                    start = None

    return size, runs()
