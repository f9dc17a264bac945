"""Helpers for the erasure tests on real loop devices (tests/erase/test_erase_*.py)."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ATELIER = ROOT / ".venv" / "bin" / "atelier"
SENTINEL = b"ATELIER-SENTINEL-7f3a9c"
MiB = 1024 * 1024


def atelier(*args: str, data_dir: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ATELIER_DATA_DIR=str(data_dir), ATELIER_LANG="fr")
    return subprocess.run(
        [str(ATELIER), *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def read_uncached(path: str | Path) -> bytes:
    """The file's bytes as on the medium: page cache dropped first (loop direct-I/O bypasses it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        chunks = []
        while True:
            block = os.read(fd, 4 * MiB)
            if not block:
                break
            chunks.append(block)
        return b"".join(chunks)
    finally:
        os.close(fd)


def sha256_of(path: str | Path) -> str:
    return hashlib.sha256(read_uncached(path)).hexdigest()


def backing_file(dev: str) -> Path:
    name = os.path.basename(dev)
    return Path(Path(f"/sys/block/{name}/loop/backing_file").read_text().strip())


def fill_with_sentinels(dev: str, mount_dir: Path) -> None:
    """ext4 with files full of the sentinel, plus the sentinel raw in the device's last sector."""
    subprocess.run(
        ["mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", "-L", "donor", dev],
        check=True,
        capture_output=True,
    )
    mount_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", dev, str(mount_dir)], check=True, capture_output=True)
    try:
        for i in range(4):
            (mount_dir / f"document-{i}.txt").write_bytes(SENTINEL * (50_000 + i))
        (mount_dir / "notes.txt").write_text("Mot de passe bancaire : " + SENTINEL.decode() + "\n")
    finally:
        subprocess.run(["umount", str(mount_dir)], check=True, capture_output=True)
    size = int(Path(f"/sys/class/block/{os.path.basename(dev)}/size").read_text()) * 512
    fd = os.open(dev, os.O_WRONLY)
    try:
        os.pwrite(fd, SENTINEL.ljust(512, b"#"), size - 512)
        os.fsync(fd)
    finally:
        os.close(fd)


def count_sentinels(data: bytes) -> int:
    return data.count(SENTINEL)
