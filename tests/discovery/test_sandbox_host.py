"""End to end: `discovery check` against the sandbox's own discovery host (tui.sandbox).

The sandbox serves `sandbox_response` for its current `discovery_variant` on its HTTPS
listener, with a certificate for its sign-in domain; the check must pass for "ok" and
name each rehearsal variant exactly as it does against any server.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tui.discovery.check import check_domain_sync
from tui.sandbox.discovery_variants import VARIANT_INFO, VARIANTS
from tui.sandbox.server import RunningSandbox, start_sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_sandbox() as sb:
        yield sb


def test_every_variant_on_the_sandbox_discovery_host(sandbox: RunningSandbox) -> None:
    url = urlsplit(sandbox.https_url)
    assert url.hostname
    assert url.port
    try:
        for variant in VARIANTS:
            sandbox.discovery_variant = variant
            report = check_domain_sync(
                sandbox.sign_in_domain,
                tenant_id=sandbox.tenant_id,
                verify=str(sandbox.ca_path),
                connect_to=(url.hostname, url.port),
                timeout=5,
            )
            info = VARIANT_INFO[variant]
            not_passing = [(f.id, f.status) for f in report.findings if f.status != "pass"]
            expected = [(info.finding, info.status)] if info.finding else []
            assert not_passing == expected, (variant, report.findings)
    finally:
        sandbox.discovery_variant = "ok"
