"""Wizard step 8: the employees' onboarding guide — fields, live preview, export, copy.

Every field is saved to the session as it is typed ([guide] keys; the sign-in
domain is [tenant] sign_in_domain, which `adue guide` reads too). The preview is
tui.guide's Markdown, re-rendered shortly after the last change. Export writes one
file per chosen language and format into the output folder (relative to the
session file's folder, like `adue guide`), each 0600 and replaced atomically by
tui.guide; Copy puts the previewed Markdown on the clipboard (OSC 52).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from textual.app import ComposeResult
from textual.containers import Grid, Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.validation import ValidationResult, Validator
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Markdown,
    RadioButton,
    RadioSet,
    Select,
    Static,
)

from screens.widgets.field_check import PlainInput
from screens.widgets.step_panel import StepPanel, step_worker
from screens.widgets.toggles import StateCheckbox, StateRadioButton
from tui.choices import GUIDE_FORMATS
from tui.error_text import describe_error
from tui.guide.errors import GuideError, GuideSettingsError, Problem
from tui.guide.markdown import escape, render_markdown
from tui.guide.settings import (
    KEY_CONTACT,
    KEY_DOMAIN,
    KEY_FORMATS,
    KEY_LANGUAGES,
    KEY_LINK,
    KEY_ORGANIZATION,
    KEY_OUTPUT_DIR,
    GuideSettings,
)
from tui.guide.strings import available_languages, language_name
from tui.text import safe_lines

PREVIEW_DELAY = 0.3  # seconds after the last change before the preview is re-rendered
FORMAT_NAMES = {"md": "Markdown", "html": "HTML", "pdf": "PDF"}

# field id -> (label, session key as tui.guide names it, what to type when it is empty)
TEXT_FIELDS: dict[str, tuple[str, str, str]] = {
    "organization": (
        "Organisation",
        KEY_ORGANIZATION,
        "type the name employees know, e.g. Contoso",
    ),
    "sign_in_domain": (
        "Sign-in domain",
        KEY_DOMAIN,
        "type the domain employees sign in with, e.g. contoso.com",
    ),
    "support_contact": (
        "Support contact",
        KEY_CONTACT,
        "add an e-mail address, phone number or web page for help, e.g. it-help@contoso.com",
    ),
    "output_dir": ("Output folder", KEY_OUTPUT_DIR, ""),
    "link_url": ("Link (QR code)", KEY_LINK, ""),
}
PLACEHOLDERS = {
    "organization": "e.g. Contoso",
    "sign_in_domain": "e.g. contoso.com",
    "support_contact": "e.g. it-help@contoso.com",
    "output_dir": "empty: beside the session file",
    "link_url": "e.g. https://contoso.com/byod",
}


def problem_text(problem: Problem, label: str, when_empty: str) -> str:
    """A problem in the wizard's words: the field's label, what is wrong, the fix."""
    if problem.message == "is empty" and when_empty:
        return f"{label}: {when_empty}"
    return f"{label} {problem.message}: {problem.fix}"


class GuideFieldValidator(Validator):
    """Checks one field with tui.guide's own rules, the other fields as they are now."""

    def __init__(self, step: GuideStep, field: str) -> None:
        super().__init__()
        self.step = step
        self.field = field

    def validate(self, value: str) -> ValidationResult:
        label, key, when_empty = TEXT_FIELDS[self.field]
        if not self.step.fields_ready:  # the other fields do not exist yet
            return self.success()
        settings = self.step.settings(**{self.field: value})
        for problem in settings.normalised().problems():
            if problem.key == key:
                return self.failure(problem_text(problem, label, when_empty))
        return self.success()


class GuideStep(StepPanel):
    DEFAULT_CSS = """
    .guide-row {
        height: auto;
    }
    .guide-label {
        width: 17;
        color: $text-muted;
    }
    .guide-row Input, .guide-row Select {
        width: 1fr;
    }
    #guide-identity {
        width: 100%;
    }
    .guide-choices {
        height: auto;
    }
    #guide-languages {
        grid-size: 2;
        grid-rows: 1;
        grid-gutter: 0 1;
    }
    #guide-formats Checkbox {
        margin-right: 2;
    }
    #guide-result {
        margin-bottom: 1;
    }
    #guide-preview {
        height: auto;
        border: round $primary-darken-2;
        padding: 0 1;
    }
    .guide-heading {
        color: $text-muted;
        margin-top: 1;
    }
    """

    step_id = "guide"

    class Exported(Message, bubble=False):
        def __init__(self, paths: list[Path]) -> None:
            super().__init__()
            self.paths = paths

    class ExportFailed(StepPanel.Failed, bubble=False):
        """The guide could not be written (the result line says why and what to do)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._preview_timer: Timer | None = None
        self._loading = True  # no saves while the fields are filled from the session
        self.fields_ready = False  # every field is mounted (validators read the others)
        self._problems_shown: dict[str, str] = {}  # problem line id -> its text

    # layout

    def compose_body(self) -> ComposeResult:
        guide = self.session.table("guide")
        tenant = self.session.table("tenant")
        values = {
            "organization": guide.get("organization") or tenant.get("organization") or "",
            "sign_in_domain": tenant.get("sign_in_domain") or "",
            "support_contact": guide.get("support_contact") or "",
            "output_dir": guide.get("output_dir", "."),
            "link_url": guide.get("link_url") or "",
        }
        for field, (label, _key, _empty) in TEXT_FIELDS.items():
            with Horizontal(classes="guide-row"):
                yield Static(label, classes="guide-label")
                yield PlainInput(
                    str(values[field]),
                    placeholder=PLACEHOLDERS[field],
                    id=f"guide-{field.replace('_', '-')}",
                    validators=[GuideFieldValidator(self, field)],
                    compact=True,
                )
            yield self._problem_line(f"guide-{field.replace('_', '-')}-problem")
        yield Static("Employees sign in with", classes="guide-heading")
        identity = str(guide.get("identity") or "federated")
        with RadioSet(id="guide-identity", compact=True):
            yield StateRadioButton(
                "their work account (federated with Apple)",
                value=identity == "federated",
                id="guide-identity-federated",
            )
            yield StateRadioButton(
                "a Managed Apple Account",
                value=identity == "managed_apple_id",
                id="guide-identity-managed",
            )
        chosen = list(guide.get("languages") or ["en"])
        yield Static("Languages", classes="guide-heading")
        with Grid(id="guide-languages", classes="guide-choices"):
            for code in available_languages():
                yield StateCheckbox(
                    f"{language_name(code)} ({code})",
                    value=code in chosen,
                    id=f"guide-lang-{code}",
                    compact=True,
                )
        yield self._problem_line("guide-languages-problem")
        formats = list(guide.get("formats") or ["html"])
        yield Static("Formats", classes="guide-heading")
        with Horizontal(id="guide-formats", classes="guide-choices"):
            for fmt in GUIDE_FORMATS:
                yield StateCheckbox(
                    FORMAT_NAMES[fmt], value=fmt in formats, id=f"guide-format-{fmt}", compact=True
                )
        yield self._problem_line("guide-formats-problem")
        with Horizontal(classes="actions"):
            yield Button("Export", id="guide-export", variant="primary")
            yield Button("Copy Markdown", id="guide-copy")
        result = Static("", id="guide-result", classes="step-status", markup=False)
        result.display = False
        yield result
        with Horizontal(classes="guide-row"):
            yield Static("Preview in", classes="guide-label")
            shown = [str(c) for c in chosen if c in available_languages()] or ["en"]
            yield Select[str](
                self._language_options(shown),
                value=shown[0],
                allow_blank=False,
                id="guide-preview-lang",
                compact=True,
            )
        yield Markdown("", id="guide-preview")

    def _problem_line(self, problem_id: str) -> Static:
        line = Static("", id=problem_id, classes="field-problem", markup=False)
        line.display = False
        return line

    def on_mount(self) -> None:
        super().on_mount()
        self.fields_ready = True
        for field in TEXT_FIELDS:
            self._show_field_problem(self.query_one(f"#guide-{field.replace('_', '-')}", Input))
        self._show_choice_problems()
        self._render_preview()
        self.call_after_refresh(self._loaded)

    def _loaded(self) -> None:
        self._loading = False

    # reading the fields

    def chosen(self, prefix: str, codes: list[str] | tuple[str, ...]) -> list[str]:
        return [c for c in codes if self.query_one(f"#{prefix}{c}", Checkbox).value]

    def settings(self, **override: Any) -> GuideSettings:
        """GuideSettings from the fields (unchecked); `override` replaces single fields."""
        values: dict[str, Any] = {
            field: self.query_one(f"#guide-{field.replace('_', '-')}", Input).value
            for field in TEXT_FIELDS
        }
        identity = self.query_one("#guide-identity-managed", RadioButton).value
        values["identity"] = "managed_apple_id" if identity else "federated"
        values["languages"] = tuple(self.chosen("guide-lang-", available_languages()))
        values["formats"] = tuple(self.chosen("guide-format-", GUIDE_FORMATS))
        values["authenticator_required"] = bool(self.session.get("authenticator", "app_id"))
        values["web_clip"] = self.session.get("web_clip", "enabled") is True
        values.update(override)
        return GuideSettings(**values)

    # changes: save, check, preview

    def on_input_changed(self, event: Input.Changed) -> None:
        field = (event.input.id or "").removeprefix("guide-").replace("-", "_")
        if field not in TEXT_FIELDS:
            return
        event.stop()
        if field == "sign_in_domain":
            # The guide and `adue guide` read the domain from [tenant].
            if self._changed("tenant", field, event.value.strip()):
                self.session.set("tenant", field, event.value.strip())
                self.save("status", self._working_status())
        elif self._changed(self.step_id, field, event.value):
            self.save(field, event.value)
        self._show_field_problem(event.input, event.validation_result)
        self._schedule_preview()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        languages = self.chosen("guide-lang-", available_languages())
        formats = self.chosen("guide-format-", GUIDE_FORMATS)
        if self._changed(self.step_id, "languages", languages):
            self.save("languages", languages)
        if self._changed(self.step_id, "formats", formats):
            self.save("formats", formats)
        self._show_choice_problems()
        if (event.checkbox.id or "").startswith("guide-lang-"):
            self._refresh_preview_languages(languages)
        self._schedule_preview()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        identity = (
            "managed_apple_id" if event.pressed.id == "guide-identity-managed" else "federated"
        )
        if self._changed(self.step_id, "identity", identity):
            self.save("identity", identity)
        self._schedule_preview()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "guide-preview-lang":
            event.stop()
            self._schedule_preview()

    def _changed(self, table: str, key: str, value: Any) -> bool:
        """A real edit: not the echo of filling a field from the session."""
        return not self._loading and self.session.get(table, key) != value

    def _working_status(self) -> str:
        status = self.session.get(self.step_id, "status")
        return "in_progress" if status == "todo" else str(status)

    def _show_field_problem(self, field: Input, result: ValidationResult | None = None) -> None:
        result = result if result is not None else field.validate(field.value)
        text = "" if result is None or result.is_valid else result.failure_descriptions[0]
        self._set_problem(self.query_one(f"#{field.id}-problem", Static), text)

    def _show_choice_problems(self) -> None:
        languages = self.chosen("guide-lang-", available_languages())
        formats = self.chosen("guide-format-", GUIDE_FORMATS)
        for problem_id, empty, text in (
            ("guide-languages-problem", not languages, "Languages: choose at least one"),
            ("guide-formats-problem", not formats, "Formats: choose at least one"),
        ):
            self._set_problem(self.query_one(f"#{problem_id}", Static), text if empty else "")

    def _set_problem(self, line: Static, text: str) -> None:
        # Only touch the line when its text changes: each update re-lays out the panel.
        if self._problems_shown.get(str(line.id)) != text:
            self._problems_shown[str(line.id)] = text
            line.update(safe_lines(text))
            line.display = bool(text)

    def _language_options(self, codes: list[str]) -> list[tuple[str, str]]:
        return [(language_name(code), code) for code in codes or ["en"]]

    def _refresh_preview_languages(self, languages: list[str]) -> None:
        select = cast(Select[str], self.query_one("#guide-preview-lang", Select))
        current = select.value
        codes = languages or ["en"]
        select.set_options(self._language_options(codes))
        select.value = current if current in codes else codes[0]

    def _schedule_preview(self) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(PREVIEW_DELAY, self._render_preview)

    def preview_language(self) -> str:
        value = self.query_one("#guide-preview-lang", Select).value
        return value if isinstance(value, str) else "en"

    def preview_markdown(self) -> tuple[str, list[str]]:
        """The guide's Markdown in the preview language, or the problems that prevent it."""
        try:
            settings = self.settings(languages=(self.preview_language(),)).validated()
        except GuideSettingsError as exc:
            return "", [self._describe(p) for p in exc.problems]
        return render_markdown(settings, self.preview_language()), []

    def _render_preview(self) -> None:
        self._preview_timer = None
        text, problems = self.preview_markdown()
        if problems:
            # A problem may quote a value as typed (a domain, a table name): Markdown-escaped
            # like every value in the guide itself, so it reads as written.
            text = "**The preview appears once these are fixed:**\n\n" + "\n".join(
                f"- {escape(p, line_start=True)}" for p in problems
            )
        # The organisation's name and contact come from the tenant and the session
        # (tui.guide escaped them); controls would be refused, and are made visible anyway.
        self.query_one("#guide-preview", Markdown).update(safe_lines(text))

    def _describe(self, problem: Problem) -> str:
        for label, key, when_empty in TEXT_FIELDS.values():
            if problem.key == key:
                return problem_text(problem, label, when_empty)
        names = {KEY_LANGUAGES: "Languages", KEY_FORMATS: "Formats"}
        return problem_text(problem, names.get(problem.key, problem.key), "")

    # export and copy

    def button_actions(self) -> Mapping[str, Callable[[], object]]:
        return {"guide-export": self.export, "guide-copy": self.copy}

    def output_folder(self) -> Path:
        """The output folder; a relative one is beside the session file (as `adue guide`)."""
        folder = Path(self.query_one("#guide-output-dir", Input).value.strip() or ".")
        return (
            folder.expanduser()
            if folder.expanduser().is_absolute()
            else (self.session.path.parent / folder)
        )

    def export(self) -> None:
        try:
            settings = self.settings().validated()
        except GuideSettingsError as exc:
            problems = "\n".join(f"• {self._describe(p)}" for p in exc.problems)
            self._result(f"Not exported — fix these first:\n{problems}", error=True)
            return
        folder = self.output_folder()
        self._result(f"Writing the guide into {folder}…")
        self.query_one("#guide-export", Button).loading = True
        self._export(settings, folder)

    @step_worker("guide-export")
    def _export(self, settings: GuideSettings, folder: Path) -> None:
        self.answer(
            lambda: self.backend.export_guide(settings, folder), self.Exported, self.ExportFailed
        )

    def on_guide_step_exported(self, message: Exported) -> None:
        self.query_one("#guide-export", Button).loading = False
        self._result("Written:\n" + "\n".join(f"• {path}" for path in message.paths))
        self.set_status("done", confirmed=True)  # the export is the admin going through it

    def on_guide_step_export_failed(self, message: ExportFailed) -> None:
        self.query_one("#guide-export", Button).loading = False
        error = message.error
        if isinstance(error, OSError):
            where = error.filename or self.output_folder()
            text = (
                f"Could not write {where}: {error.strerror or error}. "
                "Output folder: choose a folder you can write to."
            )
        elif isinstance(error, GuideError):
            text = f"Could not write the guide: {error}"
        else:
            text = f"Could not write the guide: {describe_error(error)}"
        self._result(text, error=True)

    def copy(self) -> None:
        text, problems = self.preview_markdown()
        if problems:
            listed = "\n".join(f"• {p}" for p in problems)
            self._result(f"Nothing copied — fix these first:\n{listed}", error=True)
            return
        self.app.copy_to_clipboard(text)
        name = language_name(self.preview_language())
        self._result(
            f"Copied the {name} guide as Markdown to the clipboard (OSC 52; if your terminal "
            "does not pass it on, export Markdown instead)."
        )

    def _result(self, text: str, *, error: bool = False) -> None:
        result = self.query_one("#guide-result", Static)
        result.update(safe_lines(text))
        result.set_class(error, "-error")
        result.display = bool(text)
