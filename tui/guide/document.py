"""The guide as a document model: built once per language, rendered to md, html and pdf.

Translation strings are templates: `**bold**` marks a label seen on the device
and `{name}` a value. Templates are parsed into spans *before* values are put
in, so a value (from the session, i.e. untrusted) is never read as markup; each
renderer escapes every span for its format.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from tui.guide.illustrations.steps import Picture
from tui.guide.links import contact_href, safe_href
from tui.guide.settings import GuideSettings
from tui.guide.strings import Catalogue

COMPANY_PORTAL_URL = "https://portal.manage.microsoft.com/"
# Where web-based device enrollment starts, in Safari (../shared/reference/enrollment-facts.md).
WEB_ENROLLMENT_URL = "https://portal.manage.microsoft.com/enrollment/webenrollment/ios"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Span:
    text: str
    strong: bool = False
    value: bool = False  # came from the session: shown as-is, never as markup
    href: str | None = None  # already %-encoded by `links.safe_href` or a mailto:/tel: link
    address: bool = False  # an e-mail or web address or a domain: never broken at its hyphens


Inline = tuple[Span, ...]


@dataclass(frozen=True)
class Paragraph:
    spans: Inline


@dataclass(frozen=True)
class BulletList:
    items: tuple[Inline, ...]


@dataclass(frozen=True)
class StepList:
    items: tuple[Inline, ...]
    # One drawing of the device's screen per item (HTML and PDF show them; Markdown not).
    pictures: tuple[Picture, ...] = ()


@dataclass(frozen=True)
class Callout:
    tone: Literal["warning", "info"]
    title: Inline
    spans: Inline


@dataclass(frozen=True)
class QrCode:
    url: str  # validated by GuideSettings; what the code encodes
    label: str  # accessible name of the image (plain text)
    caption: Inline


@dataclass(frozen=True)
class Subsection:
    title: Inline
    blocks: tuple[Block, ...]


Block = Paragraph | BulletList | StepList | Callout | QrCode | Subsection


@dataclass(frozen=True)
class Section:
    anchor: str  # stable id for links and the table of contents
    title: Inline
    blocks: tuple[Block, ...]


class BlockWriter(ABC):
    """What a format does with each kind of block, given its parts. `write_blocks` is
    the one walk over a section's blocks that every format shares: a new kind of block
    is an abstract method here, so a format that does not handle it cannot be made
    (mypy), instead of an `isinstance` branch each format may miss and drop it."""

    def write_blocks(self, blocks: tuple[Block, ...], level: int) -> None:
        """`blocks` in order; `level` is the heading level of a Subsection among them."""
        for number, block in enumerate(blocks, 1):
            if isinstance(block, Paragraph):
                self.paragraph(block.spans)
            elif isinstance(block, BulletList):
                self.bullets(block.items)
            elif isinstance(block, StepList):
                self.steps(block.items, block.pictures)
            elif isinstance(block, Callout):
                self.callout(block.tone, block.title, block.spans)
            elif isinstance(block, QrCode):
                self.qr_code(block.url, block.label, block.caption)
            elif isinstance(block, Subsection):
                self.subsection(block.title, block.blocks, level, number)

    @abstractmethod
    def paragraph(self, spans: Inline) -> None: ...

    @abstractmethod
    def bullets(self, items: tuple[Inline, ...]) -> None: ...

    @abstractmethod
    def steps(self, items: tuple[Inline, ...], pictures: tuple[Picture, ...]) -> None: ...

    @abstractmethod
    def callout(self, tone: str, title: Inline, spans: Inline) -> None: ...

    @abstractmethod
    def qr_code(self, url: str, label: str, caption: Inline) -> None: ...

    @abstractmethod
    def subsection(self, title: Inline, blocks: tuple[Block, ...], level: int, number: int) -> None:
        """`number`: the subsection's place among the blocks around it (from 1)."""


@dataclass(frozen=True)
class Document:
    lang: str
    direction: str
    organization: str
    title: Inline
    lead: Inline
    contents_label: str
    skip_link_label: str
    sections: tuple[Section, ...]
    footer: Inline


def plain(spans: Inline) -> str:
    return "".join(span.text for span in spans)


def expand(template: str, values: Mapping[str, Inline]) -> Inline:
    """Parse `template` (`**bold**`, `{name}`) into spans, putting `values` in."""
    spans: list[Span] = []
    for index, part in enumerate(template.split("**")):
        strong = index % 2 == 1
        position = 0
        for match in _PLACEHOLDER.finditer(part):
            if match.start() > position:
                spans.append(Span(part[position : match.start()], strong=strong))
            for span in values[match.group(1)]:
                spans.append(
                    Span(span.text, strong or span.strong, span.value, span.href, span.address)
                )
            position = match.end()
        if position < len(part):
            spans.append(Span(part[position:], strong=strong))
    return tuple(spans)


def placeholders(template: str) -> set[str]:
    return set(_PLACEHOLDER.findall(template))


def build_document(
    settings: GuideSettings, lang: str, catalogue: Catalogue | None = None
) -> Document:
    """The guide for `settings` in `lang` (English wording where a translation lacks it)."""
    catalogue = catalogue or settings.catalogue
    table = catalogue.table(lang)
    strings = catalogue.strings(lang)
    example = f"{strings['document.example_user']}@{settings.sign_in_domain}"
    link = settings.link_url
    support_href = contact_href(settings.support_contact)
    values: dict[str, Inline] = {
        "organization": (Span(settings.organization, value=True),),
        "domain": (Span(settings.sign_in_domain, value=True, address=True),),
        "example_address": (Span(example, value=True, address=True),),
        "support": (
            Span(
                settings.support_contact,
                value=True,
                href=support_href,
                address=(support_href or "tel:").startswith(("mailto:", "http")),
            ),
        ),
        "link": (Span(link, value=True, href=safe_href(link), address=True),) if link else (),
        "portal_link": (
            Span(
                COMPANY_PORTAL_URL.removeprefix("https://").rstrip("/"),
                href=COMPANY_PORTAL_URL,
                address=True,
            ),
        ),
        "enroll_link": (
            Span(
                WEB_ENROLLMENT_URL.removeprefix("https://"),
                href=WEB_ENROLLMENT_URL,
                address=True,
            ),
        ),
    }

    def text(key: str) -> Inline:
        return expand(strings[key], values)

    identity = settings.identity
    authenticator = "required" if settings.authenticator_required else "optional"
    if settings.mode == "web-based":
        from tui.guide.web_based import web_sections

        def steps(pairs: tuple[tuple[str, str], ...]) -> StepList:
            # Safari's address bar shows the page's host, as the drawing does.
            host = urlsplit(WEB_ENROLLMENT_URL).netloc
            return _enrollment_steps(pairs, strings, text, example, host)

        sections = web_sections(settings, text, _help_blocks(settings, text), steps)
    else:
        sections = _user_enrollment_sections(
            settings, text, identity, authenticator, strings, example
        )
    return Document(
        lang=lang,
        direction=table.direction,
        organization=settings.organization,
        title=text("document.title"),
        lead=text("web.lead" if settings.mode == "web-based" else "document.lead"),
        contents_label=strings["document.contents"],
        skip_link_label=strings["document.skip_link"],
        sections=sections,
        footer=text("document.footer"),
    )


def _user_enrollment_sections(
    settings: GuideSettings,
    text: Callable[[str], Inline],
    identity: str,
    authenticator: str,
    strings: Mapping[str, str],
    example: str,
) -> tuple[Section, ...]:
    """Account-driven User Enrollment: the employee enrolls in Settings."""
    return (
        Section(
            "before",
            text("before.title"),
            (
                BulletList(
                    (
                        text("before.device"),
                        text(f"before.account_{identity}"),
                        text("before.mfa"),
                    )
                ),
                Callout(
                    "warning",
                    text("before.authenticator_title"),
                    text(f"before.authenticator_{authenticator}"),
                ),
            ),
        ),
        Section(
            "enroll",
            text("steps.title"),
            (
                Paragraph(text("steps.intro")),
                _enrollment_steps(
                    (
                        ("open_settings", "steps.open_settings"),
                        ("sign_in", f"steps.sign_in_{identity}"),
                        ("icloud", f"steps.icloud_{identity}"),
                        ("allow", "steps.allow"),
                        ("check", "steps.check"),
                        (f"authenticator_{authenticator}", f"steps.authenticator_{authenticator}"),
                        ("approve_apps", "steps.approve_apps"),
                        ("teams", "steps.teams"),
                    ),
                    strings,
                    text,
                    example,
                ),
                # The Company Portal web clip ([web_clip]): one sentence about the new icon.
                *((Paragraph(text("steps.web_clip")),) if settings.web_clip else ()),
            ),
        ),
        Section(
            "privacy",
            text("privacy.title"),
            (
                Paragraph(text("privacy.intro")),
                Subsection(
                    text("privacy.can_title"),
                    (BulletList((text("privacy.can_apps"), text("privacy.can_actions"))),),
                ),
                Subsection(
                    text("privacy.cannot_title"),
                    (
                        BulletList(
                            (
                                text("privacy.cannot_apps"),
                                text("privacy.cannot_ids"),
                                text("privacy.cannot_wipe"),
                            )
                        ),
                    ),
                ),
                Paragraph(text("privacy.app_store")),
                Paragraph(text("privacy.portal")),
            ),
        ),
        leave_section(text, "leave.result"),
        troubleshooting_section(
            text,
            (
                ("troubleshooting.sso_title", "troubleshooting.sso_body"),
                ("troubleshooting.domain_title", f"troubleshooting.domain_{identity}"),
                # The device's words when the service-discovery file fails (Microsoft).
                ("troubleshooting.discovery_title", "troubleshooting.discovery_body"),
                ("troubleshooting.ios_title", "troubleshooting.ios_body"),
                ("troubleshooting.work_app_title", "troubleshooting.work_app_body"),
                ("troubleshooting.mfa_title", "troubleshooting.mfa_body"),
            ),
        ),
        Section("help", text("help.title"), _help_blocks(settings, text)),
    )


def leave_section(text: Callable[[str], Inline], result: str) -> Section:
    """How to leave, and what leaving does (`result`: its string key)."""
    return Section(
        "leave",
        text("leave.title"),
        (Paragraph(text("leave.steps")), Paragraph(text(result))),
    )


def troubleshooting_section(
    text: Callable[[str], Inline], topics: tuple[tuple[str, str], ...]
) -> Section:
    """One subsection per (title key, body key)."""
    return Section(
        "troubleshooting",
        text("troubleshooting.title"),
        tuple(Subsection(text(title), (Paragraph(text(body)),)) for title, body in topics),
    )


def _enrollment_steps(
    steps: tuple[tuple[str, str], ...],
    strings: Mapping[str, str],
    text: Callable[[str], Inline],
    example_address: str,
    web_address: str = "",
) -> StepList:
    """The numbered steps, each with the drawing named like it (`[pictures]` strings)."""
    labels = {
        key.removeprefix("pictures."): plain(text(key))
        for key in strings
        if key.startswith("pictures.") and not key.endswith("_alt")
    }
    return StepList(
        tuple(text(key) for _, key in steps),
        tuple(
            Picture(name, plain(text(f"pictures.{name}_alt")), labels, example_address, web_address)
            for name, _ in steps
        ),
    )


def _help_blocks(settings: GuideSettings, text: Callable[[str], Inline]) -> tuple[Block, ...]:
    blocks: list[Block] = [Paragraph(text("help.body"))]
    if settings.link_url:
        blocks.append(
            QrCode(settings.link_url, plain(text("help.qr_label")), text("help.qr_caption"))
        )
    return tuple(blocks)
