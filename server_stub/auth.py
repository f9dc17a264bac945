"""Passwords, station tokens and signed sessions.

Passwords: scrypt from the standard library (memory-hard, RFC 7914; OWASP's minimum is N=2**17,
r=8, p=1), so the service needs no compiled extra dependency. The cost is stored in each hash,
so raising it later only affects new hashes.

Station tokens: 32 random bytes shown once; the database keeps their SHA-256 (a fast hash is
right for a high-entropy token: there is nothing to brute-force).

User sessions: `u.<user id>.<session version>.<expiry>.<HMAC-SHA256>`, the same string as the
cookie (UI) and as the bearer token (API). Bumping the user's `session_version` revokes them all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
STATION_TOKEN_PREFIX = "st_"
SESSION_PREFIX = "u."
SESSION_COOKIE = "atelier_session"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    # maxmem must exceed 128 * r * n bytes (128 MiB at OWASP's N=2**17), the default limit is 32 MiB.
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_DKLEN, maxmem=256 * r * n + (1 << 20)
    )


def hash_password(password: str, *, log2_n: int = 17) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, log2_n, SCRYPT_R, SCRYPT_P)
    return f"scrypt${log2_n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = _scrypt(password, _unb64(salt), int(log2_n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


#: A hash to check against when the user does not exist, so timing does not reveal user names.
def dummy_hash(log2_n: int) -> str:
    return hash_password(secrets.token_urlsafe(8), log2_n=log2_n)


def generate_password() -> str:
    """A password a person can type: 4 groups of 4 characters without look-alikes (0/O, 1/l)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def new_station_token() -> str:
    return STATION_TOKEN_PREFIX + _b64(secrets.token_bytes(32))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_enrollment_code() -> str:
    """Short enough to type from a sheet of paper, 50 bits of entropy, single use, expiring."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    session_version: int
    expires: int


def _mac(key: bytes, payload: str) -> str:
    return _b64(hmac.new(key, payload.encode("ascii"), hashlib.sha256).digest())


def sign_session(key: bytes, *, user_id: int, session_version: int, lifetime_s: int) -> str:
    payload = f"{SESSION_PREFIX}{user_id}.{session_version}.{int(time.time()) + lifetime_s}"
    return f"{payload}.{_mac(key, payload)}"


def read_session(key: bytes, token: str) -> SessionClaims | None:
    """The claims of a valid, unexpired session token; None for anything else."""
    if not token.startswith(SESSION_PREFIX) or len(token) > 256:
        return None
    payload, _, mac = token.rpartition(".")
    if not hmac.compare_digest(mac.encode("ascii", "replace"), _mac(key, payload).encode("ascii")):
        return None
    try:
        user_id, version, expires = (int(part) for part in payload[len(SESSION_PREFIX) :].split("."))
    except ValueError:
        return None
    if expires < time.time():
        return None
    return SessionClaims(user_id=user_id, session_version=version, expires=expires)


__all__ = [
    "SESSION_COOKIE",
    "STATION_TOKEN_PREFIX",
    "SessionClaims",
    "dummy_hash",
    "generate_password",
    "hash_password",
    "new_enrollment_code",
    "new_station_token",
    "normalise_code",
    "read_session",
    "sign_session",
    "token_hash",
    "verify_password",
]
