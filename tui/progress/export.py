"""The reminder list: the targeted users still to enroll, as CSV for a mail merge.

It lists people, so it is written like everything adue keeps: atomically, mode 0600
(tui.files). A cell that a spreadsheet would run as a formula (a name starting with =, +,
-, @, a tab or a carriage return: OWASP's "CSV injection") is prefixed with a quote.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tui.files import write_private
from tui.progress.report import ProgressReport

HEADER = ("displayName", "userPrincipalName", "mail")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def reminder_csv(report: ProgressReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(HEADER)
    for progress in report.to_enroll:
        user = progress.user
        writer.writerow(
            [_cell(user.display_name), _cell(user.user_principal_name), _cell(user.mail)]
        )
    return out.getvalue()


def write_reminder_csv(report: ProgressReport, path: Path) -> Path:
    """Write the list (UTF-8 with a BOM, so spreadsheets read accents right); 0600."""
    return write_private(path, "\ufeff" + reminder_csv(report))
