"""Graph failures turned into errors a person can act on.

Every error says what happened and what to do, and carries Graph's request-id
(for a support ticket) when Graph gave one. Nothing here imports msgraph or
azure.identity: screens and commands catch these types cheaply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tui.error_text import one_line
from tui.graph.retry import parse_retry_after

# How an admin grants delegated permissions to the app adue signs in with.
ADMIN_CONSENT_HOWTO = (
    "An administrator grants it in the Microsoft Entra admin center: Enterprise applications >"
    " the app adue signs in with > Permissions > Grant admin consent (or sign in again with an"
    " account allowed to consent). The signed-in account also needs an Intune role that allows"
    " the change."
)


class GraphError(Exception):
    """A Graph request failed. `fix` tells the person what to do next."""

    kind = "error"

    def __init__(
        self,
        message: str,
        *,
        fix: str = "",
        status: int | None = None,
        code: str = "",
        request_id: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.status = status
        self.code = code
        self.request_id = request_id
        self.retry_after = retry_after  # seconds Graph asked to wait (Retry-After), if any

    def __str__(self) -> str:
        return one_line(self.message, self.fix, self.request_id)


class SignInRequired(GraphError):
    """401: the token is missing, expired or revoked."""

    kind = "sign_in_required"


class PermissionMissing(GraphError):
    """403: the token lacks a delegated permission (or the account lacks an Intune role)."""

    kind = "permission_missing"

    def __init__(self, message: str, *, permissions: Sequence[str] = (), **kw: Any) -> None:
        super().__init__(message, **kw)
        self.permissions = tuple(permissions)


class BadRequest(GraphError):
    """400: Graph refused the payload or query; `field` names the property when known."""

    kind = "bad_request"

    def __init__(self, message: str, *, field: str = "", **kw: Any) -> None:
        super().__init__(message, **kw)
        self.field = field


class NotFound(GraphError):
    kind = "not_found"


class Conflict(GraphError):
    kind = "conflict"


class Throttled(GraphError):
    """429 still returned after the pipeline's retries."""

    kind = "throttled"


class ServiceUnavailable(GraphError):
    """5xx after the pipeline's retries."""

    kind = "service_unavailable"


class NetworkDown(GraphError):
    """No HTTP answer at all: DNS, connection refused, TLS, timeout."""

    kind = "network_down"


class SignInFailed(GraphError):
    """The identity platform refused or the sign-in could not finish."""

    kind = "sign_in_failed"


# What a sign-in library says when the network, not the tenant or the app, is the problem.
NETWORK_SIGNS = {
    "failed to resolve": "its name does not resolve (DNS)",
    "name or service not known": "its name does not resolve (DNS)",
    "temporary failure in name resolution": "its name does not resolve (DNS)",
    "getaddrinfo failed": "its name does not resolve (DNS)",
    "nodename nor servname": "its name does not resolve (DNS)",
    "connection refused": "the connection was refused",
    "network is unreachable": "the network is unreachable",
    "no route to host": "there is no route to it",
    "timed out": "it did not answer in time",
    "certificate verify failed": "its TLS certificate is not trusted here (a proxy?)",
}


def network_problem(exc: BaseException) -> str | None:
    """Why the sign-in service could not be reached, or None when it answered.

    A DNS, connection or TLS failure must not read as a wrong tenant or client id: the
    tenant and the app were never asked.
    """
    seen: BaseException | None = exc
    for _ in range(10):  # the exception's chain of causes
        if seen is None:
            break
        text = str(getattr(seen, "message", None) or seen).lower()
        for sign, meaning in NETWORK_SIGNS.items():
            if sign in text:
                return meaning
        seen = seen.__cause__ or seen.__context__
    return None


def sign_in_failed(exc: BaseException, *, service: str) -> SignInFailed:
    """One message for a failed sign-in, naming the real cause once, in the admin's words."""
    reason = network_problem(exc)
    if reason is not None:
        return SignInFailed(
            f"Sign-in failed: could not reach the sign-in service {service}: {reason}",
            fix="check this machine's network connection, DNS and proxy (HTTPS_PROXY); "
            "the tenant and the client id have not been checked yet",
        )
    message = str(getattr(exc, "message", None) or exc).strip()
    return SignInFailed(
        f"Sign-in failed: {message}",
        fix="check the tenant, the client id and the sign-in method, then try again",
    )


class SignInCancelled(Exception):
    """The person cancelled the sign-in (device code dialog closed)."""


class Cancelled(Exception):
    """A long read (e.g. a group search) was cancelled by the caller."""


def _parse_body(body: bytes | None) -> Mapping[str, Any]:
    if not body:
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, Mapping) else {}


def _request_id(headers: Mapping[str, str], error: Mapping[str, Any]) -> str:
    inner = error.get("innerError") or error.get("innererror") or {}
    if isinstance(inner, Mapping):
        for key in ("request-id", "requestId", "client-request-id"):
            value = inner.get(key)
            if isinstance(value, str) and value:
                return value
    lowered = {k.lower(): v for k, v in headers.items()}
    return str(lowered.get("request-id") or lowered.get("client-request-id") or "")


def _field_of(error: Mapping[str, Any]) -> str:
    target = error.get("target")
    if isinstance(target, str) and target:
        return target
    details = error.get("details")
    if isinstance(details, list):
        for item in details:
            if isinstance(item, Mapping) and isinstance(item.get("target"), str):
                return str(item["target"])
    return ""


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes | None,
    *,
    what: str,
    required_scopes: Sequence[str] = (),
) -> GraphError:
    """Map an HTTP error answer to an actionable error.

    `what` names the attempted action ("read the APNs certificate"), and
    `required_scopes` the delegated permissions it needs (graph.md), so a 403 can
    say exactly which permission to grant.
    """
    error = _parse_body(body).get("error")
    error = error if isinstance(error, Mapping) else {}
    graph_message = str(error.get("message") or "").strip()
    code = str(error.get("code") or "")
    request_id = _request_id(headers, error)
    common: dict[str, Any] = {"status": status, "code": code, "request_id": request_id}
    if status == 429 or status >= 500:
        lowered = {k.lower(): v for k, v in headers.items()}
        common["retry_after"] = parse_retry_after(lowered.get("retry-after"))
    said = f": {graph_message}" if graph_message else ""

    if status == 401:
        return SignInRequired(
            f"Could not {what}: the sign-in is no longer valid{said}",
            fix="sign in again (the token expired or was revoked)",
            **common,
        )
    if status == 403:
        needed = " or ".join(required_scopes) if required_scopes else "a Graph permission"
        return PermissionMissing(
            f"Could not {what}: permission denied{said}",
            fix=f"the sign-in needs the delegated permission {needed}. {ADMIN_CONSENT_HOWTO}",
            permissions=required_scopes,
            **common,
        )
    if status == 400:
        field = _field_of(error)
        where = f" (field {field})" if field else ""
        return BadRequest(
            f"Graph refused to {what}{where}{said or ': bad request'}",
            fix="correct the value Graph names and try again",
            field=field,
            **common,
        )
    if status == 404:
        return NotFound(
            f"Could not {what}: not found{said}",
            fix="the object may have been deleted; re-read the tenant",
            **common,
        )
    if status == 409:
        return Conflict(
            f"Could not {what}: conflict{said}", fix="re-read the object and retry", **common
        )
    if status == 429:
        return Throttled(
            f"Could not {what}: Graph is throttling requests{said}",
            fix="wait a few minutes and run again; the work done so far is kept",
            **common,
        )
    if status >= 500:
        return ServiceUnavailable(
            f"Could not {what}: Graph answered {status}{said}",
            fix="a temporary service problem; run again in a few minutes",
            **common,
        )
    return GraphError(
        f"Could not {what}: Graph answered {status}{said}", fix="check the details above", **common
    )


def network_error(what: str, exc: BaseException) -> NetworkDown:
    reason = str(exc) or type(exc).__name__
    return NetworkDown(
        f"Could not {what}: no answer from Microsoft Graph ({reason})",
        fix="check the network connection, proxy and --graph-url, then run again",
    )
