"""Screens rendered off-terminal: 80×25 fits, big letters, charset fallbacks, no prompt when unattended."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from agent.i18n import set_language
from agent.report import Grade, GradeReason, Upgrade
from agent.run.summary import DiskOutcome, RunSummary
from agent.tui import bigtext
from agent.tui.guided import GuidedUI
from agent.tui.log import LogUI
from agent.tui.term import Charset, detect


def test_charset_detection() -> None:
    assert detect({"TERM": "linux"}, "utf-8").level == "linux"
    assert detect({"TERM": "xterm-256color"}, "UTF-8").level == "unicode"
    assert detect({"TERM": "vt220"}, "utf-8").level == "ascii"
    assert detect({"TERM": "xterm"}, "ANSI_X3.4-1968").level == "ascii"
    assert detect({"TERM": "xterm", "ATELIER_CHARSET": "linux"}, "utf-8").level == "linux"


def test_linux_console_and_ascii_fallbacks() -> None:
    text = "→ Réemploi : 16\u202fGo… █"
    assert Charset("linux").fit(text) == "-> Réemploi : 16 Go... █"
    assert Charset("ascii").fit(text) == "-> Reemploi : 16 Go... #"
    assert Charset("ascii").fit("2 cœurs, l’écran") == "2 coeurs, l'ecran"


def test_big_letters() -> None:
    rows = bigtext.render("A-1", "#")
    assert len(rows) == 5 and rows[2].startswith("#####")
    assert bigtext.width("RECYCLAGE") == 9 * 5 + 8
    assert bigtext.render("é", "#") == bigtext.render("E", "#")


def summary(grade: str, outcome: str) -> RunSummary:
    reasons = [
        GradeReason(
            rule=f"r{i}", grade="B", message_fr=f"raison numéro {i} " * 6, message_en=f"reason {i} " * 6
        )
        for i in range(5)
    ]
    return RunSummary(
        report_id="r",
        asset_code="PC-2026-0042",
        machine="LENOVO ThinkPad T460 (S/N PF0ABCDE)",
        grade=Grade(
            grade=grade,  # type: ignore[arg-type]
            outcome=outcome,  # type: ignore[arg-type]
            reasons=reasons,
            upgrades=[Upgrade(part="ssd", message_fr="ajouter un SSD", message_en="add an SSD")] * 3,
        ),
        disks=[DiskOutcome("/dev/sda", "ST500LM000", "S1", "erased", restarted=True)] * 4,
        upload="pending",
        upload_message="L'inventaire est injoignable : le rapport est gardé sur la clé USB.",
    )


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    ("grade", "outcome"), [("A", "reuse"), ("B", "reuse-after-upgrade"), ("C", "parts"), ("D", "recycle")]
)
def test_final_screen_fits_a_bare_console(lang: str, grade: str, outcome: str) -> None:
    set_language(lang)
    out = io.StringIO()
    console = Console(file=out, width=80, height=25, color_system=None, force_terminal=False)
    ui = GuidedUI(console, charset=Charset("linux"))
    ui.asset_code = "PC-2026-0042"
    ui.show_summary(summary(grade, outcome))
    lines = out.getvalue().rstrip("\n").splitlines()
    assert len(lines) <= 25, "\n".join(lines)
    assert max(len(line) for line in lines) <= 80
    screen = out.getvalue()
    assert "█████" in screen and "->" in screen and "→" not in screen and "\u202f" not in screen
    if lang == "fr":
        assert {"A": "Réemploi", "B": "amélioration", "C": "Pièces", "D": "Recyclage"}[grade] in screen
        assert "recommencé après une interruption" in screen


def test_unattended_log_never_asks() -> None:
    out = io.StringIO()
    ui = LogUI(out, charset=Charset("ascii"))
    assert ui.interactive is False and ui.interactive_checks() is None
    with pytest.raises(RuntimeError):
        ui.ask_asset_code()
    ui.show_summary(summary("A", "reuse"))
    assert "Classe : A" in out.getvalue() and all(ord(c) < 128 for c in out.getvalue())
