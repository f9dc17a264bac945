"""smartctl JSON parser on every real output in the fixture corpus, plus hand-checked drives and fuzzing."""

from __future__ import annotations

import contextlib
import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.parsers._text import is_placeholder
from agent.parsers.smartctl import (
    SmartctlDrive,
    SmartctlParseError,
    decode_exit_status,
    parse_smartctl_documents,
    parse_smartctl_json,
)

_ROOT = Path(__file__).resolve().parents[2]
SMARTCTL = Path(os.environ.get("ATELIER_SHARED", _ROOT.parent / "shared")).resolve() / "fixtures" / "smartctl"
ALL_FILES = sorted(p for p in SMARTCTL.rglob("*") if p.is_file())


def _name(path: Path) -> str:
    return str(path.relative_to(SMARTCTL))


def _load(rel: str) -> list[SmartctlDrive]:
    return parse_smartctl_documents((SMARTCTL / rel).read_text())


def _one(rel: str) -> SmartctlDrive:
    drives = _load(rel)
    assert len(drives) == 1, rel
    return drives[0]


def _drive_documents(raw: Any) -> list[dict[str, Any]]:
    """The independent view: every object in the file that is not a `--scan` listing."""
    docs = raw if isinstance(raw, list) else [raw]
    return [d for d in docs if isinstance(d, dict) and not ("devices" in d and "device" not in d)]


def test_the_corpus_is_there() -> None:
    assert len(ALL_FILES) >= 250, f"expected ~261 smartctl fixtures under {SMARTCTL}"


@pytest.mark.parametrize("path", ALL_FILES, ids=_name)
def test_every_fixture_parses_and_matches_the_file(path: Path) -> None:
    text = path.read_text()
    drives = parse_smartctl_documents(text)
    docs = _drive_documents(json.loads(text))
    assert len(drives) == len(docs)
    for drive, doc in zip(drives, docs, strict=True):
        # Straight lookups in the file, written independently of the parser.
        model = doc.get("model_name", doc.get("scsi_model_name"))
        assert drive.model == (model.strip() if model else None)
        serial = doc.get("serial_number")
        assert drive.serial == (None if serial is None or is_placeholder(serial) else serial.strip())
        if "user_capacity" in doc:
            assert drive.capacity_bytes == doc["user_capacity"]["bytes"]
        elif doc.get("nvme_namespaces"):
            assert drive.capacity_bytes == doc["nvme_namespaces"][0]["size"]["bytes"]
        elif "nvme_total_capacity" in doc:
            assert drive.capacity_bytes == doc["nvme_total_capacity"]
        protocol = doc.get("device", {}).get("protocol")
        assert drive.protocol == protocol
        assert drive.smart.protocol == (protocol.lower() if protocol else None)
        assert drive.device_type == doc.get("device", {}).get("type")
        if "power_on_time" in doc:
            assert drive.smart.power_on_hours == doc["power_on_time"]["hours"]
        if "exit_status" in doc.get("smartctl", {}):
            assert drive.smart.exit_status == doc["smartctl"]["exit_status"]
        if "smart_status" in doc and "passed" in doc["smart_status"]:
            assert drive.smart.passed is doc["smart_status"]["passed"]
        table = doc.get("ata_smart_attributes", {}).get("table", [])
        assert [a.id for a in drive.smart.ata_attributes] == [row["id"] for row in table]
        assert [a.raw_value for a in drive.smart.ata_attributes] == [row["raw"]["value"] for row in table]
        if "nvme_smart_health_information_log" in doc:
            log = doc["nvme_smart_health_information_log"]
            assert drive.smart.nvme_health is not None
            assert drive.smart.nvme_health.media_errors == log.get("media_errors")
            assert drive.smart.nvme_health.percentage_used == log.get("percentage_used")
        if "scsi_grown_defect_list" in doc:
            assert drive.smart.scsi_health is not None
            assert drive.smart.scsi_health.grown_defect_list == doc["scsi_grown_defect_list"]
        # the Smart block is a valid report model (it round-trips through the schema)
        assert type(drive.smart).model_validate(drive.smart.model_dump()) == drive.smart


def test_corpus_totals() -> None:
    """How much of the corpus the per-file test really checked against the file."""
    drives = with_identity = with_hours = 0
    for path in ALL_FILES:
        for drive in parse_smartctl_documents(path.read_text()):
            drives += 1
            with_identity += drive.model is not None and drive.capacity_bytes is not None
            with_hours += drive.smart.power_on_hours is not None
    assert drives == 261
    assert with_identity >= 245
    assert with_hours >= 240


# ---------------------------------------------------------------------------------------------
# Hand-written expectations for named files (read in the file by a human, not by code).


def test_failing_hitachi_behind_jmicron_bridge() -> None:
    drive = _one("peracotta/test0.txt")
    assert drive.model == "Hitachi HTS545050B9A300"
    assert drive.serial == "12345AEIOU123LOL456"
    assert drive.firmware == "PB4OC64G"
    assert drive.wwn == "0x5000ccafcbfd2b20"
    assert drive.capacity_bytes == 500_107_862_016
    assert drive.rotation_rate == 5400 and drive.form_factor == "2.5 inches"
    assert (drive.protocol, drive.device_type) == ("ATA", "usbjmicron")
    smart = drive.smart
    assert smart.exit_status == 216
    assert smart.exit_bits == [
        "disk_failing",
        "prefail_attributes_at_or_below_threshold",
        "error_log_has_errors",
        "self_test_log_has_errors",
    ]
    assert smart.passed is False
    assert smart.power_on_hours == 1065 and smart.power_cycles == 12127
    realloc = next(a for a in smart.ata_attributes if a.id == 5)
    assert (realloc.value, realloc.thresh, realloc.when_failed, realloc.prefailure) == (1, 5, "now", True)
    failures = [t for t in smart.self_tests if t.passed is False]
    assert failures and all(t.status == "Completed: read failure" for t in failures)
    assert all(t.lba_first_error is not None for t in failures)
    assert smart.short_test_minutes == 2 and smart.extended_test_minutes == 158


def test_scrutiny_failed_nvme() -> None:
    drive = _one("scrutiny/smart-nvme-failed.json")
    assert drive.model == "Samsung SSD 970 EVO 500GB"
    assert drive.serial == "S466NX0M776250H"
    assert drive.firmware == "2B2QEXE7"
    assert drive.capacity_bytes == 500_107_862_016
    assert drive.protocol == "NVMe" and drive.wwn is None
    health = drive.smart.nvme_health
    assert health is not None
    assert health.media_errors == 7 and health.num_err_log_entries == 62
    assert health.percentage_used == 3 and health.unsafe_shutdowns == 10
    assert health.available_spare == 99 and health.available_spare_threshold == 10
    assert health.data_units_written == 65_602_088
    assert drive.smart.power_on_hours == 12798 and drive.smart.temperature_c == 35
    assert drive.smart.available is True


def test_exporter_failed_samsung_nvme() -> None:
    drive = _one("smartctl_exporter/nvme-null-SAMSUNG_MZWLL3T2HAJQ-00005-nvme0.json")
    assert drive.smart.passed is False
    assert drive.smart.nvme_health is not None
    assert drive.smart.nvme_health.critical_warning not in (None, 0)
    assert "disk_failing" in drive.smart.exit_bits


def test_usb_bridge_sat_document_without_identity() -> None:
    # `smartctl -jA` through a SAT bridge: only attributes; hours come from attribute 9's string
    # "2725 (151 234 0)" because the raw value packs other counters in its upper bytes.
    drive = _one("scrutiny/smart-sat.json")
    assert (drive.model, drive.serial, drive.capacity_bytes) == (None, None, None)
    assert drive.device_type == "sat" and drive.protocol == "ATA"
    assert drive.smart.power_on_hours == 2725
    assert drive.smart.power_cycles == 354 and drive.smart.temperature_c == 29


def test_scsi_sas_disk() -> None:
    drive = _one("scrutiny/smart-scsi.json")
    assert drive.model == "SEAGATE ST4000NM0043" and drive.vendor == "SEAGATE"
    assert drive.firmware == "MS03" and drive.rotation_rate == 7200
    assert drive.capacity_bytes == 4_000_787_030_016
    assert drive.smart.power_on_hours == 43549
    scsi = drive.smart.scsi_health
    assert scsi is not None
    assert scsi.grown_defect_list == 56
    assert scsi.read_corrected_errors == 300_357_663
    assert scsi.read_uncorrected_errors == 0 and scsi.write_uncorrected_errors == 0


def test_sas_start_stop_and_load_cycles() -> None:
    drive = _one("smartctl_exporter/HITACHI_H109060SESUN600G_10.json")
    scsi = drive.smart.scsi_health
    assert scsi is not None
    assert (scsi.start_stop_cycles, scsi.load_unload_cycles) == (70, 3472)
    assert scsi.verify_uncorrected_errors == 0
    assert drive.rotation_rate == 10020


def test_old_scsi_disk_with_scsi_prefixed_identity() -> None:
    drive = _one("smartctl_exporter/HP_73.4G_MAS3735NC_25.json")
    assert drive.model == "HP 73.4G MAS3735NC"
    assert drive.wwn == "0x1234567890abcdef"  # logical_unit_id
    assert drive.smart.power_on_hours is None  # this drive has no power-on time page


def test_device_open_failure_is_kept_with_its_message() -> None:
    drive = _one("scrutiny/smart-fail.json")
    assert not drive.has_identity
    assert drive.smart.exit_bits == ["device_open_failed"]
    assert drive.smart.messages == [
        "Smartctl open device: /dev/sda failed: \\\\.\\PhysicalDrive0: Open failed, Error=5"
    ]


@pytest.mark.parametrize(
    "rel",
    [
        "scrutiny/smartctl_scan_simple.json",
        "scrutiny/smartctl_scan_nvme.json",
        "scrutiny/smartctl_scan_megaraid.json",
    ],
)
def test_scan_listings_describe_no_drive(rel: str) -> None:
    assert _load(rel) == []
    # asked for one document, a scan gives an empty drive rather than an error
    assert not parse_smartctl_json((SMARTCTL / rel).read_text()).has_identity


def test_smart_disabled_drive() -> None:
    drive = _one("peracotta/smart_disabled.txt")
    assert drive.model == "WDC WD400BB-00DKA0" and drive.capacity_bytes == 40_020_664_320
    assert drive.smart.passed is None and drive.smart.ata_attributes == []
    assert drive.smart.power_on_hours is None


def test_file_with_three_drives() -> None:
    drives = _load("peracotta/three.txt")
    assert [d.model for d in drives] == ["WDC WD400BB-00DKA0", "ST1000DX001-1CM162", "WDC WD1600JS-60MHB5"]
    assert [d.smart.power_on_hours for d in drives] == [11397, 358, 33635]
    assert drives[1].wwn == "0x5000c5000f4641e2"


def test_hyper_v_virtual_scsi_disks() -> None:
    drives = _load("peracotta/virtual_scsi.txt")
    assert len(drives) == 2
    assert all(d.model == "Msft Virtual Disk" and d.vendor == "Msft" for d in drives)
    assert all(d.rotation_rate == 0 and d.physical_block_size == 4096 for d in drives)
    assert all(d.smart.exit_bits == ["device_open_failed"] for d in drives)


def test_power_on_minutes_and_seconds_attributes() -> None:
    assert _one("peracotta/ide06.json").smart.power_on_hours == 1066  # Power_On_Minutes "1066h+47m"
    assert _one("peracotta/mini_ide03.json").smart.power_on_hours == 9387  # Power_On_Seconds


def test_seagate_packed_power_on_hours() -> None:
    drive = _one("smartctl_exporter/sat-Seagate_Enterprise_Capacity_3.5_HDD-ST10000NM0016-1TT101-sda.json")
    assert drive.smart.power_on_hours == 34013
    assert drive.capacity_bytes == 10_000_831_348_736
    assert drive.smart.smartctl_version == "7.3"


def test_smart_support_as_bool() -> None:
    drive = _one("scrutiny/smartctl_info_sata_smart_support_bool.json")
    assert drive.smart.available is True and drive.smart.enabled is None
    assert drive.wwn == "0x5001b444a5523895"
    other = _one("scrutiny/smartctl_info_sata_smart_support_object.json")
    assert other.smart.available is True


def test_megaraid_placeholder_serial() -> None:
    drive = _one("scrutiny/smart-megaraid0.json")
    assert drive.serial is None
    assert drive.placeholders == {"serial": "XXXXXXXXXXXX"}
    assert drive.device_type == "sat+megaraid,0"
    assert drive.smart.messages == ["Warning: This result is based on an Attribute check."]


def test_self_test_in_progress_and_durations() -> None:
    drive = _one("scrutiny/smart-ata-date2.json")
    assert drive.smart.self_test_in_progress == "in progress, 10% remaining"
    assert drive.smart.power_on_hours == 3030  # power_on_time wins over attribute 9
    assert len(drive.smart.self_tests) == 21


def test_samsung_860_evo_full_log() -> None:
    drive = _one("scrutiny/smart-ata-full.json")
    assert drive.wwn == "0x5002538e40a22954"
    assert drive.rotation_rate == 0
    assert (drive.smart.short_test_minutes, drive.smart.extended_test_minutes) == (2, 85)
    first = drive.smart.self_tests[0]
    assert (first.type, first.passed, first.lifetime_hours) == ("short", True, 14417)
    assert drive.smart.temperature_c == 36


# ---------------------------------------------------------------------------------------------
# Shapes from smartctl 7.4 that the corpus lacks (NVMe and SCSI self-test logs).


def test_nvme_self_test_log_7_4() -> None:
    doc = {
        "device": {"type": "nvme", "protocol": "NVMe"},
        "nvme_self_test_log": {
            "current_self_test_operation": {"value": 1, "string": "Short self-test in progress"},
            "current_self_test_completion_percent": 30,
            "table": [
                {
                    "self_test_code": {"value": 2, "string": "Extended"},
                    "self_test_result": {"value": 7, "string": "Completed: failed segments"},
                    "power_on_hours": 800,
                    "lba": 123456,
                },
                {
                    "self_test_code": {"value": 1, "string": "Short"},
                    "self_test_result": {"value": 0, "string": "Completed without error"},
                    "power_on_hours": 700,
                },
                {
                    "self_test_code": {"value": 1, "string": "Short"},
                    "self_test_result": {"value": 1, "string": "Aborted: Self-test command"},
                    "power_on_hours": 600,
                },
            ],
        },
    }
    smart = parse_smartctl_json(json.dumps(doc)).smart
    assert smart.self_test_in_progress == "Short self-test in progress (30% completed)"
    assert [(t.type, t.passed, t.lifetime_hours) for t in smart.self_tests] == [
        ("extended", False, 800),
        ("short", True, 700),
        ("short", None, 600),
    ]
    assert smart.self_tests[0].lba_first_error == 123456


def test_scsi_self_tests_and_endurance() -> None:
    doc = {
        "device": {"type": "scsi", "protocol": "SCSI"},
        "scsi_percentage_used_endurance_indicator": 4,
        "scsi_self_test_0": {
            "code": {"value": 1, "string": "Background short"},
            "result": {"value": 15, "string": "Self test in progress ..."},
        },
        "scsi_self_test_1": {
            "code": {"value": 2, "string": "Background long"},
            "result": {"value": 7, "string": "Failed in segment --> 7"},
            "power_on_time": {"hours": 48234},
        },
        "scsi_self_test_10": {
            "code": {"value": 1, "string": "Background short"},
            "result": {"value": 0, "string": "Completed"},
        },
    }
    doc["scsi_extended_self_test_seconds"] = 18001
    smart = parse_smartctl_json(json.dumps(doc)).smart
    assert smart.extended_test_minutes == 301  # rounded up
    assert smart.scsi_health is not None and smart.scsi_health.percentage_used_endurance == 4
    assert [(t.type, t.passed) for t in smart.self_tests] == [
        ("short", None),
        ("extended", False),
        ("short", True),
    ]
    assert smart.self_tests[1].lifetime_hours == 48234
    assert smart.self_test_in_progress == "Self test in progress ..."


def test_wwn_normalisation() -> None:
    assert (
        parse_smartctl_json('{"wwn": {"naa": 5, "oui": 3152, "id": 2712847316}}').wwn == "0x5000c500a1b2c3d4"
    )
    assert parse_smartctl_json('{"wwn": "5 000c50 0a1b2c3d4"}').wwn == "0x5000c500a1b2c3d4"
    assert parse_smartctl_json('{"wwn": {"naa": 5, "oui": "x", "id": 1}}').wwn is None
    assert parse_smartctl_json('{"wwn": {"naa": 0, "oui": 0, "id": 0}}').wwn is None


# ---------------------------------------------------------------------------------------------
# Exit status and errors


def test_decode_exit_status() -> None:
    assert decode_exit_status(0) == []
    assert decode_exit_status(1) == ["command_line_error"]
    assert decode_exit_status(2) == ["device_open_failed"]
    assert decode_exit_status(4) == ["smart_command_failed"]
    assert decode_exit_status(8) == ["disk_failing"]
    assert decode_exit_status(0xFF) == [
        "command_line_error",
        "device_open_failed",
        "smart_command_failed",
        "disk_failing",
        "prefail_attributes_at_or_below_threshold",
        "attributes_below_threshold_in_past",
        "error_log_has_errors",
        "self_test_log_has_errors",
    ]
    assert decode_exit_status(-1) == []


@pytest.mark.parametrize(
    "text",
    ["", "   \n", "smartctl 7.3 2022-02-28 r5338", '{"smartctl": {"version": [7', "[[[[", "{} garbage"],
)
def test_not_json_raises_parse_error(text: str) -> None:
    with pytest.raises(SmartctlParseError):
        parse_smartctl_json(text)
    with pytest.raises(SmartctlParseError):
        parse_smartctl_documents(text)


def test_deep_nesting_is_a_parse_error_not_a_crash() -> None:
    text = "[" * 100_000 + "]" * 100_000
    with contextlib.suppress(SmartctlParseError):
        parse_smartctl_documents(text)


def test_odd_values_are_unknown() -> None:
    assert parse_smartctl_json("5").has_identity is False
    assert parse_smartctl_json("[]").model is None
    drive = parse_smartctl_json(
        json.dumps(
            {
                "model_name": 42,
                "serial_number": ["x"],
                "user_capacity": {"bytes": "big"},
                "power_on_time": {"hours": -3},
                "smartctl": {"exit_status": True, "version": "7.4", "messages": "oops"},
                "ata_smart_attributes": {
                    "table": [{"id": "9"}, None, {"id": 9, "raw": {"string": "12h+00m"}}]
                },
                "smart_support": "yes",
                "temperature": {"current": 36.0},
            }
        )
    )
    assert (drive.model, drive.serial, drive.capacity_bytes) == (None, None, None)
    assert drive.smart.exit_status is None and drive.smart.smartctl_version is None
    assert drive.smart.power_on_hours == 12
    assert drive.smart.temperature_c == 36
    assert drive.smart.messages == []


# ---------------------------------------------------------------------------------------------
# Property-based: truncated and mutated real fixtures never raise anything but SmartctlParseError.

_FUZZ_FILES = [
    SMARTCTL / rel
    for rel in (
        "peracotta/test0.txt",
        "peracotta/three.txt",
        "scrutiny/smart-nvme-failed.json",
        "scrutiny/smart-scsi.json",
        "scrutiny/smart-ata-date2.json",
        "scrutiny/smart-megaraid0.json",
        "smartctl_exporter/HITACHI_H109060SESUN600G_10.json",
        "smartctl_exporter/sat-Seagate_Enterprise_Capacity_3.5_HDD-ST10000NM0016-1TT101-sda.json",
    )
]
_TEXTS = {p: p.read_text() for p in _FUZZ_FILES}
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _paths(node: Any, out: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            _paths(value, out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((node, index))
            _paths(value, out)
    return out


def _parse_both(text: str) -> None:
    with contextlib.suppress(SmartctlParseError):
        parse_smartctl_json(text)
    with contextlib.suppress(SmartctlParseError):
        parse_smartctl_documents(text)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_FUZZ_FILES), cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated_fixtures_never_crash(path: Path, cut: float) -> None:
    text = _TEXTS[path]
    _parse_both(text[: int(len(text) * cut)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_FUZZ_FILES), data=st.data())
def test_mutated_fixtures_never_crash(path: Path, data: st.DataObject) -> None:
    doc = copy.deepcopy(json.loads(_TEXTS[path]))
    for _ in range(data.draw(st.integers(min_value=1, max_value=12))):
        paths = _paths(doc, [])
        if not paths:
            break
        container, key = paths[data.draw(st.integers(min_value=0, max_value=len(paths) - 1))]
        if data.draw(st.booleans()) and isinstance(container, dict):
            del container[key]
        else:
            container[key] = data.draw(_JSON_VALUES)
    drives = parse_smartctl_documents(json.dumps(doc))
    for drive in drives:
        assert isinstance(drive, SmartctlDrive)


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(_FUZZ_FILES), data=st.data())
def test_byte_flipped_fixtures_never_crash(path: Path, data: st.DataObject) -> None:
    text = list(_TEXTS[path])
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        index = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
        text[index] = data.draw(st.sampled_from(list('{}[]":,0-9 aZ\\\x00é')))
    _parse_both("".join(text))
