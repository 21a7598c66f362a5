"""Errors the guide raises; each message names what is wrong and how to fix it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace


class GuideError(Exception):
    """Anything that stops a guide from being rendered or exported."""


@dataclass(frozen=True)
class Problem:
    """One invalid setting: the session key it comes from, what is wrong, and the fix.

    `option` is the `adue guide` command-line flag that can override the value,
    so the CLI can mention it while the wizard does not.
    """

    key: str
    message: str
    fix: str
    option: str | None = None

    @property
    def field(self) -> str:
        """The `GuideSettings` field this is about, for a form to mark ("" for a table)."""
        name = self.key.partition("] ")[2]
        return {"app_id": "authenticator_required"}.get(name, name)

    @property
    def from_option(self) -> bool:
        """The value came from the command line, not the session (see `blamed_on_option`)."""
        return self.key.startswith("-")

    def blamed_on_option(self) -> Problem:
        """This problem named after its command-line flag: the value was given there, so
        the session file is not what needs fixing."""
        return replace(self, key=self.option, option=None) if self.option else self

    def __str__(self) -> str:
        return f"{self.key} {self.message}: {self.fix}"


class GuideSettingsError(GuideError):
    """The settings (from a session, the wizard or the command line) are not usable."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class UnknownLanguageError(GuideError):
    """A language code with no translation file."""

    def __init__(self, lang: str, available: Sequence[str]) -> None:
        self.lang = lang
        self.available = tuple(available)
        super().__init__(
            f"language {lang!r} has no translation: use one of {', '.join(self.available)}"
            " (a language is added by adding tui/guide/lang/<code>.toml)"
        )
