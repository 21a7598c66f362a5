"""Saving the well-known file where the admin publishes it: 0644 (it is public), atomic."""

from __future__ import annotations

from pathlib import Path

from tui.discovery.well_known import generate
from tui.files import write_public


def save(path: Path, tenant_id: str, cloud: str = "global") -> str:
    """Generate the file and save it at `path`; returns the text."""
    text = generate(tenant_id, cloud)
    write_public(path, text)
    return text
