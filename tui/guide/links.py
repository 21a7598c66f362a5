"""Recognising the kinds of values a guide links to: web addresses, e-mail, phone."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

MAX_URL_LENGTH = 1000  # keeps the QR code scannable from paper (version <= 25 at level M)

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\Z")
_PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]{3,}[0-9]\Z")
# Characters that are never valid raw in a URL and could break out of markup.
_UNSAFE_IN_URL = re.compile(r"[\s\"'<>\\^`{|}\x00-\x1f\x7f]")
# Kept as-is when re-quoting a URL for an href; everything else is %-encoded.
# Parentheses are encoded too, so a Markdown link target never ends early.
_URL_SAFE = ":/?#[]@!$&*+,;=%~-._"


def is_web_url(value: str) -> bool:
    """An absolute http(s) address with a host, no spaces or quote characters."""
    if not value or len(value) > MAX_URL_LENGTH or _UNSAFE_IN_URL.search(value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


def is_phone(value: str) -> bool:
    return bool(_PHONE.match(value)) and sum(ch.isdigit() for ch in value) >= 5


def safe_href(url: str) -> str:
    """`url` with every character that could end a Markdown or HTML link %-encoded."""
    return quote(url, safe=_URL_SAFE)


def contact_href(contact: str) -> str | None:
    """Where a support contact should link to, or None for plain text."""
    if is_web_url(contact):
        return safe_href(contact)
    if is_email(contact):
        return "mailto:" + contact
    if is_phone(contact):
        return "tel:" + ("+" if contact.startswith("+") else "") + re.sub(r"\D", "", contact)
    return None
