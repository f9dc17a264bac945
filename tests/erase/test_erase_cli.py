"""`atelier erase` end to end on real loop devices: data gone, certificates signed, refusals safe."""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.report import SignedCertificate
from tests.erase._erase_support import (
    SENTINEL,
    MiB,
    atelier,
    backing_file,
    count_sentinels,
    fill_with_sentinels,
    read_uncached,
    sha256_of,
)

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root for loop devices and mounts (CI runs as root)"),
]


def _certificates(out: Path) -> list[SignedCertificate]:
    return [SignedCertificate.model_validate_json(p.read_bytes()) for p in sorted(out.glob("*.json"))]


def _by_disk(out: Path) -> dict[str, SignedCertificate]:
    return {c.certificate.disk.name or "": c for c in _certificates(out)}


def test_erase_leaves_no_sentinel_and_signs_a_verifiable_certificate(loop_device, tmp_path: Path) -> None:
    dev = loop_device(32 * MiB)
    fill_with_sentinels(dev, tmp_path / "mnt")
    image = backing_file(dev)
    assert count_sentinels(read_uncached(image)) > 100  # the donor's data really is there

    out = tmp_path / "certs"
    proc = atelier(
        "erase", "--device", dev, "--yes", "--out", str(out), "--quiet", data_dir=tmp_path / "data"
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout

    data = read_uncached(image)
    assert count_sentinels(data) == 0
    assert data.count(SENTINEL[:8]) == 0
    assert data == bytes(len(data))  # default policy: one pass of zeros, everywhere (tail included)

    (json_path,) = sorted(out.glob("*.json"))
    assert json_path.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    signed = SignedCertificate.model_validate_json(json_path.read_bytes())
    cert = signed.certificate
    assert cert.result == "erased"
    assert cert.kind == "erasure"
    assert cert.technique == "overwrite"
    assert cert.category == "clear"
    assert cert.policy == "default"
    assert cert.verification.method == "full"
    assert cert.verification.passed
    assert cert.verification.coverage_percent == 100.0
    assert cert.verification.bytes_read == 32 * MiB
    assert cert.disk.size_bytes == 32 * MiB
    assert [p.pattern for p in cert.passes] == ["zeros"]
    assert cert.passes[0].bytes_written == 32 * MiB
    assert cert.failed_ranges == []
    assert cert.started_at <= cert.finished_at

    from agent.certs.sign import verify_certificate_bytes

    raw = json_path.read_bytes()
    assert verify_certificate_bytes(raw).valid
    # One byte changed anywhere in the certificate: verification fails.
    index = raw.index(b'"erased"') + 2
    tampered = raw[:index] + bytes([raw[index] ^ 0x01]) + raw[index + 1 :]
    assert not verify_certificate_bytes(tampered).valid
    bad = tmp_path / "tampered.json"
    bad.write_bytes(tampered)
    if (Path(__file__).resolve().parents[2] / "agent" / "cli" / "certificate.py").exists():
        assert atelier("certificate", "verify", str(json_path), data_dir=tmp_path / "data").returncode == 0
        assert atelier("certificate", "verify", str(bad), data_dir=tmp_path / "data").returncode != 0


def test_dod_short_three_passes_random_last_verified_in_full(loop_device, tmp_path: Path) -> None:
    dev = loop_device(16 * MiB)
    fill_with_sentinels(dev, tmp_path / "mnt")
    out = tmp_path / "certs"
    proc = atelier(
        "erase",
        "--device",
        dev,
        "--policy",
        "dod-short",
        "--yes",
        "--out",
        str(out),
        "--quiet",
        data_dir=tmp_path / "data",
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    (signed,) = _certificates(out)
    cert = signed.certificate
    assert cert.result == "erased"
    assert cert.policy == "dod-short"
    assert [p.pattern for p in cert.passes] == ["zeros", "ones", "random"]
    assert all(p.bytes_written == 16 * MiB for p in cert.passes)
    assert cert.verification.method == "full" and cert.verification.passed
    data = read_uncached(backing_file(dev))
    assert count_sentinels(data) == 0
    # The last pass is the keystream: neither zeros nor ones survive in bulk.
    assert data.count(bytes(4096)) == 0
    assert data.count(b"\xff" * 4096) == 0


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs: a 64 MiB sparse file on it fails every write past ~16 MiB (a real bad disk)."""
    mnt = tmp_path / "tmpfs"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16M", "tmpfs", str(mnt)], check=True)
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_io_errors_fail_that_disk_with_its_ranges_and_the_other_disk_is_erased(
    small_tmpfs: Path, loop_device, tmp_path: Path
) -> None:
    bad = loop_device(64 * MiB, direct_io=False, backing=_sparse(small_tmpfs / "bad.img", 64 * MiB))
    good = loop_device(16 * MiB)
    fill_with_sentinels(good, tmp_path / "mnt")
    out = tmp_path / "certs"
    proc = atelier(
        "erase",
        "--device",
        bad,
        "--device",
        good,
        "--yes",
        "--out",
        str(out),
        "--quiet",
        data_dir=tmp_path / "data",
        timeout=300,
    )
    assert proc.returncode == 1, proc.stderr + proc.stdout
    certs = _by_disk(out)
    failed = certs[os.path.basename(bad)].certificate
    assert failed.result == "failed"
    assert failed.category is None
    assert failed.failed_ranges, "the unwritable zone must be listed"
    ranges = failed.failed_ranges
    # tmpfs holds 16 MiB minus its own overhead. Two chunks are written at once, so which one
    # gets the last free pages varies (seen: [16, 24) MiB written whole while [8, 16) failed):
    # what holds every time is that each byte is either written or reported failed, once.
    assert all(a.end <= b.start for a, b in itertools.pairwise(ranges)), ranges
    assert ranges[0].start <= 16 * MiB and ranges[-1].end == 64 * MiB
    reported = sum(r.end - r.start for r in ranges)
    written = failed.passes[0].bytes_written
    assert written + reported == 64 * MiB, (written, reported)
    assert written <= 16 * MiB
    erased = certs[os.path.basename(good)].certificate
    assert erased.result == "erased"
    assert count_sentinels(read_uncached(backing_file(good))) == 0
    assert "ÉCHEC" in proc.stdout or "FAILED" in proc.stdout


def _sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def test_mounted_disk_is_refused_untouched_and_the_others_still_erased(loop_device, tmp_path: Path) -> None:
    mounted = loop_device(16 * MiB)
    other = loop_device(16 * MiB)
    fill_with_sentinels(mounted, tmp_path / "m1")
    fill_with_sentinels(other, tmp_path / "m2")
    mnt = tmp_path / "mounted"
    mnt.mkdir()
    subprocess.run(["mount", "-o", "ro", mounted, str(mnt)], check=True)
    try:
        before = sha256_of(mounted)
        out = tmp_path / "certs"
        proc = atelier(
            "erase",
            "--device",
            mounted,
            "--device",
            other,
            "--yes",
            "--out",
            str(out),
            "--quiet",
            data_dir=tmp_path / "data",
        )
        assert proc.returncode == 4, proc.stderr + proc.stdout
        assert sha256_of(mounted) == before
        assert mounted in proc.stderr
        assert "monté" in proc.stderr or "mounted" in proc.stderr
        assert set(_by_disk(out)) == {os.path.basename(other)}
        assert _by_disk(out)[os.path.basename(other)].certificate.result == "erased"
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_disk_not_named_is_not_touched(loop_device, tmp_path: Path) -> None:
    named = loop_device(16 * MiB)
    bystander = loop_device(16 * MiB)
    fill_with_sentinels(bystander, tmp_path / "mnt")
    before = sha256_of(bystander)
    proc = atelier(
        "erase",
        "--device",
        named,
        "--yes",
        "--out",
        str(tmp_path / "certs"),
        "--quiet",
        data_dir=tmp_path / "data",
    )
    assert proc.returncode == 0, proc.stderr
    assert sha256_of(bystander) == before
    assert [c.certificate.disk.name for c in _certificates(tmp_path / "certs")] == [os.path.basename(named)]


def _root_disk() -> str | None:
    proc = subprocess.run(["findmnt", "-no", "SOURCE", "/"], capture_output=True, text=True, check=False)
    source = proc.stdout.strip()
    if not source.startswith("/dev/"):
        return None
    parent = subprocess.run(["lsblk", "-no", "PKNAME", source], capture_output=True, text=True, check=False)
    name = parent.stdout.strip().splitlines()[0] if parent.stdout.strip() else ""
    return f"/dev/{name}" if name else source


def test_the_disk_holding_root_is_refused(tmp_path: Path) -> None:
    root = _root_disk()
    if root is None:
        pytest.skip("/ is not on a block device here")
    out = tmp_path / "certs"
    proc = atelier("erase", "--device", root, "--yes", "--out", str(out), "--quiet", data_dir=tmp_path / "d")
    assert proc.returncode == 4, proc.stderr + proc.stdout
    assert root in proc.stderr
    assert not out.exists() or not list(out.iterdir())
    # The kernel-level guard beneath the plan: an exclusive open of the root disk is refused.
    from agent.erase.device import open_device

    with pytest.raises(OSError) as info:
        open_device(root, write=True)
    assert info.value.errno in (1, 16)  # EPERM: kernels that forbid writing to mounted devices


def test_partition_and_missing_device_are_refused(tmp_path: Path) -> None:
    proc = atelier("erase", "--device", "/dev/nonexistent-disk", "--yes", "--quiet", data_dir=tmp_path)
    assert proc.returncode == 4
    assert "/dev/nonexistent-disk" in proc.stderr


def test_plan_touches_nothing_and_explains(loop_device, tmp_path: Path) -> None:
    dev = loop_device(16 * MiB)
    fill_with_sentinels(dev, tmp_path / "mnt")
    before = sha256_of(dev)
    for flag in ("--plan", "--dry-run"):
        proc = atelier("erase", flag, "--device", dev, data_dir=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert dev in proc.stdout
        assert "Clear" in proc.stdout
    assert sha256_of(dev) == before


def test_whole_plan_without_confirmation_needs_an_unattended_policy(tmp_path: Path) -> None:
    # No --device and --yes: the shipped default policy does not allow it; nothing is touched.
    proc = atelier("erase", "--yes", "--quiet", data_dir=tmp_path)
    assert proc.returncode == 4
    assert "unattended" in proc.stderr


def test_without_yes_a_wrong_typed_word_erases_nothing(loop_device, tmp_path: Path) -> None:
    dev = loop_device(16 * MiB)
    fill_with_sentinels(dev, tmp_path / "mnt")
    before = sha256_of(dev)
    env = dict(os.environ, ATELIER_DATA_DIR=str(tmp_path), ATELIER_LANG="fr")
    proc = subprocess.run(
        [str(Path(__file__).resolve().parents[2] / ".venv/bin/atelier"), "erase", "--device", dev],
        input="oui\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 4
    assert sha256_of(dev) == before
    assert "EFFACER" in proc.stdout  # the prompt named the word to type


def test_ctrl_c_stops_and_still_writes_an_incomplete_certificate(loop_device, tmp_path: Path) -> None:
    import signal

    dev = loop_device(128 * MiB)
    out = tmp_path / "certs"
    env = dict(os.environ, ATELIER_DATA_DIR=str(tmp_path / "data"), ATELIER_LANG="en")
    proc = subprocess.Popen(
        [
            str(Path(__file__).resolve().parents[2] / ".venv/bin/atelier"),
            "erase",
            "--device",
            dev,
            "--policy",
            "dod-short",
            "--yes",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # A suite started in the background by a shell without job control inherits SIGINT
        # ignored, and so would the agent (Python keeps an ignored SIGINT ignored): the
        # technician's Ctrl-C is what is tested, so the child gets the default disposition.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "pass 1/3" in line:  # the first progress line: writing has started
            break
    proc.send_signal(signal.SIGINT)
    _stdout, _stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130
    (signed,) = _certificates(out)
    assert signed.certificate.result == "incomplete"
    assert signed.certificate.reason == "stopped before the end (cancelled)"
