"""One drawing per enrollment step: which screen it shows and what to tap there.

The words come from the guide's `[pictures]` strings in the reader's language
(`Picture.labels`), the example address from the session; both are plain text
here and escaped by each renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tui.guide.illustrations.measure import wrap
from tui.guide.illustrations.phone import CONTENT_LEFT, CONTENT_WIDTH, HOME, ICON, Screen
from tui.guide.illustrations.shapes import ACCENT, ACCENT_SOFT, CARD, TEXT, Box, Drawing, Label


@dataclass(frozen=True)
class Picture:
    """What the document says a step's drawing shows; laid out only by HTML and PDF."""

    name: str  # one of STEP_DRAWINGS
    description: str  # the text alternative, localized
    labels: Mapping[str, str]  # the `[pictures]` strings, placeholders filled in
    example_address: str  # firstname.lastname@<sign-in domain>
    web_address: str = ""  # web-based enrollment: the host of the page Safari opens


def _card(title: str) -> Screen:
    """A card (a sheet or a web page) with its title centred at the top."""
    screen = Screen(background=CARD)
    screen.y += 6
    screen.title(title, centred=True)
    return screen


def _form(screen: Screen, button: str, *fields: tuple[str, bool]) -> Screen:
    """Text fields (text, muted: shown, not typed), a gap, and the button to tap."""
    for text, muted in fields:
        screen.field(text, muted=muted)
    screen.y += 4
    screen.button(button)
    return screen


def _web_page(lines: tuple[float, ...]) -> Screen:
    """A web page in Safari: a short heading bar, then `lines` of text (their widths)."""
    screen = Screen(background=CARD)
    screen.y += 8
    screen.placeholder_text((0.55,))
    screen.placeholder_text(lines)
    return screen


def _general(_picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = Screen()
    screen.back(labels["settings"])
    screen.title(labels["general"])
    screen.rows([(labels["about"], False), (labels["software_update"], False)])
    screen.rows([(labels["date_time"], False), (labels["keyboard"], False)])
    screen.rows([(labels["vpn"], True)])
    return screen


def _sign_in(picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = Screen()
    screen.back(labels["general"])
    screen.title(labels["vpn"])
    screen.rows([(labels["sign_in_row"], False)], accent_text=True)
    screen.sheet()  # what tapping that row opens
    screen.title(labels["sign_in_title"], size=15, centred=True)
    return _form(screen, labels["continue"], (picture.example_address, False))


def _icloud(picture: Picture, labels: Mapping[str, str]) -> Screen:
    fields = ((picture.example_address, True), ("••••••••", False))  # the address: shown
    return _form(_card(labels["icloud_title"]), labels["continue"], *fields)


def _allow(_picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = _card(labels["remote_management"])
    screen.placeholder_text((1.0, 0.95, 0.9, 0.55))
    screen.button(labels["allow"])
    return screen


def _check(picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = Screen()
    screen.back(labels["general"])
    screen.title(labels["vpn"])
    screen.header(labels["managed_account"])
    screen.rows([(picture.example_address, True)])
    return screen


def _authenticator_arrives(_picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = Screen(background=HOME)
    screen.icon_grid(2, labels["authenticator"], marked=(1, 1))
    return screen


def _authenticator_from_store(_picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = Screen(background=CARD)
    screen.y += 4
    screen.field(labels["authenticator_full"], muted=True)  # the search
    top = screen.y + 6
    screen.icon(CONTENT_LEFT, top)
    get_w, get_h = 66.0, 26.0
    name_left = CONTENT_LEFT + ICON + 8
    name_room = CONTENT_WIDTH - ICON - 8
    name = wrap(labels["authenticator_full"], 12, name_room, bold=True, max_lines=2)
    for index, line in enumerate(name):
        screen.shapes.append(Label(name_left, top + 13 + index * 15.5, line, 12, TEXT, True))
    # The store's button sits under the name, at the right, as the thing to tap.
    get_x, get_y = CONTENT_LEFT + CONTENT_WIDTH - get_w, top + 13 + len(name) * 15.5
    screen.shapes.append(Box(get_x, get_y, get_w, get_h, ACCENT_SOFT, radius=13))
    for line in wrap(labels["get"], 11, get_w - 8, bold=True, max_lines=1):
        screen.shapes.append(Label(get_x + get_w / 2, get_y + 17, line, 11, ACCENT, True, "middle"))
    screen.shapes.append(Box(get_x - 3, get_y - 3, get_w + 6, get_h + 6, None, ACCENT, 2.5, 16))
    screen.y = get_y + get_h + 16
    screen.placeholder_text((1.0, 0.8))
    return screen


def _approve_apps(_picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = Screen(background=HOME)
    screen.icon_grid(2)
    screen.y = 60
    screen.prompt(labels["app_installation"], labels["cancel"], labels["install"])
    return screen


def _teams(picture: Picture, labels: Mapping[str, str]) -> Screen:
    return _form(_card(labels["teams"]), labels["sign_in"], (picture.example_address, False))


# Web-based device enrollment (tui/guide/web_based.py): Safari, then Settings. The page's
# own wording is Microsoft's and changes: grey bars stand for it.


def _web_open_safari(picture: Picture, _labels: Mapping[str, str]) -> Screen:
    screen = _web_page((1.0, 0.9, 0.7))
    screen.address_bar(picture.web_address, highlighted=True)
    return screen


def _web_sign_in(picture: Picture, labels: Mapping[str, str]) -> Screen:
    return _form(_card(labels["sign_in"]), labels["next"], (picture.example_address, False))


def _web_download(_picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = _web_page((1.0, 0.9, 0.7, 0.8))
    screen.y = 60
    screen.prompt(labels["download_prompt"], labels["ignore"], labels["allow_download"])
    return screen


def _web_install(_picture: Picture, labels: Mapping[str, str]) -> Screen:
    screen = Screen()
    screen.title(labels["settings"])
    screen.rows([(labels["profile_downloaded"], True)])
    screen.rows([(labels["general"], False)])
    screen.sheet()  # what tapping that row opens
    screen.title(labels["install_profile"], size=15, centred=True)
    screen.placeholder_text((1.0, 0.7))
    screen.button(labels["install"])
    return screen


# Keyed like the steps in document.py and web_based.py; `<name>_alt` in [pictures] is each
# one's text alternative.
STEP_DRAWINGS: dict[str, Callable[[Picture, Mapping[str, str]], Screen]] = {
    "open_settings": _general,
    "sign_in": _sign_in,
    "icloud": _icloud,
    "allow": _allow,
    "check": _check,
    "authenticator_required": _authenticator_arrives,
    "authenticator_optional": _authenticator_from_store,
    "approve_apps": _approve_apps,
    "teams": _teams,
    "web_open_safari": _web_open_safari,
    "web_sign_in": _web_sign_in,
    "web_download": _web_download,
    "web_install": _web_install,
}


def draw(picture: Picture) -> Drawing:
    """The shapes of `picture`, wrapped for its language's labels."""
    screen = STEP_DRAWINGS[picture.name](picture, picture.labels)
    return screen.drawing(picture.name, picture.description)
