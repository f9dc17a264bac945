"""Translations through gettext catalogs; French is the default language.

Source strings (msgids) are English; `agent/locale/fr/LC_MESSAGES/atelier.po` carries the French
text a technician reads by default. `make i18n` compiles the catalogs (`.mo`), which are committed
so the live image needs no build tools; a test checks they are up to date and complete.
"""

from __future__ import annotations

import os

from agent._typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

DOMAIN = "atelier"
LOCALE_DIR = os.path.join(os.path.dirname(__file__), "locale")
SUPPORTED = ("fr", "en")
DEFAULT_LANG = "fr"

# The catalog is read on the first translated message, not when the language is chosen: reading
# its thousand entries is a noticeable part of `atelier inventory --json`, which shows none.
_current: gettext.NullTranslations | None = None
_lang = ""


def set_language(lang: str | None) -> str:
    """Select the language for every later `_()` call; unknown languages fall back to French."""
    global _current, _lang
    code = (lang or os.environ.get("ATELIER_LANG") or DEFAULT_LANG).split("_")[0].split(".")[0].lower()
    if code not in SUPPORTED:
        code = DEFAULT_LANG
    if code == _lang:
        return code  # the catalog is already loaded: reading it again costs start-up time
    _lang = code
    _current = None
    return code


def _catalog() -> gettext.NullTranslations:
    global _current
    current = _current
    if current is None:
        import gettext

        if _lang == "en":
            current = gettext.NullTranslations()
        else:
            current = gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[_lang], fallback=True)
        _current = current
    return current


def current_language() -> str:
    return _lang


def _(message: str) -> str:
    return _catalog().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translated where it is shown)."""
    return message


set_language(None)

__all__ = ["DEFAULT_LANG", "N_", "SUPPORTED", "_", "current_language", "ngettext", "set_language"]
