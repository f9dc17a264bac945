"""A fast, seekable cryptographic pattern: AES-128-CTR keystream written into preallocated buffers.

Byte `o` of a pass is byte `o` of the AES-CTR keystream under that pass's key, so any aligned
range can be regenerated on its own: verification re-creates the expected bytes of a random pass
at any offset (full read-back or samples) without storing them. Encrypting zeros with
`update_into` avoids an allocation per chunk; `cryptography` reaches ~6 GB/s on one core here
(nwipe's fastest PRNG, AES-CTR, ~2.9 GB/s).
"""

from __future__ import annotations

import mmap
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK = 16
#: `update_into` wants room for one block beyond the data it is given.
SLACK = _BLOCK
PLAINTEXT_STEP = 1024 * 1024


def new_seed() -> bytes:
    """A fresh 128-bit key per pass: the stream is unpredictable to anyone but this run."""
    return os.urandom(16)


@dataclass
class Keystream:
    """AES-128-CTR keystream of one pass; `fill(out, offset)` writes bytes [offset, offset+len)."""

    seed: bytes
    _zeros: mmap.mmap | None = field(default=None, repr=False)
    #: The encryptor of the last `fill` and the offset it stopped at: a sequential pass continues it.
    _encryptor: Any = field(default=None, repr=False)
    _next_offset: int = field(default=-1, repr=False)

    def __post_init__(self) -> None:
        if len(self.seed) != 16:
            raise ValueError("keystream seed must be 16 bytes")

    def _zero_source(self, n: int) -> memoryview:
        if self._zeros is None or len(self._zeros) < n:
            if self._zeros is not None:
                self._zeros.close()
            # Anonymous mappings are zero-filled and never written: the plaintext of the stream.
            self._zeros = mmap.mmap(-1, max(n, mmap.PAGESIZE))
        return memoryview(self._zeros)[:n]

    def fill(self, out: memoryview, offset: int, length: int | None = None) -> None:
        """Write keystream bytes [offset, offset+length) into `out[:length]`.

        `out` must hold `length + SLACK` bytes (cryptography's `update_into` contract); `offset`
        must be a multiple of 16 — always true for sector-aligned I/O.
        """
        n = len(out) - SLACK if length is None else length
        if offset % _BLOCK:
            raise ValueError("keystream offset must be a multiple of 16")
        if len(out) < n + SLACK:
            raise ValueError("output buffer needs 16 bytes of slack")
        encryptor = self._encryptor
        if encryptor is None or offset != self._next_offset:
            counter = (offset // _BLOCK).to_bytes(16, "big")
            encryptor = Cipher(algorithms.AES(self.seed), modes.CTR(counter)).encryptor()
        # The zero plaintext is read in 1 MiB steps so it stays in the CPU cache: ~12 % faster
        # here than streaming 8 MiB of zeros through memory alongside the 8 MiB written.
        zeros = self._zero_source(min(n, PLAINTEXT_STEP))
        written = 0
        pos = 0
        while pos < n:
            step = min(PLAINTEXT_STEP, n - pos)
            written += encryptor.update_into(zeros[:step], out[pos : pos + step + SLACK])
            pos += step
        # CTR keeps a partial block between calls; only whole blocks let the next call continue.
        self._encryptor, self._next_offset = (encryptor, offset + n) if n % _BLOCK == 0 else (None, -1)
        if written != n:  # pragma: no cover - CTR is a stream mode: all bytes come out at once
            raise RuntimeError(f"keystream produced {written} of {n} bytes")

    def bytes_at(self, offset: int, length: int) -> bytes:
        """Convenience for tests and small reads (allocates)."""
        buf = bytearray(length + SLACK)
        self.fill(memoryview(buf), offset, length)
        return bytes(buf[:length])

    def close(self) -> None:
        if self._zeros is not None:
            self._zeros.close()
            self._zeros = None


__all__ = ["PLAINTEXT_STEP", "SLACK", "Keystream", "new_seed"]
