"""Opening a block device for erasure: real size, logical sector size, O_DIRECT and O_EXCL.

Sizes come from the kernel (BLKGETSIZE64, BLKSSZGET) rather than the inventory, so an HPA removed
since the inventory, or a stale size, can never leave a tail unwritten.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import struct
from dataclasses import dataclass, field

BLKGETSIZE64 = 0x80081272
BLKSSZGET = 0x1268
BLKROGET = 0x125E


@dataclass
class OpenDevice:
    path: str
    fd: int
    size: int
    sector: int
    direct: bool
    #: Partitions claimed with O_EXCL alongside the disk (kept open so nothing can mount them).
    claims: list[int] = field(default_factory=list)

    def close(self) -> None:
        for fd in [*self.claims, self.fd]:
            with contextlib.suppress(OSError):
                os.close(fd)
        self.claims.clear()


def _ioctl_u64(fd: int, request: int) -> int:
    return int(struct.unpack("Q", fcntl.ioctl(fd, request, b"\0" * 8))[0])


def _ioctl_int(fd: int, request: int) -> int:
    return int(struct.unpack("i", fcntl.ioctl(fd, request, b"\0" * 4))[0])


def geometry(fd: int) -> tuple[int, int]:
    """(size in bytes, logical sector size) of an open device; regular files report 512."""
    mode = os.fstat(fd).st_mode
    if stat.S_ISBLK(mode):
        return _ioctl_u64(fd, BLKGETSIZE64), _ioctl_int(fd, BLKSSZGET)
    return os.lseek(fd, 0, os.SEEK_END), 512


def is_read_only(fd: int) -> bool:
    if not stat.S_ISBLK(os.fstat(fd).st_mode):
        return False
    return _ioctl_int(fd, BLKROGET) != 0


def partitions_of(path: str) -> list[str]:
    """Partition device nodes of a whole disk, from sysfs (empty for a partition or a file)."""
    name = os.path.basename(os.path.realpath(path))
    base = f"/sys/class/block/{name}"
    try:
        entries = os.listdir(base)
    except OSError:
        return []
    return sorted(
        f"/dev/{e}" for e in entries if e.startswith(name) and os.path.exists(f"{base}/{e}/partition")
    )


def open_device(path: str, *, write: bool, direct: bool = True, exclusive: bool = True) -> OpenDevice:
    """Open for erasure (write) or verification (read).

    `exclusive` uses O_EXCL: the kernel refuses (EBUSY) a device that is mounted, used as swap or
    held by md/LVM/dm — and while we hold it nobody can claim it. A whole-disk claim does not
    see a mounted *partition*, so each partition is claimed too. Raises OSError.
    """
    flags = (os.O_RDWR if write else os.O_RDONLY) | os.O_CLOEXEC
    if exclusive:
        flags |= os.O_EXCL
    claims: list[int] = []
    if exclusive:
        try:
            for part in partitions_of(path):
                claims.append(os.open(part, os.O_RDONLY | os.O_EXCL | os.O_CLOEXEC))
        except OSError:
            for fd in claims:
                os.close(fd)
            raise
    fd = -1
    try:
        if direct:
            try:
                fd = os.open(path, flags | os.O_DIRECT)
            except OSError as err:
                # Filesystems without O_DIRECT answer EINVAL; buffered I/O with fdatasync is then used.
                if err.errno != 22:
                    raise
                direct = False
        if fd < 0:
            fd = os.open(path, flags)
        size, sector = geometry(fd)
    except OSError:
        if fd >= 0:
            os.close(fd)
        for c in claims:
            os.close(c)
        raise
    return OpenDevice(path=path, fd=fd, size=size, sector=max(sector, 512), direct=direct, claims=claims)


__all__ = ["OpenDevice", "geometry", "is_read_only", "open_device", "partitions_of"]
