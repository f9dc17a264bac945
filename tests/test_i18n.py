"""The French catalog covers every message and the committed .mo matches the .po files."""

from __future__ import annotations

import pytest

pytest.importorskip("babel")

from agent.i18n import _, set_language
from agent.tools import i18n as tool


def test_every_message_has_a_french_text() -> None:
    known = {m.id for m in tool.merged_catalog() if m.id}
    missing = sorted(tool.used_msgids() - known)
    assert not missing, f"add French texts to agent/locale/fr/po/*.po: {missing[:20]}"


def test_compiled_catalog_is_up_to_date() -> None:
    assert tool.mo_path().read_bytes() == tool.compiled_bytes(), "run `make i18n` and commit the .mo"


def test_language_switch() -> None:
    set_language("fr")
    assert _("interrupted") == "interrompu"
    set_language("en")
    assert _("interrupted") == "interrupted"


def test_no_msgid_translated_two_ways() -> None:
    """Each area has its own .po file; the same English text must not get two French texts."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po in sorted((tool.LOCALE / "fr" / "po").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                if not (message.id and message.string):
                    continue
                first = seen.setdefault(str(message.id), (po.name, str(message.string)))
                if first[1] != message.string:
                    clashes.append((message.id, first, (po.name, message.string)))
    assert not clashes, f"same msgid, different French (use a more specific English text): {clashes}"
