"""Checking a client assertion: the JWT a confidential client signs with its certificate.

Entra ID accepts, instead of a client secret, a JWT signed with the private key of a
certificate registered on the app: header `alg` RS256 (or PS256) and `x5t` (or
`x5t#S256`), the certificate's SHA-1 (SHA-256) thumbprint; claims `aud` the token
endpoint, `iss` and `sub` the client id, `exp`/`nbf` around now
(learn.microsoft.com/entra/identity-platform/certificate-credentials). A failed check is
AADSTS700027 (reference-error-codes).
"""

from __future__ import annotations

import base64
import json
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.sandbox.fleet import FleetAccess

CLOCK_SKEW = 300  # seconds Entra ID tolerates


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _thumbprints(cert_pem: str) -> tuple[bytes, bytes, Any]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    # x5t is the SHA-1 thumbprint by definition (RFC 7515); x5t#S256 the SHA-256 one.
    return cert.fingerprint(hashes.SHA1()), cert.fingerprint(hashes.SHA256()), cert.public_key()


def assertion_problem(assertion: str, access: FleetAccess, endpoint: str) -> str | None:
    """Why `assertion` does not prove the app (an AADSTS description), or None."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    failed = "AADSTS700027: Client assertion failed signature validation."
    if not access.certificate_pem:
        return "AADSTS700027: The app has no certificate registered for client assertions."
    parts = assertion.split(".")
    decoded = _decode(parts)
    if decoded is None:
        return "AADSTS50027: JWT token is invalid or malformed."
    header, claims, signature = decoded
    sha1, sha256, key = _thumbprints(access.certificate_pem)
    # base64url, with or without padding (MSAL sends it padded).
    given = {str(header.get(k, "")).rstrip("=") for k in ("x5t", "x5t#S256")} - {""}
    known = {base64.urlsafe_b64encode(d).rstrip(b"=").decode() for d in (sha1, sha256)}
    if not given & known:
        return (
            "AADSTS700027: The certificate with identifier used to sign the client assertion "
            f"is not registered on application. [Reason - The key was not found., Thumbprint "
            f"of key used by client: '{sorted(given)[0] if given else ''}']"
        )
    algorithm = header.get("alg")
    if not isinstance(key, rsa.RSAPublicKey) or algorithm not in ("RS256", "PS256"):
        return failed
    pad: padding.AsymmetricPadding = (
        padding.PKCS1v15()
        if algorithm == "RS256"
        else padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    )
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode(), pad, hashes.SHA256())
    except InvalidSignature:
        return failed
    return _claims_problem(claims, access, endpoint, failed)


def _decode(parts: list[str]) -> tuple[dict[str, Any], dict[str, Any], bytes] | None:
    """A compact JWS's header, claims and signature; None when it is not one."""
    if len(parts) != 3:
        return None
    try:
        header = json.loads(_unb64(parts[0]))
        claims = json.loads(_unb64(parts[1]))
        signature = _unb64(parts[2])
    except ValueError:
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return header, claims, signature


def _claims_problem(
    claims: dict[str, Any], access: FleetAccess, endpoint: str, failed: str
) -> str | None:
    """Why a correctly signed assertion's claims do not fit (issuer, audience, time)."""
    now = time.time()
    if claims.get("iss") != access.client_id or claims.get("sub") != access.client_id:
        return (
            "AADSTS700021: Client assertion application identifier doesn't match "
            "'client_id' parameter."
        )
    audience = claims.get("aud")
    if audience != endpoint and not (isinstance(audience, list) and endpoint in audience):
        # The exact code Entra ID uses here is not documented; a signature-validation
        # failure (700027) is what a client sees for an assertion made for another endpoint.
        return f"{failed} The audience must be the token endpoint '{endpoint}'."
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + CLOCK_SKEW < now:
        return "AADSTS700024: Client assertion is not within its valid time range."
    nbf = claims.get("nbf", 0)
    if isinstance(nbf, int | float) and nbf - CLOCK_SKEW > now:
        return "AADSTS700024: Client assertion is not within its valid time range."
    return None
