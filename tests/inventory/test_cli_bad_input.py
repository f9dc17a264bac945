"""Bad input to the command line: one clear line in French (or English) and an exit code, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


def test_unknown_option_french(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "inventory", "--frobnicate")
    assert code == 2
    assert err.strip() == "atelier: option ou argument inconnu : --frobnicate"


def test_unknown_option_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "--lang", "en", "inventory", "--frobnicate")
    assert code == 2
    assert err.strip() == "atelier: unknown option or argument: --frobnicate"


def test_unknown_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "frobnicate")
    assert code == 2
    assert "choix invalide" in err and "Traceback" not in err


def test_unreadable_capture(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "broken.tar.gz"
    bad.write_bytes(b"\x1f\x8b garbage")
    code, err = run(capsys, "inventory", "--from", str(bad))
    assert code == 3
    assert err.startswith("atelier: impossible de lire la capture") and len(err.strip().splitlines()) == 1


def test_missing_capture_english(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run(capsys, "inventory", "--lang", "en", "--from", str(tmp_path / "nope"))
    assert code == 3
    assert err.startswith("atelier: cannot read the capture")


def test_capture_from_newer_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    capture = tmp_path / "newer"
    (capture / "blobs").mkdir(parents=True)
    (capture / "manifest.json").write_text(
        json.dumps({"format": "atelier-capture", "format_version": 1, "schema_version": "9.0"})
    )
    code, err = run(capsys, "inventory", "--from", str(capture))
    assert code == 3
    assert "plus récent" in err and "9.0" in err


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"].startswith("Atelier report")
    for field in ("report_id", "asset_code", "machine", "cpus", "memory", "disks", "probe_errors"):
        assert field in schema["properties"]
