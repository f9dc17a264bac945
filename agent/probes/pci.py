"""Graphics adapters from /sys/bus/pci, named from the system's pci.ids."""

from __future__ import annotations

import threading
import weakref

from agent.host import Host, HostFileError
from agent.parsers.pciids import PATHS, PciIds
from agent.probes._context import ProbeContext
from agent.report import Gpu

PROBE = "gpu"
PCI_DIR = "/sys/bus/pci/devices"
#: Intel, SiS, VIA.
_CHIPSET_GRAPHICS = {"8086", "1039", "1106"}


# One parsed pci.ids per host: the GPU and network probes both need names, often at the same
# time (the inventory runs probes in threads), and reading + decoding 1.3 MB costs ~5 ms.
_NAMES: weakref.WeakKeyDictionary[Host, PciIds | None] = weakref.WeakKeyDictionary()
_NAMES_LOCK = threading.Lock()


def load_pci_ids(ctx: ProbeContext, probe: str) -> PciIds | None:
    """The first pci.ids the system has; None (and one probe error) when there is none."""
    with _NAMES_LOCK:
        if ctx.host in _NAMES:
            return _NAMES[ctx.host]
        names = None
        for path in PATHS:
            text = ctx.read_text(probe, path, optional=True)
            if text is not None:
                names = PciIds(text)
                break
        else:
            ctx.error(probe, "no pci.ids database: device names unknown", ", ".join(PATHS))
        _NAMES[ctx.host] = names
        return names


def _id(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip().lower()
    return text[2:] if text.startswith("0x") else text


def driver_name(ctx: ProbeContext, device_path: str) -> str | None:
    try:
        return ctx.host.readlink(f"{device_path}/driver").rstrip("/").rsplit("/", 1)[-1] or None
    except HostFileError:
        return None


def is_integrated(slot: str, vendor_id: str | None) -> bool | None:
    """Graphics in the CPU or chipset (True) or on a card (False).

    Intel, SiS and VIA only made graphics into chipsets and CPUs here; SiS and VIA chipset
    graphics sit behind an internal AGP/PCIe bridge on bus 01 (peracotta 77, cassone, viavai).
    Anything else on bus 00 is on the board too. AMD APUs sit behind an internal bridge (bus 05
    or so) and are then reported as dedicated: a known limit; `boot_vga` does not help (it marks
    the firmware's console, not where the chip is).
    """
    if vendor_id in _CHIPSET_GRAPHICS:
        return True
    parts = slot.split(":")
    if len(parts) >= 3:
        return parts[-2] == "00"
    return None


def probe_gpus(ctx: ProbeContext) -> list[Gpu]:
    gpus: list[Gpu] = []
    names: PciIds | None = None
    loaded = False
    # No PCI bus at all (some ARM boards) is normal: nothing to list, nothing to report.
    for slot in ctx.list_dir(PROBE, PCI_DIR):
        path = f"{PCI_DIR}/{slot}"
        pci_class = _id(ctx.read_value(PROBE, f"{path}/class"))
        # Class 0x03: VGA (0x0300), XGA (0x0301), 3D controller (0x0302, Optimus GPUs), other (0x0380).
        if not pci_class or not pci_class.startswith("03"):
            continue
        vendor_id = _id(ctx.read_value(PROBE, f"{path}/vendor"))
        device_id = _id(ctx.read_value(PROBE, f"{path}/device"))
        if not loaded:
            names, loaded = load_pci_ids(ctx, PROBE), True
        gpus.append(
            Gpu(
                pci_slot=slot,
                vendor=names.vendor(vendor_id) if names and vendor_id else None,
                model=names.device(vendor_id, device_id) if names and vendor_id and device_id else None,
                vendor_id=vendor_id,
                device_id=device_id,
                driver=driver_name(ctx, path),
                integrated=is_integrated(slot, vendor_id),
            )
        )
    return gpus


__all__ = ["driver_name", "is_integrated", "load_pci_ids", "probe_gpus"]
