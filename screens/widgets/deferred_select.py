"""`DeferredSelect`: a Select whose option list is built the first time it opens.

A closed Select shows only its current value (SelectCurrent); its option list, a hidden
OptionList overlay, is there for when it opens. Textual builds, mounts and styles that
overlay with the Select, and parses OptionList's stylesheet for it: most of a Select's
cost on the first frame, for a list nobody has opened yet (the sign-in form has three).
This Select builds its overlay when it first opens (Enter, Space, Up, Down or a click,
the only ways to open one), before the overlay is shown, so what the person sees and
can do is a Select's: the same look closed and open, keys, mouse, `value` and Changed.

It is also born showing its value (class `-has-value` and the value's label), where a
Select shows its prompt until it mounts and is then re-styled with its children.
Overrides Select's private hooks (Textual 8: `_setup_options_renderables`,
`_watch_value`, `_watch_expanded`, `_watch_prompt`); tests/wizard/test_deferred_select.py
checks it against a stock Select, key for key and click for click.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable
from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.widgets import Select
from textual.widgets._select import NoSelection, SelectCurrent, SelectOverlay

from screens.widgets.select_face import SelectFace

SelectType = TypeVar("SelectType", bound=Hashable)


class DeferredSelect(Select[SelectType]):
    """A Select that builds its option list (its overlay) when it first opens."""

    _overlay: SelectOverlay | None = None
    _overlay_mounted: asyncio.Event | None = None

    def compose(self) -> ComposeResult:
        current = SelectFace(self.prompt)
        if self._initial_value() is not self.NULL:
            # Born as it looks once mounted: no re-styling of it and its children then.
            current.add_class("-has-value", update=False)
            current.set_reactive(SelectCurrent.has_value, True)
        yield current

    def _initial_value(self) -> SelectType | NoSelection:
        """The value Select's mount gives it (the first option when it may not be blank)."""
        if self._value == self.NULL and not self._allow_blank:
            return self._options[0][1]
        return self._value

    async def _build_overlay(self) -> None:
        """The option list, built and mounted on the first call; later calls wait for it."""
        if self._overlay is None:
            self._overlay = overlay = SelectOverlay(type_to_search=self._type_to_search)
            self._overlay_mounted = mounted = asyncio.Event()
            overlay.compact = self.compact
            await self.mount(overlay)
            super()._setup_options_renderables()  # opening highlights the value's option
            mounted.set()
        elif self._overlay_mounted is not None:
            await self._overlay_mounted.wait()

    # the ways a Select opens: each builds the overlay first

    async def action_show_overlay(self) -> None:  # type: ignore[override]  # Textual awaits it
        await self._build_overlay()
        super().action_show_overlay()

    @on(SelectCurrent.Toggle)
    async def _build_before_toggle(self, _event: SelectCurrent.Toggle) -> None:
        # Runs before Select's own Toggle handler (subclass first), which then opens it.
        await self._build_overlay()

    def _watch_expanded(self, expanded: bool) -> None:
        for face in self.query(SelectFace):  # its arrow: ▲ open, ▼ closed
            face.refresh()
        if self._overlay is None:
            if expanded:  # opened from code: build it, then open as Select does
                self.call_next(self._expand_once_built)
            return
        super()._watch_expanded(expanded)

    async def _expand_once_built(self) -> None:
        await self._build_overlay()
        super()._watch_expanded(self.expanded)

    # Select's hooks that expect the overlay to be there

    def _setup_options_renderables(self) -> None:
        if self._overlay is not None:  # else built with the options when it opens
            super()._setup_options_renderables()

    def _watch_value(self, value: SelectType | NoSelection) -> None:
        if self._overlay is not None:
            super()._watch_value(value)
            return
        # Select's, less the overlay's highlight (opening it sets that).
        self._value = value
        currents = self.query(SelectCurrent)
        if not currents:
            return
        current = currents.first()
        if value == self.NULL:
            current.update(self.NULL)
        else:
            for prompt, option in self._options:
                if option == value:
                    current.update(prompt)
                    break
        self.post_message(self.Changed(self, value))

    def _watch_prompt(self, prompt: str) -> None:
        if self._overlay is not None:
            super()._watch_prompt(prompt)
            return
        if not self.is_mounted:
            return
        current = self.query_one(SelectCurrent)
        current.placeholder = prompt
        if self._allow_blank and self.value == self.NULL:
            current.update(self.NULL)

    def watch_compact(self, compact: bool) -> None:
        # Select binds its overlay's `compact` to its own (data_bind in its compose).
        if self._overlay is not None:
            self._overlay.compact = compact
