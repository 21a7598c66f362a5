"""The SSO extension's list of non-Microsoft app bundle ids: add, edit, remove.

Each id is checked as you type (reverse-DNS; Microsoft apps and Microsoft
Authenticator refused with Microsoft's reason). Spaces around an id are dropped
and an id already listed is not added twice, so the list sent to Graph is clean.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from screens.widgets.field_check import PlainInput, ProblemValidator, show_problem
from screens.widgets.list_field import ListField, Part
from tui.validators import bundle_id_problem

HINT = "Type a bundle id (e.g. com.contoso.expenses) and press enter."
EDIT_HINT = "Change it and press enter to save, or Remove to delete it."


def clean_bundle_ids(bundle_ids: Sequence[str]) -> list[str]:
    """Without surrounding spaces, empty entries and repeats (case-insensitive), in order."""
    seen: set[str] = set()
    cleaned = []
    for value in bundle_ids:
        text = value.strip()
        if text and text.lower() not in seen:
            seen.add(text.lower())
            cleaned.append(text)
    return cleaned


class BundleIdEditor(ListField):
    """Edits a list of bundle ids; posts `Changed` with the whole clean list."""

    DEFAULT_CSS = """
    BundleIdEditor {
        height: auto;
    }
    .bundle-entry {
        height: auto;
    }
    .bundle-entry Input {
        width: 1fr;
    }
    .bundle-entry Button {
        min-width: 8;
        width: auto;
    }
    .bundle-remove {
        min-width: 10;
        width: auto;
    }
    """

    BINDINGS = [
        Binding("delete", "remove", "Remove app", show=False, id="bundle-remove"),
    ]

    class Changed(Message):
        def __init__(self, editor: BundleIdEditor, bundle_ids: list[str]) -> None:
            super().__init__()
            self.editor = editor
            self.bundle_ids = bundle_ids

        @property
        def control(self) -> BundleIdEditor:
            return self.editor

    def __init__(self, bundle_ids: Sequence[str], *, id: str) -> None:
        super().__init__(id=id, classes="bundle-editor")
        self.bundle_ids = [str(b) for b in bundle_ids]
        self.editing: int | None = None  # index of the id being edited
        self._cleared_by_us = False  # the next Changed("") is our own clearing

    def compose(self) -> ComposeResult:
        pid = self.id
        with Horizontal(classes="bundle-entry"):
            yield PlainInput(
                placeholder="e.g. com.contoso.expenses",
                id=f"{pid}-input",
                validators=[ProblemValidator(self.entry_problem)],
                validate_on=["changed", "submitted"],
            )
            yield Button("Add", id=f"{pid}-add", classes="bundle-add")
        yield Static(HINT, id=f"{pid}-message", classes="field-message")
        yield OptionList(id=f"{pid}-list", classes="bundle-list field-list")
        yield Button("Remove", id=f"{pid}-remove", classes="bundle-remove")

    def on_mount(self) -> None:
        cleaned = clean_bundle_ids(self.bundle_ids)
        if cleaned != self.bundle_ids:
            # A hand-edited session: drop the spaces and repeats Graph must not get.
            self.bundle_ids = cleaned
            self._changed()
            show_problem(self.message, "", "Removed spaces and repeated ids from the list.")
        else:
            self._show_list()

    entry = Part("input", Input)
    message = Part("message", Static)
    listing = Part("list", OptionList)

    # -- checks -------------------------------------------------------------------------

    def entry_problem(self, value: str) -> str:
        """What is wrong with the typed id ("" while empty: nothing typed is not an error)."""
        if not value.strip():
            return ""
        return bundle_id_problem(value)

    def _duplicate_of(self, value: str) -> int | None:
        key = value.strip().lower()
        for index, existing in enumerate(self.bundle_ids):
            if index != self.editing and existing.strip().lower() == key:
                return index
        return None

    def list_problems(self) -> list[str]:
        """Problems of the stored list (a hand-edited session may hold bad ids)."""
        return [p for p in (bundle_id_problem(b) for b in self.bundle_ids) if p]

    # -- showing ------------------------------------------------------------------------

    def _show_list(self) -> None:
        listing = self.listing
        listing.set_options(
            Option(
                Text.assemble(("⚠ " if bundle_id_problem(b) else "• "), b),
                id=f"bundle-{index}",
            )
            for index, b in enumerate(self.bundle_ids)
        )
        listing.display = bool(self.bundle_ids)
        remove = self.query_one(f"#{self.id}-remove", Button)
        remove.display = bool(self.bundle_ids)
        self.query_one(f"#{self.id}-add", Button).label = (
            "Save" if self.editing is not None else "Add"
        )
        problems = self.list_problems()
        if problems and not self.entry.value.strip():
            show_problem(self.message, problems[0])

    def _changed(self) -> None:
        self._show_list()
        self.post_message(self.Changed(self, list(self.bundle_ids)))

    # -- editing ------------------------------------------------------------------------

    @on(Input.Changed, ".bundle-entry Input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._cleared_by_us:
            # The field was emptied by an add, save or remove: keep what that said
            # ("Added …", "… was listed already") instead of the typing hint.
            self._cleared_by_us = False
            if not event.value:
                return
        problem = self.entry_problem(event.value)
        if not problem and self._duplicate_of(event.value) is not None:
            show_problem(self.message, "", f"{event.value.strip()} is listed already.")
            return
        show_problem(self.message, problem, EDIT_HINT if self.editing is not None else HINT)

    @on(Input.Submitted, ".bundle-entry Input")
    @on(Button.Pressed, ".bundle-add")
    def _commit_asked(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()
        self.commit()

    @on(Button.Pressed, ".bundle-remove")
    def _remove_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_remove()

    @on(OptionList.OptionSelected, ".bundle-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on a listed id: edit it in the entry field."""
        event.stop()
        self.editing = event.option_index
        self.entry.value = self.bundle_ids[event.option_index]
        self.entry.focus()
        self._show_list()
        show_problem(
            self.message,
            bundle_id_problem(self.entry.value),
            f"Editing {self.entry.value}. {EDIT_HINT}",
        )

    def commit(self) -> bool:
        """Add (or save the edited) id from the entry field; False when refused."""
        value = self.entry.value.strip()
        if not value:
            show_problem(self.message, "", "Type a bundle id first, e.g. com.contoso.expenses.")
            return False
        problem = bundle_id_problem(value)
        if problem:
            show_problem(self.message, problem)
            return False
        duplicate = self._duplicate_of(value)
        if duplicate is not None:
            # Listing an app twice means nothing more to Graph: drop the extra copy.
            if self.editing is not None:
                del self.bundle_ids[self.editing]
            message = f"{value} was listed already; kept once."
        elif self.editing is not None:
            self.bundle_ids[self.editing] = value
            message = f"Saved {value}."
        else:
            self.bundle_ids.append(value)
            message = f"Added {value}."
        self.editing = None
        self._clear_entry()
        self._changed()
        show_problem(self.message, "", message)
        return True

    def _clear_entry(self) -> None:
        if self.entry.value:
            self._cleared_by_us = True
            self.entry.value = ""

    def action_remove(self) -> None:
        """Remove the id being edited, else the highlighted one."""
        index = self.editing if self.editing is not None else self.listing.highlighted
        if index is None or not 0 <= index < len(self.bundle_ids):
            show_problem(self.message, "", "Highlight an app in the list to remove it.")
            return
        removed = self.bundle_ids.pop(index)
        if self.editing is not None:
            self._clear_entry()
        self.editing = None
        self._changed()
        show_problem(self.message, "", f"Removed {removed}.")
        if self.bundle_ids:
            self.listing.highlighted = min(index, len(self.bundle_ids) - 1)
        else:
            self.entry.focus()
