"""As-you-type checks for Inputs, built on tui.validators' plain-words problems.

A `ProblemValidator` makes Textual style the Input `-invalid`; `show_problem`
puts the same words (what is wrong, how to fix it) in the field's message line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.content import Content
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input, Static

from tui.text import safe_lines, visible_chars


class ProblemValidator(Validator):
    """Valid when `problem(value)` is "" ; otherwise the problem is the failure text."""

    def __init__(self, problem: Callable[[str], str]) -> None:
        super().__init__()
        self.problem = problem

    def validate(self, value: str) -> ValidationResult:
        found = self.problem(value)
        return self.failure(found) if found else self.success()


class VisibleControls(Highlighter):
    """An Input highlighter that draws control, escape and bidi characters as visible
    characters (a session file or a paste may hold them): the value itself is kept, and
    the terminal never receives them. One character for one, so the cursor stays right."""

    def __call__(self, text: str | Text) -> Text:
        source = text if isinstance(text, Text) else Text(text)
        shown = source.copy()
        shown.plain = visible_chars(source.plain)
        return shown

    def highlight(self, text: Text) -> None:
        """Nothing to colour: __call__ replaces the characters."""


VISIBLE_CONTROLS = VisibleControls()


class PlainInput(Input):
    """An Input that draws its value with `VisibleControls`: every text field of the
    wizard, since their values come from the session file or a paste."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", VISIBLE_CONTROLS)
        super().__init__(*args, **kwargs)


def show_problem(message: Static, problem: str, hint: str = "") -> None:
    """Show `problem` as an error, or the neutral `hint` when there is none.

    Both may quote what was typed or read from the session: plain text, never markup."""
    text = problem[:1].upper() + problem[1:] if problem else hint
    message.update(Content(safe_lines(text)))
    message.set_class(bool(problem), "-error")


def checked_field(
    label: str, value: str, problem: Callable[[str], str], *, id: str, placeholder: str = ""
) -> list[Widget]:
    """A text field checked as you type: its label, the Input (`-invalid` while `problem`
    finds one) and its message line `#{id}-message`, for `show_problem`."""
    return [
        Static(label, classes="field-label"),
        PlainInput(
            value,
            id=id,
            placeholder=placeholder,
            validators=[ProblemValidator(problem)],
            validate_on=["changed"],
        ),
        Static("", id=f"{id}-message", classes="field-message"),
    ]
