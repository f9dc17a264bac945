"""Checking the certificates inside a posted report against the posting station's registered key.

The agent's own checker (`agent.certs.sign.verify_signed`) is the reference; the fallback below
only exists so the server still verifies (never skips) if that module is missing from a build.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from agent.certs.sign import strict_b64
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


@functools.lru_cache(maxsize=64)
def _station_key(public_key: str) -> tuple[Ed25519PublicKey | None, str | None]:
    """The key object and fingerprint of a public key as certificates spell it (None: invalid).

    Parsed once per key, not once per certificate: a station signs every certificate it posts
    with the same key.
    """
    raw = strict_b64(public_key, 32)
    if raw is None:
        return None, None
    try:
        return Ed25519PublicKey.from_public_bytes(raw), hashlib.sha256(raw).hexdigest()
    except ValueError:
        return None, hashlib.sha256(raw).hexdigest()


def check_for_station(
    signed: SignedCertificate, station_public_key: str | None
) -> tuple[SignatureCheck, str]:
    """`verify_for_station`, and the certificate's stored form, computed together.

    What is signed (`canonical_json(certificate)`) and what is stored (`canonical_json(signed)`)
    come from one dump of the signed certificate instead of two, and the station's key is parsed
    once per key: the same checks and problems as `agent.certs.sign.verify_signed`, which stays
    the reference (tests compare both on valid, tampered and foreign certificates).

    The dump is pydantic's compiled serializer (the report models' own `model_dump` walks the
    dataclasses in Python, ~0.4 ms per certificate). Both spell JSON the same way by design; a
    valid signature proves it for this certificate (the bytes checked are the bytes the station
    signed), and anything not valid is checked again from `model_dump`, so a difference between
    the two could never turn into a false "invalid".
    """
    fast = _fast_dump(signed)
    if fast is not None:
        check, stored = _check(signed, station_public_key, fast)
        if check.valid:
            return check, stored
    return _check(signed, station_public_key, signed.model_dump(mode="json"))


@functools.cache
def _serializer() -> Any:
    from pydantic import TypeAdapter

    return TypeAdapter(SignedCertificate)


def warm_up() -> None:
    """Build the certificate serializer now (see `server_stub.main.prepare_for_serving`)."""
    _serializer()


def _fast_dump(signed: SignedCertificate) -> dict[str, Any] | None:
    try:
        data = _serializer().dump_python(signed, mode="json")
    except Exception:  # any doubt: the models' own dump decides
        return None
    return data if isinstance(data, dict) else None


def _check(
    signed: SignedCertificate, station_public_key: str | None, data: dict[str, Any]
) -> tuple[SignatureCheck, str]:
    from cryptography.exceptions import InvalidSignature

    from agent.certs import sign

    signed_json = _canonical(data)
    if not station_public_key:
        return SignatureCheck(valid=False, problems=[NO_STATION_KEY]), signed_json
    problems: list[str] = []
    if signed.algorithm != "ed25519":
        problems.append(sign.BAD_ALGORITHM)
    public, key_fingerprint = _station_key(signed.public_key)
    if key_fingerprint is None or public is None:
        problems.append(sign.BAD_PUBLIC_KEY)
    if key_fingerprint is not None and not hmac.compare_digest(
        key_fingerprint.encode("ascii"), signed.key_fingerprint.encode("utf-8")
    ):
        problems.append(sign.FINGERPRINT_MISMATCH)
    if station_public_key.strip() != signed.public_key:
        problems.append(sign.WRONG_STATION_KEY)
    signature = strict_b64(signed.signature, 64)
    if signature is None:
        problems.append(sign.BAD_SIGNATURE_ENCODING)
    elif public is not None:
        try:
            public.verify(signature, _canonical(data["certificate"]).encode("utf-8"))
        except InvalidSignature:
            problems.append(sign.SIGNATURE_MISMATCH)
    cert = signed.certificate
    if cert.result in ("erased", "verified") and not cert.verification.passed:
        problems.append(sign.RESULT_WITHOUT_PROOF)
    return SignatureCheck(valid=not problems, problems=problems), signed_json


def _canonical(data: Any) -> str:
    """`canonical_json` of an already dumped model, as text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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


__all__ = [
    "NO_STATION_KEY",
    "SignatureCheck",
    "check_for_station",
    "fingerprint",
    "valid_public_key",
    "verify_for_station",
    "warm_up",
]
