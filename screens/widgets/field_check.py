"""As-you-type checks for Inputs, built on tui.validators' plain-words problems.

A `ProblemValidator` makes Textual style the Input `-invalid`; `show_problem`
puts the same words (what is wrong, how to fix it) in the field's message line.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.validation import ValidationResult, Validator
from textual.widgets import Static

from tui.text import safe_lines


class ProblemValidator(Validator):
    """Valid when `problem(value)` is "" ; otherwise the problem is the failure text."""

    def __init__(self, problem: Callable[[str], str]) -> None:
        super().__init__()
        self.problem = problem

    def validate(self, value: str) -> ValidationResult:
        found = self.problem(value)
        return self.failure(found) if found else self.success()


def show_problem(message: Static, problem: str, hint: str = "") -> None:
    """Show `problem` as an error, or the neutral `hint` when there is none.

    Both may quote what was typed or read from the session: plain text, never markup."""
    text = problem[:1].upper() + problem[1:] if problem else hint
    message.update(Content(safe_lines(text)))
    message.set_class(bool(problem), "-error")
