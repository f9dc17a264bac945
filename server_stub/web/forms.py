"""Reading form and query values leniently: a bad value becomes a message on the page, never a 500.

Query strings come from bookmarks and hand-edited URLs; forms from people in a hurry. Each
reader returns the value or None and records a translated message (English msgid) per field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agent.i18n import N_

MAX_TEXT = 5000
MIN_YEAR, MAX_YEAR = 1980, 2200


@dataclass(frozen=True)
class Message:
    """An English msgid and its values, translated where it is shown."""

    msgid: str
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Fields:
    """Values of one form or query string, with the problems found while reading them."""

    source: Mapping[str, Any]
    #: field name -> message (translated by the template).
    errors: dict[str, Message] = field(default_factory=dict)

    def text(self, name: str, *, limit: int = 200, required: bool = False) -> str | None:
        raw = self.source.get(name)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            if required:
                self.errors[name] = Message(N_("This field is required."))
            return None
        if len(value) > limit:
            self.errors[name] = Message(N_("Too long: at most {limit} characters."), {"limit": limit})
            return None
        return value

    def choice(
        self, name: str, allowed: Mapping[str, Any] | tuple[str, ...], *, required: bool = False
    ) -> str | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        if value not in allowed:
            self.errors[name] = Message(N_("Choose one of the proposed values."))
            return None
        return value

    def integer(
        self, name: str, *, minimum: int = 0, maximum: int = 10_000_000, required: bool = False
    ) -> int | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        try:
            number = int(value)
        except ValueError:
            self.errors[name] = Message(N_("Type a whole number."))
            return None
        if not minimum <= number <= maximum:
            self.errors[name] = Message(N_("Type a whole number."))
            return None
        return number

    def date(self, name: str, *, required: bool = False) -> dt.date | None:
        value = self.text(name, required=required)
        if value is None:
            return None
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                day = dt.datetime.strptime(value, pattern).date()
            except ValueError:
                continue
            # Year 9999 would overflow the "day after" bound of date filters; no inventory date
            # is outside these years anyway.
            if MIN_YEAR <= day.year <= MAX_YEAR:
                return day
        self.errors[name] = Message(N_("Type a date like 29/11/2026."))
        return None

    def flag(self, name: str) -> bool:
        return self.source.get(name) in ("1", "on", "true", "yes")

    @property
    def ok(self) -> bool:
        return not self.errors


def asset_code_list(text: str) -> list[str]:
    """Asset codes pasted or scanned one per line (a barcode scanner types the code then Enter);
    commas and semicolons from a spreadsheet copy work too."""
    codes: list[str] = []
    for line in text.replace(";", "\n").replace(",", "\n").replace("\t", "\n").splitlines():
        code = line.strip()
        if code:
            codes.append(code)
    return list(dict.fromkeys(codes))


__all__ = ["MAX_TEXT", "Fields", "Message", "asset_code_list"]
