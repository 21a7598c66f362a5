"""Hostile text, in bulk (issue 14, point 2): seeded strings full of markup, escape
sequences, controls and bidi characters (tests/reliability/hostile_strings.py), each
shown by the wizard's widgets through `screens.widgets.literal` and written by the CLI
through `tui.text.SafeStream` and `json_text`.

Rendered: what the compositor would send to the terminal holds no control, escape or
bidi character, and every label reads exactly `safe_text(s)` (markup never parsed, no
crash). CLI: no such character in stdout; JSON parses back to the very same string.
One batch of 60 in `make test`, 20 more with `make soak`.
"""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button, OptionList, RadioButton, Static
from textual.widgets.option_list import Option

from screens.widgets.literal import literal
from screens.widgets.toggles import StateCheckbox
from tui.text import SafeStream, json_text, safe_lines, safe_text

from .hostile_strings import hostile_strings

BATCH = 60
SOAK_BATCHES = range(1, 21)
RAW = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} | {
    chr(c) for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
}
RAW |= {"\u2028", "\u2029"}


def batches() -> list[object]:
    return [0, *(pytest.param(b, marks=pytest.mark.soak) for b in SOAK_BATCHES)]


class Labels(App[None]):
    """Each kind of widget the wizard labels with other people's text."""

    def compose(self) -> ComposeResult:
        yield Static(id="static")
        yield OptionList(id="options")
        yield StateCheckbox("", id="checkbox")
        yield RadioButton("", id="radio")
        yield Button("", id="button")


def screen_text(app: App[None]) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


@pytest.mark.parametrize("batch", batches())
async def test_widgets_show_hostile_text_literally(batch: int, tally: Counter[str]) -> None:
    app = Labels()
    async with app.run_test(size=(400, 20)) as pilot:
        for text in hostile_strings(batch, BATCH):
            tally["hostile strings rendered (5 widget kinds each)"] += 1
            label = literal(text)
            app.query_one("#static", Static).update(label)
            app.query_one("#options", OptionList).set_options([Option(literal(text))])
            app.query_one("#checkbox", StateCheckbox).label = label
            app.query_one("#radio", RadioButton).label = label
            app.query_one("#button", Button).label = label
            app.notify(safe_lines(text), markup=False)  # as StepPanel.show_error does
            await pilot.pause()
            shown = screen_text(app)
            raw = {hex(ord(c)) for c in shown.replace("\n", "") if c in RAW}
            assert not raw, (text, raw)
            assert app.is_running
            assert label.plain == safe_text(text), text
            assert str(app.query_one("#static", Static).visual) == safe_text(text), text
            app.clear_notifications()


@pytest.mark.parametrize("batch", batches())
def test_cli_and_json_output_carry_no_control_sequence(batch: int, tally: Counter[str]) -> None:
    for text in hostile_strings(1000 + batch, BATCH * 5):
        tally["hostile strings through CLI output and JSON"] += 1
        out = io.StringIO()
        stream = SafeStream(out)
        print(f"Group: {text}", file=stream)
        written = out.getvalue()
        assert not {c for c in written if c in RAW} - {"\n", "\t"}, text
        assert written == f"Group: {safe_lines(text)}\n"
        document = json_text({"name": text})
        assert not {c for c in document if c in RAW} - {"\n", "\t"}, text
        assert json.loads(document) == {"name": text}
