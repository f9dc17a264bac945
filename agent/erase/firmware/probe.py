"""What a drive says it can do to erase itself, for the planner (`EraseCapabilities`).

ATA: `hdparm -I` (security, SANITIZE), `-N` and `--dco-identify` (hidden areas). NVMe:
`nvme id-ctrl -o json` (SANICAP, FNA, OACS). SCSI/SAS: `sg_inq` (an "ATA" vendor means a SATA
drive behind a SAS HBA: use the ATA path) and `sg_opcodes` (SANITIZE service actions).
"""

from __future__ import annotations

from typing import Literal, cast

from agent.erase.firmware._common import nvme_controller, text_of
from agent.host import Host, HostFileError
from agent.parsers.hdparm import parse_dco, parse_hpa, parse_identify
from agent.parsers.nvme_idctrl import parse_nvme_idctrl
from agent.parsers.sg import parse_inquiry, parse_opcodes_sanitize
from agent.probes._context import ProbeContext
from agent.report import Disk, EraseCapabilities

Mode = Literal["crypto", "block", "overwrite"]
PROBE = "erase-capabilities"


def family(disk: Disk) -> Literal["nvme", "ata", "scsi", "other"]:
    if disk.transport == "nvme" or disk.name.startswith("nvme"):
        return "nvme"
    if disk.transport in ("sata", "ata"):
        return "ata"
    if disk.transport in ("scsi", "sas"):
        return "scsi"
    if disk.transport == "usb":
        # Many USB-SATA bridges pass ATA commands through (SAT); hdparm answers or fails cleanly.
        return "ata"
    return "other"


def _discard(host: Host, disk: Disk) -> bool | None:
    try:
        value = host.read_text(f"/sys/block/{disk.name}/queue/discard_max_bytes").strip()
    except HostFileError:
        return None
    return value.isdecimal() and int(value) > 0


def _ata(ctx: ProbeContext, disk: Disk, caps: EraseCapabilities) -> None:
    res = ctx.run(PROBE, ["hdparm", "-I", disk.path], timeout=30)
    if res.missing or res.timed_out:
        return
    ident = parse_identify(text_of(res))
    if ident.garbled:
        ctx.error(PROBE, "garbled ATA IDENTIFY data (USB bridge?): firmware erasure disabled", disk.path)
        return
    if ident.security is None and not ident.sanitize_supported:
        if not res.ok:
            ctx.error(PROBE, "hdparm -I failed", (res.stderr or res.stdout).strip()[-300:])
        return
    caps.ata_security = ident.security
    caps.ata_sanitize = cast(list[Mode], list(ident.sanitize_modes))
    caps.ata_sanitize_antifreeze = ident.sanitize_antifreeze
    hpa_res = ctx.run(PROBE, ["hdparm", "-N", disk.path], timeout=30)
    hpa = parse_hpa(text_of(hpa_res))
    if not hpa.bogus and hpa.native_sectors is not None:
        caps.hpa_enabled = hpa.enabled
        caps.hpa_visible_sectors = hpa.visible_sectors
        caps.hpa_native_sectors = hpa.native_sectors
    dco_res = ctx.run(PROBE, ["hdparm", "--dco-identify", disk.path], timeout=30)
    dco = parse_dco(text_of(dco_res))
    if not dco.failed:
        caps.dco_real_max_sectors = dco.real_max_sectors


def _nvme(ctx: ProbeContext, disk: Disk, caps: EraseCapabilities) -> None:
    res = ctx.run(PROBE, ["nvme", "id-ctrl", nvme_controller(disk.path), "-o", "json"], timeout=30)
    if res.missing or res.timed_out:
        return
    if not res.ok:
        ctx.error(PROBE, "nvme id-ctrl failed", (res.stderr or res.stdout).strip()[-300:])
        return
    fields = parse_nvme_idctrl(res.stdout)
    caps.nvme_sanitize = list(fields.sanitize_actions)
    caps.nvme_format_supported = fields.format_supported
    caps.nvme_format_crypto = fields.format_crypto_erase


def _scsi(ctx: ProbeContext, disk: Disk, caps: EraseCapabilities) -> bool:
    """False when the SCSI disk is really a SATA drive behind a SAS HBA (then probe it as ATA)."""
    inq = ctx.run(PROBE, ["sg_inq", disk.path], timeout=30)
    if inq.ok and (parse_inquiry(inq.stdout).vendor or "").upper() == "ATA":
        return False
    ops = ctx.run(PROBE, ["sg_opcodes", disk.path], timeout=30)
    if ops.ok:
        caps.scsi_sanitize = parse_opcodes_sanitize(ops.stdout)
    return True


def probe_capabilities(host: Host, disk: Disk, ctx: ProbeContext | None = None) -> EraseCapabilities:
    """Never raises: a tool that is missing or fails leaves fields None and records a probe error."""
    ctx = ctx or ProbeContext(host)
    caps = EraseCapabilities(discard=_discard(host, disk))
    kind = family(disk)
    if kind == "nvme":
        _nvme(ctx, disk, caps)
    elif kind == "scsi":
        if not _scsi(ctx, disk, caps):
            _ata(ctx, disk, caps)
    elif kind == "ata":
        _ata(ctx, disk, caps)
    return caps


__all__ = ["family", "probe_capabilities"]
