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
