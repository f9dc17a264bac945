"""Certificates: key handling, sign/verify round trip, tampering anywhere, wrong key, files, PDF."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from agent.certs.keys import KEY_FILE, StationKey
from agent.certs.sample import sample_certificate
from agent.certs.sign import (
    FINGERPRINT_MISMATCH,
    NOT_A_CERTIFICATE,
    NOT_CANONICAL,
    RESULT_WITHOUT_PROOF,
    SIGNATURE_MISMATCH,
    WRONG_STATION_KEY,
    sign_certificate,
    verify_certificate_bytes,
    verify_signed,
)
from agent.certs.store import certificate_bytes, write_certificate
from agent.report import canonical_json


@pytest.fixture
def key(tmp_path: Path) -> StationKey:
    return StationKey.load_or_create(tmp_path / "data")


def test_station_key_created_once_private_and_reused(tmp_path: Path) -> None:
    first = StationKey.load_or_create(tmp_path)
    path = tmp_path / KEY_FILE
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert (path.stat().st_mode & 0o777) == 0o600
    again = StationKey.load_or_create(tmp_path)
    assert again.public_key_b64 == first.public_key_b64
    assert len(first.fingerprint) == 64
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]  # no temp file left behind


def test_roundtrip_valid(key: StationKey) -> None:
    signed = sign_certificate(sample_certificate("erased"), key)
    outcome = verify_signed(signed, key.public_key_b64)
    assert outcome.valid, outcome.problems
    file_outcome = verify_certificate_bytes(certificate_bytes(signed))
    assert file_outcome.valid, (file_outcome.problems, file_outcome.details)


def test_wrong_station_key(key: StationKey, tmp_path: Path) -> None:
    other = StationKey.load_or_create(tmp_path / "other")
    signed = sign_certificate(sample_certificate("erased"), key)
    outcome = verify_signed(signed, other.public_key_b64)
    assert not outcome.valid
    assert outcome.problems == [WRONG_STATION_KEY]


def test_swapped_key_and_fingerprint(key: StationKey, tmp_path: Path) -> None:
    other = StationKey.load_or_create(tmp_path / "other")
    signed = sign_certificate(sample_certificate("erased"), key)
    forged = signed.model_copy(update={"public_key": other.public_key_b64})
    outcome = verify_signed(forged)
    assert FINGERPRINT_MISMATCH in outcome.problems and SIGNATURE_MISMATCH in outcome.problems
    resigned = signed.model_copy(
        update={"public_key": other.public_key_b64, "key_fingerprint": other.fingerprint}
    )
    assert verify_signed(resigned).problems == [SIGNATURE_MISMATCH]


def test_non_ascii_fingerprint_is_a_mismatch_not_a_crash(key: StationKey) -> None:
    signed = sign_certificate(sample_certificate("erased"), key)
    forged = signed.model_copy(update={"key_fingerprint": "é" * 64})
    assert verify_signed(forged).problems == [FINGERPRINT_MISMATCH]


def test_edited_content_fails(key: StationKey) -> None:
    signed = sign_certificate(sample_certificate("failed"), key)
    edited = signed.model_copy(
        update={"certificate": signed.certificate.model_copy(update={"result": "erased"})}
    )
    outcome = verify_signed(edited)
    assert SIGNATURE_MISMATCH in outcome.problems
    assert RESULT_WITHOUT_PROOF in outcome.problems


def test_one_byte_change_anywhere_fails(key: StationKey) -> None:
    data = certificate_bytes(sign_certificate(sample_certificate("erased"), key))
    assert data == canonical_json(json.loads(data))
    for i in range(len(data)):
        for replacement in {data[i] ^ 0x01, data[i] ^ 0x20}:
            tampered = data[:i] + bytes([replacement]) + data[i + 1 :]
            outcome = verify_certificate_bytes(tampered)
            assert not outcome.valid, f"byte {i} {data[i : i + 1]!r}->{bytes([replacement])!r} went unnoticed"


def test_reformatted_or_extra_field_is_refused(key: StationKey) -> None:
    signed = sign_certificate(sample_certificate("erased"), key)
    obj = json.loads(certificate_bytes(signed))
    pretty = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False).encode()
    outcome = verify_certificate_bytes(pretty)
    assert not outcome.valid and outcome.problems[0] == NOT_CANONICAL
    obj["certificate"]["note"] = "added"
    outcome = verify_certificate_bytes(canonical_json(obj))
    assert outcome.problems == [NOT_A_CERTIFICATE]
    assert verify_certificate_bytes(b"{not json").problems != []
    assert not verify_certificate_bytes(b"\xff\xfe").valid


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize(
    ("result", "lang"),
    [
        ("erased", "fr"),
        ("failed", "fr"),
        ("verified", "fr"),
        ("verification_failed", "en"),
        ("incomplete", "en"),
    ],
)
def test_files_and_pdf(key: StationKey, tmp_path: Path, result: str, lang: str) -> None:
    cert = sample_certificate(result)
    if result == "verification_failed":
        # Worst case for the layout: long lists still give one page.
        cert = cert.model_copy(update={"errors": [f"read error {i} at some place" for i in range(30)]})
    signed = sign_certificate(cert, key)
    json_path, pdf_path = write_certificate(signed, tmp_path / "out", lang=lang)
    assert json_path.name == "AT-2026-0042-214031A57D1D-3f2b8c1e.json"
    assert pdf_path.with_suffix(".json") == json_path
    assert verify_certificate_bytes(json_path.read_bytes()).valid
    assert pdf_path.read_bytes().startswith(b"%PDF-")
    png = subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf_path), str(tmp_path / "page")], capture_output=True
    )
    assert png.returncode == 0, png.stderr
    assert _pages(pdf_path) == 1
    text = subprocess.run(["pdftotext", str(pdf_path), "-"], capture_output=True, text=True).stdout
    assert "214031A57D1D" in text
    assert signed.key_fingerprint[:4] in text
    expected = {
        ("erased", "fr"): "EFFACÉ",
        ("failed", "fr"): "ÉCHEC",
        ("verified", "fr"): "VÉRIFIÉ",
        ("verification_failed", "en"): "VERIFICATION FAILED",
        ("incomplete", "en"): "INCOMPLETE",
    }[(result, lang)]
    assert expected in text
    assert sorted(os.listdir(tmp_path / "out")) == sorted([json_path.name, pdf_path.name])


def test_unusable_data_dir_and_broken_key(tmp_path: Path) -> None:
    from agent.errors import EnvironmentProblem, InputError

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(EnvironmentProblem):
        StationKey.load_or_create(blocker / "data")
    (tmp_path / KEY_FILE).write_text("garbage")
    with pytest.raises(InputError):
        StationKey.load_or_create(tmp_path)
