"""smartctl `--json` output → drive identity and a complete `Smart` block. Pure: text in, model out.

smartctl's JSON changed between 6.x and 7.4 (fields appear, vanish and change type, e.g.
`smart_support` is a bool in some builds and an object in others), drives behind USB bridges
answer half the questions, and anonymised fixtures carry odd serials. So every field is read
tolerantly: a value of the wrong shape is `None`, never an exception. Only text that is not JSON
at all (or is cut short) raises `SmartctlParseError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from agent._record import Record, field
from agent._typing import Any
from agent.parsers._text import clean
from agent.report import AtaAttribute, NvmeHealth, ScsiHealth, SelfTestEntry, Smart


class SmartctlParseError(ValueError):
    """The text is not smartctl JSON at all (empty, truncated, or another program's output)."""


#: smartctl(8) "RETURN VALUES": one bit per condition, bit 0 first.
EXIT_BITS = (
    "command_line_error",
    "device_open_failed",
    "smart_command_failed",
    "disk_failing",
    "prefail_attributes_at_or_below_threshold",
    "attributes_below_threshold_in_past",
    "error_log_has_errors",
    "self_test_log_has_errors",
)


def decode_exit_status(code: int) -> list[str]:
    """smartctl's exit status bit field, by name (bit 0 first); a negative code decodes to nothing."""
    if not isinstance(code, int) or isinstance(code, bool) or code < 0:
        return []
    return [name for bit, name in enumerate(EXIT_BITS) if code & (1 << bit)]


class SmartctlDrive(Record):
    """What one smartctl document says about one drive; any field may be unknown (None)."""

    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    vendor: str | None = None
    #: "0x5000c500a1b2c3d4" (NAA + OUI + vendor id, as smartctl prints "5 000c50 0a1b2c3d4").
    wwn: str | None = None
    capacity_bytes: int | None = None
    logical_block_size: int | None = None
    physical_block_size: int | None = None
    #: Revolutions per minute; 0 means a solid-state drive.
    rotation_rate: int | None = None
    form_factor: str | None = None
    #: "ATA", "NVMe" or "SCSI" (smartctl's device.protocol), None when smartctl could not tell.
    protocol: str | None = None
    #: smartctl's device.type: "sat", "nvme", "scsi", "usbjmicron"…
    device_type: str | None = None
    smart: Smart = field(default_factory=Smart)
    #: Raw values dropped as placeholders (e.g. serial "0000000000"), by field name.
    placeholders: dict[str, str] = field(default_factory=dict)

    @property
    def has_identity(self) -> bool:
        return any(v is not None for v in (self.model, self.serial, self.capacity_bytes))


# ---------------------------------------------------------------------------------------------
# Tolerant accessors: a wrong type anywhere on the path gives None.


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _nonneg(value: Any) -> int | None:
    number = _int(value)
    return number if number is not None and number >= 0 else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# Patterns as text: `re` compiles (and caches) each on its first use, so an inventory that needs
# none does not compile them at start (a measurable cost under emulated CPUs, issue 2).
_LEADING_INT = r"^\s*(\d+)"
_HOURS = r"^\s*(\d+)h"


def _leading_int(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    match = re.match(_LEADING_INT, text)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------------------------------------
# Identity


def _wwn(doc: dict[str, Any]) -> str | None:
    wwn = doc.get("wwn")
    if isinstance(wwn, dict):
        naa, oui, ident = _nonneg(wwn.get("naa")), _nonneg(wwn.get("oui")), _nonneg(wwn.get("id"))
        if naa is None or oui is None or ident is None or naa > 0xF or oui > 0xFFFFFF or ident > 0xFFFFFFFFF:
            return None
        value = (naa << 60) | (oui << 36) | ident
        return None if value == 0 else f"0x{value:016x}"
    if isinstance(wwn, str):
        return _hex_id(wwn)
    # SCSI/SAS drives: the NAA logical unit id ("0x5000cca264d473d4").
    return _hex_id(_str(doc.get("logical_unit_id")))


def _hex_id(text: str | None) -> str | None:
    if not text:
        return None
    compact = text.replace(" ", "").lower()
    compact = compact.removeprefix("0x")
    if not compact or any(c not in "0123456789abcdef" for c in compact) or set(compact) == {"0"}:
        return None
    return f"0x{compact}"


def _protocol(doc: dict[str, Any]) -> str | None:
    raw = _str(_get(doc, "device", "protocol"))
    if raw:
        normal = {"ata": "ATA", "nvme": "NVMe", "scsi": "SCSI"}.get(raw.strip().lower())
        if normal:
            return normal
    return None


def _capacity(doc: dict[str, Any]) -> int | None:
    size = _nonneg(_get(doc, "user_capacity", "bytes"))
    if size:
        return size
    # NVMe without user_capacity (several namespaces): the first namespace's size, else the total.
    for namespace in _list(doc.get("nvme_namespaces")):
        size = _nonneg(_get(namespace, "size", "bytes"))
        if size:
            return size
    return _nonneg(doc.get("nvme_total_capacity")) or None


def _model(doc: dict[str, Any]) -> str | None:
    for key in ("model_name", "scsi_model_name"):
        value = clean(_str(doc.get(key)))
        if value:
            return value
    vendor = _str(doc.get("vendor")) or _str(doc.get("scsi_vendor")) or ""
    product = _str(doc.get("product")) or _str(doc.get("scsi_product")) or ""
    return clean(f"{vendor.strip()} {product.strip()}")


# ---------------------------------------------------------------------------------------------
# SMART data


def _power_on_hours(doc: dict[str, Any], attrs: list[AtaAttribute]) -> int | None:
    hours = _nonneg(_get(doc, "power_on_time", "hours"))
    if hours is not None:
        return hours
    for attr in attrs:
        if attr.id != 9:
            continue
        name = (attr.name or "").lower()
        # Raw value layouts seen: "14551", "2725 (151 234 0)" (Seagate packs more into the raw
        # value), "47060h+35m+00.858s", "1066h+47m" (Power_On_Minutes), "9387h+39m+25s" (Seconds).
        match = re.match(_HOURS, attr.raw_string or "")
        if match:
            return int(match.group(1))
        raw = attr.raw_value
        if "half_min" in name and raw is not None:
            return raw // 120
        if "minute" in name and raw is not None:
            return raw // 60
        if "second" in name and raw is not None:
            return raw // 3600
        leading = _leading_int(attr.raw_string)
        if leading is not None:
            return leading
        return raw if raw is not None and raw < 1 << 32 else None
    return _nonneg(_get(doc, "nvme_smart_health_information_log", "power_on_hours"))


def _temperature(doc: dict[str, Any], attrs: list[AtaAttribute]) -> int | None:
    current = _int(_get(doc, "temperature", "current"))
    if current is not None:
        return current
    nvme = _int(_get(doc, "nvme_smart_health_information_log", "temperature"))
    if nvme is not None:
        return nvme
    for wanted in (194, 190):
        for attr in attrs:
            if attr.id == wanted:
                # "35 (Min/Max 18/45)": the raw value packs min/max in its upper bytes.
                leading = _leading_int(attr.raw_string)
                if leading is not None and leading < 200:
                    return leading
                if attr.raw_value is not None:
                    return attr.raw_value & 0xFF
    return None


def _power_cycles(doc: dict[str, Any], attrs: list[AtaAttribute]) -> int | None:
    cycles = _nonneg(doc.get("power_cycle_count"))
    if cycles is not None:
        return cycles
    cycles = _nonneg(_get(doc, "nvme_smart_health_information_log", "power_cycles"))
    if cycles is not None:
        return cycles
    for attr in attrs:
        if attr.id == 12:
            return _leading_int(attr.raw_string) if attr.raw_string else attr.raw_value
    return None


def _ata_attributes(doc: dict[str, Any]) -> list[AtaAttribute]:
    result: list[AtaAttribute] = []
    for row in _list(_get(doc, "ata_smart_attributes", "table")):
        if not isinstance(row, dict):
            continue
        ident = _nonneg(row.get("id"))
        if ident is None:
            continue
        raw = _dict(row.get("raw"))
        raw_string = _str(raw.get("string"))
        result.append(
            AtaAttribute(
                id=ident,
                name=_str(row.get("name")),
                value=_int(row.get("value")),
                worst=_int(row.get("worst")),
                thresh=_int(row.get("thresh")),
                raw_value=_int(raw.get("value")),
                raw_string=raw_string.strip() if raw_string is not None else None,
                when_failed=_when_failed(row.get("when_failed")),
                prefailure=_bool(_get(row, "flags", "prefailure")),
            )
        )
    return result


def _when_failed(value: Any) -> str | None:
    text = _str(value)
    if text is None:
        return None
    text = text.strip()
    # smartctl text output prints "-" where JSON prints "": both mean "never failed".
    return "" if text == "-" else text


def _nvme_health(doc: dict[str, Any]) -> NvmeHealth | None:
    log = doc.get("nvme_smart_health_information_log")
    if not isinstance(log, dict):
        return None
    return NvmeHealth(
        critical_warning=_nonneg(log.get("critical_warning")),
        temperature_c=_int(log.get("temperature")),
        available_spare=_nonneg(log.get("available_spare")),
        available_spare_threshold=_nonneg(log.get("available_spare_threshold")),
        percentage_used=_nonneg(log.get("percentage_used")),
        data_units_read=_nonneg(log.get("data_units_read")),
        data_units_written=_nonneg(log.get("data_units_written")),
        host_reads=_nonneg(log.get("host_reads")),
        host_writes=_nonneg(log.get("host_writes")),
        controller_busy_time=_nonneg(log.get("controller_busy_time")),
        power_cycles=_nonneg(log.get("power_cycles")),
        power_on_hours=_nonneg(log.get("power_on_hours")),
        unsafe_shutdowns=_nonneg(log.get("unsafe_shutdowns")),
        media_errors=_nonneg(log.get("media_errors")),
        num_err_log_entries=_nonneg(log.get("num_err_log_entries")),
    )


def _scsi_health(doc: dict[str, Any]) -> ScsiHealth | None:
    keys = ("scsi_grown_defect_list", "scsi_error_counter_log", "scsi_start_stop_cycle_counter")
    endurance_key = "scsi_percentage_used_endurance_indicator"
    if not any(k in doc for k in (*keys, endurance_key)):
        return None
    log = _dict(doc.get("scsi_error_counter_log"))
    cycles = _dict(doc.get("scsi_start_stop_cycle_counter"))
    endurance = doc.get(endurance_key)
    if isinstance(endurance, dict):  # some builds nest it: {"value": N}
        endurance = endurance.get("value")
    return ScsiHealth(
        grown_defect_list=_nonneg(doc.get("scsi_grown_defect_list")),
        read_uncorrected_errors=_nonneg(_get(log, "read", "total_uncorrected_errors")),
        write_uncorrected_errors=_nonneg(_get(log, "write", "total_uncorrected_errors")),
        verify_uncorrected_errors=_nonneg(_get(log, "verify", "total_uncorrected_errors")),
        read_corrected_errors=_nonneg(_get(log, "read", "total_errors_corrected")),
        write_corrected_errors=_nonneg(_get(log, "write", "total_errors_corrected")),
        percentage_used_endurance=_nonneg(endurance),
        start_stop_cycles=_nonneg(cycles.get("accumulated_start_stop_cycles")),
        load_unload_cycles=_nonneg(cycles.get("accumulated_load_unload_cycles")),
    )


def _test_type(description: str | None) -> str | None:
    if description is None:
        return None
    low = description.lower()
    for word, kind in (
        ("short", "short"),
        ("extended", "extended"),
        ("long", "extended"),
        ("conveyance", "conveyance"),
        ("selective", "selective"),
        ("vendor", "vendor"),
        ("offline", "offline"),
    ):
        if word in low:
            return kind
    return description.strip() or None


# ATA self-test execution status (upper nibble of the status byte, ACS-3 table 140):
# 0 ok, 1 aborted by host, 2 interrupted by reset, 3..8 failures, 15 in progress.
_ATA_FAILED = {3, 4, 5, 6, 7, 8}
_ATA_NEUTRAL = {1, 2, 15}


def _ata_self_tests(doc: dict[str, Any]) -> list[SelfTestEntry]:
    log = _dict(doc.get("ata_smart_self_test_log"))
    # -x reads the extended (GP) log when the drive has one; it holds more entries than "standard".
    table = _list(_get(log, "extended", "table")) or _list(_get(log, "standard", "table"))
    entries: list[SelfTestEntry] = []
    for row in table:
        if not isinstance(row, dict):
            continue
        status = _dict(row.get("status"))
        value = _nonneg(status.get("value"))
        passed = _bool(status.get("passed"))
        if passed is None and value is not None:
            code = value >> 4
            passed = True if code == 0 else False if code in _ATA_FAILED else None
        if passed is True and value is not None and (value >> 4) in _ATA_NEUTRAL:
            passed = None
        remaining = _nonneg(status.get("remaining_percent"))
        entries.append(
            SelfTestEntry(
                type=_test_type(_str(_get(row, "type", "string"))),
                status=_str(status.get("string")),
                passed=passed,
                lifetime_hours=_nonneg(row.get("lifetime_hours")),
                remaining_percent=remaining,
                lba_first_error=_nonneg(row.get("lba")),
            )
        )
    return entries


# NVMe self-test result (Get Log Page 06h, status bits 3:0): 0 ok, 1-4/8/9 aborted, 5-7 failed.
_NVME_FAILED = {5, 6, 7}


def _nvme_self_tests(doc: dict[str, Any]) -> list[SelfTestEntry]:
    entries: list[SelfTestEntry] = []
    for row in _list(_get(doc, "nvme_self_test_log", "table")):
        if not isinstance(row, dict):
            continue
        result = _nonneg(_get(row, "self_test_result", "value"))
        passed = (
            None if result is None else True if result == 0 else False if result in _NVME_FAILED else None
        )
        entries.append(
            SelfTestEntry(
                type=_test_type(_str(_get(row, "self_test_code", "string"))),
                status=_str(_get(row, "self_test_result", "string")),
                passed=passed,
                lifetime_hours=_nonneg(row.get("power_on_hours")),
                lba_first_error=_nonneg(row.get("lba")),
            )
        )
    return entries


_SCSI_TEST_KEY = r"^scsi_self_test_(\d+)$"
# SCSI self-test results (SPC-4 self-test results log): 0 ok, 1-2 aborted, 3-7 failed, 15 running.
_SCSI_FAILED = {3, 4, 5, 6, 7}


def _scsi_self_tests(doc: dict[str, Any]) -> tuple[list[SelfTestEntry], str | None]:
    numbered = sorted(
        (int(m.group(1)), value)
        for key, value in doc.items()
        if isinstance(key, str) and (m := re.match(_SCSI_TEST_KEY, key)) and isinstance(value, dict)
    )
    entries: list[SelfTestEntry] = []
    running: str | None = None
    for _, row in numbered:
        result = _nonneg(_get(row, "result", "value"))
        text = _str(_get(row, "result", "string"))
        flagged = _bool(row.get("self_test_in_progress")) is True  # smartctl 7.5
        if flagged or result == 15 or (result is None and text and "progress" in text.lower()):
            running = running or text or "in progress"
            passed = None
        elif result is None:
            low = (text or "").lower()
            passed = True if low.startswith("completed") and "fail" not in low else None
        else:
            passed = True if result == 0 else False if result in _SCSI_FAILED else None
        entries.append(
            SelfTestEntry(
                type=_test_type(_str(_get(row, "code", "string"))),
                status=text,
                passed=passed,
                lifetime_hours=_nonneg(_get(row, "power_on_time", "hours")),
                lba_first_error=_nonneg(row.get("lba_first_failure")),
            )
        )
    return entries, running


def _in_progress(doc: dict[str, Any], scsi_running: str | None) -> str | None:
    status = _dict(_get(doc, "ata_smart_data", "self_test", "status"))
    value = _nonneg(status.get("value"))
    if value is not None and value >> 4 == 15:
        text = _str(status.get("string")) or "self-test in progress"
        remaining = _nonneg(status.get("remaining_percent"))
        if remaining is not None and "remaining" not in text:
            text = f"{text}, {remaining}% remaining"
        return text
    nvme = _dict(doc.get("nvme_self_test_log"))
    operation = _nonneg(_get(nvme, "current_self_test_operation", "value"))
    if operation:
        text = _str(_get(nvme, "current_self_test_operation", "string")) or "self-test in progress"
        done = _nonneg(nvme.get("current_self_test_completion_percent"))
        return f"{text} ({done}% completed)" if done is not None else text
    return scsi_running


def _messages(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for message in _list(_get(doc, "smartctl", "messages")):
        text = _str(_get(message, "string"))
        if text:
            out.append(text)
    return out


def _version(doc: dict[str, Any]) -> str | None:
    version = _get(doc, "smartctl", "version")
    if isinstance(version, list) and version and all(_int(x) is not None for x in version):
        return ".".join(str(_int(x)) for x in version)
    return None


def _smart_support(doc: dict[str, Any]) -> tuple[bool | None, bool | None]:
    support = doc.get("smart_support")
    if isinstance(support, bool):  # smartctl builds before 7.0 print a bare bool here
        return support, None
    if isinstance(support, dict):
        return _bool(support.get("available")), _bool(support.get("enabled"))
    if isinstance(doc.get("nvme_smart_health_information_log"), dict):
        return True, True  # NVMe has no SMART switch: the health log is always there
    # `-a` through some USB bridges omits smart_support, yet a drive that returned its attribute
    # table or a health verdict has SMART available and enabled.
    if _list(_get(doc, "ata_smart_attributes", "table")) or isinstance(
        _get(doc, "smart_status", "passed"), bool
    ):
        return True, True
    return None, None


def _extended_minutes(doc: dict[str, Any], polling: dict[str, Any]) -> int | None:
    minutes = _nonneg(polling.get("extended"))
    if minutes is not None:
        return minutes
    # SCSI/SAS drives announce their long self-test in seconds (smartctl ≥ 7.3).
    seconds = _nonneg(doc.get("scsi_extended_self_test_seconds"))
    return -(-seconds // 60) if seconds is not None else None


def _smart(doc: dict[str, Any], protocol: str | None, device_type: str | None) -> Smart:
    attrs = _ata_attributes(doc)
    exit_status = _int(_get(doc, "smartctl", "exit_status"))
    scsi_tests, scsi_running = _scsi_self_tests(doc)
    available, enabled = _smart_support(doc)
    polling = _dict(_get(doc, "ata_smart_data", "self_test", "polling_minutes"))
    return Smart(
        exit_status=exit_status,
        exit_bits=decode_exit_status(exit_status) if exit_status is not None else [],
        smartctl_version=_version(doc),
        protocol=protocol.lower() if protocol else None,
        device_type=device_type,
        available=available,
        enabled=enabled,
        passed=_bool(_get(doc, "smart_status", "passed")),
        power_on_hours=_power_on_hours(doc, attrs),
        power_cycles=_power_cycles(doc, attrs),
        temperature_c=_temperature(doc, attrs),
        ata_attributes=attrs,
        nvme_health=_nvme_health(doc),
        scsi_health=_scsi_health(doc),
        self_tests=_ata_self_tests(doc) + _nvme_self_tests(doc) + scsi_tests,
        self_test_in_progress=_in_progress(doc, scsi_running),
        short_test_minutes=_nonneg(polling.get("short")),
        extended_test_minutes=_extended_minutes(doc, polling),
        messages=_messages(doc),
    )


def parse_smartctl_object(doc: Any) -> SmartctlDrive:
    """One already-decoded smartctl document; anything that is not an object gives an empty drive."""
    if not isinstance(doc, dict):
        return SmartctlDrive()
    placeholders: dict[str, str] = {}
    protocol = _protocol(doc)
    device_type = _str(_get(doc, "device", "type"))
    raw_serial = _str(doc.get("serial_number"))
    serial = clean(raw_serial)
    if serial is None and raw_serial and raw_serial.strip():
        placeholders["serial"] = raw_serial.strip()
    firmware = clean(
        _str(doc.get("firmware_version")) or _str(doc.get("revision")) or _str(doc.get("scsi_revision"))
    )
    vendor = clean(_str(doc.get("vendor")) or _str(doc.get("scsi_vendor")))
    return SmartctlDrive(
        model=_model(doc),
        serial=serial,
        firmware=firmware,
        vendor=vendor,
        wwn=_wwn(doc),
        capacity_bytes=_capacity(doc),
        logical_block_size=_nonneg(doc.get("logical_block_size")) or None,
        physical_block_size=_nonneg(doc.get("physical_block_size")) or None,
        rotation_rate=_nonneg(doc.get("rotation_rate")),
        form_factor=clean(_str(_get(doc, "form_factor", "name"))),
        protocol=protocol,
        device_type=device_type,
        smart=_smart(doc, protocol, device_type),
        placeholders=placeholders,
    )


def _decode_all(text: str) -> Iterator[Any]:
    """Every JSON value in `text` (smartctl runs appended to one file are concatenated objects)."""
    if not isinstance(text, str):
        raise SmartctlParseError("smartctl output is not text")
    decoder = json.JSONDecoder()
    index, end, count = 0, len(text), 0
    while True:
        while index < end and text[index] in " \t\r\n\ufeff":
            index += 1
        if index >= end:
            break
        try:
            value, index = decoder.raw_decode(text, index)
        except json.JSONDecodeError as err:
            raise SmartctlParseError(f"not smartctl JSON: {err}") from err
        except RecursionError as err:  # "[[[[…" thousands deep: not a smartctl document
            raise SmartctlParseError("not smartctl JSON: nested too deeply") from err
        count += 1
        yield value
    if count == 0:
        raise SmartctlParseError("empty smartctl output")


def _is_scan(doc: Any) -> bool:
    """`smartctl --scan -j` lists devices; it describes no drive."""
    return isinstance(doc, dict) and isinstance(doc.get("devices"), list) and "device" not in doc


def parse_smartctl_json(text: str) -> SmartctlDrive:
    """One `smartctl --json` run. A one-element array (peracotta's files) is accepted too."""
    values = list(_decode_all(text))
    first = values[0]
    if isinstance(first, list):
        first = next((x for x in first if isinstance(x, dict)), None)
    return parse_smartctl_object(first)


def parse_smartctl_documents(text: str) -> list[SmartctlDrive]:
    """All drives in an object, an array of objects, or concatenated objects.

    `--scan` listings and non-object values describe no drive and are skipped; a document for a
    device smartctl could not open is kept (its messages and exit status say why).
    """
    drives: list[SmartctlDrive] = []
    for value in _decode_all(text):
        for doc in value if isinstance(value, list) else [value]:
            if isinstance(doc, dict) and not _is_scan(doc):
                drives.append(parse_smartctl_object(doc))
    return drives


__all__ = [
    "EXIT_BITS",
    "SmartctlDrive",
    "SmartctlParseError",
    "decode_exit_status",
    "parse_smartctl_documents",
    "parse_smartctl_json",
    "parse_smartctl_object",
]
