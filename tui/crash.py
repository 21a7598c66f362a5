"""The last resort: an unexpected exception becomes one line plus a crash report file.

No traceback reaches a person. The report (0600, in adue's state folder) holds what a
bug report needs — version, platform, command line, traceback — with anything that
looks like a token or secret replaced by `[removed]` first.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from tui import __version__

# What a bearer token or secret looks like in an exception message or an argument.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(authorization\s*[:=]\s*)(\S+(?:\s+\S+)?)"),
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9\-._~+/]+=*)"),
    # A JWT: three base64url parts, the first one a JSON header (`{"` = eyJ).
    re.compile(r"()(eyJ[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*)"),
    re.compile(
        r"(?i)((?:client_secret|password|access_token|refresh_token|id_token|secret)"
        r"[\"']?\s*[:=]\s*[\"']?)([^\s\"'&,]+)"
    ),
)
# Environment variables whose values are secrets wherever they appear.
SECRET_ENV = ("ADUE_ACCESS_TOKEN", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_CERTIFICATE_PASSWORD")
REMOVED = "[removed]"


def scrub(text: str) -> str:
    """`text` without tokens, secrets or authorization headers."""
    for name in SECRET_ENV:
        value = os.environ.get(name, "")
        if len(value) >= 4:
            text = text.replace(value, REMOVED)
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REMOVED, text)
    return text


def crash_folder() -> Path:
    try:
        import platformdirs

        return Path(platformdirs.user_state_dir("adue", appauthor=False)) / "crashes"
    except Exception:  # platformdirs missing or no home: the temp folder will do
        return Path(tempfile.gettempdir()) / f"adue-crashes-{getattr(os, 'getuid', lambda: 0)()}"


def write_report(error: BaseException, argv: Sequence[str] | None = None) -> Path | None:
    """Write the crash report; its path, or None when even that could not be written."""
    from tui.files import write_private

    now = dt.datetime.now(dt.UTC)
    lines = [
        f"adue {__version__} crash report, {now.isoformat(timespec='seconds')}",
        f"python {platform.python_version()} on {platform.platform()}",
        "command: adue " + " ".join(sys.argv[1:] if argv is None else argv),
        "",
        *traceback.format_exception(type(error), error, error.__traceback__),
    ]
    text = scrub("\n".join(line.rstrip("\n") for line in lines)) + "\n"
    name = f"crash-{now.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.txt"
    for folder in (crash_folder(), Path(tempfile.gettempdir())):
        try:
            return write_private(folder / name, text)
        except OSError:
            continue
    return None


def crash_message(error: BaseException, report: Path | None) -> str:
    """The one line a person sees."""
    what = scrub(f"{type(error).__name__}: {error}".splitlines()[0])[:300]
    where = (
        f"A crash report (no tokens or secrets) is in {report}: please attach it to a bug report."
        if report
        else "No crash report could be written."
    )
    return f"adue: unexpected error ({what}). {where}"
