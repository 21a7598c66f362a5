"""Retry settings and the notice shown while Graph throttles (no heavy imports)."""

from __future__ import annotations

import datetime as dt

from tui.values import Frozen

# What kiota's RetryHandler retries (graph.md: 429/503/504, all methods).
RETRIED_STATUSES = frozenset({429, 503, 504})


class RetryPolicy(Frozen):
    """Bounded retries for throttling and transient failures.

    `base_delay` is added to kiota's exponential backoff when Graph sends no
    Retry-After; a Retry-After header is always honoured as given.
    """

    max_retries: int = 3
    base_delay: float = 1.0


class RetryNotice(Frozen):
    """One throttled (429) or unavailable (503/504) answer seen by the pipeline."""

    status: int
    attempt: int  # 1 = the first try
    will_retry: bool
    retry_after: float | None  # seconds Graph asked us to wait
    method: str
    url: str

    def describe(self) -> str:
        reason = "throttled by Graph" if self.status == 429 else f"Graph answered {self.status}"
        if not self.will_retry:
            return f"{reason}; giving up after {self.attempt} attempts"
        wait = f" in {self.retry_after:g} s" if self.retry_after else ""
        return f"{reason}; retrying{wait} (attempt {self.attempt + 1})"


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    # Here, not at the top: tui.graph.errors imports this module, and the email package
    # would otherwise load on the wizard's first frame (the sign-in form's settings).
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
