"""Disks and their SMART data, complete enough to judge health later without the drive."""

from __future__ import annotations

from agent._record import field
from agent._typing import Literal
from agent.report._base import Model

Transport = Literal["sata", "ata", "nvme", "usb", "scsi", "sas", "mmc", "virtio", "unknown"]
MediaType = Literal["hdd", "ssd", "nvme", "flash", "unknown"]


class AtaAttribute(Model):
    id: int
    name: str | None = None
    value: int | None = None
    worst: int | None = None
    thresh: int | None = None
    raw_value: int | None = None
    raw_string: str | None = None
    #: "", "now" or "past" — smartctl's WHEN_FAILED column.
    when_failed: str | None = None
    prefailure: bool | None = None


class NvmeHealth(Model):
    critical_warning: int | None = None
    temperature_c: int | None = None
    available_spare: int | None = None
    available_spare_threshold: int | None = None
    percentage_used: int | None = None
    data_units_read: int | None = None
    data_units_written: int | None = None
    host_reads: int | None = None
    host_writes: int | None = None
    controller_busy_time: int | None = None
    power_cycles: int | None = None
    power_on_hours: int | None = None
    unsafe_shutdowns: int | None = None
    media_errors: int | None = None
    num_err_log_entries: int | None = None


class ScsiHealth(Model):
    grown_defect_list: int | None = None
    read_uncorrected_errors: int | None = None
    write_uncorrected_errors: int | None = None
    verify_uncorrected_errors: int | None = None
    read_corrected_errors: int | None = None
    write_corrected_errors: int | None = None
    percentage_used_endurance: int | None = None
    start_stop_cycles: int | None = None
    load_unload_cycles: int | None = None


class SelfTestEntry(Model):
    #: "short", "extended", "conveyance", "offline", "selective", "vendor" or as the drive says.
    type: str | None = None
    status: str | None = None
    #: True = completed without error, False = failed/aborted by error, None = interrupted / unknown.
    passed: bool | None = None
    lifetime_hours: int | None = None
    remaining_percent: int | None = None
    lba_first_error: int | None = None


class Smart(Model):
    #: smartctl's --json exit_status as an integer and its bits decoded by name.
    exit_status: int | None = None
    exit_bits: list[str] = field(default_factory=list)
    smartctl_version: str | None = None
    #: "ata", "nvme", "scsi" as smartctl says (device.protocol).
    protocol: str | None = None
    #: smartctl's device type used ("sat", "nvme", "scsi"…) — behind USB bridges "-d sat" is retried.
    device_type: str | None = None
    available: bool | None = None
    enabled: bool | None = None
    passed: bool | None = None
    power_on_hours: int | None = None
    power_cycles: int | None = None
    temperature_c: int | None = None
    ata_attributes: list[AtaAttribute] = field(default_factory=list)
    nvme_health: NvmeHealth | None = None
    scsi_health: ScsiHealth | None = None
    self_tests: list[SelfTestEntry] = field(default_factory=list)
    #: The self-test now running, as the drive reports it ("in progress, 70% remaining").
    self_test_in_progress: str | None = None
    #: Short self-test duration the drive announces (minutes), if any.
    short_test_minutes: int | None = None
    extended_test_minutes: int | None = None
    #: Messages smartctl printed (errors, warnings), verbatim.
    messages: list[str] = field(default_factory=list)


class AtaSecurity(Model):
    supported: bool | None = None
    enabled: bool | None = None
    locked: bool | None = None
    frozen: bool | None = None
    count_expired: bool | None = None
    enhanced_erase_supported: bool | None = None
    erase_minutes: int | None = None
    enhanced_erase_minutes: int | None = None
    master_password_revision: int | None = None
    level: str | None = None


class EraseCapabilities(Model):
    """What the drive says it can do to erase itself (filled by the erase planner's probes)."""

    ata_security: AtaSecurity | None = None
    ata_sanitize: list[Literal["crypto", "block", "overwrite"]] = field(default_factory=list)
    ata_sanitize_antifreeze: bool | None = None
    nvme_sanitize: list[Literal["crypto", "block", "overwrite"]] = field(default_factory=list)
    #: nvme id-ctrl FNA bit 2: crypto erase supported by Format NVM.
    nvme_format_crypto: bool | None = None
    nvme_format_supported: bool | None = None
    scsi_sanitize: list[Literal["crypto", "block", "overwrite"]] = field(default_factory=list)
    #: Host Protected Area / Device Configuration Overlay / Accessible Max Address.
    hpa_enabled: bool | None = None
    hpa_visible_sectors: int | None = None
    hpa_native_sectors: int | None = None
    dco_real_max_sectors: int | None = None
    discard: bool | None = None


class Disk(Model):
    name: str
    """Kernel name, e.g. 'sda', 'nvme0n1'."""
    path: str
    """Device node, e.g. '/dev/sda'."""
    by_id: str | None = None
    """Stable /dev/disk/by-id path when udev provides one."""
    model: str | None = None
    vendor: str | None = None
    serial: str | None = None
    wwn: str | None = None
    firmware: str | None = None
    size_bytes: int | None = None
    logical_sector_size: int | None = None
    physical_sector_size: int | None = None
    rotational: bool | None = None
    rotation_rate_rpm: int | None = None
    transport: Transport = "unknown"
    media_type: MediaType = "unknown"
    form_factor: str | None = None
    removable: bool | None = None
    read_only: bool | None = None
    is_boot_medium: bool = False
    mounted: bool = False
    mountpoints: list[str] = field(default_factory=list)
    #: Reasons this disk is in use and must not be erased (swap, RAID/LVM member, holder…).
    in_use: list[str] = field(default_factory=list)
    smart: Smart | None = None
    capabilities: EraseCapabilities | None = None
    placeholders: dict[str, str] = field(default_factory=dict)


__all__ = [
    "AtaAttribute",
    "AtaSecurity",
    "Disk",
    "EraseCapabilities",
    "MediaType",
    "NvmeHealth",
    "ScsiHealth",
    "SelfTestEntry",
    "Smart",
    "Transport",
]
