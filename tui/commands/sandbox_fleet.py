"""`adue sandbox --tenants N`: serve a fleet sandbox and write a ready fleet file.

Output, like `adue sandbox`'s, is shell assignments then `#` comments (the whole of it
can be saved and sourced): the Graph root, the fleet file, the identity emulator and
its CA, the partner tenant, the admin token file (the device-code approval page asks
for it) and the fleet app's id, secret file and certificate file, then the tenants and
what to run next. Secrets are never printed: the admin token and the app's secret and
certificate go to 0600 files in the fleet folder, removed when the sandbox stops (they
are valid for this run only). The fleet file and the CA stay.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from tui.commands.common import EXIT_ERROR
from tui.commands.sandbox import (
    DEFAULT_FLEET_DIR,
    print_request,
    serve_until_stopped,
    start_options,
    started,
)

NOTES = {
    "expired-apns": "its APNs certificate has expired",
    "missing-permission": "its tokens lack the Intune write permissions: 403 on the first write",
    "refused": "refuses the fleet sign-in: no GDAP relationship, the app not consented",
}


def serve_fleet(args: argparse.Namespace, plan: Any) -> int:
    from tui.files import write_private
    from tui.sandbox.fleet import start_fleet_sandbox, write_fleet_file

    folder = Path(args.fleet_dir or DEFAULT_FLEET_DIR)
    sb = started(start_fleet_sandbox, args.tenants, **start_options(args, plan))
    if sb is None:
        return EXIT_ERROR
    secret_file = folder / "app-secret"
    certificate_file = folder / "app-certificate.pem"
    token_file = folder / "admin-token"
    try:
        fleet_file = write_fleet_file(sb, folder)
        sb.write_admin_token(token_file)
        write_private(secret_file, sb.fleet_client_secret + "\n")
        write_private(certificate_file, sb.fleet_certificate_pem)
    except OSError as error:
        sb.stop()
        print(
            f"adue sandbox: error: cannot write into --fleet-dir {str(folder)!r} "
            f"({error.strerror}): give a folder you can write",
            file=sys.stderr,
        )
        return EXIT_ERROR
    labels = {m.id: m.label for m in sb.fleet}
    labels[sb.partner_tenant_id] = "partner"

    def show(record: Any) -> None:
        print_request(record, labels.get(record.tenant_id, "-"))

    def remove_secrets() -> None:
        for path in (secret_file, certificate_file):
            path.unlink(missing_ok=True)

    lines = _lines(sb, fleet_file, token_file, secret_file, certificate_file)
    return serve_until_stopped(
        sb, lines, show=show if args.verbose else None, cleanup=remove_secrets
    )


def _lines(
    sb: Any, fleet_file: Path, token_file: Path, secret_file: Path, certificate_file: Path
) -> list[str]:
    q = shlex.quote
    ca = fleet_file.parent / "sandbox-ca.pem"
    fleet = q(str(fleet_file))
    lines = [
        f"ADUE_GRAPH_URL={q(sb.graph_url)}",
        f"ADUE_SANDBOX_FLEET_FILE={fleet}",
        f"ADUE_SANDBOX_HTTPS_URL={q(sb.https_url)}",
        f"ADUE_SANDBOX_CA={q(str(ca))}",
        f"ADUE_SANDBOX_PARTNER_TENANT_ID={q(sb.partner_tenant_id)}",
        f"ADUE_SANDBOX_ADMIN_TOKEN_FILE={q(str(token_file))}",
        f"ADUE_SANDBOX_APP_ID={q(sb.fleet_client_id)}",
        f"ADUE_SANDBOX_APP_SECRET_FILE={q(str(secret_file))}",
        f"ADUE_SANDBOX_APP_CERTIFICATE={q(str(certificate_file))}",
        f"# adue sandbox: a fleet of {len(sb.fleet)} customer tenants of the partner "
        f"{sb.organization} ({sb.sign_in_domain}), partner admin {sb.admin_upn}",
        f"# Graph root {sb.graph_url} for every tenant (the token's tenant decides); "
        f"sign-in at {sb.https_url}",
    ]
    for member in sb.fleet:
        note = NOTES.get(member.access) or NOTES.get(member.seed, "")
        lines.append(
            f"#   {member.label}  {member.id}  {member.domain}  {member.name}"
            + (f"  ({note})" if note else "")
        )
    approve = (
        f"approved by itself after {sb.device_auto_approve_seconds:g} s"
        if sb.device_auto_approve_seconds is not None
        else f"approve it at {sb.https_url}/device (CA $ADUE_SANDBOX_CA) with the code and "
        "the admin token in $ADUE_SANDBOX_ADMIN_TOKEN_FILE, or start the sandbox with "
        "--device-auto-approve-seconds 2"
    )
    lines += [
        f"# wrote {fleet_file} (sign-in mode gdap); run next:",
        f"#   adue fleet plan  --fleet {fleet}",
        f"#   adue fleet apply --fleet {fleet} --yes",
        f"#   adue fleet plan  --fleet {fleet}    # nothing left but the broken tenants",
        f"# gdap sign-in: adue shows a device code for {sb.admin_upn}; {approve}",
        '# app-only instead: in [sign_in] set mode = "app-secret" and client_id = '
        f'"{sb.fleet_client_id}", then export AZURE_CLIENT_SECRET="$(cat {q(str(secret_file))})"',
        '#   or mode = "app-certificate" with certificate_path = '
        f'"{certificate_file}" (the app secret and certificate are valid while this runs)',
    ]
    if sb.state_file:
        lines.append(f"# state of every tenant saved to {sb.state_file}")
    lines.append("# serving until Ctrl-C")
    return lines
