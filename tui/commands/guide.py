"""`adue guide`: write the employee onboarding guide from a session (md, html, pdf).

Reads the session with stdlib tomllib and never writes it. Exit codes: 0 written,
1 the session or a setting is unusable (the message names the key and the fix),
64 usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.choices import GUIDE_FORMATS, IDENTITIES
from tui.commands.common import EXIT_ERROR, EXIT_OK, add_session_option

if TYPE_CHECKING:
    from tui.guide.settings import GuideSettings

STDOUT = "-"


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "guide",
        help="write the employee onboarding guide (Markdown, HTML, PDF)",
        description=(
            "Write the guide employees follow to enroll their own iPhone or iPad, from the"
            " session's [guide] and [tenant] settings. Without --format/--lang, every format"
            " and language listed in the session is written to its [guide] output_dir"
            " (relative to the session file's folder). The session file is only read."
        ),
    )
    add_session_option(p, subcommand=True)
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=GUIDE_FORMATS,
        help="md, html or pdf; repeat for several (default: the session's [guide] formats)",
    )
    p.add_argument(
        "--lang",
        dest="languages",
        action="append",
        metavar="CODE",
        help="language, e.g. de; repeat or comma-separate for several"
        " (default: the session's [guide] languages)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="file to write for one format and language ('-' = standard output),"
        " or a folder to write into (default: the session's [guide] output_dir)",
    )
    p.add_argument(
        "--list-languages",
        action="store_true",
        help="list the available languages and untranslated strings, then exit",
    )
    overrides = p.add_argument_group("settings (override the session)")
    overrides.add_argument("--organization", metavar="NAME", help="organisation name")
    overrides.add_argument("--sign-in-domain", metavar="DOMAIN", help="e.g. contoso.com")
    overrides.add_argument("--support-contact", metavar="CONTACT", help="e-mail, phone or URL")
    overrides.add_argument("--identity", choices=IDENTITIES, help="how employees sign in")
    overrides.add_argument("--link-url", metavar="URL", help="address shown as a QR code")
    overrides.add_argument(
        "--authenticator-required",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="Microsoft Authenticator is deployed as a required app"
        " (default: yes when the session has an [authenticator] app_id)",
    )
    p.set_defaults(handler=run)


def _fail(message: str) -> int:
    print(f"adue guide: error: {message}", file=sys.stderr)
    return EXIT_ERROR


def _languages(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def _list_languages() -> int:
    from tui.guide import available_languages, language_name, missing_strings

    for code in available_languages():
        missing = missing_strings(code)
        note = f"  ({len(missing)} strings fall back to English)" if missing else ""
        print(f"{code}\t{language_name(code)}{note}")
    return EXIT_OK


def _load_settings(
    args: argparse.Namespace, session_path: Path
) -> tuple[GuideSettings, dict[str, Any]]:
    """The guide's settings and the session's [tenant] table."""
    import tomllib

    from tui.guide import GuideError, GuideSettings, GuideSettingsError

    try:
        with session_path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise GuideError(
            f"session file {session_path} not found: create it with the wizard"
            f" (adue --session {session_path}) or pass --session with the right path"
        ) from None
    except IsADirectoryError:
        raise GuideError(f"{session_path} is a folder: pass --session with a .toml file") from None
    except OSError as exc:
        raise GuideError(f"cannot read session file {session_path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise GuideError(
            f"session file {session_path} is not valid TOML: {exc}; fix that line"
            " (the file was not changed)"
        ) from None
    overrides = {
        "organization": args.organization,
        "sign_in_domain": args.sign_in_domain,
        "support_contact": args.support_contact,
        "identity": args.identity,
        "link_url": args.link_url,
        "authenticator_required": args.authenticator_required,
        "languages": tuple(_languages(args.languages) or ()) or None,
        "formats": tuple(args.formats) if args.formats else None,
    }
    tenant = data.get("tenant")
    tenant_table = dict(tenant) if isinstance(tenant, dict) else {}
    try:
        return GuideSettings.from_session(data, **overrides), tenant_table
    except GuideSettingsError as exc:
        lines = [
            f"{problem}" + (f" (or pass {problem.option})" if problem.option else "")
            for problem in exc.problems
        ]
        # The session file is named only when something in it needs fixing.
        source = "" if all(p.from_option for p in exc.problems) else f"{session_path}: "
        raise GuideError(source + "\n  ".join(["cannot write the guide:", *lines])) from None


def _names_a_file(path: Path) -> bool:
    """-o looks like one file (it ends in .md, .html or .pdf) and is not an existing folder."""

    return path.suffix.lstrip(".").lower() in GUIDE_FORMATS and not path.is_dir()


def run(args: argparse.Namespace) -> int:
    if args.list_languages:
        return _list_languages()
    from tui.graph.target import session_target
    from tui.guide import GuideError, default_filename, export, render

    session_path = Path(args.session)
    try:
        settings, tenant_table = _load_settings(args, session_path)
    except GuideError as exc:
        return _fail(str(exc))
    # The guide is for the session's tenant; on stderr when stdout carries the guide itself.
    headline = session_target(tenant_table).headline()
    print(headline, file=sys.stderr if args.output == STDOUT else sys.stdout, flush=True)
    jobs = [(lang, fmt) for lang in settings.languages for fmt in settings.formats]
    single = len(jobs) == 1
    try:
        if args.output == STDOUT:
            if not single:
                return _fail("-o - writes one guide: pick one --format and one --lang")
            lang, fmt = jobs[0]
            if fmt == "pdf" and sys.stdout.isatty():
                return _fail("not writing a PDF to the terminal: pass -o FILE.pdf")
            sys.stdout.buffer.write(render(settings, lang, fmt))
            sys.stdout.flush()
            return EXIT_OK
        if args.output and single and not Path(args.output).is_dir():
            targets = [Path(args.output)]
        elif args.output and _names_a_file(Path(args.output)):
            # `-o onboarding.pdf` for several guides: onboarding-en.pdf, onboarding-de.pdf, …
            # (never a folder named like a file).
            named = Path(args.output)
            targets = [named.with_name(f"{named.stem}-{lang}.{fmt}") for lang, fmt in jobs]
        else:
            if args.output:
                folder = Path(args.output)
                if folder.exists() and not folder.is_dir():
                    return _fail(
                        f"-o {folder} is a file, but {len(jobs)} guides are written:"
                        " give a folder, or one --format and one --lang"
                    )
            else:
                # Relative to the session, so `adue guide --session x/y.toml` works from anywhere.
                folder = session_path.parent / (settings.output_dir or ".")
            targets = [folder / default_filename(lang, fmt) for lang, fmt in jobs]
        for (lang, fmt), target in zip(jobs, targets, strict=True):
            print(export(settings, lang, fmt, target))
    except GuideError as exc:
        return _fail(str(exc))
    except OSError as exc:
        from tui.files import FileWriteError

        if isinstance(exc, FileWriteError):  # already names the file, folder and fix
            return _fail(str(exc))
        name = exc.filename or args.output
        return _fail(f"cannot write {name}: {exc.strerror or exc}")
    return EXIT_OK
