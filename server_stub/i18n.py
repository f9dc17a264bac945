"""Per-request translations for documents the server renders (CSV, PDF).

`agent.i18n` holds one process-wide language, which concurrent requests in a threaded server
would fight over; here each call takes its language explicitly, from the same catalog.
"""

from __future__ import annotations

import datetime as dt
import gettext
from collections.abc import Callable
from functools import lru_cache

from agent.i18n import DOMAIN, LOCALE_DIR

LANGS = ("fr", "en")


@lru_cache(maxsize=4)
def _translations(lang: str) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def translator(lang: str) -> Callable[[str], str]:
    return _translations(lang if lang in LANGS else "fr").gettext


def day(value: dt.date | dt.datetime | None, lang: str) -> str:
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if lang == "fr" else value.strftime("%Y-%m-%d")


__all__ = ["LANGS", "day", "translator"]
