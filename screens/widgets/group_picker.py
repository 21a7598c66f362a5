"""A searchable picker of the tenant's groups (reusable by every step that assigns).

Type to search: the search runs server-side (`$search` on displayName) 250 ms
after the last key, and a newer search cancels the one in flight. Results come
one page at a time ("More results" fetches the next), so a tenant with 100,000
groups is never listed whole. Beside each visible result: whether the group
holds users or devices, asked lazily for the rows on screen only. Picked groups
show below as a removable list. With `refuse_devices=True` (user enrollment
targets users) a device group is refused with the reason.

The session stores groups as {"id": ..., "name": ...}; `GroupPicker.Changed`
carries the whole selection in that shape after every add or removal.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from screens.widgets.field_check import PlainInput
from screens.widgets.group_kinds import KIND_WORDS, device_refusal
from screens.widgets.list_field import ListField, Part
from tui.backend import Backend
from tui.error_text import describe_error
from tui.text import safe_text

if TYPE_CHECKING:  # the Graph layer loads after the first frame
    from tui.graph.models import Group, GroupKind, GroupPage

SEARCH_DELAY_SECONDS = 0.25  # debounce: search once typing pauses
PAGE_SIZE = 25  # groups per request; more only on demand
MORE_ID = "__more__"
KIND_WIDTH = 8  # the kind column: "devices " is the longest word shown
FALLBACK_VISIBLE_ROWS = 8  # rows asked about before the list has a size
SEARCH_GROUP = "search"  # the worker group of a picker's searches (exclusive per picker)


class GroupPicker(ListField):
    """Search the tenant's groups and keep a selection of them."""

    DEFAULT_CSS = """
    GroupPicker {
        height: auto;
        margin-top: 1;
    }
    .picker-label {
        text-style: bold;
    }
    .picker-status {
        height: auto;
        color: $text-muted;
    }
    .picker-status.-error {
        color: $error;
    }
    /* As specific as ListField's rule for its lists, which it follows. */
    GroupPicker OptionList.picker-selected {
        max-height: 6;
    }
    """

    BINDINGS = [
        Binding("down", "focus_results", "Results", show=False, id="group-picker-results"),
    ]

    class Changed(Message):
        """The selection changed; `groups` is the full new selection ({id, name} dicts)."""

        def __init__(self, picker: GroupPicker, groups: list[dict[str, str]]) -> None:
            super().__init__()
            self.picker = picker
            self.groups = groups

        @property
        def control(self) -> GroupPicker:
            return self.picker

        @property
        def value(self) -> list[dict[str, str]]:
            """The selection, under the name Textual's fields give what they changed to."""
            return self.groups

    class SearchAnswered(Message, bubble=False):
        """A page of results: the first of a search, or the next one (`append`)."""

        def __init__(self, page: GroupPage, append: bool, search: int) -> None:
            super().__init__()
            self.page = page
            self.append = append
            self.search = search  # which search this answers (the picker's count)

    class SearchFailed(Message, bubble=False):
        def __init__(self, error: BaseException, search: int) -> None:
            super().__init__()
            self.error = error
            self.search = search

    class KindsAnswered(Message, bubble=False):
        """Users or devices for `groups` (an exception where one failed); `then`: the
        group picked that waited for its answer."""

        def __init__(
            self, groups: list[Group], answers: list[GroupKind | BaseException], then: Group | None
        ) -> None:
            super().__init__()
            self.groups = groups
            self.answers = answers
            self.then = then

    class KindsFailed(Message, bubble=False):
        def __init__(self, groups: list[Group], error: BaseException, then: Group | None) -> None:
            super().__init__()
            self.groups = groups
            self.error = error
            self.then = then

    def __init__(
        self,
        backend: Backend,
        *,
        groups: Sequence[Mapping[str, Any]] = (),
        refuse_devices: bool = False,
        label: str = "Groups",
        page_size: int = PAGE_SIZE,
        id: str,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=f"group-picker {classes or ''}".strip())
        self.backend = backend
        self.refuse_devices = refuse_devices
        self.label = label
        self.page_size = page_size
        self._selected: list[dict[str, str]] = [
            {"id": str(g.get("id", "")), "name": str(g.get("name", ""))} for g in groups
        ]
        self._results: dict[str, Group] = {}
        self._page: GroupPage | None = None
        self._query: str | None = None  # the text of the latest search started
        self._answered: str | None = None  # the text the shown results answer
        self._timer: Timer | None = None
        self._pending_kinds: set[str] = set()
        self._failed_kinds: set[str] = set()
        self._focus_on_answer = False
        self._searches = 0  # searches started (and More results pages asked for)

    # -- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        pid = self.id
        yield Static(self.label, classes="picker-label", id=f"{pid}-label", markup=False)
        yield PlainInput(
            placeholder="e.g. Finance (part of a group name)",
            id=f"{pid}-search",
            classes="picker-search",
        )
        # Statuses quote group names and the search text: plain text, never markup.
        yield Static(self._idle_hint(), id=f"{pid}-status", classes="picker-status", markup=False)
        yield OptionList(id=f"{pid}-results", classes="picker-results field-list", markup=False)
        yield Static("", id=f"{pid}-selected-label", classes="picker-selected-label", markup=False)
        yield OptionList(id=f"{pid}-selected", classes="picker-selected field-list", markup=False)

    def on_mount(self) -> None:
        self.results.display = False  # no empty list to tab into before a search
        self._show_selected()
        self.watch(self.results, "scroll_y", self._results_scrolled, init=False)

    search_input = Part("search", Input)
    results = Part("results", OptionList)
    selected_list = Part("selected", OptionList)
    status = Part("status", Static)

    # -- the selection -----------------------------------------------------------------

    @property
    def groups(self) -> list[dict[str, str]]:
        """The selected groups, as the session stores them."""
        return [dict(g) for g in self._selected]

    def set_groups(self, groups: Sequence[Mapping[str, Any]]) -> None:
        """Replace the selection (no Changed message: the caller knows)."""
        self._selected = [
            {"id": str(g.get("id", "")), "name": str(g.get("name", ""))} for g in groups
        ]
        self._show_selected()
        self._refresh_result_prompts()

    def _is_selected(self, group_id: str) -> bool:
        return any(g["id"] == group_id for g in self._selected)

    def _show_selected(self) -> None:
        label = self.query_one(f"#{self.id}-selected-label", Static)
        if self._selected:
            label.update(f"Selected ({len(self._selected)}) — enter or click removes one:")
        else:
            label.update("Selected: none yet")
        selected = self.selected_list
        highlighted = selected.highlighted
        selected.set_options(
            Option(self._selected_prompt(g), id=g["id"] or f"name:{g['name']}")
            for g in self._selected
        )
        selected.display = bool(self._selected)
        if highlighted is not None and self._selected:
            selected.highlighted = min(highlighted, len(self._selected) - 1)

    def _selected_prompt(self, group: Mapping[str, str]) -> Text:
        name = safe_text(group["name"] or group["id"])
        kind = self.backend.remembered_group_kind(group["id"])
        word = KIND_WORDS.get(kind.value, "") if kind is not None else ""
        return Text.assemble(("✕ ", "bold"), name, (f"  ({word})" if word else "", "dim"))

    def _add(self, group: Group, kind: GroupKind | None) -> None:
        self._selected.append({"id": group.id, "name": group.display_name})
        note = ""
        if kind is not None and kind.value == "mixed":
            note = " It holds devices too: only its users are targeted."
        elif kind is not None and kind.value == "empty":
            note = " It has no members yet."
        self._set_status(f"Added {safe_text(group.display_name)}.{note}")
        self._selection_changed()

    def _remove(self, group_id: str) -> None:
        removed = [g for g in self._selected if (g["id"] or f"name:{g['name']}") == group_id]
        self._selected = [g for g in self._selected if g not in removed]
        if removed:
            self._set_status(f"Removed {safe_text(removed[0]['name'] or removed[0]['id'])}.")
        self._selection_changed()

    def _selection_changed(self) -> None:
        self._show_selected()
        self._refresh_result_prompts()
        self.post_message(self.Changed(self, self.groups))

    @on(OptionList.OptionSelected, ".picker-selected")
    def _selected_option_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self._remove(event.option.id)
            if not self._selected:
                self.search_input.focus()

    # -- searching -----------------------------------------------------------------------

    def _idle_hint(self) -> str:
        return "Type to search by name; enter lists groups."

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.update(text)
        self.status.set_class(error, "-error")

    @on(Input.Changed, ".picker-search")
    def _search_typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        # The search in flight answers text that is no longer there: stop it now.
        self.app.workers.cancel_group(self, SEARCH_GROUP)
        self.backend.cancel(self._search_key)
        self._searches += 1  # an answer already on its way is dropped too
        self._focus_on_answer = False
        text = event.value.strip()
        if not text and self._query is None:
            self._set_status(self._idle_hint())
            return
        shown = safe_text(text)
        self._set_status(f"Searching for “{shown}”…" if text else "Listing groups…")
        self._timer = self.set_timer(SEARCH_DELAY_SECONDS, lambda: self._search(text))

    @on(Input.Submitted, ".picker-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if self._timer is not None:
            self._timer.stop()
        if text != self._answered:
            self._search(text)
            self._focus_on_answer = True  # the list appears with the answer
        else:
            self.action_focus_results()

    def action_focus_results(self) -> None:
        if self.results.option_count:
            self.results.focus()
            if self.results.highlighted is None:
                self.results.highlighted = 0
        elif self._query is None:
            self._search(self.search_input.value.strip())

    def _search(self, text: str) -> None:
        self._timer = None
        self._query = text
        self._page = None
        self._set_status(f"Searching for “{safe_text(text)}”…" if text else "Listing groups…")
        self._searches += 1
        self._read_page(text, None, self._searches)

    def _load_more(self) -> None:
        page = self._page
        if page is None or not page.has_more:
            return
        self._set_status("Loading more groups…")
        self._searches += 1
        self._read_page("", page, self._searches)

    @property
    def _search_key(self) -> str:
        """This picker's searches at the Backend: a newer one cancels the request in flight."""
        return f"{self.id}-search"

    @work(thread=True, exclusive=True, group=SEARCH_GROUP, exit_on_error=False)
    def _read_page(self, text: str, after: GroupPage | None, search: int) -> None:
        """The first page for `text`, or the page after `after` (More results)."""
        worker = get_current_worker()
        try:
            if after is None:
                page = self.backend.search_groups(text, top=self.page_size, group=self._search_key)
            else:
                page = self.backend.next_group_page(after, group=self._search_key)
        except concurrent.futures.CancelledError:
            return  # superseded: a newer search is on its way
        except Exception as exc:  # shown to the person, never raised into Textual
            if not worker.is_cancelled:
                self.post_message(self.SearchFailed(exc, search=search))
            return
        if not worker.is_cancelled:
            self.post_message(self.SearchAnswered(page, append=after is not None, search=search))

    # An answer posted just before a newer search started (its worker was not cancelled
    # yet) is dropped here: only the latest search's answer is shown.
    def on_group_picker_search_answered(self, message: SearchAnswered) -> None:
        if message.search == self._searches:
            self._show_page(message.page, append=message.append)

    def on_group_picker_search_failed(self, message: SearchFailed) -> None:
        if message.search != self._searches:
            return
        self._query = None
        self._set_status(
            f"Could not search groups: {describe_error(message.error, layout='line')}", error=True
        )

    def _show_page(self, page: GroupPage, *, append: bool) -> None:
        results = self.results
        if not append:
            self._answered = page.query
            self._results.clear()
            results.clear_options()
        elif results.option_count and results.get_option_at_index(-1).id == MORE_ID:
            results.remove_option(MORE_ID)
        self._page = page
        new = [g for g in page.groups if g.id not in self._results]
        for group in new:
            self._results[group.id] = group
        results.add_options(Option(self._result_prompt(g), id=g.id) for g in new)
        if page.has_more:
            results.add_option(Option(Text("More results…", style="italic"), id=MORE_ID))
        results.display = bool(results.option_count)
        count = len(self._results)
        what = f"for “{safe_text(page.query)}”" if page.query else "in the tenant"
        if not count:
            self._set_status(
                f"No group found {what}. Search matches the start of words in group names."
            )
        elif page.has_more:
            self._set_status(f"First {count} groups {what}; “More results…” shows more.")
        else:
            self._set_status(f"{count} group{'s' if count != 1 else ''} {what}.")
        if append and new:
            results.highlighted = results.get_option_index(new[0].id)
        elif self._focus_on_answer and results.option_count:
            results.focus()  # enter in the search box asked for the results
            results.highlighted = 0
        self._focus_on_answer = False
        self.call_after_refresh(self._look_up_visible_kinds)

    def _result_prompt(self, group: Group) -> Text:
        kind = self.backend.known_group_kind(group)
        if kind is not None:
            word = KIND_WORDS.get(kind.value, kind.value)
        elif group.id in self._failed_kinds:
            word = "?"
        else:
            word = "…"
        mark = "✓ " if self._is_selected(group.id) else "  "
        style = "bold" if mark.strip() else ""
        refused = self.refuse_devices and kind is not None and kind.value == "devices"
        return Text.assemble(
            (mark, "bold"),
            (f"{word:<{KIND_WIDTH}}", "red" if refused else "dim"),
            (safe_text(group.display_name), style),
        )

    def _refresh_result_prompts(self) -> None:
        results = self.results
        for group in self._results.values():
            results.replace_option_prompt(group.id, self._result_prompt(group))
        selected = self.selected_list
        for chosen in self._selected:
            option_id = chosen["id"] or f"name:{chosen['name']}"
            selected.replace_option_prompt(option_id, self._selected_prompt(chosen))

    # -- users or devices, for the rows on screen -----------------------------------------

    def _results_scrolled(self, _old: float, _new: float) -> None:
        self.call_after_refresh(self._look_up_visible_kinds)

    @on(OptionList.OptionHighlighted, ".picker-results")
    def _result_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()  # the results list (at most 8 rows) scrolls the picker into view itself
        self.call_after_refresh(self._look_up_visible_kinds)

    def visible_result_ids(self) -> list[str]:
        """Ids of the results on screen (one line each: the list does not wrap)."""
        results = self.results
        first = int(results.scroll_y)
        rows = results.scrollable_content_region.height or FALLBACK_VISIBLE_ROWS
        last = min(results.option_count, first + rows)
        ids = [results.get_option_at_index(i).id for i in range(first, last)]
        return [i for i in ids if i and i != MORE_ID]

    def _look_up_visible_kinds(self) -> None:
        if not self.is_mounted or self.backend.signed_in is None:
            return
        wanted = [
            self._results[i]
            for i in self.visible_result_ids()
            if i in self._results
            and self.backend.known_group_kind(self._results[i]) is None
            and i not in self._pending_kinds
            and i not in self._failed_kinds
        ]
        if wanted:
            self._look_up_kinds(wanted)
        else:
            self._refresh_result_prompts()

    def _look_up_kinds(self, groups: list[Group], then: Group | None = None) -> None:
        self._pending_kinds.update(g.id for g in groups)
        self._read_kinds(groups, then)

    # Each batch of rows is its own worker (not exclusive): answers fill the Backend's
    # cache even after the list scrolled on.
    @work(thread=True, exclusive=False, group="kinds", exit_on_error=False)
    def _read_kinds(self, groups: list[Group], then: Group | None) -> None:
        try:
            answers = self.backend.group_kinds(groups)
        except Exception as exc:  # shown on the rows (and for `then`), never raised
            self.post_message(self.KindsFailed(groups, exc, then))
        else:
            self.post_message(self.KindsAnswered(groups, answers, then))

    def on_group_picker_kinds_answered(self, message: KindsAnswered) -> None:
        problem: BaseException | None = None
        for group, answer in zip(message.groups, message.answers, strict=True):
            self._pending_kinds.discard(group.id)
            if isinstance(answer, BaseException):
                self._failed_kinds.add(group.id)
                problem = answer
        self._refresh_result_prompts()
        if message.then is not None:
            self._decide(message.then, problem)

    def on_group_picker_kinds_failed(self, message: KindsFailed) -> None:
        for group in message.groups:
            self._pending_kinds.discard(group.id)
            self._failed_kinds.add(group.id)
        self._refresh_result_prompts()
        if message.then is not None:
            self._decide(message.then, message.error)

    # -- picking ------------------------------------------------------------------------

    @on(OptionList.OptionSelected, ".picker-results")
    def _result_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id
        if option_id == MORE_ID:
            self._load_more()
            return
        if not option_id or option_id not in self._results:
            return
        if self._is_selected(option_id):
            self._remove(option_id)
            return
        group = self._results[option_id]
        kind = self.backend.known_group_kind(group)
        if not self.refuse_devices or kind is not None:
            self._decide(group, None)
            return
        # Device groups are refused here: find out before adding.
        self._failed_kinds.discard(group.id)
        self._set_status(
            f"Checking whether {safe_text(group.display_name)} holds users or devices…"
        )
        self._look_up_kinds([group], then=group)

    def _decide(self, group: Group, problem: BaseException | None) -> None:
        """Add `group` unless it is refused (a device group where users are targeted)."""
        if self._is_selected(group.id):
            return
        kind = self.backend.known_group_kind(group)
        if self.refuse_devices:
            if kind is None:
                reason = describe_error(problem, layout="line") if problem else "no answer"
                self._set_status(
                    f"Could not check whether {safe_text(group.display_name)} holds users or "
                    f"devices ({reason}). Choose it again to retry.",
                    error=True,
                )
                self._failed_kinds.discard(group.id)
                return
            if kind.value == "devices":
                self._set_status(device_refusal(safe_text(group.display_name)), error=True)
                return
        self._add(group, kind)
