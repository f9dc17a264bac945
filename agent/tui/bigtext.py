"""Large block letters, five rows high, readable from a step away on an 80×25 console.

Drawn here rather than with pyfiglet: one glyph table, no dependency, and the same blocks in
every charset (█ on a console, # on a serial line).
"""

from __future__ import annotations

import unicodedata

# fmt: off
_GLYPHS: dict[str, tuple[str, str, str, str, str]] = {
    "A": (" ### ", "#   #", "#####", "#   #", "#   #"),
    "B": ("#### ", "#   #", "#### ", "#   #", "#### "),
    "C": (" ####", "#    ", "#    ", "#    ", " ####"),
    "D": ("#### ", "#   #", "#   #", "#   #", "#### "),
    "E": ("#####", "#    ", "#### ", "#    ", "#####"),
    "F": ("#####", "#    ", "#### ", "#    ", "#    "),
    "G": (" ####", "#    ", "#  ##", "#   #", " ####"),
    "H": ("#   #", "#   #", "#####", "#   #", "#   #"),
    "I": ("#####", "  #  ", "  #  ", "  #  ", "#####"),
    "J": ("#####", "   # ", "   # ", "#  # ", " ##  "),
    "K": ("#   #", "#  # ", "###  ", "#  # ", "#   #"),
    "L": ("#    ", "#    ", "#    ", "#    ", "#####"),
    "M": ("#   #", "## ##", "# # #", "#   #", "#   #"),
    "N": ("#   #", "##  #", "# # #", "#  ##", "#   #"),
    "O": (" ### ", "#   #", "#   #", "#   #", " ### "),
    "P": ("#### ", "#   #", "#### ", "#    ", "#    "),
    "Q": (" ### ", "#   #", "# # #", "#  # ", " ## #"),
    "R": ("#### ", "#   #", "#### ", "#  # ", "#   #"),
    "S": (" ####", "#    ", " ### ", "    #", "#### "),
    "T": ("#####", "  #  ", "  #  ", "  #  ", "  #  "),
    "U": ("#   #", "#   #", "#   #", "#   #", " ### "),
    "V": ("#   #", "#   #", "#   #", " # # ", "  #  "),
    "W": ("#   #", "#   #", "# # #", "## ##", "#   #"),
    "X": ("#   #", " # # ", "  #  ", " # # ", "#   #"),
    "Y": ("#   #", " # # ", "  #  ", "  #  ", "  #  "),
    "Z": ("#####", "   # ", "  #  ", " #   ", "#####"),
    "0": (" ### ", "#  ##", "# # #", "##  #", " ### "),
    "1": ("  #  ", " ##  ", "  #  ", "  #  ", " ### "),
    "2": (" ### ", "#   #", "  ## ", " #   ", "#####"),
    "3": ("#### ", "    #", " ### ", "    #", "#### "),
    "4": ("#   #", "#   #", "#####", "    #", "    #"),
    "5": ("#####", "#    ", "#### ", "    #", "#### "),
    "6": (" ### ", "#    ", "#### ", "#   #", " ### "),
    "7": ("#####", "    #", "   # ", "  #  ", "  #  "),
    "8": (" ### ", "#   #", " ### ", "#   #", " ### "),
    "9": (" ### ", "#   #", " ####", "    #", " ### "),
    "-": ("     ", "     ", " ### ", "     ", "     "),
    "!": ("  #  ", "  #  ", "  #  ", "     ", "  #  "),
    "?": (" ### ", "#   #", "  ## ", "     ", "  #  "),
    ":": ("     ", "  #  ", "     ", "  #  ", "     "),
    " ": ("   ", "   ", "   ", "   ", "   "),
}
# fmt: on
HEIGHT = 5


def _plain(ch: str) -> str:
    return unicodedata.normalize("NFKD", ch)[0].upper()


def render(text: str, block: str = "█", *, gap: int = 1) -> list[str]:
    """Rows of `text` in block letters; unknown characters become '?'."""
    rows = [""] * HEIGHT
    for index, ch in enumerate(text):
        glyph = _GLYPHS.get(_plain(ch)) if ch else None
        glyph = glyph or _GLYPHS["?"]
        for r in range(HEIGHT):
            rows[r] += ("" if index == 0 else " " * gap) + glyph[r].replace("#", block)
    return [row.rstrip() for row in rows]


def width(text: str, *, gap: int = 1) -> int:
    return sum(len((_GLYPHS.get(_plain(c)) or _GLYPHS["?"])[0]) for c in text) + gap * max(0, len(text) - 1)


__all__ = ["HEIGHT", "render", "width"]
