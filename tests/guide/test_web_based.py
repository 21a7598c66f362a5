"""The guide's web-based device enrollment variant (issue 18.5): Safari, the management
profile in Settings, a QR code to Microsoft's web enrollment page, what a device
enrollment lets the company see, and none of the account-driven instructions that would
be wrong here (Settings sign-in, deleting Authenticator first, the discovery error)."""

from __future__ import annotations

import tomllib

import pytest

from tui.guide import GuideSettings, GuideSettingsError, render_html, render_markdown
from tui.guide.document import (
    WEB_ENROLLMENT_URL,
    BulletList,
    Callout,
    Inline,
    Paragraph,
    QrCode,
    Subsection,
    build_document,
    plain,
)

from .conftest import LANGUAGES, make_settings

# What only the account-driven guide may say.
ACCOUNT_DRIVEN_ONLY = (
    "Sign In to iCloud",
    "MANAGED ACCOUNT",
    "The Enrollment SSO application has been installed on the device",
    "Your Apple ID does not support the expected services on this device",
)


def _blocks(settings: GuideSettings, lang: str) -> list[object]:
    found: list[object] = []
    for section in build_document(settings, lang).sections:
        found += section.blocks
    return found


def _inline_items(block: object) -> list[Inline]:
    if isinstance(block, Paragraph):
        return [block.spans]
    if isinstance(block, BulletList):
        return list(block.items)
    if isinstance(block, Subsection):
        return [block.title] + [i for b in block.blocks for i in _inline_items(b)]
    return []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_web_guide_walks_through_safari_and_settings(lang: str) -> None:
    settings = make_settings(mode="web-based")
    markdown = render_markdown(settings, lang)
    assert "Safari" in markdown
    assert WEB_ENROLLMENT_URL.removeprefix("https://") in markdown
    assert "contoso.com" in markdown  # the example work address
    for phrase in ACCOUNT_DRIVEN_ONLY:
        assert phrase not in markdown, phrase
    codes = [b for b in _blocks(settings, lang) if isinstance(b, QrCode)]
    assert WEB_ENROLLMENT_URL in [c.url for c in codes]
    # Microsoft recommends Authenticator before web enrollment: never "delete it first".
    callouts = [b for b in _blocks(settings, lang) if isinstance(b, Callout)]
    assert callouts
    assert all(c.tone == "info" for c in callouts)


def test_the_account_driven_guide_is_unchanged_by_the_mode_field() -> None:
    web = render_markdown(make_settings(mode="web-based"), "en")
    account = render_markdown(make_settings(), "en")
    assert "Sign In to iCloud" in account
    assert "Sign In to iCloud" not in web
    assert "Safari" in web
    assert WEB_ENROLLMENT_URL.removeprefix("https://") not in account


def test_the_web_guide_says_what_a_device_enrollment_shows_the_company() -> None:
    doc = build_document(make_settings(mode="web-based"), "en")
    privacy = next(s for s in doc.sections if s.anchor == "privacy")
    text = " ".join(plain(item) for block in privacy.blocks for item in _inline_items(block))
    assert "serial number and IMEI" in text
    assert "erase (reset) the whole device" in text
    assert "personal apps" in text


def test_the_html_guide_links_the_enrollment_page_and_draws_its_code() -> None:
    html = render_html(make_settings(mode="web-based"), "en")
    assert f'href="{WEB_ENROLLMENT_URL}"' in html
    assert html.count("<svg") >= 2  # the enrollment page's QR code and the help link's


def test_the_mode_comes_from_the_session_and_a_wrong_one_is_named() -> None:
    data = tomllib.loads(
        '[tenant]\nsign_in_domain = "contoso.com"\norganization = "Contoso"\n'
        '[guide]\nsupport_contact = "it@contoso.com"\n'
        '[enrollment_profile]\nmode = "web-based"\n'
    )
    assert GuideSettings.from_session(data).mode == "web-based"
    data["enrollment_profile"]["mode"] = "sideways"
    with pytest.raises(GuideSettingsError) as caught:
        GuideSettings.from_session(data)
    assert "[enrollment_profile] mode" in str(caught.value)
