"""Signing and checking certificates.

What is signed is `canonical_json(certificate)`. A certificate file holds
`canonical_json(signed_certificate)` byte for byte, so checking a file means: parse it, rebuild
the model, serialise it again and demand the very same bytes (whitespace, key order, number and
date spelling, extra fields — any difference is a tampered or hand-edited file), then check the
signature. `problems` are English msgids (stable, testable); show them with `messages()`.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import ValidationError

from agent.certs.keys import StationKey, fingerprint_of
from agent.i18n import N_, _
from agent.report import Certificate, SignedCertificate, canonical_json

SIGNATURE_MISMATCH = N_("signature does not match the certificate content")
WRONG_STATION_KEY = N_("public key does not match the station's registered key")
FINGERPRINT_MISMATCH = N_("fingerprint does not match public key")
BAD_PUBLIC_KEY = N_("public key is not a valid Ed25519 key")
BAD_SIGNATURE_ENCODING = N_("signature is not valid base64 of 64 bytes")
BAD_ALGORITHM = N_("unsupported signature algorithm")
NOT_JSON = N_("file is not valid JSON")
NOT_UTF8 = N_("file is not UTF-8 text")
NOT_A_CERTIFICATE = N_("file is not an Atelier certificate")
NOT_CANONICAL = N_("file is not byte for byte the signed certificate (edited or re-formatted)")
RESULT_WITHOUT_PROOF = N_("certificate says erased or verified although its verification did not pass")


@dataclass
class VerifyOutcome:
    valid: bool
    problems: list[str] = field(default_factory=list)
    #: Details that help a person find the change (field paths, parser messages), not translated.
    details: list[str] = field(default_factory=list)
    signed: SignedCertificate | None = None

    def messages(self) -> list[str]:
        return [_(p) for p in self.problems]


def sign_certificate(cert: Certificate, key: StationKey) -> SignedCertificate:
    signature = key.sign(canonical_json(cert))
    return SignedCertificate(
        certificate=cert,
        public_key=key.public_key_b64,
        key_fingerprint=key.fingerprint,
        signature=base64.b64encode(signature).decode("ascii"),
    )


def strict_b64(text: str, length: int) -> bytes | None:
    """Decoded bytes only if `text` is the one canonical base64 spelling of `length` bytes.

    Plain b64decode ignores the spare low bits of the last character: "...A==" and "...B==" give
    the same signature, which would let a one-byte edit of the file go unnoticed.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return None
    if len(raw) != length or base64.b64encode(raw).decode("ascii") != text:
        return None
    return raw


def verify_signed(signed: SignedCertificate, expected_public_key: str | None = None) -> VerifyOutcome:
    problems: list[str] = []
    if signed.algorithm != "ed25519":
        problems.append(BAD_ALGORITHM)
    raw_key = strict_b64(signed.public_key, 32)
    public: Ed25519PublicKey | None = None
    if raw_key is None:
        problems.append(BAD_PUBLIC_KEY)
    else:
        try:
            public = Ed25519PublicKey.from_public_bytes(raw_key)
        except ValueError:
            problems.append(BAD_PUBLIC_KEY)
        # As bytes: compare_digest refuses str with non-ASCII characters (a forged fingerprint).
        if not hmac.compare_digest(fingerprint_of(raw_key).encode(), signed.key_fingerprint.encode("utf-8")):
            problems.append(FINGERPRINT_MISMATCH)
    if expected_public_key is not None and expected_public_key.strip() != signed.public_key:
        problems.append(WRONG_STATION_KEY)
    signature = strict_b64(signed.signature, 64)
    if signature is None:
        problems.append(BAD_SIGNATURE_ENCODING)
    elif public is not None:
        try:
            public.verify(signature, canonical_json(signed.certificate))
        except InvalidSignature:
            problems.append(SIGNATURE_MISMATCH)
    cert = signed.certificate
    if cert.result in ("erased", "verified") and not cert.verification.passed:
        problems.append(RESULT_WITHOUT_PROOF)
    return VerifyOutcome(valid=not problems, problems=problems, signed=signed)


def verify_certificate_bytes(data: bytes, expected_public_key: str | None = None) -> VerifyOutcome:
    """Check a certificate file exactly as stored (see the module docstring)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        return VerifyOutcome(False, [NOT_UTF8], [str(err)])
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        return VerifyOutcome(False, [NOT_JSON], [str(err)])
    try:
        signed = SignedCertificate.model_validate(obj)
    except ValidationError as err:
        details = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors(include_url=False)]
        return VerifyOutcome(False, [NOT_A_CERTIFICATE], details)
    outcome = verify_signed(signed, expected_public_key)
    if not hmac.compare_digest(canonical_json(signed), data):
        outcome.problems.insert(0, NOT_CANONICAL)
        outcome.details.append(_first_difference(canonical_json(signed), data))
        outcome.valid = False
    return outcome


def _first_difference(expected: bytes, got: bytes) -> str:
    for i, (a, b) in enumerate(zip(expected, got, strict=False)):
        if a != b:
            return f"first difference at byte {i}: {got[max(0, i - 20) : i + 20]!r}"
    return f"length {len(got)} instead of {len(expected)}"


__all__ = [
    "BAD_ALGORITHM",
    "BAD_PUBLIC_KEY",
    "BAD_SIGNATURE_ENCODING",
    "FINGERPRINT_MISMATCH",
    "NOT_A_CERTIFICATE",
    "NOT_CANONICAL",
    "NOT_JSON",
    "NOT_UTF8",
    "RESULT_WITHOUT_PROOF",
    "SIGNATURE_MISMATCH",
    "WRONG_STATION_KEY",
    "VerifyOutcome",
    "sign_certificate",
    "strict_b64",
    "verify_certificate_bytes",
    "verify_signed",
]
