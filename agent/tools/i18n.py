"""Catalog tooling (development only, needs Babel): check and compile the French catalog.

French translations live in several `.po` files under `agent/locale/fr/po/` (one per area, so
that work on different areas never edits the same file); `compile` merges them into the one
`atelier.mo` that gettext loads at run time.

    python -m agent.tools.i18n compile   # write agent/locale/fr/LC_MESSAGES/atelier.mo
    python -m agent.tools.i18n missing   # list msgids used in the code without a French text
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "agent" / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def merged_catalog(lang: str = "fr") -> Catalog:
    # Fixed dates: the compiled .mo must be byte-for-byte reproducible (a test compares it).
    fixed = datetime(2026, 1, 1, tzinfo=UTC)
    catalog = Catalog(
        locale=lang, domain="atelier", project="atelier", creation_date=fixed, revision_date=fixed
    )
    for po in sorted((LOCALE / lang / "po").glob("*.po")):
        with po.open("rb") as handle:
            part = read_po(handle, locale=lang)
        for message in part:
            if message.id and message.string:
                catalog[message.id] = message
    return catalog


def used_msgids() -> set[str]:
    ids: set[str] = set()
    for package in ("agent", "server_stub"):
        for _fn, _lineno, message, _comments, _ctx in extract_from_dir(
            str(ROOT / package), keywords=KEYWORDS, method_map=[("**.py", "python")]
        ):
            if isinstance(message, tuple):
                ids.update(m for m in message if m)
            elif message:
                ids.add(message)
    return ids


def compiled_bytes(lang: str = "fr") -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, merged_catalog(lang), use_fuzzy=False)
    return buffer.getvalue()


def mo_path(lang: str = "fr") -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "atelier.mo"


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "compile":
        mo_path().write_bytes(compiled_bytes())
        print(f"wrote {mo_path().relative_to(ROOT)} ({len(merged_catalog())} messages)")
        return 0
    if command == "missing":
        known = {m.id for m in merged_catalog() if m.id}
        missing = sorted(used_msgids() - known)
        for msgid in missing:
            print(repr(msgid))
        return 1 if missing else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
