"""The station's Ed25519 key: generated once, kept with the agent's data, registered on the server.

The private key never leaves `station.key` (PEM PKCS#8, mode 0600). Regenerating it would orphan
every certificate already registered, so `load_or_create` refuses to overwrite an unreadable key.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from agent.errors import EnvironmentProblem, InputError
from agent.i18n import _
from agent.storage import atomic_write

KEY_FILE = "station.key"


def raw_public_bytes(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(raw_public: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex — the value printed on every certificate."""
    return hashlib.sha256(raw_public).hexdigest()


@dataclass(frozen=True)
class StationKey:
    private_key: Ed25519PrivateKey
    path: Path | None = None

    @classmethod
    def generate(cls) -> StationKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load(cls, path: Path) -> StationKey:
        try:
            data = path.read_bytes()
            key = serialization.load_pem_private_key(data, password=None)
        except (OSError, ValueError, TypeError) as err:
            raise InputError(
                _("The station key {path} cannot be read: {error}").format(path=path, error=err)
            ) from err
        if not isinstance(key, Ed25519PrivateKey):
            raise InputError(_("The station key {path} is not an Ed25519 key.").format(path=path))
        return cls(key, path)

    @classmethod
    def load_or_create(cls, data_dir: Path) -> StationKey:
        """The key in `data_dir/station.key`, created (once) when there is none yet."""
        path = Path(data_dir) / KEY_FILE
        if path.exists():
            return cls.load(path)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            os.makedirs(path.parent, exist_ok=True)
            atomic_write(path, pem, mode=0o600)
        except OSError as err:
            raise EnvironmentProblem(
                _("Cannot create the station key in {path}: {error}").format(
                    path=path.parent, error=err.strerror or err
                )
            ) from err
        return cls(key, path)

    @property
    def public_key_raw(self) -> bytes:
        return raw_public_bytes(self.private_key.public_key())

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key_raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.public_key_raw)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


__all__ = ["KEY_FILE", "StationKey", "fingerprint_of", "raw_public_bytes"]
