"""What the terminal can show: a UTF-8 emulator, the bare Linux console, or a serial line.

The Linux console's font (CP437-like, 256/512 glyphs) has box lines, blocks and Latin-1 accents,
but no arrows, ellipsis or narrow no-break space; serial consoles are often 7-bit or set to an
unknown charset. So text goes through `Charset.fit`, which degrades character by character.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Mapping
from typing import Literal

from agent._record import Record

Level = Literal["unicode", "linux", "ascii"]

#: Characters missing from the Linux console font, and their closest stand-in.
_LINUX_MAP = {
    "\u202f": " ",  # narrow no-break space (fmt.size "16 Go")
    "\u2009": " ",
    "→": "->",
    "←": "<-",
    "…": "...",
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "✓": "OK",
    "✗": "X",
    "•": "*",
    "≥": ">=",
    "≤": "<=",
}
_ASCII_BLOCKS = {
    "█": "#",
    "░": ".",
    "▒": ":",
    "▓": "#",
    "▀": "#",
    "▄": "#",
    "─": "-",
    "│": "|",
    "«": '"',
    "»": '"',
    # Ligatures have no NFKD decomposition: without these, "cœurs" would come out as "curs".
    "œ": "oe",
    "Œ": "OE",
    "æ": "ae",
    "Æ": "AE",
    "’": "'",
    "…": "...",
    "\u202f": " ",
    "\u00a0": " ",
}

_SERIAL_TERMS = ("vt100", "vt102", "vt220", "vt52", "dumb", "ansi", "xterm-mono")


class Charset(Record, frozen=True):
    level: Level

    @property
    def block(self) -> str:
        return "#" if self.level == "ascii" else "█"

    @property
    def shade(self) -> str:
        return "." if self.level == "ascii" else "░"

    @property
    def arrow(self) -> str:
        return "->" if self.level != "unicode" else "→"

    def fit(self, text: str) -> str:
        if self.level == "unicode":
            return text
        out = "".join(_LINUX_MAP.get(ch, ch) for ch in text)
        if self.level == "linux":
            return out
        out = "".join(_ASCII_BLOCKS.get(ch, ch) for ch in out)
        # Accents dropped last: "Réemploi" is still readable as "Reemploi" on a 7-bit line.
        decomposed = unicodedata.normalize("NFKD", out)
        return "".join(ch for ch in decomposed if ord(ch) < 128)


def detect(env: Mapping[str, str] | None = None, encoding: str | None = None) -> Charset:
    env = os.environ if env is None else env
    forced = env.get("ATELIER_CHARSET", "").lower()
    if forced in ("unicode", "linux", "ascii"):
        return Charset(forced)  # type: ignore[arg-type]
    enc = (encoding or getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "")
    term = env.get("TERM", "").lower()
    if enc not in ("utf8",) or term in _SERIAL_TERMS or term.startswith("vt"):
        return Charset("ascii")
    if term == "linux":
        return Charset("linux")
    return Charset("unicode")


__all__ = ["Charset", "Level", "detect"]
