"""Service discovery: the well-known file users' iPhones and iPads fetch before enrolling.

One import for the rest of adue (wizard, CLI, sandbox):
- `generate(tenant_id, cloud)` — the exact JSON of Microsoft's template;
  `clipboard_text(...)` (what the wizard copies via OSC 52), `save(path, ...)` (0600, atomic);
- `recipes(tenant_id, cloud)` — how to publish it on nginx, Apache, IIS, Caddy, Azure;
- `check_domain(...)` / `check_domain_sync(...)` / `check_domains(...)` — fetch it like an
  iPhone and an iPad do and report findings (`DiscoveryReport.to_dict()` is the stable
  JSON shape, documented in tui/discovery_findings.py);
- `sign_in_domains(verified_domains)`, `domain_of(user)` — which domain to check;
- `VARIANTS`, `sandbox_response(...)` — what the sandbox's discovery host serves.

The work lives in `tui/discovery_*.py`, one job per file; this module only re-exports.
httpx is imported only when a check runs.
"""

from __future__ import annotations

from tui.discovery_check import (
    DEVICE_MODELS,
    MAX_REDIRECTS,
    check_domain,
    check_domain_sync,
    check_domains,
    device_url,
)
from tui.discovery_domains import DomainChoice, domain_of, normalise_domain, sign_in_domains
from tui.discovery_file import (
    FILE_NAME,
    MEDIA_TYPE,
    WELL_KNOWN_PATH,
    clipboard_text,
    generate,
    is_tenant_id,
    save,
    validate_tenant_id,
)
from tui.discovery_findings import (
    FINDING_IDS,
    FINDING_TITLES,
    REPORT_SCHEMA,
    DiscoveryReport,
    Finding,
    Hop,
)
from tui.discovery_recipes import RECIPE_KEYS, Recipe, recipes
from tui.discovery_variants import (
    REDIRECT_TARGET_PATH,
    SANDBOX_PATHS,
    VARIANT_INFO,
    VARIANTS,
    Variant,
    sandbox_response,
)

__all__ = [
    "DEVICE_MODELS",
    "FILE_NAME",
    "FINDING_IDS",
    "FINDING_TITLES",
    "MAX_REDIRECTS",
    "MEDIA_TYPE",
    "RECIPE_KEYS",
    "REDIRECT_TARGET_PATH",
    "REPORT_SCHEMA",
    "SANDBOX_PATHS",
    "VARIANTS",
    "VARIANT_INFO",
    "WELL_KNOWN_PATH",
    "DiscoveryReport",
    "DomainChoice",
    "Finding",
    "Hop",
    "Recipe",
    "Variant",
    "check_domain",
    "check_domain_sync",
    "check_domains",
    "clipboard_text",
    "device_url",
    "domain_of",
    "generate",
    "is_tenant_id",
    "normalise_domain",
    "recipes",
    "sandbox_response",
    "save",
    "sign_in_domains",
    "validate_tenant_id",
]
