"""Employee guide export per format (tui.guide.export): the demo session's settings,
English, written to a file (atomic, 0600) as `adue guide` and the wizard do.

The first export of each format pays its one-off imports (and, for PDF, loading the
font); it is reported apart from the median of the ones after it.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMATS = ("md", "html", "pdf")


def measure(runs: int = 7) -> dict[str, tuple[float, float, int]]:
    """format -> (first export s, median of the next `runs` s, bytes written)."""
    import tomllib

    from tui.guide.export import export
    from tui.guide.settings import GuideSettings

    data = tomllib.loads((ROOT / "examples" / "sandbox-demo.toml").read_text(encoding="utf-8"))
    settings = GuideSettings.from_session(data)
    figures: dict[str, tuple[float, float, int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for fmt in FORMATS:
            path = Path(folder) / f"guide.{fmt}"
            started = time.perf_counter()
            export(settings, "en", fmt, path)
            first = time.perf_counter() - started
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                export(settings, "en", fmt, path)
                times.append(time.perf_counter() - started)
            figures[fmt] = (first, statistics.median(times), path.stat().st_size)
    return figures


if __name__ == "__main__":
    print(measure(3))
