"""A kiota middleware that reports throttled or unavailable answers while they are retried.

kiota's RetryHandler retries 429/503/504 silently. Placed right after it in the
same pipeline, this observer sees every attempt and tells listeners (the UI shows
"throttled, retrying in 5 s"), without a second retry stack. Imported lazily:
it pulls in kiota.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from kiota_http.middleware.middleware import REQUEST_OPTIONS_KEY, BaseMiddleware
from kiota_http.middleware.options import RetryHandlerOption

from tui.graph.retry import RETRIED_STATUSES, RetryNotice, parse_retry_after

RETRY_ATTEMPT_HEADER = "Retry-Attempt"  # set by kiota's RetryHandler on each retry


def _retried(request: httpx.Request) -> bool:
    """False for a request the RetryHandler was told not to retry (a create): the apply
    engine reports what it does after such a failure itself."""
    options = request.extensions.get(REQUEST_OPTIONS_KEY) or {}
    option = options.get(RetryHandlerOption.get_key())
    return not isinstance(option, RetryHandlerOption) or (
        option.should_retry and option.max_retry > 0
    )


class RetryObserver(BaseMiddleware):
    def __init__(self, max_retries: int, listeners: list[Callable[[RetryNotice], None]]) -> None:
        super().__init__()
        self.max_retries = max_retries
        self.listeners = listeners  # shared with GraphClient, which adds and removes

    async def send(
        self, request: httpx.Request, transport: httpx.AsyncBaseTransport
    ) -> httpx.Response:
        retried = _retried(request)  # read before the options leave the request
        response = await super().send(request, transport)
        if response.status_code in RETRIED_STATUSES and self.listeners and retried:
            attempt = int(request.headers.get(RETRY_ATTEMPT_HEADER, "0") or 0)
            notice = RetryNotice(
                status=response.status_code,
                attempt=attempt + 1,
                will_retry=attempt < self.max_retries,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
                method=request.method,
                url=str(request.url),
            )
            for listener in list(self.listeners):
                listener(notice)
        return response
