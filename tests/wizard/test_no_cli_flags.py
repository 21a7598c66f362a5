"""No command-line flag inside the TUI (issue 17, point 6): no `--flag` in any text the
screens show, and the settings checks shared with the CLI reach the Sign in step in the
form's words (its field names), not as flags."""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

import pytest
from textual.widgets import Button, Select, Static

from screens.sign_in import AUTH_LABELS, FLAG_WORDS, form_words
from tests.wizard.conftest import until
from tui.app import AdueApp
from tui.backend import Backend, WizardOptions
from tui.graph.auth import ConnectionSettings, SettingsError
from tui.session import Session

SCREENS = Path(__file__).resolve().parents[2] / "screens"
# A flag: two hyphens starting a word ("step-list--cursor", a CSS part name, is not one).
FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _user_strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal in a module except docstrings (not shown to anyone)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _allowed(path: Path, text: str) -> bool:
    if path.name == "sign_in.py":  # the table that turns the shared checks' flags into fields
        return any(flag.startswith(text) for flag, _ in FLAG_WORDS)
    # A whole command to run outside the wizard (e.g. Review's "adue progress ... --csv")
    # is a command line to copy, not a flag offered as the fix for something in the TUI.
    return path.name == "review.py" and ("adue progress" in text or text.startswith(" --csv"))


def test_no_screen_text_names_a_command_line_flag() -> None:
    found = [
        f"{path.relative_to(SCREENS)}:{line}: {text!r}"
        for path in sorted(SCREENS.rglob("*.py"))
        for line, text in _user_strings(path)
        if FLAG.search(text) and not _allowed(path, text)
    ]
    assert found == [], found


def _settings_error(environ: dict[str, str], **options: str) -> str:
    args = argparse.Namespace(**options)
    with pytest.raises(SettingsError) as caught:
        ConnectionSettings.from_args_and_session(args, {}, environ=environ).validate(environ)
    return str(caught.value)


@pytest.mark.parametrize(
    "options",
    [
        {"auth": "secret"},  # app sign-in without a tenant
        {"auth": "certificate", "tenant": "contoso.com"},  # ... without an app id
        {
            "auth": "certificate",
            "tenant": "contoso.com",
            "client_id": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        },  # ... without a certificate
        {
            "auth": "certificate",
            "tenant": "contoso.com",
            "client_id": "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
            "certificate_path": "/nonexistent/cert.pem",
        },
        {"auth": "token"},  # no $ADUE_ACCESS_TOKEN
        {"tenant": "not a domain!"},
    ],
)
def test_shared_settings_checks_read_in_the_forms_words(options: dict[str, str]) -> None:
    message = _settings_error({}, **options)
    assert FLAG.search(message)  # the CLI's wording names its flags ...
    shown = form_words(message)
    assert not FLAG.search(shown), shown  # ... the Sign in step names its fields


async def test_sign_in_step_names_the_field_not_the_flag(tmp_path: Path) -> None:
    session = Session.open(tmp_path / "s.toml", lock=False)
    app = AdueApp(session, backend=Backend(session, WizardOptions()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.query_one("#sign-in-auth", Select).value = "secret"
        await pilot.pause()
        app.query_one("#sign-in-button", Button).press()
        await until(  # the sign-in worker done and its failure shown
            pilot,
            lambda: str(app.query_one("#sign-in-result", Static).render()).startswith(
                "Sign-in failed"
            ),
        )
        result = str(app.query_one("#sign-in-result", Static).render())
        assert result.startswith(f"Sign-in failed: Sign-in method “{AUTH_LABELS['secret']}”")
        assert "fill in Tenant" in result
        assert not FLAG.search(result), result
        shown = [str(n.message) for n in app._notifications]
        assert shown, shown
        assert not any(FLAG.search(text) for text in shown), shown
