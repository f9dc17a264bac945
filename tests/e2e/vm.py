"""Boot the Atelier live image in QEMU with real virtual disks — the harness of `make e2e` and of
the in-VM benchmarks (benchmarks/inventory_vm.py).

How a VM boots here (notes/qemu.md, notes/image.md):
- TCG by default: /dev/kvm exists on these machines but is a paravirtual KVM that hangs a stock
  Debian kernel after "Probing EDD". `probe_kvm()` tries a short KVM boot and is the only way KVM
  gets used; `ATELIER_VM_ACCEL=tcg|kvm|auto` overrides (auto = probe).
- Direct kernel boot: the kernel and initrd the ISO carries (image/out/pxe/) are passed with
  `-kernel/-initrd` and OUR kernel command line (that is how unattended mode and the server URL
  get in without typing at the boot menu), while the stick image is attached as a USB disk:
  live-boot finds its squashfs there, exactly as on a PC booted from the stick, and the agent
  mounts the stick's ATELIER data partition.
- The serial console (ttyS0, last console= so it is /dev/console, where the agent talks) is
  written to a file the harness polls for markers: "@@ATELIER-BOOT" when the launcher starts the
  agent, "@@ATELIER-END rc=N" when it is done (image/config/.../atelier-boot).
- `atelier.mode=script` + `-fw_cfg name=opt/atelier/script` runs a shell script as root in the
  guest instead of the agent; its outputs come back over 9p (`-virtfs`, tag "out", mounted at
  $ATELIER_OUT in the guest).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ROOT = Path(__file__).resolve().parents[2]
IMAGE_OUT = ROOT / "image" / "out"
ISO = IMAGE_OUT / "atelier-amd64.iso"
KERNEL = IMAGE_OUT / "pxe" / "vmlinuz"
INITRD = IMAGE_OUT / "pxe" / "initrd.img"
MAKE_STICK = ROOT / "image" / "make-stick.sh"
QEMU = "qemu-system-x86_64"
OVMF = Path("/usr/share/ovmf/OVMF.fd")

# The boot menu's common parameters (image/lb-config.sh), serial console LAST so that
# /dev/console — where atelier.service runs the agent — is the serial port the harness reads.
# live-media= names the stick by its ISO label as the menus do: live-boot then mounts no internal
# disk while it looks for its medium (tests/e2e/test_live_image.py checks the kernel log).
LIVE_MEDIA = "/dev/disk/by-label/ATELIER-LIVE"
BASE_APPEND = (
    f"boot=live live-media={LIVE_MEDIA} nonetworking noprompt quiet loglevel=3 systemd.show_status=0 "
    "console=tty1 console=ttyS0,115200n8"
)
# Harness-only kernel parameters (not on the stick's menu): on a host busy with other jobs the
# kernel's early IO-APIC timer check can miss its ticks under TCG and panic ("IO-APIC + timer
# doesn't work!", seen here at load 9) — `no_timer_check` is the usual setting for VMs; and a
# panic powers the VM off at once (-no-reboot) instead of hanging until the test's timeout.
HARNESS_APPEND = "no_timer_check panic=-1"
BOOT_MARKER = "@@ATELIER-BOOT"
END_MARKER = re.compile(r"@@ATELIER-END rc=(\d+)")

# The guest CPU under TCG: `max` with the string instructions taken away from the kernel's fast
# paths. TCG emulates `rep stos`/`rep movs` one iteration at a time, and Linux clears and copies
# pages with them when the CPU has ERMS/FSRM (`rep stosb`) or REP_GOOD (`rep stosq`): sampling the
# guest's RIP during a boot found 83 % of a vCPU in clear_page_rep for ~50 s while systemd started
# (BENCHMARKS.md, issue 7). Linux sets REP_GOOD on AMD family 0xf from CPUID(1) 0x0f58 on
# (arch/x86/kernel/cpu/amd.c); model 3 (0x0f31) keeps it off, so the kernel uses its unrolled
# `movq` loops (clear_page_orig, memcpy_orig, copy_user_generic_unrolled), which TCG translates
# once and runs fast. Only the harness's virtual CPU changes: the image is the same, and on real
# PCs the string instructions are the fast path.
TCG_CPU = "max,erms=off,fsrm=off,model=3"

DiskKind = Literal["nvme", "sata", "virtio", "scsi", "usb"]


class VmError(RuntimeError):
    """The VM did not do what the test waited for; the message carries the serial console's tail."""


@dataclass(frozen=True)
class Disk:
    """One virtual disk. `qemu_opts` is appended to its -device (e.g. ",smart_critical_warning=4");
    `blkdebug` is a QEMU blkdebug rules file that injects I/O errors (a disk failing part-way)."""

    kind: DiskKind
    path: Path
    serial: str
    model: str | None = None
    rotation_rate: int | None = None
    qemu_opts: str = ""
    blkdebug: Path | None = None
    bootindex: int | None = None
    #: USB only: what the stick says in its SCSI inquiry (RMB). Some real sticks say "fixed disk";
    #: live-boot then scans the internal disks before them unless live-media= names the stick.
    removable: bool = True

    def drive_arg(self, drive_id: str) -> str:
        target = f"blkdebug:{self.blkdebug}:{self.path}" if self.blkdebug else str(self.path)
        discard = "" if self.kind == "usb" else ",discard=unmap"
        return f"file={target},if=none,id={drive_id},format=raw,cache=unsafe{discard}"

    def device_arg(self, drive_id: str) -> str:
        if self.kind == "nvme":
            dev = f"nvme,serial={self.serial},drive={drive_id}"
        elif self.kind == "sata":
            dev = f"ide-hd,bus=ahci.{{port}},drive={drive_id},serial={self.serial}"
            if self.model:
                dev += f",model={self.model}"
            if self.rotation_rate is not None:
                dev += f",rotation_rate={self.rotation_rate}"
        elif self.kind == "virtio":
            dev = f"virtio-blk-pci,drive={drive_id},serial={self.serial}"
        elif self.kind == "scsi":
            dev = f"scsi-hd,bus=scsi0.0,drive={drive_id},serial={self.serial}"
            if self.rotation_rate is not None:
                dev += f",rotation_rate={self.rotation_rate}"
        else:
            removable = "on" if self.removable else "off"
            dev = f"usb-storage,bus=xhci.0,drive={drive_id},serial={self.serial},removable={removable}"
        if self.bootindex is not None:
            dev += f",bootindex={self.bootindex}"
        return dev + self.qemu_opts


def disk_args(disks: Sequence[Disk]) -> list[str]:
    args: list[str] = []
    kinds = {d.kind for d in disks}
    if "sata" in kinds:
        args += ["-device", "ich9-ahci,id=ahci"]
    if "usb" in kinds:
        args += ["-device", "qemu-xhci,id=xhci"]
    if "scsi" in kinds:
        args += ["-device", "virtio-scsi-pci,id=scsi0"]
    sata_port = 0
    for index, disk in enumerate(disks):
        drive_id = f"d{index}"
        device = disk.device_arg(drive_id)
        if disk.kind == "sata":
            device = device.replace("{port}", str(sata_port))
            sata_port += 1
        args += ["-drive", disk.drive_arg(drive_id), "-device", device]
    return args


@dataclass(frozen=True)
class Identity:
    """SMBIOS identity the agent must read back (type 1 system, type 17 memory module)."""

    manufacturer: str = "Atelier-Test"
    product: str = "E2E-Box-3000"
    serial: str = "SYS-E2E-0001"
    uuid: str = "5c1d7a3e-0b1f-4c2a-9e8d-12ab34cd56ef"
    ram_manufacturer: str = "AcmeRAM"
    ram_serial: str = "RAM-E2E-0001"
    ram_part: str = "PN-1G-E2E"

    def smbios_args(self) -> list[str]:
        return [
            "-smbios",
            f"type=1,manufacturer={self.manufacturer},product={self.product},"
            f"serial={self.serial},uuid={self.uuid}",
            "-smbios",
            f"type=17,loc_pfx=DIMM,manufacturer={self.ram_manufacturer},serial={self.ram_serial},"
            f"part={self.ram_part},speed=3200",
        ]


@dataclass
class Vm:
    """One QEMU run. Use as a context manager: QEMU is always killed on exit."""

    workdir: Path
    disks: Sequence[Disk]
    append: str = ""
    identity: Identity = field(default_factory=Identity)
    #: None: no direct kernel boot — the firmware boots the disk that has a bootindex (the stick).
    kernel: Path | None = KERNEL
    initrd: Path = INITRD
    #: "bios" (SeaBIOS) or "uefi" (OVMF, package ovmf).
    firmware: str = "bios"
    accel: str = "tcg"
    memory_mb: int = 1024
    smp: int = 2
    network: bool = True
    script: str | None = None
    share: Path | None = None
    extra_args: Sequence[str] = ()
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False)
    started_at: float = field(default=0.0, init=False)

    @property
    def serial_log(self) -> Path:
        return self.workdir / "serial.log"

    def argv(self) -> list[str]:
        argv = [QEMU, "-machine", "q35", *accel_args(self.accel), "-smp", str(self.smp)]
        # A firmware boot shows its menu on a VGA screen (vesamenu needs VBE); a direct kernel boot
        # needs none, and every line drawn on an emulated screen costs time under TCG.
        vga = "std" if self.kernel is None else "none"
        argv += ["-m", str(self.memory_mb), "-vga", vga, "-display", "none", "-no-reboot"]
        argv += ["-monitor", "none", "-chardev", f"file,id=ser0,path={self.serial_log}"]
        argv += ["-serial", "chardev:ser0"]
        if self.firmware == "uefi":
            argv += ["-bios", str(OVMF)]
        if self.kernel is not None:
            argv += ["-kernel", str(self.kernel), "-initrd", str(self.initrd)]
            argv += ["-append", f"{BASE_APPEND} {HARNESS_APPEND} {self.append}".strip()]
        argv += ["-nic", "user,model=virtio-net-pci"] if self.network else ["-nic", "none"]
        argv += self.identity.smbios_args()
        argv += disk_args(self.disks)
        if self.script is not None:
            script_file = self.workdir / "guest-script.sh"
            script_file.write_text(self.script)
            argv += ["-fw_cfg", f"name=opt/atelier/script,file={script_file}"]
        if self.share is not None:
            argv += ["-virtfs", f"local,path={self.share},mount_tag=out,security_model=none"]
        return argv + list(self.extra_args)

    def start(self) -> Vm:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.serial_log.write_bytes(b"")
        argv = self.argv()
        (self.workdir / "qemu-argv.txt").write_text("\n".join(argv) + "\n")
        log = (self.workdir / "qemu-stderr.log").open("wb")
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        return self

    def elapsed(self) -> float:
        return time.monotonic() - self.started_at

    def serial_text(self) -> str:
        return self.serial_log.read_bytes().decode("utf-8", "replace")

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.serial_text().splitlines()[-lines:])

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float) -> re.Match[str]:
        """Wait until the serial console shows `pattern`; returns the match."""
        regex = re.compile(re.escape(pattern)) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.serial_text())
            if match:
                return match
            if self.proc is not None and self.proc.poll() is not None:
                raise VmError(
                    f"QEMU exited (rc {self.proc.returncode}) before {regex.pattern!r}:\n{self.tail()}"
                )
            if time.monotonic() > deadline:
                raise VmError(
                    f"no {regex.pattern!r} on the serial console after {timeout:.0f} s:\n{self.tail()}"
                )
            time.sleep(0.25)

    def wait_exit(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired as err:
            raise VmError(f"the VM did not power off within {timeout:.0f} s:\n{self.tail()}") from err

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def __enter__(self) -> Vm:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def accel_args(accel: str) -> list[str]:
    if accel == "kvm":
        # -cpu host/max fail here with "failed to set MSR 0x10a" (the host's KVM is paravirtual).
        return ["-accel", "kvm", "-cpu", "qemu64"]
    return ["-accel", "tcg,thread=multi", "-cpu", TCG_CPU]


def probe_kvm(kernel: Path = KERNEL, timeout: float = 20.0) -> tuple[bool, str]:
    """Boot the image's kernel under KVM with no root: a working KVM prints "Freeing unused
    kernel" within a second or two; the paravirtual KVM of these machines hangs silently."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return False, "/dev/kvm not usable"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "serial.log"
        argv = [QEMU, "-machine", "q35", *accel_args("kvm"), "-m", "256", "-vga", "none"]
        argv += ["-display", "none", "-no-reboot", "-monitor", "none", "-nic", "none"]
        argv += ["-chardev", f"file,id=s,path={log}", "-serial", "chardev:s", "-kernel", str(kernel)]
        argv += ["-append", "console=ttyS0 panic=-1 root=/dev/nonexistent"]
        start = time.monotonic()
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            while time.monotonic() - start < timeout:
                text = log.read_bytes().decode("utf-8", "replace") if log.exists() else ""
                if "Freeing unused kernel" in text or "Kernel panic" in text:
                    return True, f"KVM boots: kernel init reached in {time.monotonic() - start:.1f} s"
                if proc.poll() is not None:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    return False, f"QEMU/KVM exited rc {proc.returncode}: {err.strip()[:200]}"
                time.sleep(0.2)
            last = text.strip().splitlines()[-1:] if text.strip() else ["(no output)"]
            return False, f"KVM hangs: no kernel init after {timeout:.0f} s (last line: {last[0][:80]})"
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def choose_accel(kernel: Path = KERNEL) -> tuple[str, str]:
    """("kvm"|"tcg", why). ATELIER_VM_ACCEL=tcg|kvm forces; auto (default) probes."""
    forced = os.environ.get("ATELIER_VM_ACCEL", "auto")
    if forced in ("tcg", "kvm"):
        return forced, f"forced by ATELIER_VM_ACCEL={forced}"
    works, why = probe_kvm(kernel)
    return ("kvm" if works else "tcg"), why


# --- disks with planted data -------------------------------------------------------------------


def new_sentinel() -> bytes:
    return b"ATELIER-SENTINEL-" + os.urandom(8).hex().encode()


def make_sentinel_disk(path: Path, size_mib: int, sentinel: bytes, label: str = "DATA") -> None:
    """An ext4 disk full of files that repeat `sentinel` (about half the disk), built without
    mounting anything (mkfs.ext4 -d), plus the sentinel written raw in the last MiB (outside the
    filesystem's files: overwriting only the files would not erase it)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "Documents").mkdir()
        line = sentinel + b" donnees personnelles / personal data\n"
        chunk = line * (1024 * 1024 // len(line))
        per_file = max(1, size_mib // 8)
        for name in ("Documents/lettre.txt", "Documents/photos.bin", "compta.csv", "notes.txt"):
            with (root / name).open("wb") as handle:
                for _ in range(per_file):
                    handle.write(chunk)
        subprocess.run(
            [
                "mkfs.ext4",
                "-q",
                "-F",
                "-L",
                label,
                "-E",
                "lazy_itable_init=0,nodiscard",
                "-d",
                str(root),
                str(path),
                f"{size_mib}M",
            ],
            check=True,
        )
    with path.open("r+b") as handle:
        end = size_mib * 1024 * 1024
        for offset in (end - 1024 * 1024, end - 4096):
            handle.seek(offset)
            handle.write(line * 8)


def find_sentinel(path: Path, sentinel: bytes, limit: int = 5) -> list[int]:
    """Offsets of the sentinel in a disk image (the first `limit`). Also catches a sentinel split
    across two read blocks."""
    hits: list[int] = []
    block = 4 * 1024 * 1024
    overlap = len(sentinel) - 1
    with path.open("rb") as handle:
        base = 0
        prev = b""
        while len(hits) < limit:
            data = handle.read(block)
            if not data:
                break
            window = prev + data
            start = 0
            while len(hits) < limit:
                found = window.find(sentinel, start)
                if found < 0:
                    break
                hits.append(base - len(prev) + found)
                start = found + 1
            prev = window[-overlap:]
            base += len(data)
    return sorted(set(hits))


# --- the stick ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stick:
    path: Path
    data_offset: int
    data_size: int

    def outside_data_sha256(self) -> str:
        """sha256 of every byte of the stick image outside its writable ATELIER partition."""
        digest = hashlib.sha256()
        with self.path.open("rb") as handle:
            for start, end in ((0, self.data_offset), (self.data_offset + self.data_size, None)):
                handle.seek(start)
                remaining = None if end is None else end - start
                while remaining is None or remaining > 0:
                    size = 8 * 1024 * 1024 if remaining is None else min(8 * 1024 * 1024, remaining)
                    data = handle.read(size)
                    if not data:
                        break
                    digest.update(data)
                    if remaining is not None:
                        remaining -= len(data)
        return digest.hexdigest()

    def mtools_image(self) -> str:
        return f"{self.path}@@{self.data_offset}"

    def copy_data_out(self, dest: Path) -> Path:
        """Copy the whole ATELIER partition's content to `dest` (mtools: no mount, no root)."""
        dest.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}
        subprocess.run(
            ["mcopy", "-s", "-n", "-i", self.mtools_image(), "::/*", str(dest)], check=True, env=env
        )
        return dest

    def put(self, local: Path, name: str) -> None:
        env = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}
        subprocess.run(
            ["mcopy", "-o", "-i", self.mtools_image(), str(local), f"::/{name}"], check=True, env=env
        )


def make_stick(out: Path, iso: Path = ISO, data_mib: int = 64, toml: Path | None = None) -> Stick:
    env = dict(os.environ)
    if toml is not None:
        env["ATELIER_TOML"] = str(toml)
    result = subprocess.run(
        [str(MAKE_STICK), str(iso), str(out), str(data_mib)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    values = dict(part.split("=") for part in result.stdout.split())
    return Stick(out, int(values["data_offset"]), int(values["data_size"]))


def image_ready() -> str | None:
    """None when the ISO and its PXE kernel/initrd exist, else why not."""
    for path in (ISO, KERNEL, INITRD):
        if not path.exists():
            return f"{path.relative_to(ROOT)} missing: run `make image` first"
    for tool in (QEMU, "mkfs.ext4", "sfdisk", "mkfs.fat", "mcopy"):
        if shutil.which(tool) is None:
            return f"{tool} not installed"
    return None


@contextmanager
def running(vm: Vm) -> Iterator[Vm]:
    with vm:
        yield vm


def standard_disks(workdir: Path, sentinel: bytes, size_mib: int = 64) -> list[Disk]:
    """The internal disks of the e2e PC: NVMe, SATA SSD on AHCI, virtio — each full of sentinels."""
    disks = [
        Disk("nvme", workdir / "nvme.raw", "NVME-E2E-0001"),
        Disk("sata", workdir / "sata.raw", "SATA-E2E-0001", model="Atelier-SSD-E2E", rotation_rate=1),
        Disk("virtio", workdir / "virtio.raw", "VIRT-E2E-0001"),
    ]
    for disk in disks:
        make_sentinel_disk(disk.path, size_mib, sentinel)
    return disks


def kernel_args(**values: str) -> str:
    """`atelier.key=value` words for the kernel command line (values must not contain spaces)."""
    words: list[str] = []
    for key, value in values.items():
        if any(c.isspace() for c in value):
            raise ValueError(f"kernel command line value with a space: {key}={value!r}")
        words.append(f"atelier.{key}={value}")
    return " ".join(words)


def iter_lines(text: str, prefix: str) -> Iterable[str]:
    return (line[len(prefix) :].strip() for line in text.splitlines() if line.startswith(prefix))
