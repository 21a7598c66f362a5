"""A phone screen built top to bottom: status bar, titles, grouped rows, fields, buttons,
app icons and a prompt; `drawing()` puts the phone outline around them.

Nothing here copies Apple artwork: an outline, flat boxes and text. The one thing
to tap is outlined in the accent colour and marked with a tap ring, so it stands
out in grey print too, not by colour alone.
"""

from __future__ import annotations

from typing import Literal

from tui.guide.illustrations.measure import wrap
from tui.guide.illustrations.shapes import (
    ACCENT,
    ACCENT_SOFT,
    BEZEL,
    CARD,
    DIM,
    FAINT,
    MUTED,
    SCREEN,
    TEXT,
    WHITE,
    WIDTH,
    Box,
    Dot,
    Drawing,
    Label,
    Shape,
    Stroke,
)

SCREEN_LEFT = 12.0
SCREEN_RIGHT = WIDTH - 12.0
SCREEN_TOP = 12.0
MARGIN = 10.0  # screen edge to a group of rows
CONTENT_LEFT = SCREEN_LEFT + MARGIN
CONTENT_WIDTH = SCREEN_RIGHT - MARGIN - CONTENT_LEFT
PAD = 10.0  # inside a row or field
ROW_SIZE = 12.5
BUTTON_SIZE = 13.0
TITLE_SIZE = 17.0
SMALL_SIZE = 10.0
LINE_GAP = 1.3  # line height as a multiple of the font size
TAP_ROOM = 26.0  # the tap ring's share of a highlighted row or button
ICON = 34.0
ICON_PITCH = 58.0  # one row of the home screen
HOME = "#dfe6ee"  # the home screen's plain wallpaper
Anchor = Literal["start", "middle", "end"]


def text_height(lines: int, size: float) -> float:
    return size * (1.2 + LINE_GAP * (lines - 1))


class Screen:
    """Collects shapes while `y` moves down the screen."""

    def __init__(self, background: str = SCREEN) -> None:
        self.shapes: list[Shape] = []
        self.background = background
        self.y = 44.0  # below the status bar

    # -- text ---------------------------------------------------------------------

    def _lines(
        self,
        text: str,
        x: float,
        width: float,
        size: float,
        *,
        colour: str = TEXT,
        bold: bool = False,
        anchor: Anchor = "start",
        max_lines: int = 4,
    ) -> float:
        """Wrapped text from the current `y`; returns the height it took."""
        lines = wrap(text, size, width, bold, max_lines)
        for index, line in enumerate(lines):
            baseline = self.y + size * 0.95 + index * size * LINE_GAP
            self.shapes.append(Label(x, baseline, line, size, colour, bold, anchor))
        return text_height(len(lines), size)

    def back(self, text: str) -> None:
        """The back button of a pushed screen: "‹ General"."""
        left, y = CONTENT_LEFT, self.y
        self.shapes.append(Stroke(left + 5, y + 3, left, y + 8, ACCENT, 2))
        self.shapes.append(Stroke(left, y + 8, left + 5, y + 13, ACCENT, 2))
        self.y += self._lines(text, left + 10, CONTENT_WIDTH - 10, 12, colour=ACCENT, max_lines=1)
        self.y += 6

    def title(self, text: str, *, size: float = TITLE_SIZE, centred: bool = False) -> None:
        x = WIDTH / 2 if centred else CONTENT_LEFT
        anchor: Anchor = "middle" if centred else "start"
        self.y += self._lines(text, x, CONTENT_WIDTH, size, bold=True, anchor=anchor) + 10

    def header(self, text: str) -> None:
        """A group's small grey heading, e.g. MANAGED ACCOUNT."""
        width = CONTENT_WIDTH - PAD
        self.y += self._lines(text, CONTENT_LEFT + PAD, width, SMALL_SIZE, colour=MUTED) + 4

    def placeholder_text(self, widths: tuple[float, ...], left: float = CONTENT_LEFT) -> None:
        """Grey bars where the device shows text that does not matter for the step."""
        width = CONTENT_WIDTH - 2 * (left - CONTENT_LEFT)
        for fraction in widths:
            self.shapes.append(Box(left, self.y, width * fraction, 6, FAINT, radius=3))
            self.y += 11
        self.y += 6

    # -- controls -----------------------------------------------------------------

    def _tap(self, x: float, y: float, w: float, h: float, radius: float, ring: str) -> None:
        """The highlight: an accent outline around the box and a tap ring at its end."""
        self.shapes.append(Box(x - 3, y - 3, w + 6, h + 6, None, ACCENT, 2.5, radius + 3))
        cx, cy = x + w - TAP_ROOM / 2, y + h / 2
        self.shapes.append(Dot(cx, cy, 8.5, None, ring, 2))
        self.shapes.append(Dot(cx, cy, 4, ring))

    def rows(self, rows: list[tuple[str, bool]], *, accent_text: bool = False) -> None:
        """A group of rows (text, highlighted?) with chevrons, as in Settings."""

        def room(highlighted: bool) -> float:
            return CONTENT_WIDTH - 2 * PAD - (TAP_ROOM if highlighted else 14)

        wrapped = [wrap(text, ROW_SIZE, room(marked)) for text, marked in rows]
        heights = [max(32.0, 2 * PAD + text_height(len(lines), ROW_SIZE)) for lines in wrapped]
        self.shapes.append(Box(CONTENT_LEFT, self.y, CONTENT_WIDTH, sum(heights), CARD, radius=9))
        marked_at = None
        for index, ((text, marked), height) in enumerate(zip(rows, heights, strict=True)):
            top = self.y
            if index:
                right = CONTENT_LEFT + CONTENT_WIDTH
                self.shapes.append(Stroke(CONTENT_LEFT + PAD, top, right, top, FAINT))
            if marked:
                marked_at = (top, height)
                self.shapes.append(
                    Box(CONTENT_LEFT, top, CONTENT_WIDTH, height, ACCENT_SOFT, radius=9)
                )
            self.y += (height - text_height(len(wrapped[index]), ROW_SIZE)) / 2
            colour = ACCENT if accent_text else TEXT
            self._lines(text, CONTENT_LEFT + PAD, room(marked), ROW_SIZE, colour=colour)
            if not marked and not accent_text:
                right, middle = CONTENT_LEFT + CONTENT_WIDTH - PAD, top + height / 2
                self.shapes.append(Stroke(right - 4, middle - 4, right, middle, FAINT, 1.6))
                self.shapes.append(Stroke(right, middle, right - 4, middle + 4, FAINT, 1.6))
            self.y = top + height
        if marked_at:
            self._tap(CONTENT_LEFT, marked_at[0], CONTENT_WIDTH, marked_at[1], 9, ACCENT)
        self.y += 14

    def field(self, text: str, *, muted: bool = False) -> None:
        """A text field holding `text` (an address, or dots for a password)."""
        width = CONTENT_WIDTH - 2 * PAD
        height = 2 * PAD + text_height(len(wrap(text, ROW_SIZE, width)), ROW_SIZE)
        top = self.y
        self.shapes.append(Box(CONTENT_LEFT, top, CONTENT_WIDTH, height, CARD, FAINT, 1, 8))
        self.y += PAD
        self._lines(text, CONTENT_LEFT + PAD, width, ROW_SIZE, colour=MUTED if muted else TEXT)
        self.y = top + height + 8

    def button(self, text: str) -> None:
        """A filled button with centred text, highlighted (the step's tap)."""
        room = CONTENT_WIDTH - 2 * TAP_ROOM  # centred text clear of the tap ring
        lines = len(wrap(text, BUTTON_SIZE, room, bold=True))
        height = max(36.0, 18 + text_height(lines, BUTTON_SIZE))
        top = self.y
        self.shapes.append(Box(CONTENT_LEFT, top, CONTENT_WIDTH, height, ACCENT, radius=10))
        self.y += (height - text_height(lines, BUTTON_SIZE)) / 2
        self._lines(text, WIDTH / 2, room, BUTTON_SIZE, colour=WHITE, bold=True, anchor="middle")
        self._tap(CONTENT_LEFT, top, CONTENT_WIDTH, height, 10, WHITE)
        self.y = top + height + 12

    def icon(self, x: float, y: float, label: str = "", *, marked: bool = False) -> None:
        """An app icon; only the marked one has a padlock (a generic sign-in sign, not
        the vendor's logo) and a name, which may reach under its neighbours."""
        self.shapes.append(Box(x, y, ICON, ICON, ACCENT if marked else FAINT, radius=8))
        if marked:
            self.shapes.append(Box(x + 10, y + 15, 14, 11, WHITE, radius=2))
            self.shapes.append(Box(x + 12.5, y + 7, 9, 12, None, WHITE, 2.2, 4.5))
            self.shapes.append(Box(x - 4, y - 4, ICON + 8, ICON + 8, None, ACCENT, 2.5, 11))
        for line in wrap(label, 10.5, 92, bold=True, max_lines=1) if label else ():
            self.shapes.append(Label(x + ICON / 2, y + ICON + 15, line, 10.5, TEXT, True, "middle"))

    def icon_grid(self, rows: int, label: str = "", marked: tuple[int, int] | None = None) -> None:
        """A home screen's rows of four icons; `marked` (row, column) is named `label`."""
        gap = (CONTENT_WIDTH - 4 * ICON) / 3
        for row in range(rows):
            for column in range(4):
                x, y = CONTENT_LEFT + column * (ICON + gap), self.y + 6 + row * ICON_PITCH
                here = (row, column) == marked
                self.icon(x, y, label if here else "", marked=here)
        self.y += 6 + rows * ICON_PITCH + 8

    def prompt(self, title: str, cancel: str, confirm: str) -> None:
        """A system prompt over the dimmed screen: title, text, [cancel | confirm];
        confirm is highlighted."""
        self.dim()
        top = self.y + 14
        self.y = top + 14
        card_at = len(self.shapes)  # the card goes under its text, drawn once its height is known
        self.y += self._lines(
            title, WIDTH / 2, CONTENT_WIDTH - 20, 13.5, bold=True, anchor="middle", max_lines=3
        )
        self.y += 12
        self.placeholder_text((1.0, 0.85, 0.5), left=CONTENT_LEFT + 14)
        buttons, height = self.y, 40.0
        self.shapes.insert(
            card_at, Box(CONTENT_LEFT, top, CONTENT_WIDTH, buttons + height - top, CARD, radius=14)
        )
        right, half = CONTENT_LEFT + CONTENT_WIDTH, CONTENT_WIDTH / 2
        self.shapes.append(Stroke(CONTENT_LEFT, buttons, right, buttons, FAINT))
        self.shapes.append(
            Stroke(CONTENT_LEFT + half, buttons, CONTENT_LEFT + half, buttons + height, FAINT)
        )
        for index, (text, bold) in enumerate(((cancel, False), (confirm, True))):
            centre = CONTENT_LEFT + half * index + half / 2
            for line in wrap(text, 12, half - 8, bold=bold, max_lines=1):
                self.shapes.append(Label(centre, buttons + 25, line, 12, ACCENT, bold, "middle"))
        self.shapes.append(
            Box(CONTENT_LEFT + half + 3, buttons + 3, half - 6, height - 6, None, ACCENT, 2.5, 9)
        )
        self.y = buttons + height + 14

    def address_bar(self, text: str, *, highlighted: bool = False) -> None:
        """Safari's address bar (at the bottom, where current iOS puts it) holding
        `text`; highlighted when typing the address is the step."""
        room = CONTENT_WIDTH - 2 * PAD - (TAP_ROOM if highlighted else 0)
        lines = wrap(text, SMALL_SIZE + 0.5, room, max_lines=3)
        height = max(30.0, 2 * 8 + text_height(len(lines), SMALL_SIZE + 0.5))
        top = self.y
        fill = ACCENT_SOFT if highlighted else FAINT
        self.shapes.append(Box(CONTENT_LEFT, top, CONTENT_WIDTH, height, fill, radius=12))
        self.y += (height - text_height(len(lines), SMALL_SIZE + 0.5)) / 2
        self._lines(text, CONTENT_LEFT + PAD, room, SMALL_SIZE + 0.5, max_lines=3)
        if highlighted:
            self._tap(CONTENT_LEFT, top, CONTENT_WIDTH, height, 12, ACCENT)
        self.y = top + height + 10

    def sheet(self) -> None:
        """Dims the screen and starts a card sliding up from the bottom."""
        self.dim()
        top = self.y - 12
        self.shapes.append(Box(SCREEN_LEFT, top, SCREEN_RIGHT - SCREEN_LEFT, 1000, CARD, radius=18))
        self.y = top + 18

    def dim(self) -> None:
        """Greys out what is drawn so far: a sheet or prompt comes next."""
        width = SCREEN_RIGHT - SCREEN_LEFT
        self.shapes.append(Box(SCREEN_LEFT, SCREEN_TOP, width, 1000, DIM, radius=22, opacity=0.55))

    # -- the phone ----------------------------------------------------------------

    def drawing(self, name: str, description: str) -> Drawing:
        """The phone around the shapes, cut off a little below the last one (the
        renderers crop everything to the drawing's height)."""
        height = max(self.y, 150.0) + 12
        width = SCREEN_RIGHT - SCREEN_LEFT
        frame: list[Shape] = [
            Box(4, 4, WIDTH - 8, height + 60, "#e7eaee", BEZEL, 3, 30),
            Box(SCREEN_LEFT, SCREEN_TOP, width, height + 60, self.background, radius=22),
            *status_bar(),
        ]
        return Drawing(name, description, height, (*frame, *self.shapes))


def status_bar() -> list[Shape]:
    """Time, signal and battery: generic, no logos."""
    right = SCREEN_RIGHT - 16
    shapes: list[Shape] = [Label(34, 30, "9:41", 11.5, TEXT, True)]
    for index in range(4):  # signal bars
        h = 3.5 + 2 * index
        shapes.append(Box(right - 44 + index * 5, 29 - h, 3.2, h, TEXT, radius=0.8))
    shapes.append(Box(right - 20, 21, 19, 9, None, TEXT, 1.2, 2.5))
    shapes.append(Box(right - 18.2, 22.8, 12, 5.4, TEXT, radius=1.2))
    shapes.append(Box(right + 0.2, 24, 1.6, 3, TEXT, radius=0.6))
    return shapes
