"""End to end: a virtual PC boots the Atelier live image from a USB stick image, the agent works on
its NVMe, SATA and virtio disks, and the host checks what it did (issue 7).

Boot: the ISO's own kernel and initrd with our kernel command line (`-kernel/-initrd`, see vm.py),
the stick image (ISO + ATELIER data partition, image/make-stick.sh) as a USB disk carrying the live
root. Run with `make e2e` (pytest -m vm); `make image` must have built image/out/ first.

Budget: `make e2e` must finish in 15 minutes on a 2-core machine under TCG (issue 7), so a boot
(~1–3 min) is the unit of cost: four VM boots in all. One script boot does the inventory, every
erasure (fault injection included) and the server-unreachable run; one boot runs the whole
unattended job against the server; two boot the stick through its BIOS and UEFI menus. The agent
runs there with `skip_checks=selftest,memory,cpu`: QEMU's drives make the short self-test wait
for its 3-minute floor and memory/CPU tests are minutes of pure emulation — they prove nothing
about the image that the unit tests do not (tests/checks/), while disk health, the read scan,
battery and network checks still run.

What runs today and what waits for `atelier run` (issue 6) is decided by the commands the IMAGE's
Atelier has (the commit recorded in image/out/manifest.txt), so the same file proves more as the
product grows, without edits.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.server import make_station_key, running_server, server_available
from tests.e2e.vm import (
    IMAGE_OUT,
    OVMF,
    ROOT,
    Disk,
    Identity,
    Stick,
    Vm,
    VmError,
    choose_accel,
    find_sentinel,
    image_ready,
    kernel_args,
    make_sentinel_disk,
    make_stick,
    new_sentinel,
    standard_disks,
)

pytestmark = [pytest.mark.vm, pytest.mark.timeout(1200)]

TIMINGS = ROOT / "image" / "build" / "e2e-timings.json"  # survives image rebuilds (out/ is replaced)
ASSET = "E2E-0001"
BOOT_TIMEOUT = (
    480.0  # generous: 2 cores shared with other jobs (seen: 239 s at load 7); target 75 s is a benchmark
)
STICK_SERIAL = "ATELIER-STICK-1"
SPOOL_ASSET = "E2E-SPOOL-0001"
#: Checks left out inside the VM (see the module docstring).
VM_SKIP_CHECKS = "selftest,memory,cpu"


def record_timing(name: str, value: Any) -> None:
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(TIMINGS.read_text()) if TIMINGS.exists() else {}
    data[name] = value
    TIMINGS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def image_commit() -> str | None:
    manifest = IMAGE_OUT / "manifest.txt"
    if not manifest.exists():
        return None
    match = re.search(r"^atelier_commit: (\w+) \((\w+)\)", manifest.read_text(), re.M)
    if not match:
        return None
    return None if match.group(2) == "worktree" else match.group(1)


def image_has_command(name: str) -> bool:
    """Does the image's Atelier have `atelier NAME` (agent/cli/NAME.py at the commit it was built from)?"""
    commit = image_commit()
    path = f"agent/cli/{name}.py"
    if commit is None:
        return (ROOT / path).exists()
    return (
        subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}:{path}"], check=False).returncode
        == 0
    )


@pytest.fixture(scope="session")
def image() -> None:
    why = image_ready()
    if why:
        pytest.skip(why)


@pytest.fixture(scope="session")
def accel(image: None) -> str:
    accel, why = choose_accel()
    record_timing("kvm_probe", why)
    return accel


@pytest.fixture
def sentinel() -> bytes:
    return new_sentinel()


@pytest.fixture
def stick(tmp_path: Path, image: None) -> Stick:
    return make_stick(tmp_path / "stick.img", data_mib=64)


def boot(vm: Vm) -> float:
    """Start the VM and wait for the launcher's marker; returns seconds from QEMU start."""
    vm.start()
    vm.wait_for("@@ATELIER-BOOT", BOOT_TIMEOUT)
    return vm.elapsed()


def finish(vm: Vm, timeout: float) -> int:
    """Wait for the power-off; returns the agent's rc from the launcher's end marker, or -1 when the
    agent powered the VM off itself before the launcher could print it (atelier.end=poweroff)."""
    vm.wait_exit(timeout)
    match = re.search(r"@@ATELIER-END rc=(\d+)", vm.serial_text())
    return int(match.group(1)) if match else -1


def stick_disk(stick: Stick, *, removable: bool = True) -> Disk:
    return Disk("usb", stick.path, STICK_SERIAL, removable=removable)


def assert_identity(report: dict[str, Any], identity: Identity) -> None:
    system = report["machine"]["system"]
    assert system["manufacturer"] == identity.manufacturer
    assert system["product"] == identity.product
    assert system["serial"] == identity.serial
    assert (system["uuid"] or "").lower() == identity.uuid
    modules = report.get("memory", {}).get("modules", [])
    assert any(m.get("serial") == identity.ram_serial for m in modules), modules


def test_stick_boots_through_its_menu(tmp_path: Path, accel: str, image: None) -> None:
    """The stick image as a PC's firmware sees it, on legacy BIOS (SeaBIOS → isolinux) and UEFI
    (OVMF → GRUB): menu, 5 s timeout, default entry = guided mode, live root found on the stick
    despite the appended data partition. The two PCs boot at the same time: a booting VM keeps
    about one host core busy (systemd starts on one vCPU), so the pair costs little more than one
    boot on a 2-core machine."""
    firmwares = ["bios", "uefi"] if OVMF.exists() else ["bios"]
    vms = {}
    for firmware in firmwares:
        stick = make_stick(tmp_path / f"stick-{firmware}.img", data_mib=64)
        vms[firmware] = Vm(
            tmp_path / f"vm-{firmware}",
            [Disk("usb", stick.path, STICK_SERIAL, bootindex=0)],
            kernel=None,
            firmware=firmware,
            accel=accel,
            network=False,
        )
    modes: dict[str, str] = {}
    try:
        for vm in vms.values():
            vm.start()
        for firmware, vm in vms.items():
            match = vm.wait_for(re.compile(r"@@ATELIER-BOOT mode=(\w+)"), BOOT_TIMEOUT)
            modes[firmware] = match.group(1)
            record_timing(f"stick_{firmware}_menu_to_launcher_s_{accel}", round(vm.elapsed(), 1))
            vm.stop()
    finally:
        for vm in vms.values():
            vm.stop()
    assert modes == dict.fromkeys(firmwares, "guided")
    if "uefi" not in firmwares:
        pytest.skip("booted on BIOS only: OVMF (package ovmf) not installed for the UEFI boot")


def _certificates(where: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in where.rglob("*.json"):
        try:
            data = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError):
            continue
        items = data if isinstance(data, list) else [data]
        found += [i for i in items if isinstance(i, dict) and "certificate" in i and "signature" in i]
    return found


# --- runs once `atelier run` is in the image: the whole unattended job --------------------------


@pytest.fixture
def station_key(tmp_path: Path, stick: Stick) -> str:
    """The station key on the stick (as a registered workshop stick has it); its public key."""
    keydir = tmp_path / "station"
    keydir.mkdir()
    public = make_station_key(keydir)
    stick.put(keydir / "station.key", "station.key")
    return public


@pytest.fixture
def server(tmp_path: Path, station_key: str) -> Iterator[Any]:
    why = server_available()
    if why:
        pytest.skip(why)
    with running_server(tmp_path, public_key=station_key) as srv:
        yield srv


def put_unattended_policy(tmp_path: Path, stick: Stick) -> str:
    """The workshop's policy on the stick: the shipped default with unattended erasure allowed (no
    shipped policy allows it — a supervisor decides that). Returns its path in the guest."""
    default = (ROOT / "agent" / "erase" / "policies" / "default.toml").read_text()
    text = default.replace('name = "default"', 'name = "e2e-workshop"')
    text = text.replace("unattended = false", "unattended = true")
    assert "unattended = true" in text
    local = tmp_path / "workshop.toml"
    local.write_text(text)
    stick.put(local, "workshop.toml")
    return "/run/atelier-data/workshop.toml"


def _unattended_vm(
    tmp_path: Path, accel: str, disks: list[Disk], stick: Stick, server_url: str, token: str
) -> Vm:
    policy = put_unattended_policy(tmp_path, stick)
    append = kernel_args(
        mode="auto",
        asset=ASSET,
        server=server_url,
        token=token,
        policy=policy,
        end="poweroff",
        lang="fr",
        skip_checks=VM_SKIP_CHECKS,
    )
    return Vm(tmp_path / "vm", [*disks, stick_disk(stick)], append=append, accel=accel)


def test_unattended_run_end_to_end(
    tmp_path: Path, accel: str, sentinel: bytes, stick: Stick, server: Any
) -> None:
    if not image_has_command("run"):
        pytest.skip("the image's Atelier has no `atelier run` yet (issue 6): rebuild the image once it lands")
    disks = standard_disks(tmp_path, sentinel)
    before = stick.outside_data_sha256()
    vm = _unattended_vm(tmp_path, accel, disks, stick, server.guest_url, server.token)
    started = time.monotonic()
    try:
        to_launcher = boot(vm)
        # The unattended screen's first timestamped line: the agent's first screen.
        vm.wait_for(re.compile(r"^\[\d\d:\d\d:\d\d\] ", re.M), 300)
        to_agent = vm.elapsed()
        rc = finish(vm, 900)
    finally:
        vm.stop()
    record_timing(f"unattended_run_total_s_{accel}", round(time.monotonic() - started, 1))
    record_timing(f"boot_to_launcher_s_{accel}", round(to_launcher, 1))
    record_timing(f"boot_to_agent_first_screen_s_{accel}", round(to_agent, 1))
    assert rc in (0, -1), vm.tail(60)  # -1: the agent powered off before the launcher spoke

    device = server.device(ASSET)
    assert device is not None, "the server has no device for the asset code"
    report = _latest_report(server, device)
    assert report["asset_code"] == ASSET
    assert_identity(report, vm.identity)
    serials = {d.get("serial") for d in report["disks"]}
    assert {d.serial for d in disks} <= serials
    certificates = {c["certificate"]["disk"].get("serial"): c["certificate"] for c in report["certificates"]}
    for disk in disks:
        cert = certificates[disk.serial]
        assert cert["result"] == "erased", cert.get("reason")
        assert cert["verification"]["passed"] is True
    # The planner's choice per device, as QEMU 7.2 supports it (notes/qemu.md): NVMe format works
    # (sanitize does not); the AHCI disk's security erase is a lie (exit 0, data stays) so only a
    # verified overwrite can be "erased"; virtio has no firmware erase.
    assert certificates["NVME-E2E-0001"]["technique"] in (
        "nvme_format_user_data",
        "nvme_format_crypto",
        "overwrite",
    )
    assert certificates["SATA-E2E-0001"]["technique"] == "overwrite"
    assert certificates["VIRT-E2E-0001"]["technique"] == "overwrite"
    for disk in disks:
        assert find_sentinel(disk.path, sentinel) == [], f"{disk.serial}: planted data survived"
    assert stick.outside_data_sha256() == before
    data = stick.copy_data_out(tmp_path / "stick-data")
    assert any(ASSET in p.read_text(errors="replace") for p in (data / "spool").rglob("*.json")), (
        "no report on the stick"
    )
    assert list((data / "logs").glob("journal-*.txt"))


def assert_no_internal_disk_mounted_at_boot(dmesg: str) -> None:
    """The kernel log up to the script's start: live-boot went straight to the stick named by
    live-media= and mounted no file system of the internal disks (ext4 here; a read-only ext4 mount
    may still replay its journal, a write). The initramfs says when the stick's link appeared."""
    assert "atelier-medium: /dev/disk/by-label/ATELIER-LIVE present" in dmesg, dmesg[-3000:]
    mounted = re.findall(r"EXT4-fs \((\w+)\): (?:mounted filesystem|recovery complete).*", dmesg)
    assert mounted == [], f"an internal disk was mounted during the boot: {mounted}"


def _latest_report(server: Any, device: dict[str, Any]) -> dict[str, Any]:
    for key in ("latest_report", "report"):
        if isinstance(device.get(key), dict) and "disks" in device[key]:
            return dict(device[key])
    for event in device.get("history", []):
        report_id = event.get("report_id")
        if report_id:
            return dict(server.report(report_id))
    raise AssertionError(f"no report reachable from the device record: {sorted(device)}")


def test_inventory_erasure_and_spooled_run(
    tmp_path: Path, accel: str, sentinel: bytes, stick: Stick, server: Any
) -> None:
    """One script boot (a boot is the costly part): the agent's inventory, `atelier erase` on every
    internal disk — one of them failing writes part-way (blkdebug) — then an unattended run whose
    server is unreachable. The host then checks the inventory, that no planted byte survived, the
    certificates (the failing disk's names its range), the stick unchanged outside its data
    partition, and that `atelier sync` delivers the spooled report exactly once."""
    for command in ("erase", "run", "sync"):
        if not image_has_command(command):
            pytest.skip(f"the image's Atelier has no `atelier {command}`: rebuild the image")
    disks = standard_disks(tmp_path, sentinel)
    rules = tmp_path / "blkdebug.conf"
    # Writes fail from sector 65536 (32 MiB) on: a disk that dies part-way (notes/qemu.md).
    rules.write_text('[inject-error]\nevent = "write_aio"\nerrno = "5"\nsector = "65536"\nonce = "off"\n')
    bad = Disk("virtio", tmp_path / "bad.raw", "BAD-E2E-0001", blkdebug=rules)
    make_sentinel_disk(bad.path, 64, sentinel)
    share = tmp_path / "share"
    share.mkdir()
    policy = put_unattended_policy(tmp_path, stick)
    before = stick.outside_data_sha256()
    serials = " ".join(d.serial for d in [*disks, bad])
    # The run's `end` is "wait" (environment beats the kernel command line): the launcher powers
    # the VM off once the whole script is done, not the agent in the middle of it.
    script = f"""
set -u
out=$ATELIER_OUT
echo "@@SCRIPT-START uptime=$(cut -d' ' -f1 /proc/uptime)"
dmesg >$out/dmesg-boot.txt
/usr/bin/time -v -o $out/inventory.time atelier inventory --json >$out/inventory.json 2>$out/inventory.err
echo $? >$out/inventory.rc
echo "@@INVENTORY-DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
lsblk -J -o NAME,PATH,SERIAL,MODEL,SIZE,TRAN,RM,LABEL,FSTYPE,MOUNTPOINT >$out/lsblk.json
echo "script ran" >$ATELIER_DATA/logs/e2e-script.txt
for serial in {serials}; do
    dev=$(lsblk -dnro PATH,SERIAL | awk -v s="$serial" '$2 == s {{print $1; exit}}')
    echo "== $serial $dev" >>$out/erase.log
    atelier erase --device "$dev" --yes --quiet --out $out/certs >$out/erase-$serial.out 2>$out/erase-$serial.err
    echo "$serial $?" >>$out/erase.rc
done
echo "@@ERASE-DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
ATELIER_END=wait atelier run --unattended --asset-code {SPOOL_ASSET} >$out/run.out 2>$out/run.err
echo $? >$out/run.rc
echo "@@RUN-DONE uptime=$(cut -d' ' -f1 /proc/uptime)"
journalctl -b -o short-monotonic --no-pager >$out/journal.txt
"""
    closed = "http://10.0.2.2:9"  # discard port: nothing listens there on the host
    append = kernel_args(
        mode="script",
        end="poweroff",
        server=closed,
        token=server.token,
        policy=policy,
        lang="fr",
        skip_checks=VM_SKIP_CHECKS,
    )
    # A stick that says it is not removable (some do): without live-media= live-boot's scan
    # reached the internal disks before it and mounted their ext4 (seen with the session-3 image).
    vm = Vm(
        tmp_path / "vm",
        [*disks, bad, stick_disk(stick, removable=False)],
        append=append,
        accel=accel,
        script=script,
        share=share,
    )
    started = time.monotonic()
    try:
        to_marker = boot(vm)
        vm.wait_for("@@INVENTORY-DONE", 300)
        to_inventory = vm.elapsed()
        rc = finish(vm, 1200)
    finally:
        vm.stop()
    record_timing(f"boot_to_launcher_s_{accel}", round(to_marker, 1))
    record_timing(f"boot_to_inventory_done_s_{accel}", round(to_inventory, 1))
    record_timing(f"script_boot_total_s_{accel}", round(time.monotonic() - started, 1))
    assert rc == 0, vm.tail(60)

    # Inventory: SMBIOS identity, every disk by serial, the stick seen.
    assert (share / "inventory.rc").read_text().strip() == "0", (share / "inventory.err").read_text()[-3000:]
    report = json.loads((share / "inventory.json").read_text())
    assert_identity(report, vm.identity)
    serials_seen = {d.get("serial") for d in report["disks"]}
    assert {d.serial for d in [*disks, bad]} <= serials_seen, serials_seen
    assert any(d.get("transport") == "usb" for d in report["disks"]), "the boot stick is not in the inventory"
    # The stick is recognised as the boot medium (live-media= names it by its label's udev link).
    (boot_stick,) = [d for d in report["disks"] if d.get("serial") == STICK_SERIAL]
    assert boot_stick["is_boot_medium"] is True, boot_stick.get("in_use")
    assert_no_internal_disk_mounted_at_boot((share / "dmesg-boot.txt").read_text(errors="replace"))

    # Erasure: no planted byte left on the good disks, certificates erased + verified; the disk
    # whose writes fail is never "erased" and its certificate names the failed range.
    rcs = dict(line.split() for line in (share / "erase.rc").read_text().splitlines())
    for disk in disks:
        assert rcs[disk.serial] == "0", (share / f"erase-{disk.serial}.err").read_text()[-2000:]
        assert find_sentinel(disk.path, sentinel) == [], f"{disk.serial}: planted data survived the erasure"
    assert rcs[bad.serial] != "0", "a disk whose writes fail cannot be reported erased"
    by_serial = {
        c["certificate"]["disk"].get("serial"): c["certificate"] for c in _certificates(share / "certs")
    }
    for disk in disks:
        assert by_serial[disk.serial]["result"] == "erased"
        assert by_serial[disk.serial]["verification"]["passed"] is True
    failed = by_serial[bad.serial]
    assert failed["result"] in ("failed", "incomplete")
    assert failed["failed_ranges"], "the failing range is not in the certificate"
    assert (
        failed["failed_ranges"][0]["start"] <= 65536 * 512 < failed["failed_ranges"][0]["end"] + 1024 * 1024
    )

    # Nothing written to the stick outside its data partition; the logs are on it.
    assert stick.outside_data_sha256() == before
    data = stick.copy_data_out(tmp_path / "stick-data")
    assert (data / "logs" / "e2e-script.txt").read_text().strip() == "script ran"
    assert list((data / "logs").glob("journal-*.txt")), "the launcher did not save the journal on the stick"

    # Server unreachable: the report waits in the stick's spool; `atelier sync` (twice) delivers
    # it exactly once.
    assert server.device(SPOOL_ASSET) is None
    spooled = [p for p in (data / "spool").rglob("*.json") if SPOOL_ASSET in p.read_text(errors="replace")]
    assert spooled, f"the report was not spooled on the stick: {(share / 'run.err').read_text()[-2000:]}"
    env = {
        **os.environ,
        "ATELIER_DATA_DIR": str(data),
        "ATELIER_SERVER": server.host_url,
        "ATELIER_TOKEN": server.token,
    }
    atelier = str(ROOT / ".venv" / "bin" / "atelier")
    for _ in range(2):  # a second sync must not send it again
        subprocess.run([atelier, "sync"], env=env, check=True, timeout=120)
    device = server.device(SPOOL_ASSET)
    assert device is not None
    reports = {e.get("report_id") for e in device.get("history", []) if e.get("report_id")}
    assert len(reports) == 1, device.get("history")


def test_vm_error_carries_console_tail(tmp_path: Path) -> None:
    """The harness's own failure path: a VM that never prints the marker fails with the console."""
    vm = Vm(tmp_path / "vm", [], kernel=Path("/nonexistent"), append="")
    with pytest.raises(VmError, match="QEMU exited"):
        vm.start()
        vm.wait_for("@@NEVER", 30)
    vm.stop()
