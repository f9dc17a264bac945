"""French and English texts side by side.

Reports keep both languages (a printed sheet is French, the server's exports may be English),
so a check builds each sentence twice: the English msgid and its French catalog entry. Msgids
are marked with `N_()` at the call site so the catalog tool finds them.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import lru_cache

from agent.i18n import DOMAIN, LOCALE_DIR, current_language


@lru_cache(maxsize=1)
def _french() -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=["fr"], fallback=True)


@dataclass(frozen=True)
class Text:
    """One sentence in both languages."""

    en: str
    fr: str

    def local(self) -> str:
        """The sentence in the language the agent speaks now."""
        return self.fr if current_language() == "fr" else self.en


def text(msgid: str, **values: object) -> Text:
    """Both languages of a catalog message, formatted with `values` (`str.format` fields)."""
    return Text(en=msgid.format(**values), fr=_french().gettext(msgid).format(**values))


def french_number(value: float, decimals: int = 0) -> str:
    """A number as a French reader writes it (decimal comma)."""
    return f"{value:.{decimals}f}".replace(".", ",")


__all__ = ["Text", "french_number", "text"]
