"""The system's `pci.ids` database, looked up lazily: only the ids a probe asks for are searched.

The file is ~1.3 MB with ~40,000 devices; parsing all of it would cost more than the whole
hardware inventory. Vendor lines start a line (`8086  Intel Corporation`), their devices follow
indented by one tab (`\t1916  Skylake GT2 [HD Graphics 520]`), sub-devices by two.
"""

from __future__ import annotations

PATHS = ("/usr/share/hwdata/pci.ids", "/usr/share/misc/pci.ids", "/usr/share/pci.ids")


def _block_end(text: str, start: int) -> int:
    """The next line at or after `start` (a line start) that is neither indented, a comment nor
    empty: the end of a vendor's block (string methods: a regular expression compiled at start
    is a measurable part of the inventory under emulated CPUs)."""
    pos = start
    while pos < len(text):
        if text[pos] not in "\t#\n":
            return pos
        newline = text.find("\n", pos)
        if newline < 0:
            break
        pos = newline + 1
    return len(text)


def _norm(pci_id: str) -> str:
    text = pci_id.strip().lower()
    return text[2:] if text.startswith("0x") else text


class PciIds:
    def __init__(self, text: str) -> None:
        self._text = text if text.startswith("\n") else "\n" + text
        self._vendors: dict[str, tuple[str | None, int, int]] = {}

    def _vendor_block(self, vendor_id: str) -> tuple[str | None, int, int]:
        vid = _norm(vendor_id)
        if vid in self._vendors:
            return self._vendors[vid]
        found: tuple[str | None, int, int] = (None, -1, -1)
        if len(vid) == 4:
            start = self._text.find(f"\n{vid}  ")
            if start >= 0:
                line_end = self._text.find("\n", start + 1)
                line_end = len(self._text) if line_end < 0 else line_end
                name = self._text[start + 7 : line_end].strip() or None
                found = (name, line_end, _block_end(self._text, line_end + 1))
        self._vendors[vid] = found
        return found

    def vendor(self, vendor_id: str) -> str | None:
        return self._vendor_block(vendor_id)[0]

    def device(self, vendor_id: str, device_id: str) -> str | None:
        _, start, end = self._vendor_block(vendor_id)
        did = _norm(device_id)
        if start < 0 or len(did) != 4:
            return None
        pos = self._text.find(f"\n\t{did}  ", start, end)
        if pos < 0:
            return None
        line_end = self._text.find("\n", pos + 1)
        return self._text[pos + 8 : line_end if line_end >= 0 else None].strip() or None


__all__ = ["PATHS", "PciIds"]
