"""How an error reads to a person: what happened, the fix, and Graph's request-id.

One describer for every place that shows an error: the headless commands (stderr and
the `--json` "error" value), the wizard's status lines and its notices. Errors that
know more carry it as attributes (GraphError: `message`, `fix`, `request_id`); any
other exception reads as its text, or its type's name when it has none. The result
is safe to show: an error message can quote a tenant's names (tui/text.py).
"""

from __future__ import annotations

from typing import Literal

from tui.text import safe_lines

Layout = Literal["line", "lines"]


def one_line(message: str, fix: str = "", request_id: str = "") -> str:
    """`message — fix (Graph request-id …)`, as is (GraphError's str)."""
    text = message
    if fix:
        text += f" — {fix}"
    if request_id:
        text += f" (Graph request-id {request_id})"
    return text


def describe_error(error: BaseException, *, layout: Layout = "line") -> str:
    """The error in one line (a command's message, a status line), or as "lines" (a
    notice: the fix and the request-id each on a line of their own)."""
    message = str(getattr(error, "message", None) or error) or type(error).__name__
    fix = str(getattr(error, "fix", "") or "")
    request_id = str(getattr(error, "request_id", "") or "")
    if layout == "line":  # a message of several lines keeps them (a list of problems)
        return safe_lines(one_line(message, fix, request_id))
    text = message
    if fix:
        text += f"\nFix: {fix}"
    if request_id:
        text += f"\nGraph request-id: {request_id}"
    return safe_lines(text)
