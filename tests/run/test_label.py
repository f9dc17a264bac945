"""Labels: French specs a beneficiary reads, QR + Code 128, 62 mm tape and A4 sheet, printing via lp."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from agent.cli.main import main
from agent.host import CommandResult
from agent.i18n import set_language
from agent.label import label_content, print_or_save, render_label
from agent.report import (
    Battery,
    CertDisk,
    Certificate,
    Cpu,
    Disk,
    Display,
    Grade,
    Memory,
    MemoryModule,
    Report,
    SignedCertificate,
    Verification,
)


def report() -> Report:
    erased = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    cert = Certificate(
        certificate_id=uuid.uuid4(),
        kind="erasure",
        result="erased",
        disk=CertDisk(name="sda"),
        technique="overwrite",
        verification=Verification(method="full", passed=True),
        started_at=erased,
        finished_at=erased,
    )
    return Report(
        agent_version="t",
        asset_code="PC-2026-0042",
        cpus=[Cpu(model="Intel(R) Core(TM) i5-6300U CPU @ 2.40GHz", cores=2)],
        memory=Memory(total_bytes=8 * 1024**3, modules=[MemoryModule(type="DDR4", size_bytes=8 * 1024**3)]),
        disks=[Disk(name="sda", path="/dev/sda", size_bytes=256_060_514_304, media_type="ssd")],
        batteries=[Battery(name="BAT0", health_percent=83.4)],
        displays=[Display(diagonal_inches=14.0, native_width=1920, native_height=1080)],
        grade=Grade(grade="A", outcome="reuse"),
        certificates=[SignedCertificate(certificate=cert, public_key="", key_fingerprint="", signature="")],
    )


def test_french_specs_on_the_label() -> None:
    content = label_content(report())
    lines = dict(content.lines)
    assert lines["Processeur"] == "Intel Core i5-6300U, 2 cœurs"
    assert lines["Mémoire"] == "8\u202fGo DDR4"
    assert lines["Stockage"] == "256\u202fGo SSD"
    assert lines["Écran"] == '14" (1920×1080)'
    assert lines["Batterie"] == "83 %"
    assert lines["Classe"] == "A"
    assert lines["Effacé le"] == "29/11/2026"


def test_english_label() -> None:
    set_language("en")
    lines = dict(label_content(report()).lines)
    assert lines["Memory"] == "8 GB DDR4" and lines["Erased on"] == "2026-11-29"


def test_unknown_values_are_left_out() -> None:
    content = label_content(Report(agent_version="t", asset_code="PC-1"))
    assert content.lines == [] and content.asset_code == "PC-1"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("fmt", ["tape62", "a4"])
def test_pdf_renders_with_the_asset_code_and_specs(tmp_path: Path, fmt: str) -> None:
    pdf = tmp_path / "label.pdf"
    pdf.write_bytes(render_label(label_content(report()), fmt))  # type: ignore[arg-type]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "PC-2026-0042" in text and "Mémoire : 8 Go DDR4" in text and "Effacé le : 29/11/2026" in text
    assert text.count("PC-2026-0042") == (1 if fmt == "tape62" else 14)
    subprocess.run(["pdftoppm", "-png", "-r", "72", str(pdf), str(tmp_path / "page")], check=True)
    assert list(tmp_path.glob("page*.png"))


class LpHost:
    def __init__(self, ok: bool) -> None:
        self.ok = ok
        self.calls: list[list[str]] = []

    def run(self, argv: Any, *, timeout: float = 30.0) -> CommandResult:
        self.calls.append(list(argv))
        return CommandResult(tuple(argv), 0 if self.ok else 1, "request id is brother-12", "")


def test_printed_when_lp_accepts_saved_otherwise(tmp_path: Path) -> None:
    host = LpHost(ok=True)
    path, printed = print_or_save(report(), tmp_path / "l.pdf", printer="brother", host=host)  # type: ignore[arg-type]
    assert printed and host.calls[0][:3] == ["lp", "-d", "brother"] and path.exists()
    path, printed = print_or_save(report(), tmp_path / "m.pdf", printer="brother", host=LpHost(ok=False))  # type: ignore[arg-type]
    assert not printed and path.exists()
    path, printed = print_or_save(report(), tmp_path / "n.pdf", printer=None)
    assert not printed and path.exists()


def test_label_command_uses_the_last_report(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = data_dir / "runs" / "x"
    run.mkdir(parents=True)
    (run / "report.json").write_text(report().model_dump_json())
    assert main(["label", "--data-dir", str(data_dir), "--format", "a4"]) == 0
    assert (run / "label-PC-2026-0042.pdf").exists()
    assert "Étiquette enregistrée" in capsys.readouterr().out
    empty = data_dir / "empty"
    empty.mkdir()
    assert main(["label", "--data-dir", str(empty)]) == 3
