"""`atelier verify-erasure` end to end: a real nwipe run on a loop device, then Blancco reports."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from agent.certs.sign import verify_certificate_bytes
from agent.cli.main import main
from agent.report import SignedCertificate
from tests.erase.test_external_reports import blancco_xml

MiB = 1024 * 1024
pytestmark = pytest.mark.root


def run_cli(*args: str) -> int:
    return main(list(args))


def only_certificate(out: Path) -> SignedCertificate:
    (json_file,) = sorted(out.glob("*.json"))
    assert json_file.with_suffix(".pdf").exists()
    outcome = verify_certificate_bytes(json_file.read_bytes())
    assert outcome.valid, outcome.problems
    return SignedCertificate.model_validate(json.loads(json_file.read_bytes()))


def dd(source: str, dev: str, count_mib: int, seek_mib: int = 0) -> None:
    subprocess.run(
        [
            "dd",
            f"if={source}",
            f"of={dev}",
            "bs=1M",
            f"count={count_mib}",
            f"seek={seek_mib}",
            "oflag=direct",
            "status=none",
        ],
        check=True,
    )


@pytest.mark.skipif(shutil.which("nwipe") is None, reason="nwipe not installed")
def test_real_nwipe_then_verify(
    loop_device: Callable[..., str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = loop_device(24 * MiB)
    dd("/dev/urandom", dev, 24)
    log = tmp_path / "nwipe.log"
    done = subprocess.run(
        ["nwipe", "--autonuke", "--nogui", "--method=zero", "--verify=last", f"--logfile={log}", dev],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:]
    out, data = tmp_path / "out", tmp_path / "data"
    code = run_cli(
        "verify-erasure",
        "--log",
        str(log),
        "--device",
        dev,
        "--asset-code",
        "AT-42",
        "--out",
        str(out),
        "--data-dir",
        str(data),
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "VÉRIFIÉ" in printed
    signed = only_certificate(out)
    cert = signed.certificate
    assert (cert.kind, cert.result, cert.technique, cert.asset_code) == (
        "verification",
        "verified",
        "external",
        "AT-42",
    )
    assert (
        cert.external is not None
        and cert.external.tool == "nwipe"
        and cert.external.method == "Fill With Zeros"
    )
    assert (
        cert.external.reported_success
        and cert.external.matched_by == ["size"]
        and not cert.external.signature_present
    )
    import hashlib

    assert cert.external.sha256 == hashlib.sha256(log.read_bytes()).hexdigest()
    assert cert.verification.method == "sampled" and cert.verification.passed
    assert (
        cert.verification.coverage_percent >= 10.0 and cert.verification.samples >= 990
    )  # adjacent samples merge into one range
    # certificate verify: valid, then one byte changed -> exit 1 with the reason
    (json_file,) = out.glob("*.json")
    assert run_cli("certificate", "verify", str(json_file), "--public-key", signed.public_key) == 0
    assert "VALIDE" in capsys.readouterr().out
    raw = bytearray(json_file.read_bytes())
    pos = raw.index(b'"asset_code":"AT-42"') + len('"asset_code":"AT-4')
    raw[pos] = ord("3")
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(bytes(raw))
    assert run_cli("certificate", "verify", str(tampered)) == 1
    said = capsys.readouterr().out
    assert "INVALIDE" in said and "la signature ne correspond pas au contenu du certificat" in said
    assert run_cli("certificate", "verify", str(json_file), "--public-key", "A" * 43 + "=") == 1
    assert "n'est pas celle enregistrée" in capsys.readouterr().out

    # Data written after nwipe: the same log no longer matches the content.
    dd("/dev/urandom", dev, 1, seek_mib=5)
    out2 = tmp_path / "out2"
    code = run_cli(
        "verify-erasure",
        "--log",
        str(log),
        "--device",
        dev,
        "--out",
        str(out2),
        "--data-dir",
        str(data),
        "--lang",
        "en",
    )
    printed = capsys.readouterr().out
    assert code == 1 and "VERIFICATION FAILED" in printed and "Data was found on the disk" in printed
    assert only_certificate(out2).certificate.result == "verification_failed"


def test_nwipe_log_of_another_disk(
    loop_device: Callable[..., str], tmp_path: Path, fixtures: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = loop_device(16 * MiB)  # the recorded log is for a 64 MiB device
    code = run_cli(
        "verify-erasure",
        "--log",
        str(fixtures / "nwipe/nwipe-0.33-zero-verify-last-success.log"),
        "--device",
        dev,
        "--out",
        str(tmp_path / "out"),
        "--data-dir",
        str(tmp_path / "d"),
    )
    printed = capsys.readouterr().out
    assert code == 1 and "ne correspond pas à ce disque" in printed
    cert = only_certificate(tmp_path / "out").certificate
    assert cert.result == "verification_failed" and cert.external is not None
    assert cert.external.mismatches == ["size: report says 67108864 bytes, disk has 16777216"]


@pytest.mark.parametrize(
    ("xml_args", "fill", "code", "result", "reason"),
    [
        ({}, "zero", 0, "verified", "The disk content confirms"),
        (
            {"state": "Failed", "failure": "Write error"},
            "zero",
            1,
            "verification_failed",
            "does not say the erasure succeeded",
        ),
        ({"capacity": 999}, "zero", 1, "verification_failed", "does not match this disk"),
        ({}, "random", 1, "verification_failed", "Data was found"),
        ({"standard": "DoD 5220.22-M ECE"}, "random", 0, "verified", "The disk content confirms"),
        ({"standard": "DoD 5220.22-M ECE"}, "gpt", 1, "verification_failed", "Data was found"),
    ],
)
def test_blancco_reports_on_loop_devices(
    loop_device: Callable[..., str],
    tmp_path: Path,
    xml_args: dict[str, object],
    fill: str,
    code: int,
    result: str,
    reason: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    size = 16 * MiB
    dev = loop_device(size)
    if fill == "random":
        dd("/dev/urandom", dev, 16)
    elif fill == "gpt":
        if shutil.which("sfdisk") is None:
            pytest.skip("needs sfdisk (fdisk package)")
        dd("/dev/urandom", dev, 16)
        subprocess.run(
            ["sfdisk", "-q", dev],
            input="label: gpt\nstart=2048\n",
            text=True,
            check=True,
            capture_output=True,
        )
    args = {"capacity": size, **xml_args}
    report = tmp_path / "blancco.xml"
    report.write_bytes(blancco_xml(**args))  # type: ignore[arg-type]
    got = run_cli(
        "verify-erasure",
        "--log",
        str(report),
        "--device",
        dev,
        "--out",
        str(tmp_path / "o"),
        "--data-dir",
        str(tmp_path / "d"),
        "--lang",
        "en",
    )
    printed = capsys.readouterr().out
    assert got == code, printed
    assert reason in printed
    cert = only_certificate(tmp_path / "o").certificate
    assert cert.result == result and cert.external is not None
    assert cert.external.tool == "blancco" and cert.external.report_id == "BL-2026-000123"
    assert cert.external.signature_present and cert.external.signature_note is not None
    assert "without the publisher's public key" in cert.external.signature_note


def test_missing_report_and_device(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run_cli(
            "verify-erasure",
            "--log",
            str(tmp_path / "none.log"),
            "--device",
            "/dev/null",
            "--out",
            str(tmp_path),
        )
        == 3
    )
    log = tmp_path / "x.log"
    log.write_text("")
    assert (
        run_cli(
            "verify-erasure", "--log", str(log), "--device", str(tmp_path / "nodev"), "--out", str(tmp_path)
        )
        == 3
    )
    assert run_cli("certificate", "verify", str(tmp_path / "absent.json")) == 3
    capsys.readouterr()
