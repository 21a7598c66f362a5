"""Helpers for the Priority, Review & apply and Employee guide step tests.

A wizard signed in to a running sandbox through the real Backend (token auth,
msgraph-sdk's pipeline over loopback HTTP), and a session the way steps 1–5
leave it on the sandbox `demo` tenant.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from tests.wizard.conftest import until as until  # re-exported for the step tests
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.seeds import DEMO_GROUPS
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id
from tui.session import Session

DEMO_PROFILE_NAME = "iOS – account-driven user enrollment"
SSO_NAME = "iOS – Entra ID SSO extension (account-driven UE)"


def demo_group(key: str) -> dict[str, str]:
    """A demo seed group as the session stores it ({id, name})."""
    names = {group_key: name for group_key, name, _ in DEMO_GROUPS}
    return {"id": stable_id("demo", "group", key), "name": names[key]}


def demo_profile_id(key: str) -> str:
    return stable_id("demo", "profile", key)


def new_session(tmp_path: Path, step: str, *, name: str = "s.toml") -> Session:
    """A session at `step` whose steps 1–5 are filled in for the demo tenant."""
    session = Session.open(tmp_path / name, lock=False)
    session.set("session", "current_step", step)
    session.update(
        "tenant",
        {
            "cloud": "global",
            "organization": "Contoso",
            "sign_in_domain": "contoso.com",
            "account": "admin@contoso.com",
        },
    )
    for table in ("sign_in", "prerequisites", "sso_extension", "authenticator"):
        session.set(table, "status", "done")
    session.update(
        "sso_extension",
        {"all_users": False, "groups": [demo_group("byod-pilot")], "bundle_ids": []},
    )
    session.update(
        "enrollment_profile",
        {"status": "done", "name": DEMO_PROFILE_NAME, "groups": [demo_group("byod-pilot")]},
    )
    session.save()
    return session


def reopen(session: Session) -> Session:
    """The same session file, loaded again (what a restart of adue does)."""
    session.close()
    return Session.open(session.path, lock=False)


def signed_in_app(
    session: Session,
    sb: RunningSandbox,
    monkeypatch: pytest.MonkeyPatch,
    token: str = "",
    **kwargs: Any,
) -> AdueApp:
    """The wizard on `session`, signed in to `sb` with a bearer token (default: the
    sandbox's own, with every scope)."""
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", token or sb.token)
    backend = Backend(session, WizardOptions(auth="token"), running_sandbox=sb)
    backend.sign_in(lambda _: None, threading.Event())
    return AdueApp(session, backend=backend, **kwargs)
