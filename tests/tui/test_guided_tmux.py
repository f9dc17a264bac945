"""The guided screen in a real terminal (tmux, 80×25, TERM=linux), from the first prompt to the end.

The steps behind the screen are substitutes (tests/run/run_stubs.py) so this test runs anywhere;
test_run_real_tmux.py drives the real `atelier run` on a loop device and the real server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.tui.tmux_driver import Tmux

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "tests" / "tui" / "stub_app.py"


def start(data_dir: Path, lang: str, term: str = "linux") -> Tmux:
    env = {"TERM": term, "ATELIER_CMDLINE": "/dev/null", "PYTHONPATH": str(ROOT)}
    return Tmux([sys.executable, str(APP), str(data_dir), "--lang", lang, "--erase-delay", "0.4"], env=env)


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "fr",
            {
                "prompt": "Code d'inventaire :",
                "bad": "n'est pas un code d'inventaire",
                "step": "Étape 4/9 : Plan d'effacement",
                "confirm": "Tapez EFFACER pour confirmer",
                "word": "EFFACER",
                "erasing": "Étape 5/9 : Effacement",
                "phase": "écriture",
                "next": "-> Réemploi : étiquette verte, étagère A",
                "disk": "effacé et vérifié",
                "spooled": "le rapport reste sur la clé USB",
                "memory": "Mémoire    8 Go",
            },
        ),
        (
            "en",
            {
                "prompt": "Asset code:",
                "bad": "is not an asset code",
                "step": "Step 4/9: Erasure plan",
                "confirm": "Tapez EFFACER pour confirmer",
                "word": "EFFACER",
                "erasing": "Step 5/9: Erasure",
                "phase": "writing",
                "next": "-> Reuse: green label, shelf A",
                "disk": "erased and verified",
                "spooled": "the report stays on the USB stick",
                "memory": "Memory    8 GB",
            },
        ),
    ],
)
def test_guided_run_from_prompt_to_final_screen(tmp_path: Path, lang: str, texts: dict[str, str]) -> None:
    tmux = start(tmp_path, lang)
    try:
        screen = tmux.wait_for(texts["prompt"])
        assert "ATELIER" in screen and ("1/9" in screen)
        tmux.send("pc 12")
        tmux.wait_for(texts["bad"])
        tmux.send("pc-2026-0042")
        screen = tmux.wait_for(texts["confirm"])
        assert texts["step"] in screen and "PC-2026-0042" in screen and "ThinkPad T460" in screen
        assert texts["memory"] in screen
        tmux.send(texts["word"])
        screen = tmux.wait_for(texts["erasing"])
        screen = tmux.wait_for(" %")
        assert texts["phase"] in screen and "/dev/stubdisk0" in screen and "%" in screen
        screen = tmux.wait_for(texts["next"], timeout=20)
        assert "█████" in screen  # the grade in big block letters
        assert texts["disk"] in screen and texts["spooled"] in screen
        lines = screen.splitlines()
        assert len(lines) <= 25 and max(len(line) for line in lines) <= 80
        tmux.send("")
        assert "EXIT=6" in tmux.wait_for("EXIT=")  # spooled, not delivered (no server)
    finally:
        tmux.close()


def test_serial_console_falls_back_to_ascii(tmp_path: Path) -> None:
    tmux = start(tmp_path, "fr", term="vt100")
    try:
        screen = tmux.wait_for("Code d'inventaire")
        assert "+----" in screen and "Etape 1/9" in screen  # ASCII box, accents dropped
        tmux.send("PC-0001")
        tmux.send("EFFACER")
        screen = tmux.wait_for("-> Reemploi", timeout=20)
        assert "#####" in screen and all(ord(ch) < 128 for ch in screen)
        tmux.send("")
        tmux.wait_for("EXIT=")
    finally:
        tmux.close()
