"""The inventory as a technician reads it at a glance, in French (or English)."""

from __future__ import annotations

from agent import fmt
from agent.checks.disk_health import assess_smart
from agent.i18n import _
from agent.report import Battery, Disk, Display, Report

_TRANSPORTS = {
    "sata": "SATA",
    "ata": "IDE",
    "nvme": "NVMe",
    "usb": "USB",
    "scsi": "SCSI",
    "sas": "SAS",
    "mmc": "SD/eMMC",
    "virtio": "virtio",
    "unknown": "?",
}


def _or_unknown(value: object) -> str:
    return _("unknown") if value in (None, "") else str(value)


def _media(disk: Disk) -> str:
    labels = {
        "hdd": _("hard disk (HDD)"),
        "ssd": _("SSD"),
        "nvme": _("NVMe SSD"),
        "flash": _("flash memory"),
        "unknown": _("disk"),
    }
    return labels[disk.media_type]


def _disk_health(disk: Disk) -> list[str]:
    smart = disk.smart
    if smart is None or (smart.passed is None and smart.power_on_hours is None and not smart.ata_attributes):
        return [_("SMART: not available")]
    facts: list[str] = []
    if smart.passed is True:
        facts.append(_("SMART: passed"))
    elif smart.passed is False:
        facts.append(_("SMART: FAILED — replace this disk"))
    if smart.power_on_hours is not None:
        facts.append(_("{hours} h of use").format(hours=f"{smart.power_on_hours:,}".replace(",", " ")))
    if smart.temperature_c is not None:
        facts.append(_("{t} °C").format(t=smart.temperature_c))
    raw = {a.id: a.raw_value for a in smart.ata_attributes}
    bad = {5: _("reallocated sectors"), 197: _("pending sectors"), 198: _("uncorrectable sectors")}
    for attr, label in bad.items():
        if raw.get(attr):
            facts.append(_("{what}: {count}").format(what=label, count=raw[attr]))
    health = smart.nvme_health
    if health is not None:
        if health.percentage_used is not None:
            facts.append(_("wear {pct} %").format(pct=health.percentage_used))
        if health.media_errors:
            facts.append(_("media errors: {n}").format(n=health.media_errors))
    return facts


def _battery(b: Battery) -> str:
    parts = [_or_unknown(" ".join(x for x in (b.manufacturer, b.model) if x) or None)]
    if b.health_percent is not None:
        parts.append(_("health {pct} %").format(pct=fmt.decimal(b.health_percent, 0)))
    if b.full_capacity_wh is not None and b.design_capacity_wh is not None:
        parts.append(
            _("{full} Wh of {design} Wh").format(
                full=fmt.decimal(b.full_capacity_wh), design=fmt.decimal(b.design_capacity_wh)
            )
        )
    if b.cycle_count is not None:
        parts.append(_("{n} cycles").format(n=b.cycle_count))
    return ", ".join(parts)


def _display(d: Display) -> str:
    name = " ".join(x for x in (d.manufacturer or d.manufacturer_id, d.model) if x) or _("unknown screen")
    parts = [name]
    if d.diagonal_inches:
        parts.append(f'{fmt.decimal(d.diagonal_inches)}"')
    if d.native_width and d.native_height:
        parts.append(f"{d.native_width}×{d.native_height}")
    return ", ".join(parts)


def render_summary(report: Report) -> str:
    """Plain text, 80 columns, no colour codes: it prints on a Linux console and in a log alike."""
    lines: list[str] = []
    m = report.machine

    def section(title: str) -> None:
        lines.append("")
        lines.append(title.upper())

    def row(label: str, value: str) -> None:
        lines.append(f"  {label:<16} {value}")

    title = _("Atelier inventory")
    if report.asset_code:
        title += f" — {report.asset_code}"
    lines.append(title)
    lines.append("=" * min(len(title), 78))

    section(_("Machine"))
    row(_("Maker"), _or_unknown(m.system.manufacturer))
    row(_("Model"), _or_unknown(" ".join(x for x in (m.system.product, m.system.version) if x) or None))
    row(_("Serial number"), _or_unknown(m.system.serial))
    row(_("Type"), _or_unknown(m.chassis.type))
    if m.baseboard.manufacturer or m.baseboard.product:
        row(_("Motherboard"), " ".join(x for x in (m.baseboard.manufacturer, m.baseboard.product) if x))
    bios = " ".join(x for x in (m.bios.vendor, m.bios.version, fmt.day_iso(m.bios.date)) if x)
    row(_("BIOS"), _or_unknown(bios or None))
    boot = {"uefi": "UEFI", "legacy": _("legacy BIOS")}.get(m.firmware.boot_mode or "", _("unknown"))
    secure = {"enabled": _("on"), "disabled": _("off"), "setup-mode": _("setup mode")}.get(
        m.firmware.secure_boot or "", _("unknown")
    )
    row(_("Boot"), _("{mode}, Secure Boot: {secure}").format(mode=boot, secure=secure))
    if m.firmware.tpm_present:
        row(_("TPM"), _or_unknown(m.firmware.tpm_version))
    elif m.firmware.tpm_present is False:
        row(_("TPM"), _("not present"))

    section(_("Processor"))
    if not report.cpus:
        row(_("Model"), _("unknown"))
    for cpu in report.cpus:
        row(_("Model"), _or_unknown(cpu.model))
        cores = _("{cores} cores, {threads} threads").format(
            cores=_or_unknown(cpu.cores), threads=_or_unknown(cpu.threads)
        )
        if cpu.max_mhz:
            cores += f", {fmt.decimal(cpu.max_mhz / 1000, 2)} GHz max"
        row("", cores)
        if cpu.is_64bit is False:
            row("", _("32-bit only"))

    section(_("Memory"))
    row(_("Total"), fmt.size(report.memory.total_bytes, binary=True, decimals=0))
    if report.memory.slots_total:
        row(
            _("Slots"),
            _("{used} used of {total}").format(
                used=_or_unknown(report.memory.slots_used), total=report.memory.slots_total
            ),
        )
    for module in report.memory.modules:
        desc = " ".join(
            x
            for x in (
                fmt.size(module.size_bytes, binary=True, decimals=0) if module.size_bytes else None,
                module.type,
                module.form_factor,
                f"{module.speed_mts} MT/s" if module.speed_mts else None,
                module.manufacturer,
            )
            if x
        )
        row(module.slot or "", desc or _("unknown"))

    section(_("Disks"))
    if not report.disks:
        row("", _("no disk found"))
    for disk in report.disks:
        head = f"{disk.path}  {_or_unknown(disk.model)}  {fmt.size(disk.size_bytes)}  {_media(disk)} {_TRANSPORTS[disk.transport]}"
        lines.append(f"  {head}")
        row(_("Serial number"), _or_unknown(disk.serial))
        verdict = assess_smart(disk.smart, disk)
        row(_("Verdict"), verdict.summary.local())
        for reason in verdict.reasons:
            row("", f"- {reason.text.local()}")
        row(_("SMART data"), ", ".join(_disk_health(disk)))
        if disk.is_boot_medium:
            row("", _("boot medium (the Atelier stick): never erased"))
        elif disk.mounted or disk.in_use:
            row("", _("in use: {why}").format(why=", ".join(disk.in_use or disk.mountpoints)))

    section(_("Battery"))
    if not report.batteries:
        row("", _("no battery"))
    for battery in report.batteries:
        row(battery.name, _battery(battery))

    section(_("Screen"))
    if not report.displays:
        row("", _("no built-in or connected screen detected"))
    for display in report.displays:
        row(display.connector or "", _display(display))

    if report.gpus or report.network:
        section(_("Other"))
        for gpu in report.gpus:
            row(_("Graphics"), " ".join(x for x in (gpu.vendor, gpu.model) if x) or _("unknown"))
        for nic in report.network:
            kind = {"wired": _("wired"), "wireless": _("Wi-Fi"), "other": _("other")}[nic.kind]
            row(_("Network"), f"{nic.name} ({kind}) {nic.mac or ''}".rstrip())

    if report.probe_errors:
        section(_("Not detected"))
        lines.append(
            "  "
            + _("Some information could not be read ({n}); details are in the JSON report.").format(
                n=len(report.probe_errors)
            )
        )
    return "\n".join(lines) + "\n"


__all__ = ["render_summary"]
