"""Service discovery: the well-known file users' iPhones and iPads fetch before enrolling.

One import for the rest of adue (wizard, CLI, sandbox):
- `generate(tenant_id, cloud)` — the exact JSON of Microsoft's template;
  `clipboard_text(...)` (what the wizard copies via OSC 52), `save(path, ...)` (0600, atomic);
- `recipes(tenant_id, cloud)` — how to publish it on nginx, Apache, IIS, Caddy, Azure;
- `check_domain(...)` / `check_domain_sync(...)` / `check_domains(...)` — fetch it like an
  iPhone and an iPad do and report findings (`DiscoveryReport.to_dict()` is the stable
  JSON shape, documented in tui/discovery/findings.py);
- `sign_in_domains(verified_domains)`, `domain_of(user)` — which domain to check;
- `VARIANTS`, `sandbox_response(...)` — what the sandbox's discovery host serves.

The work lives in `tui/discovery_*.py`, one job per file; this module only re-exports.
httpx is imported only when a check runs.
"""
