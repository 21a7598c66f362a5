"""Service discovery: the well-known file users' iPhones and iPads fetch before enrolling.

One import for everything else in adue (wizard, CLI, sandbox):
- `generate(tenant_id, cloud)`: the exact JSON of Microsoft's template;
- `VARIANTS`, `sandbox_response(...)`: what the sandbox's discovery host serves;

The work lives in `tui/discovery_*.py`, one job per file; this module only re-exports.
"""

from __future__ import annotations

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
from tui.discovery_variants import (
    REDIRECT_TARGET_PATH,
    SANDBOX_PATHS,
    VARIANT_INFO,
    VARIANTS,
    Variant,
    sandbox_response,
)

__all__ = [
    "FILE_NAME",
    "MEDIA_TYPE",
    "REDIRECT_TARGET_PATH",
    "SANDBOX_PATHS",
    "VARIANTS",
    "VARIANT_INFO",
    "WELL_KNOWN_PATH",
    "Variant",
    "clipboard_text",
    "generate",
    "is_tenant_id",
    "sandbox_response",
    "save",
    "validate_tenant_id",
]
