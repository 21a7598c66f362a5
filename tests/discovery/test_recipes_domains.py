"""Publishing recipes carry the exact file and the JSON media type; domain handling."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from tui.discovery.domains import domain_of, normalise_domain, sign_in_domains
from tui.discovery.recipes import RECIPE_KEYS, recipes
from tui.discovery.well_known import WELL_KNOWN_PATH, generate

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def _by_key(cloud: str = "global") -> dict[str, str]:
    return {r.key: r.text for r in recipes(TENANT, cloud)}


def test_every_recipe_is_there_once() -> None:
    all_recipes = recipes(TENANT)
    assert tuple(r.key for r in all_recipes) == RECIPE_KEYS
    assert all(r.name and r.filename and r.text and r.notes for r in all_recipes)


@pytest.mark.parametrize("cloud", ["global", "usgov", "china"])
def test_inline_recipes_answer_the_exact_file(cloud: str) -> None:
    texts = _by_key(cloud)
    doc = generate(TENANT, cloud)
    assert texts["file"] == doc
    assert f"return 200 '{doc}';" in texts["nginx"]
    assert f"respond `{doc}` 200" in texts["caddy"]


def test_each_recipe_sets_application_json() -> None:
    texts = _by_key()
    assert "default_type application/json;" in texts["nginx"]
    assert "ForceType application/json" in texts["apache"]
    assert "header Content-Type application/json" in texts["caddy"]
    assert "--content-type application/json" in texts["blob"]
    assert "--name .well-known/com.apple.remotemanagement" in texts["blob"]


def test_iis_web_config_maps_extensionless_files() -> None:
    root = ET.fromstring(_by_key()["iis"])
    mime = root.find("./system.webServer/staticContent/mimeMap")
    assert mime is not None
    assert mime.attrib == {"fileExtension": ".", "mimeType": "application/json"}


def test_static_web_apps_route_sets_the_header() -> None:
    config = json.loads(_by_key()["swa"])
    (route,) = config["routes"]
    assert route == {"route": WELL_KNOWN_PATH, "headers": {"Content-Type": "application/json"}}


@pytest.mark.parametrize(
    ("typed", "domain"),
    [
        ("Contoso.COM.", "contoso.com"),
        ("https://contoso.com/.well-known/x", "contoso.com"),
        ("alex@contoso.com", "contoso.com"),
        ("contoso.com:443", "contoso.com"),
        ("bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_normalise_domain(typed: str, domain: str) -> None:
    assert normalise_domain(typed) == domain


def test_the_device_splits_at_the_last_at_sign() -> None:
    assert domain_of('"a@b"@Contoso.com') == "contoso.com"
    with pytest.raises(ValueError, match="user: 'alex' is not a sign-in name"):
        domain_of("alex")


@pytest.mark.parametrize("bad", ["", "localhost", "-bad-.com", "a..b", "exa mple.com"])
def test_bad_domains_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="is not a domain name"):
        normalise_domain(bad)


def test_sign_in_domains_default_first_microsoft_owned_last() -> None:
    choices = sign_in_domains(
        [
            {"name": "contoso.onmicrosoft.com", "isDefault": False, "isInitial": True},
            {"name": "fabrikam.com", "isDefault": False},
            {"name": "Contoso.com", "isDefault": True},
        ]
    )
    assert [c.name for c in choices] == ["contoso.com", "fabrikam.com", "contoso.onmicrosoft.com"]
    assert [c.can_host for c in choices] == [True, True, False]
    assert "cannot be published" in choices[-1].note
