"""Signed erasure and verification certificates: the station key, signing, PDF and files."""

from agent.certs.keys import StationKey
from agent.certs.sign import VerifyOutcome, sign_certificate, verify_certificate_bytes, verify_signed

__all__ = [
    "StationKey",
    "VerifyOutcome",
    "sign_certificate",
    "verify_certificate_bytes",
    "verify_signed",
]
