"""Helpers for the SSO extension, Authenticator, enrollment profile and group picker tests.

The wizard (or a bare group picker) signed in to a running sandbox through the
real Backend: token auth, msgraph-sdk's pipeline over loopback HTTP.
"""

from __future__ import annotations

import threading
import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Static

from screens.widgets.group_picker import GroupPicker
from tests.wizard.conftest import settle as settle  # re-exported for the step tests
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.sandbox.recording import RequestRecord
from tui.sandbox.seeds import DEMO_GROUPS
from tui.sandbox.server import RunningSandbox
from tui.sandbox.tenant import stable_id
from tui.session import Session


def demo_group(key: str) -> dict[str, str]:
    """A demo seed group as the session stores it ({id, name})."""
    names = {group_key: name for group_key, name, _ in DEMO_GROUPS}
    names.update({"kiosk-iphones": "Kiosk iPhones", "corporate-ipads": "Corporate iPads"})
    return {"id": stable_id("demo", "group", key), "name": names[key]}


def open_session(tmp_path: Path, step: str, *, lock: bool = True) -> Session:
    """A new session file opened at `step`, steps 1–2 done."""
    session = Session.open(tmp_path / "adue-session.toml", lock=lock)
    session.set("session", "current_step", step)
    session.update("tenant", {"cloud": "global", "organization": "Contoso"})
    session.set("sign_in", "status", "done")
    session.set("prerequisites", "status", "done")
    session.save()
    return session


def saved(path: Path) -> dict[str, Any]:
    """The session file as it is on disk now."""
    return tomllib.loads(path.read_text())


def signed_in_backend(
    session: Session, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> Backend:
    monkeypatch.setenv("ADUE_ACCESS_TOKEN", sb.token)
    backend = Backend(session, WizardOptions(auth="token"), running_sandbox=sb)
    backend.sign_in(lambda _: None, threading.Event())
    return backend


def signed_in_app(session: Session, sb: RunningSandbox, monkeypatch: pytest.MonkeyPatch) -> AdueApp:
    """The wizard on `session`, signed in to `sb` with the sandbox's bearer token."""
    return AdueApp(session, backend=signed_in_backend(session, sb, monkeypatch))


def private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("ADUE_GRAPH_URL", raising=False)


class PickerApp(App[None]):
    """Just one group picker (and a sink for its messages), for the picker's own tests."""

    # The rules every screen shares; the picker's own are in its DEFAULT_CSS.
    CSS_PATH = Path(__file__).parents[2] / "screens" / "styles" / "app.tcss"

    def __init__(self, backend: Backend, **picker_options: Any) -> None:
        super().__init__()
        self.backend = backend
        self.picker_options = picker_options
        self.changes: list[list[dict[str, str]]] = []

    def compose(self) -> ComposeResult:
        yield GroupPicker(self.backend, id="picker", **self.picker_options)
        yield Static("end")

    def on_group_picker_changed(self, event: GroupPicker.Changed) -> None:
        self.changes.append(event.groups)

    def on_unmount(self) -> None:
        self.backend.close()


def group_reads(sb: RunningSandbox, since: int) -> list[RequestRecord]:
    """GET /groups requests (searches and their pages) made after request number `since`."""
    return [
        r
        for r in sb.requests[since:]
        if r.method == "GET" and r.path.endswith("/groups") and not r.in_batch
    ]


def kind_reads(sb: RunningSandbox, since: int) -> list[RequestRecord]:
    """Member reads that tell users from devices (inside `$batch`)."""
    return [r for r in sb.requests[since:] if r.in_batch and "/members/" in r.path]


def text_of(widget: Any) -> str:
    """The plain text a Static shows."""
    return str(widget.render()).replace("\n", " ")
