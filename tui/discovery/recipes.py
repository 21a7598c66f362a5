"""How to publish the well-known file on the servers admins use: text to show or save.

Each recipe keeps the three rules the device enforces: the exact path without a file
extension, `Content-Type: application/json`, and a 200 over HTTPS on the sign-in
domain (no redirect). Where a server can answer inline, the recipe does that, so no
file on disk and no MIME mapping can go wrong.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.discovery.well_known import FILE_NAME, MEDIA_TYPE, WELL_KNOWN_PATH, generate


@dataclass(frozen=True)
class Recipe:
    name: str  # shown to the admin
    filename: str  # where the text goes
    text: str  # exactly what to put in that file
    key: str = ""  # short id for `adue discovery recipes --only KEY`
    notes: str = ""  # what to do with it, in a sentence or three


def _one_file(doc: str) -> Recipe:
    return Recipe(
        "Any web server (one file)",
        FILE_NAME,
        doc,
        "file",
        f"Save this text, unchanged and without a trailing newline or BOM, as {WELL_KNOWN_PATH} "
        f"on the users' sign-in domain — the file name has no extension. Serve it over HTTPS "
        f"with status 200 and Content-Type: {MEDIA_TYPE}; no redirect, no sign-in.",
    )


def _nginx(doc: str) -> Recipe:
    text = (
        "# In the server { } block (listen 443 ssl) of the users' sign-in domain.\n"
        "# nginx answers the JSON itself: no file on disk, no MIME mapping needed.\n"
        f"location = {WELL_KNOWN_PATH} {{\n"
        f"    default_type {MEDIA_TYPE};\n"
        f"    return 200 '{doc}';\n"
        "}\n"
    )
    return Recipe(
        "nginx",
        "adue-discovery.nginx.conf",
        text,
        "nginx",
        "Include it in the HTTPS server block, then `nginx -t && nginx -s reload`.",
    )


def _apache(_doc: str) -> Recipe:
    text = (
        "# In the <VirtualHost *:443> of the users' sign-in domain (Apache 2.4).\n"
        f"# Save the file as <DocumentRoot>{WELL_KNOWN_PATH} (no extension).\n"
        f'<Location "{WELL_KNOWN_PATH}">\n'
        "    # Extension-less files get no type from mime.types: force it.\n"
        f"    ForceType {MEDIA_TYPE}\n"
        "    Require all granted\n"
        "</Location>\n"
    )
    return Recipe(
        "Apache httpd",
        "adue-discovery.apache.conf",
        text,
        "apache",
        "Make sure no RewriteRule or Redirect catches /.well-known/; `apachectl configtest` "
        "then reload. File content: the one-file recipe.",
    )


def _iis(_doc: str) -> Recipe:
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        "<!-- Save as .well-known\\web.config next to the file com.apple.remotemanagement\n"
        "     (no extension). IIS serves no file without a MIME mapping; the extension\n"
        '     "." means "no extension". -->\n'
        "<configuration>\n"
        "  <system.webServer>\n"
        "    <staticContent>\n"
        '      <remove fileExtension="." />\n'
        f'      <mimeMap fileExtension="." mimeType="{MEDIA_TYPE}" />\n'
        "    </staticContent>\n"
        "  </system.webServer>\n"
        "</configuration>\n"
    )
    return Recipe(
        "IIS",
        "web.config",
        text,
        "iis",
        "Create the folder `.well-known` (Explorer: type `.well-known.`), put the file and "
        "this web.config in it, allow anonymous access. If an ASP.NET app still answers 404, "
        "its extension-less URL handler runs before the static file handler.",
    )


def _caddy(doc: str) -> Recipe:
    text = (
        "# In the site block of the users' sign-in domain; Caddy gets the certificate itself.\n"
        "contoso.com {\n"
        f"\thandle {WELL_KNOWN_PATH} {{\n"
        f"\t\theader Content-Type {MEDIA_TYPE}\n"
        f"\t\trespond `{doc}` 200\n"
        "\t}\n"
        "\t# … the site's other directives\n"
        "}\n"
    )
    return Recipe(
        "Caddy",
        "Caddyfile",
        text,
        "caddy",
        "Replace contoso.com with the sign-in domain, then `caddy reload`.",
    )


def _static_web_apps(_doc: str) -> Recipe:
    text = (
        "{\n"
        '  "routes": [\n'
        "    {\n"
        f'      "route": "{WELL_KNOWN_PATH}",\n'
        f'      "headers": {{ "Content-Type": "{MEDIA_TYPE}" }}\n'
        "    }\n"
        "  ]\n"
        "}\n"
    )
    return Recipe(
        "Azure Static Web Apps",
        "staticwebapp.config.json",
        text,
        "swa",
        f"Put the file at <app_location>{WELL_KNOWN_PATH} (no extension) and merge these "
        "routes into staticwebapp.config.json at the app's root. If you use "
        'navigationFallback, add "/.well-known/*" to its "exclude" list. The sign-in domain '
        "must be the app's custom domain.",
    )


def _blob(_doc: str) -> Recipe:
    text = (
        "# Azure Storage static website: the file lives in the $web container and keeps\n"
        "# the content type given at upload (an extension-less blob would otherwise get\n"
        "# application/octet-stream).\n"
        "az storage blob upload \\\n"
        "  --account-name <storage-account> \\\n"
        "  --container-name '$web' \\\n"
        f"  --name {WELL_KNOWN_PATH.lstrip('/')} \\\n"
        f"  --file {FILE_NAME} \\\n"
        f"  --content-type {MEDIA_TYPE} \\\n"
        "  --overwrite --auth-mode login\n"
    )
    return Recipe(
        "Azure Blob Storage static website",
        "upload-discovery-file.sh",
        text,
        "blob",
        "Save the one-file recipe as com.apple.remotemanagement first. Static websites do "
        "not serve HTTPS on a custom domain by themselves: put Azure Front Door (managed "
        "certificate) in front, with the sign-in domain.",
    )


def recipes(tenant_id: str, cloud: str = "global") -> list[Recipe]:
    """Publishing recipes for this tenant's file, the one-file answer first."""
    # One signature for every builder; those whose server serves the file from disk
    # (Apache, IIS, Static Web Apps, Blob) do not embed it and take it as `_doc`.
    doc = generate(tenant_id, cloud)
    return [
        builder(doc)
        for builder in (_one_file, _nginx, _apache, _iis, _caddy, _static_web_apps, _blob)
    ]


RECIPE_KEYS = ("file", "nginx", "apache", "iis", "caddy", "swa", "blob")
