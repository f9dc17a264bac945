"""Checking the certificates inside a posted report against the posting station's registered key.

The agent's own checker (`agent.certs.sign.verify_signed`) is the reference; the fallback below
only exists so the server still verifies (never skips) if that module is missing from a build.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass, field

from agent.report import SignedCertificate, canonical_json

NO_STATION_KEY = "the station has no registered public key"


@dataclass(frozen=True)
class SignatureCheck:
    valid: bool
    problems: list[str] = field(default_factory=list)


def _fallback_verify(signed: SignedCertificate, expected_public_key: str) -> SignatureCheck:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    problems: list[str] = []
    if signed.public_key != expected_public_key.strip():
        problems.append("public key does not match the station's registered key")
    try:
        raw_key = base64.b64decode(signed.public_key, validate=True)
        signature = base64.b64decode(signed.signature, validate=True)
        if hashlib.sha256(raw_key).hexdigest() != signed.key_fingerprint:
            problems.append("fingerprint does not match public key")
        Ed25519PublicKey.from_public_bytes(raw_key).verify(signature, canonical_json(signed.certificate))
    except (binascii.Error, ValueError):
        problems.append("public key or signature is not valid base64 of the right length")
    except InvalidSignature:
        problems.append("signature does not match the certificate content")
    return SignatureCheck(valid=not problems, problems=problems)


def verify_for_station(signed: SignedCertificate, station_public_key: str | None) -> SignatureCheck:
    if not station_public_key:
        return SignatureCheck(valid=False, problems=[NO_STATION_KEY])
    try:
        from agent.certs.sign import verify_signed
    except ImportError:  # pragma: no cover - agent.certs ships with the agent
        return _fallback_verify(signed, station_public_key)
    outcome = verify_signed(signed, expected_public_key=station_public_key)
    return SignatureCheck(valid=outcome.valid, problems=list(outcome.problems))


def valid_public_key(text: str) -> bool:
    """A base64 raw 32-byte Ed25519 public key, as the agent registers it."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False
    return base64.b64encode(raw).decode("ascii") == text


def fingerprint(public_key_b64: str) -> str:
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()


__all__ = ["NO_STATION_KEY", "SignatureCheck", "fingerprint", "valid_public_key", "verify_for_station"]
