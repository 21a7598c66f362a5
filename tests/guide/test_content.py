"""What the guide says, per language and per sign-in variant (enrollment-facts.md)."""

from __future__ import annotations

import re

import pytest

from tui.guide import render_html, render_markdown
from tui.guide.document import (
    BulletList,
    Callout,
    Document,
    Paragraph,
    QrCode,
    StepList,
    Subsection,
    build_document,
    plain,
)
from tui.guide.strings import builtin_catalogue

from .conftest import LANGUAGES, make_settings

# Facts every language must state (numbers, product names, the exact error text).
COMMON_FACTS = (
    "17",  # iOS/iPadOS 17 or later (Intune's minimum, enrollment-facts.md)
    # The device's words for a broken service-discovery file (Microsoft documents them).
    "Your Apple ID does not support the expected services on this device",
    "Microsoft Teams",  # the first sign-in after enrollment
    "Microsoft Authenticator",
    "The Enrollment SSO application has been installed on the device",
    "UDID",
    "IMEI",
    "App Store",
    "portal.manage.microsoft.com",
)

# The labels on the device, in the device's language.
DEVICE_LABELS = {
    "en": (
        "Settings › General › VPN & Device Management",
        "Sign In to iCloud",
        "Allow Remote Management",
        "MANAGED ACCOUNT",
        "Remove Management",
        "Settings › General › Software Update",
    ),
    "de": (
        "Einstellungen › Allgemein › VPN und Geräteverwaltung",
        "Bei iCloud anmelden",
        "Entfernte Verwaltung erlauben",
        "VERWALTETER ACCOUNT",
        "Verwaltung entfernen",
        "Einstellungen › Allgemein › Softwareupdate",
    ),
    "fr": (
        "Réglages › Général › VPN et gestion de l’appareil",
        "Se connecter à iCloud",
        "Autoriser la gestion à distance",
        "COMPTE GÉRÉ",
        "Supprimer la gestion",
        "Réglages › Général › Mise à jour logicielle",
    ),
    "es": (
        "Ajustes › General › VPN y gestión de dispositivos",
        "Iniciar sesión en iCloud",
        "Permitir la gestión remota",
        "CUENTA GESTIONADA",
        "Eliminar gestión",
        "Ajustes › General › Actualización de software",
    ),
}
MANAGED_APPLE_ID = {
    "en": "Managed Apple Account",
    "de": "verwalteten Apple Account",
    "fr": "compte Apple géré",
    "es": "cuenta de Apple gestionada",
}
EXAMPLE_USER = {
    "en": "firstname.lastname",
    "de": "vorname.nachname",
    "fr": "prenom.nom",
    "es": "nombre.apellido",
}


def full_text(document: Document) -> str:
    parts = [plain(document.title), plain(document.lead), plain(document.footer)]

    def walk(blocks: tuple[object, ...]) -> None:
        for block in blocks:
            if isinstance(block, Paragraph):
                parts.append(plain(block.spans))
            elif isinstance(block, BulletList | StepList):
                parts.extend(plain(item) for item in block.items)
            elif isinstance(block, Callout):
                parts.extend((plain(block.title), plain(block.spans)))
            elif isinstance(block, QrCode):
                parts.append(plain(block.caption))
            elif isinstance(block, Subsection):
                parts.append(plain(block.title))
                walk(block.blocks)

    for section in document.sections:
        parts.append(plain(section.title))
        walk(section.blocks)
    return "\n".join(parts)


def steps_of(document: Document) -> list[str]:
    enroll = next(s for s in document.sections if s.anchor == "enroll")
    steps = next(b for b in enroll.blocks if isinstance(b, StepList))
    return [plain(item) for item in steps.items]


def literal(key: str, lang: str) -> str:
    """The longest fixed piece of a translation (between markup and placeholders)."""
    text = builtin_catalogue().strings(lang)[key].replace("**", "")
    return max(re.split(r"\{[a-z_]+\}", text), key=len).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("identity", ["federated", "managed_apple_id"])
def test_content_per_language_and_identity(lang: str, identity: str) -> None:
    document = build_document(make_settings(identity=identity), lang)
    text = full_text(document)
    for fact in COMMON_FACTS + DEVICE_LABELS[lang]:
        assert fact in text, f"{lang}/{identity}: {fact!r} missing"
    example = f"{EXAMPLE_USER[lang]}@contoso.com"
    assert example in text
    assert "Contoso" in plain(document.title)
    assert "it-help@contoso.com" in text

    other = "managed_apple_id" if identity == "federated" else "federated"
    for key in ("before.account", "steps.sign_in", "steps.icloud", "troubleshooting.domain"):
        assert literal(f"{key}_{identity}", lang) in text, f"{lang}: {key}_{identity}"
        assert literal(f"{key}_{other}", lang) not in text, f"{lang}: {key}_{other} shown"
    managed = MANAGED_APPLE_ID[lang].lower()
    sign_in_step = steps_of(document)[1].lower()
    assert (managed in sign_in_step) == (identity == "managed_apple_id")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_steps_follow_the_device_order(lang: str) -> None:
    steps = steps_of(build_document(make_settings(), lang))
    labels = DEVICE_LABELS[lang]
    assert len(steps) == 8
    assert labels[0] in steps[0]  # Settings > General > VPN & Device Management
    assert labels[1] in steps[2]  # Sign In to iCloud, password, Continue
    assert labels[2] in steps[3]  # Allow Remote Management, then wait
    assert labels[3] in steps[4]  # MANAGED ACCOUNT check
    assert "Microsoft Authenticator" in steps[5]
    assert "Microsoft Teams" in steps[7]  # the first sign-in, last step


# The first sign-in after enrollment may be any work app with the SSO extension
# (enrollment-facts.md); the guide names Teams (Microsoft's pick) and Outlook.
FIRST_SIGN_IN = {
    "en": "work app such as Microsoft Teams or Outlook",
    "de": "Arbeits-App wie Microsoft Teams oder Outlook",
    "fr": "app professionnelle comme Microsoft Teams ou Outlook",
    "es": "app de trabajo como Microsoft Teams u Outlook",
}


def test_every_language_names_the_first_sign_in_app() -> None:
    assert set(FIRST_SIGN_IN) == set(LANGUAGES) == set(builtin_catalogue().languages())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_sign_in_names_a_work_app_such_as_teams_or_outlook(lang: str) -> None:
    document = build_document(make_settings(), lang)
    assert FIRST_SIGN_IN[lang] in steps_of(document)[7]
    # ... and the troubleshooting answer for a work app says the same.
    assert full_text(document).count(FIRST_SIGN_IN[lang]) == 2


@pytest.mark.parametrize("lang", LANGUAGES)
def test_authenticator_wording_follows_the_deployment(lang: str) -> None:
    required = full_text(build_document(make_settings(authenticator_required=True), lang))
    optional = full_text(build_document(make_settings(authenticator_required=False), lang))
    assert literal("steps.authenticator_required", lang) in required
    assert literal("steps.authenticator_required", lang) not in optional
    assert literal("steps.authenticator_optional", lang) in optional
    # Either way: never install it before enrolling (the SSO-application error).
    for text in (required, optional):
        assert literal("before.authenticator_title", lang) in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_home_screen_icon_is_named_when_the_web_clip_is_deployed(lang: str) -> None:
    with_clip = full_text(build_document(make_settings(web_clip=True), lang))
    without = full_text(build_document(make_settings(web_clip=False), lang))
    sentence = literal("steps.web_clip", lang)
    assert sentence in with_clip
    assert sentence not in without


def test_the_web_clip_comes_from_the_session() -> None:
    from tui.guide.settings import GuideSettings

    base = {
        "tenant": {"sign_in_domain": "contoso.com"},
        "guide": {"organization": "Contoso", "support_contact": "it@contoso.com"},
    }
    assert GuideSettings.from_session({**base, "web_clip": {"enabled": True}}).web_clip
    assert not GuideSettings.from_session({**base, "web_clip": {"enabled": False}}).web_clip
    assert not GuideSettings.from_session(base).web_clip  # no table: no web clip deployed


def test_sections_in_order_with_the_troubleshooting_topics() -> None:
    document = build_document(make_settings(), "en")
    assert [s.anchor for s in document.sections] == [
        "before",
        "enroll",
        "privacy",
        "leave",
        "troubleshooting",
        "help",
    ]
    trouble = next(s for s in document.sections if s.anchor == "troubleshooting")
    titles = [plain(b.title) for b in trouble.blocks if isinstance(b, Subsection)]
    assert titles[0] == (
        "“Sign In Failed — The Enrollment SSO application has been installed on the device”"
    )
    assert titles[2] == (
        "“Sign-in Failed — Your Apple ID does not support the expected services on this device”"
    )
    assert len(titles) == 6


def test_qr_code_only_with_a_link() -> None:
    with_link = make_settings(link_url="https://intranet.contoso.com/enroll")
    without = make_settings(link_url="")
    assert 'class="qr-code"' in render_html(with_link, "en")
    assert 'class="qr-code"' not in render_html(without, "en")
    assert "(https://intranet.contoso.com/enroll)" in render_markdown(with_link, "en")
    assert "intranet" not in render_markdown(without, "en")


@pytest.mark.parametrize(
    ("contact", "href"),
    [
        ("it-help@contoso.com", "mailto:it-help@contoso.com"),
        ("https://help.contoso.com/ipad", "https://help.contoso.com/ipad"),
        ("+49 (30) 1234-567", "tel:+49301234567"),
        ("Room 4.12, ask Kim", None),
    ],
)
def test_support_contact_links(contact: str, href: str | None) -> None:
    html = render_html(make_settings(support_contact=contact), "en")
    if href:
        assert f'href="{href}"' in html
    else:
        assert "<p>Questions or problems? Contact Room 4.12, ask Kim.</p>" in html


def test_session_secrets_and_ids_never_appear() -> None:
    from tui.guide import GuideSettings, render

    from .conftest import SESSION

    settings = GuideSettings.from_session(SESSION)
    tenant = SESSION["tenant"]
    for fmt in ("md", "html"):
        output = render(settings, "en", fmt).decode()
        for secret in (tenant["tenant_id"], tenant["certificate_path"], tenant["account"]):
            assert secret not in output
