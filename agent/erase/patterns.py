"""Overwrite patterns: what a pass writes, and how to produce it at any offset (for verification)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from agent.erase.buffers import AlignedBuffer
from agent.erase.keystream import Keystream, new_seed

PatternKind = Literal["zeros", "ones", "random", "byte"]


@dataclass(frozen=True)
class Pattern:
    kind: PatternKind
    byte: int | None = None

    @classmethod
    def parse(cls, text: str) -> Pattern:
        """'zeros', 'ones', 'random', or a byte '0x55' / 'byte:0x55' (policy files)."""
        value = text.strip().lower()
        if value in ("zeros", "zero", "0x00"):
            return cls("zeros")
        if value in ("ones", "0xff"):
            return cls("ones")
        if value == "random":
            return cls("random")
        raw = value.removeprefix("byte:")
        try:
            number = int(raw, 0)
        except ValueError:
            raise ValueError(f"unknown pattern {text!r} (zeros, ones, random or a byte like 0x55)") from None
        if not 0 <= number <= 255:
            raise ValueError(f"pattern byte {text!r} out of range 0..255")
        return cls("byte", number)

    @property
    def constant_byte(self) -> int | None:
        if self.kind == "zeros":
            return 0
        if self.kind == "ones":
            return 0xFF
        if self.kind == "byte":
            return self.byte
        return None

    def label(self) -> str:
        return f"byte 0x{self.byte:02x}" if self.kind == "byte" and self.byte is not None else self.kind


class PatternSource:
    """Fills buffers with a pattern's bytes at a given device offset; random passes own their seed."""

    def __init__(self, pattern: Pattern, seed: bytes | None = None) -> None:
        self.pattern = pattern
        self.stream: Keystream | None = None
        if pattern.kind == "random":
            self.stream = Keystream(seed or new_seed())

    @property
    def constant(self) -> bool:
        return self.stream is None

    def prepare(self, buf: AlignedBuffer) -> None:
        """For constant patterns: fill once, then `fill` is a no-op."""
        value = self.pattern.constant_byte
        if value is not None:
            buf.fill_byte(value)

    def fill(self, buf: AlignedBuffer, offset: int, n: int) -> None:
        if self.stream is not None:
            self.stream.fill(buf.with_slack(n), offset, n)

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


__all__ = ["Pattern", "PatternKind", "PatternSource"]
