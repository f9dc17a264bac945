"""Network interfaces that are real hardware: /sys/class/net entries with a `device` link."""

from __future__ import annotations

from agent._typing import Literal
from agent.host import HostFileError
from agent.parsers._text import clean, to_int
from agent.parsers.pciids import PciIds
from agent.probes._context import ProbeContext
from agent.probes.pci import driver_name, load_pci_ids
from agent.report import NetworkInterface

PROBE = "network"
NET_DIR = "/sys/class/net"
_ARPHRD_ETHER = "1"


def _bus(ctx: ProbeContext, device_path: str) -> str | None:
    try:
        target = ctx.host.readlink(device_path)
    except HostFileError:
        return None
    if "/usb" in target:
        return "usb"
    if "virtio" in target:
        return "virtio"
    if "/pci" in target or target.rsplit("/", 1)[-1].count(":") == 2:
        return "pci"
    if "/sdio" in target or "mmc" in target:
        return "sdio"
    return None


def _link(ctx: ProbeContext, base: str) -> bool | None:
    # `carrier` can only be read while the interface is up (EINVAL otherwise): fall back on operstate.
    carrier = ctx.read_value(PROBE, f"{base}/carrier")
    if carrier in {"0", "1"}:
        return carrier == "1"
    state = ctx.read_value(PROBE, f"{base}/operstate")
    if state == "up":
        return True
    if state in {"down", "lowerlayerdown", "dormant"}:
        return False
    return None


def _interface(ctx: ProbeContext, name: str, names: PciIds | None) -> NetworkInterface:
    base = f"{NET_DIR}/{name}"
    device = f"{base}/device"
    wireless = ctx.host.exists(f"{base}/wireless") or ctx.host.exists(f"{base}/phy80211")
    kind: Literal["wired", "wireless", "other"]
    if wireless:
        kind = "wireless"
    elif ctx.read_value(PROBE, f"{base}/type") == _ARPHRD_ETHER:
        kind = "wired"
    else:
        kind = "other"
    mac = clean(ctx.read_value(PROBE, f"{base}/address"))
    if mac and not mac.strip("0:"):
        mac = None  # 00:00:00:00:00:00: the driver could not read the NIC's EEPROM
    speed = to_int(ctx.read_value(PROBE, f"{base}/speed"))
    vendor_id = ctx.read_value(PROBE, f"{device}/vendor")
    device_id = ctx.read_value(PROBE, f"{device}/device")
    return NetworkInterface(
        name=name,
        mac=mac.lower() if mac else None,
        driver=driver_name(ctx, device),
        kind=kind,
        link=_link(ctx, base),
        # Unknown speed reads as -1 (or 4294967295 on old kernels) when there is no link.
        speed_mbps=speed if speed is not None and 0 < speed < 10_000_000 else None,
        vendor=names.vendor(vendor_id) if names and vendor_id else None,
        model=names.device(vendor_id, device_id) if names and vendor_id and device_id else None,
        bus=_bus(ctx, device),
    )


def probe_network(ctx: ProbeContext) -> list[NetworkInterface]:
    # Bridges, bonds, tunnels, veth and lo live under /sys/devices/virtual: no `device` link.
    physical = [
        n for n in ctx.list_dir(PROBE, NET_DIR) if n != "lo" and ctx.host.exists(f"{NET_DIR}/{n}/device")
    ]
    if not physical:
        return []
    names = load_pci_ids(ctx, PROBE)
    return [_interface(ctx, name, names) for name in physical]


__all__ = ["probe_network"]
