"""The Jinja2 environment (autoescape always on) and the per-request context every page gets.

Text in templates is written `_("English msgid", name=value)`: `_` is bound per request to the
page's language (French unless the user chose English), and the result is still escaped, so a
translation can never inject markup.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from server_stub.i18n import LANGS, translator
from server_stub.web import format as fmt
from server_stub.web import labels

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
LANG_COOKIE = "atelier_lang"
#: No inline script or style anywhere (charts use SVG attributes): a CSP that forbids them makes an
#: escaping mistake harmless instead of exploitable.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        # Every template is HTML: escape everything, whatever the file name says.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["labels"] = labels
    return env


def page_lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, "fr")
    return lang if lang in LANGS else "fr"


def gettext_for(lang: str) -> Callable[..., str]:
    tr = translator(lang)

    def _(msgid: str, /, **values: Any) -> str:
        text = tr(msgid)
        return text.format(**values) if values else text

    return _


def _formatters(lang: str) -> dict[str, Callable[..., str]]:
    return {
        "size": lambda n, binary=False: fmt.size(n, lang, binary=binary),
        "day": lambda v: fmt.day(v, lang),
        "timestamp": lambda v: fmt.timestamp(v, lang),
        "number": lambda v, decimals=0: fmt.number(v, lang, decimals),
        "percent": lambda v: fmt.percent(v, lang),
        "duration": fmt.duration,
        "iso_day": fmt.iso_day,
    }


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    lang = page_lang(request)
    values: dict[str, Any] = {
        "request": request,
        "lang": lang,
        "_": gettext_for(lang),
        "viewer": getattr(request.state, "viewer", None),
        "path": request.url.path,
        **_formatters(lang),
    }
    if context:
        values.update(context)
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status_code, headers=dict(headers or {}))
    # Pages show donors' data: never cached by a shared proxy or the browser's back-forward cache.
    response.headers.setdefault("Cache-Control", "no-store")
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


__all__ = [
    "LANG_COOKIE",
    "SECURITY_HEADERS",
    "TEMPLATES",
    "environment",
    "gettext_for",
    "page_lang",
    "render",
]
