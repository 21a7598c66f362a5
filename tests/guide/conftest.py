"""Shared fixtures for the guide tests: sessions as parsed TOML, settings, Chromium."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from tui.guide import GuideSettings

from .cdp import Browser, find_chromium

LANGUAGES = ("en", "de", "fr", "es")

# A session as `adue apply` leaves it on the sandbox, reduced to what the guide reads
# plus a few keys it must never print (tenant id, admin account, certificate path).
SESSION: dict[str, Any] = {
    "session": {"schema": 1, "id": "3f0c6d1e", "current_step": "guide"},
    "tenant": {
        "cloud": "global",
        "tenant_id": "6c1b9d7e-0a57-4c3e-9f0b-1f2d3c4b5a69",
        "auth": "certificate",
        "certificate_path": "/secure/admin-cert.pem",
        "account": "admin@contoso.onmicrosoft.com",
        "organization": "Contoso Ltd",
        "sign_in_domain": "contoso.com",
    },
    "authenticator": {"status": "done", "app_id": "c8a3f1b2-vpp-authenticator"},
    "guide": {
        "status": "in_progress",
        "organization": "Contoso",
        "support_contact": "it-help@contoso.com",
        "identity": "federated",
        "languages": ["en", "de"],
        "formats": ["md", "html", "pdf"],
        "output_dir": "guides",
        "link_url": "https://intranet.contoso.com/enroll",
    },
}


def session_data(**guide: Any) -> dict[str, Any]:
    """SESSION with [guide] keys changed (None removes a key)."""
    data = copy.deepcopy(SESSION)
    for key, value in guide.items():
        if value is None:
            data["guide"].pop(key, None)
        else:
            data["guide"][key] = value
    return data


def write_session(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(tomlkit.dumps(data), encoding="utf-8")
    return path


def make_settings(**changes: Any) -> GuideSettings:
    values: dict[str, Any] = {
        "organization": "Contoso",
        "sign_in_domain": "contoso.com",
        "support_contact": "it-help@contoso.com",
        "identity": "federated",
        "link_url": "https://intranet.contoso.com/enroll",
        "authenticator_required": True,
    }
    values.update(changes)
    return GuideSettings(**values).validated()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI must run the browser tests")
        pytest.skip("chromium is not installed (apt-get install chromium); CI runs these")
    instance = Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    yield instance
    instance.close()
