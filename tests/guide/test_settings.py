"""GuideSettings.from_session: values, defaults, overrides and messages naming the key."""

from __future__ import annotations

import dataclasses

import pytest

from tui.guide import GuideSettings, GuideSettingsError

from .conftest import make_settings, session_data


def problems_of(data: dict[str, object], **overrides: object) -> str:
    with pytest.raises(GuideSettingsError) as info:
        GuideSettings.from_session(data, **overrides)
    return str(info.value)


def test_reads_the_session_tables() -> None:
    settings = GuideSettings.from_session(session_data())
    assert settings.organization == "Contoso"
    assert settings.sign_in_domain == "contoso.com"
    assert settings.support_contact == "it-help@contoso.com"
    assert settings.identity == "federated"
    assert settings.languages == ("en", "de")
    assert settings.formats == ("md", "html", "pdf")
    assert settings.output_dir == "guides"
    assert settings.link_url == "https://intranet.contoso.com/enroll"
    assert settings.authenticator_required is True


def test_defaults_and_fallbacks() -> None:
    data = session_data(
        organization=None, identity=None, languages=None, formats=None, link_url=None
    )
    del data["authenticator"]
    settings = GuideSettings.from_session(data)
    assert settings.organization == "Contoso Ltd"  # [tenant] organization
    assert settings.identity == "federated"
    assert settings.languages == ("en",)
    assert settings.formats == ("html",)
    assert settings.link_url == ""
    # No Authenticator app chosen: nothing installs it by itself.
    assert settings.authenticator_required is False


def test_empty_lists_mean_the_defaults() -> None:
    settings = GuideSettings.from_session(session_data(languages=[], formats=[]))
    assert (settings.languages, settings.formats) == (("en",), ("html",))


def test_settings_built_directly_reject_empty_lists() -> None:
    with pytest.raises(GuideSettingsError) as info:
        make_settings(languages=(), formats=())
    assert [p.key for p in info.value.problems] == ["[guide] languages", "[guide] formats"]


def test_values_are_trimmed_and_the_domain_lowercased() -> None:
    data = session_data(organization="  Contoso  ", support_contact=" help@contoso.com ")
    data["tenant"]["sign_in_domain"] = " Contoso.COM. "
    settings = GuideSettings.from_session(data)
    assert (settings.organization, settings.sign_in_domain) == ("Contoso", "contoso.com")
    assert settings.support_contact == "help@contoso.com"


def test_overrides_win_and_none_means_not_given() -> None:
    settings = GuideSettings.from_session(
        session_data(organization=""),
        organization="Fabrikam",
        identity="managed_apple_id",
        languages=("fr",),
        support_contact=None,
    )
    assert settings.organization == "Fabrikam"
    assert settings.identity == "managed_apple_id"
    assert settings.languages == ("fr",)
    assert settings.support_contact == "it-help@contoso.com"


def test_empty_organization_names_the_key_and_the_fix() -> None:
    data = session_data(organization="")
    data["tenant"]["organization"] = ""
    message = problems_of(data)
    assert message.startswith("[guide] organization is empty: ")
    assert 'organization = "' in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"identity": "apple"}, "[guide] identity is 'apple'"),
        ({"support_contact": ""}, "[guide] support_contact is empty"),
        (
            {"link_url": "intranet/enroll"},
            "[guide] link_url 'intranet/enroll' is not a web address",
        ),
        ({"link_url": "javascript:alert(1)"}, "[guide] link_url"),
        ({"link_url": 'https://x.example/"><script>'}, "[guide] link_url"),
        ({"languages": ["de", "xx"]}, "[guide] languages has 'xx', which has no translation"),
        ({"formats": ["docx"]}, "[guide] formats has 'docx'"),
        ({"organization": "Contoso\nEvil"}, "[guide] organization contains a line break"),
        ({"organization": "x" * 121}, "[guide] organization is too long"),
        ({"organization": 42}, "[guide] organization must be text, not an integer"),
        ({"languages": "de"}, "[guide] languages must be a list of text, not text"),
        ({"languages": ["de", 1]}, "[guide] languages must be a list of text, and every item"),
    ],
)
def test_invalid_values_name_the_key(change: dict[str, object], expected: str) -> None:
    assert expected in problems_of(session_data(**change))


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("", "[tenant] sign_in_domain is empty"),
        ("jane@contoso.com", "looks like an address"),
        ("https://contoso.com", "is not a domain name"),
        ("contoso", "is not a domain name"),
        ("con toso.com", "is not a domain name"),
        ("-contoso.com", "is not a domain name"),
    ],
)
def test_invalid_sign_in_domain(domain: str, expected: str) -> None:
    data = session_data()
    data["tenant"]["sign_in_domain"] = domain
    message = problems_of(data)
    assert "[tenant] sign_in_domain" in message
    assert expected in message


def test_international_domain_is_accepted() -> None:
    assert make_settings(sign_in_domain="bücher.example").sign_in_domain == "bücher.example"


def test_all_problems_are_reported_at_once_with_cli_options() -> None:
    data = session_data(organization="", support_contact="", languages=["xx"])
    data["tenant"] = {}
    with pytest.raises(GuideSettingsError) as info:
        GuideSettings.from_session(data)
    keys = [problem.key for problem in info.value.problems]
    assert keys == [
        "[guide] organization",
        "[tenant] sign_in_domain",
        "[guide] support_contact",
        "[guide] languages",
    ]
    assert [p.field for p in info.value.problems] == [
        "organization",
        "sign_in_domain",
        "support_contact",
        "languages",
    ]
    assert [p.option for p in info.value.problems] == [
        "--organization",
        "--sign-in-domain",
        "--support-contact",
        "--lang",
    ]


def test_a_table_of_the_wrong_type_is_named() -> None:
    data = session_data()
    data["guide"] = "Contoso"
    assert "[guide] is not a table" in problems_of(data)


def test_settings_are_comparable_and_replaceable() -> None:
    settings = make_settings()
    assert dataclasses.replace(settings, organization="Contoso") == settings
    assert dataclasses.replace(settings, organization="Fabrikam") != settings


def test_reads_a_tomlkit_document_like_the_wizard_holds() -> None:
    import tomlkit

    from .conftest import SESSION

    document = tomlkit.parse(tomlkit.dumps(SESSION))
    assert GuideSettings.from_session(document) == GuideSettings.from_session(SESSION)
