"""Graph failures become errors a person can act on, each with Graph's request-id."""

from __future__ import annotations

import json

from tui.graph.errors import (
    BadRequest,
    PermissionMissing,
    ServiceUnavailable,
    SignInRequired,
    Throttled,
    error_from_response,
    network_error,
)


def body(code: str, message: str, **extra: object) -> bytes:
    error: dict[str, object] = {
        "code": code,
        "message": message,
        "innerError": {"request-id": "rid-1"},
    }
    error.update(extra)
    return json.dumps({"error": error}).encode()


def test_401_says_sign_in_again() -> None:
    err = error_from_response(
        401, {}, body("InvalidAuthenticationToken", "Token expired"), what="read the licences"
    )
    assert isinstance(err, SignInRequired)
    assert "sign in again" in err.fix
    assert err.request_id == "rid-1"
    assert "rid-1" in str(err)


def test_403_names_the_permission_and_admin_consent() -> None:
    err = error_from_response(
        403,
        {"request-id": "hdr"},
        body("Forbidden", "Missing scope"),
        what="read the VPP tokens",
        required_scopes=("DeviceManagementServiceConfig.Read.All",),
    )
    assert isinstance(err, PermissionMissing)
    assert err.permissions == ("DeviceManagementServiceConfig.Read.All",)
    assert "DeviceManagementServiceConfig.Read.All" in err.fix
    assert "Grant admin consent" in err.fix
    assert err.request_id == "rid-1"  # the body's innerError wins over the header


def test_400_carries_graphs_message_and_field() -> None:
    err = error_from_response(
        400,
        {},
        body(
            "BadRequest",
            "Property 'displayNam' does not exist",
            details=[{"code": "x", "message": "y", "target": "displayNam"}],
        ),
        what="create the policy",
    )
    assert isinstance(err, BadRequest)
    assert err.field == "displayNam"
    assert "Property 'displayNam' does not exist" in err.message
    assert "(field displayNam)" in err.message


def test_throttling_and_5xx_and_request_id_from_header() -> None:
    throttled = error_from_response(429, {"Request-Id": "h-429"}, b"", what="search groups")
    assert isinstance(throttled, Throttled)
    assert throttled.request_id == "h-429"
    down = error_from_response(503, {}, b"<html>gateway</html>", what="search groups")
    assert isinstance(down, ServiceUnavailable)
    assert "503" in down.message


def test_network_down_says_so() -> None:
    err = network_error("read the organization", ConnectionRefusedError("refused"))
    assert "no answer from Microsoft Graph" in err.message
    assert "network" in err.fix
