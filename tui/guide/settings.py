"""What a guide is generated from: `GuideSettings`, read from a session or built by the wizard.

Every problem names the session key it comes from and the fix, so the CLI, the
wizard and the session loader can show it as-is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from tui.choices import ENROLLMENT_MODES, GUIDE_FORMATS, IDENTITIES, GuideFormat, Identity
from tui.guide.errors import GuideSettingsError, Problem
from tui.guide.links import MAX_URL_LENGTH, is_web_url
from tui.guide.strings import Catalogue, builtin_catalogue

# As tui/session/schema.py's schema: a session without [guide] formats exports HTML.
DEFAULT_FORMATS: tuple[GuideFormat, ...] = ("html",)

MAX_ORGANIZATION = 120
MAX_CONTACT = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
# Invisible characters that make a published guide read otherwise than it is written
# (a right-to-left override turns "Payroll \u202egnp.exe" into "Payroll exe.png"), and C1
# controls (0x9B starts an escape sequence where the Markdown is printed in a terminal).
_READS_DIFFERENTLY = re.compile(r"[\x80-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)\Z")

# Session keys, as docs/session-format.md spells them.
KEY_ORGANIZATION = "[guide] organization"
KEY_TENANT_ORGANIZATION = "[tenant] organization"
KEY_DOMAIN = "[tenant] sign_in_domain"
KEY_CONTACT = "[guide] support_contact"
KEY_IDENTITY = "[guide] identity"
KEY_LINK = "[guide] link_url"
KEY_LANGUAGES = "[guide] languages"
KEY_FORMATS = "[guide] formats"
KEY_OUTPUT_DIR = "[guide] output_dir"
KEY_AUTHENTICATOR = "[authenticator] app_id"
KEY_MODE = "[enrollment_profile] mode"


@dataclass(frozen=True)
class GuideSettings:
    """Everything a guide depends on. Build it with `from_session` or directly (wizard).

    `authenticator_required`: Microsoft Authenticator is deployed as a required
    app, so it installs by itself after enrollment (otherwise employees are told
    to install it once enrolled). `output_dir` is where the wizard and `adue guide`
    export to; empty means the current folder.
    """

    organization: str
    sign_in_domain: str
    support_contact: str
    identity: Identity = "federated"
    link_url: str = ""
    authenticator_required: bool = True
    # The Company Portal web clip is deployed ([web_clip] enabled): the guide tells
    # employees about the new icon on their home screen.
    web_clip: bool = False
    languages: tuple[str, ...] = ("en",)
    formats: tuple[GuideFormat, ...] = DEFAULT_FORMATS
    output_dir: str = ""
    mode: str = "account-driven"  # [enrollment_profile] mode: which enrollment the guide explains
    # Not part of equality: two settings that render the same guide compare equal.
    catalogue: Catalogue = field(default_factory=builtin_catalogue, compare=False, repr=False)

    @classmethod
    def from_session(cls, data: Mapping[str, Any], **overrides: Any) -> GuideSettings:
        """Settings from a session parsed with `tomllib`; raises `GuideSettingsError`.

        `overrides` (field name -> value; None means "not given") win over the
        session, e.g. `from_session(data, organization="Contoso")` from `--organization`.
        """
        reader = _SessionReader(data)
        guide = reader.table("guide")
        tenant = reader.table("tenant")
        authenticator = reader.table("authenticator")
        profile = reader.table("enrollment_profile")
        organization = reader.text(guide, KEY_ORGANIZATION) or reader.text(
            tenant, KEY_TENANT_ORGANIZATION
        )
        values: dict[str, Any] = {
            "organization": organization,
            "sign_in_domain": reader.text(tenant, KEY_DOMAIN),
            "support_contact": reader.text(guide, KEY_CONTACT),
            "identity": reader.text(guide, KEY_IDENTITY) or "federated",
            "link_url": reader.text(guide, KEY_LINK),
            "authenticator_required": bool(reader.text(authenticator, KEY_AUTHENTICATOR)),
            "web_clip": _web_clip_on(data),
            "languages": reader.text_list(guide, KEY_LANGUAGES) or ("en",),
            "formats": reader.text_list(guide, KEY_FORMATS) or DEFAULT_FORMATS,
            "output_dir": reader.text(guide, KEY_OUTPUT_DIR),
            "mode": reader.text(profile, KEY_MODE) or "account-driven",
        }
        given = {name for name, value in overrides.items() if value is not None}
        values.update((name, overrides[name]) for name in given)
        if reader.problems:
            # Type errors first: a value of the wrong type cannot be checked further.
            raise GuideSettingsError(reader.problems)
        try:
            return cls(**values).validated()
        except GuideSettingsError as exc:
            # A value given on the command line is the flag's fault, not the session's.
            raise GuideSettingsError(
                [p.blamed_on_option() if p.field in given else p for p in exc.problems]
            ) from None

    def validated(self) -> GuideSettings:
        """These settings, trimmed and normalised; raises `GuideSettingsError`."""
        settings = self.normalised()
        problems = settings.problems()
        if problems:
            raise GuideSettingsError(problems)
        return settings

    def normalised(self) -> GuideSettings:
        return GuideSettings(
            organization=self.organization.strip(),
            sign_in_domain=self.sign_in_domain.strip().lower().rstrip("."),
            support_contact=self.support_contact.strip(),
            identity=self.identity,
            link_url=self.link_url.strip(),
            authenticator_required=self.authenticator_required,
            web_clip=self.web_clip,
            languages=tuple(dict.fromkeys(code.strip() for code in self.languages)),
            formats=cast(
                tuple[GuideFormat, ...],
                tuple(dict.fromkeys(f.strip().lower() for f in self.formats)),
            ),
            output_dir=self.output_dir.strip(),
            mode=self.mode.strip(),
            catalogue=self.catalogue,
        )

    def problems(self) -> list[Problem]:
        """Everything wrong with these settings (empty when they can be rendered)."""
        problems: list[Problem] = []
        problems += _single_line(
            self.organization,
            KEY_ORGANIZATION,
            MAX_ORGANIZATION,
            'enter the name employees know, e.g. organization = "Contoso Ltd" under [guide]'
            " (the wizard's Employee guide step sets it)",
            "--organization",
        )
        problems += _domain_problems(self.sign_in_domain)
        problems += _single_line(
            self.support_contact,
            KEY_CONTACT,
            MAX_CONTACT,
            "add an e-mail address, phone number or web page employees can use for help,"
            ' e.g. support_contact = "it-help@contoso.com" under [guide]',
            "--support-contact",
        )
        if self.identity not in IDENTITIES:
            problems.append(
                Problem(
                    KEY_IDENTITY,
                    f"is {self.identity!r}",
                    'use "federated" (employees sign in with their work account) or'
                    ' "managed_apple_id" (they sign in with a Managed Apple Account)',
                    "--identity",
                )
            )
        if self.mode not in ENROLLMENT_MODES:
            problems.append(
                Problem(
                    KEY_MODE,
                    f"is {self.mode!r}",
                    'use "account-driven" (employees enroll in Settings) or "web-based"'
                    " (they enroll in Safari); the wizard's step 5 sets it",
                )
            )
        if self.link_url and not is_web_url(self.link_url):
            problems.append(
                Problem(
                    KEY_LINK,
                    f"{_shorten(self.link_url)!r} is not a web address",
                    "use a full https:// address such as https://intranet.contoso.com/enroll"
                    f" (at most {MAX_URL_LENGTH} characters), or leave it empty for no QR code",
                    "--link-url",
                )
            )
        problems += self._language_problems()
        unknown_formats = [f for f in self.formats if f not in GUIDE_FORMATS]
        if unknown_formats or not self.formats:
            problems.append(
                Problem(
                    KEY_FORMATS,
                    f"has {', '.join(map(repr, unknown_formats))}"
                    if unknown_formats
                    else "is empty",
                    'list one or more of "md", "html" and "pdf", e.g. formats = ["html", "pdf"]',
                    "--format",
                )
            )
        if _CONTROL.search(self.output_dir):
            problems.append(
                Problem(
                    KEY_OUTPUT_DIR,
                    "contains a line break or control character",
                    "write the folder path on one line",
                    "-o",
                )
            )
        return problems

    def _language_problems(self) -> list[Problem]:
        available = self.catalogue.languages()
        if not self.languages:
            return [
                Problem(
                    KEY_LANGUAGES,
                    "is empty",
                    f'list at least one language, e.g. languages = ["en"] (available: '
                    f"{', '.join(available)})",
                    "--lang",
                )
            ]
        unknown = [code for code in self.languages if code not in available]
        if not unknown:
            return []
        return [
            Problem(
                KEY_LANGUAGES,
                f"has {', '.join(map(repr, unknown))}, which has no translation",
                f"use one of {', '.join(available)}"
                " (a language is added by adding tui/guide/lang/<code>.toml)",
                "--lang",
            )
        ]


def _shorten(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _single_line(value: str, key: str, limit: int, fix: str, option: str) -> list[Problem]:
    if not value:
        return [Problem(key, "is empty", fix, option)]
    if _CONTROL.search(value):
        return [
            Problem(
                key, "contains a line break or control character", "write it on one line", option
            )
        ]
    hidden = _READS_DIFFERENTLY.search(value)
    if hidden:
        return [
            Problem(
                key,
                f"contains the invisible character U+{ord(hidden.group()):04X} (a text direction"
                " override or a control), which makes it read otherwise than it is written",
                "type it again without that character",
                option,
            )
        ]
    if len(value) > limit:
        return [
            Problem(
                key,
                f"is too long ({len(value)} characters)",
                f"shorten it to at most {limit}",
                option,
            )
        ]
    return []


def _domain_problems(domain: str) -> list[Problem]:
    option = "--sign-in-domain"
    if not domain:
        return [
            Problem(
                KEY_DOMAIN,
                "is empty",
                'set the domain employees sign in with, e.g. sign_in_domain = "contoso.com"'
                " under [tenant] (the wizard's prerequisites step fills it in)",
                option,
            )
        ]
    fix = "write only the domain, e.g. contoso.com (no user name, @, https:// or spaces)"
    if "@" in domain:
        return [Problem(KEY_DOMAIN, f"{_shorten(domain)!r} looks like an address", fix, option)]
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if (
        len(ascii_domain) > 253
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or labels[-1].isdigit()
    ):
        return [Problem(KEY_DOMAIN, f"{_shorten(domain)!r} is not a domain name", fix, option)]
    return []


class _SessionReader:
    """Reads typed values out of a parsed session, collecting type problems."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        self.problems: list[Problem] = []

    def table(self, name: str) -> Mapping[str, Any]:
        value = self._data.get(name, {})
        if isinstance(value, Mapping):
            return value
        self.problems.append(
            Problem(f"[{name}]", "is not a table", f"write it as a [{name}] section header")
        )
        return {}

    def text(self, table: Mapping[str, Any], key: str) -> str:
        value = table.get(key.split("] ", 1)[1], "")
        if isinstance(value, str):
            return value
        self.problems.append(
            Problem(
                key,
                f"must be text, not {_toml_type(value)}",
                f'put the value in double quotes, e.g. {key.split("] ", 1)[1]} = "…"',
            )
        )
        return ""

    def text_list(self, table: Mapping[str, Any], key: str) -> tuple[str, ...]:
        name = key.split("] ", 1)[1]
        value = table.get(name, [])
        is_list = isinstance(value, Sequence) and not isinstance(value, str)
        if is_list and all(isinstance(item, str) for item in value):
            return tuple(value)
        self.problems.append(
            Problem(
                key,
                "must be a list of text"
                + (", and every item in quotes" if is_list else f", not {_toml_type(value)}"),
                f'write it as a list in brackets, e.g. {name} = ["…", "…"]',
            )
        )
        return ()


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "text"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, Sequence):
        return "a list"
    return type(value).__name__


def _web_clip_on(data: Mapping[str, Any]) -> bool:
    """[web_clip] present and enabled (a session without the table deploys none)."""
    table = data.get("web_clip")
    return isinstance(table, Mapping) and table.get("enabled", True) is True
