"""The base of a field built around option lists (the group picker, the bundle-id editor).

Its parts are named after it (`#{field id}-{part}`, so that two fields on one step do
not clash) and found with `Part`; its lists (class `field-list`) show one line a row
with no frame; arriving at a list by Tab highlights its first row, so that enter acts
at once.
"""

from __future__ import annotations

from typing import Generic, TypeVar, overload

from textual import events
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import OptionList

W = TypeVar("W", bound=Widget)


class Part(Generic[W]):
    """A class attribute that reads as the field's part `#{field id}-{name}`."""

    def __init__(self, name: str, kind: type[W]) -> None:
        self.name = name
        self.kind = kind

    @overload
    def __get__(self, field: None, owner: type[Widget]) -> Part[W]: ...
    @overload
    def __get__(self, field: Widget, owner: type[Widget]) -> W: ...
    def __get__(self, field: Widget | None, owner: type[Widget]) -> Part[W] | W:
        if field is None:
            return self
        return field.query_one(f"#{field.id}-{self.name}", self.kind)


class ListField(Vertical):
    """A field whose parts are named after it and whose lists are `field-list`s."""

    DEFAULT_CSS = """
    /* The field named: a widget's DEFAULT_CSS scope adds no specificity, and this must
       outrank OptionList's own `:focus` border (0,1,1) whichever was parsed first. */
    ListField OptionList.field-list {
        height: auto;
        max-height: 8;
        border: none;
        padding: 0;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        listing = event.widget
        if (
            isinstance(listing, OptionList)
            and listing.has_class("field-list")
            and listing.highlighted is None
            and listing.option_count
        ):
            listing.highlighted = 0
