"""SMART self-test progress and results, as ATA, NVMe and SCSI drives report them (pure parsers).

The three families say it differently:
- ATA: a status byte (smartctl JSON `ata_smart_data.self_test.status.value`, text
  "Self-test execution status: ( 247)"): high nibble 0xF = running, low nibble = tens of percent
  REMAINING; other high nibbles are the last result (0 ok, 1 aborted by host, 2 interrupted by
  reset, 3 fatal, 4 unknown failure, 5 electrical, 6 servo, 7 read failure, 8 handling damage).
  The short test's duration comes from "polling_minutes".
- NVMe: current operation (0 none, 1 short, 2 extended) and percent COMPLETED (smartctl JSON
  `nvme_self_test_log`, smartctl text "Self-test status: Extended self-test in progress (14%
  completed)", nvme-cli `self-test-log` "Current operation / Current Completion"); results as
  codes (0 ok, 1-4 and 8-9 aborted, 5-7 failed, 0xF unused entry).
- SCSI: smartctl text "Self-test execution status" / "Background short  Self test in progress".

Parsers take text (JSON or not: smartctl before 7.0 has no JSON) and return `SelfTestStatus`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from agent._record import Record, field
from agent.report import SelfTestEntry

State = Literal["running", "idle", "unknown"]

ATA_RESULTS = {
    0: "completed without error",
    1: "aborted by host",
    2: "interrupted by host reset",
    3: "fatal error",
    4: "unknown failure",
    5: "electrical failure",
    6: "servo failure",
    7: "read failure",
    8: "handling damage",
}
NVME_RESULTS = {
    0: "completed without error",
    1: "aborted by a Device Self-test command",
    2: "aborted by a controller reset",
    3: "aborted by namespace removal",
    4: "aborted by a Format NVM command",
    5: "fatal or unknown error",
    6: "failed, segment unknown",
    7: "failed segments",
    8: "aborted for an unknown reason",
    9: "aborted by a sanitize operation",
}
NVME_CODES = {1: "short", 2: "extended", 0xE: "vendor"}


class SelfTestStatus(Record):
    state: State = "unknown"
    remaining_percent: int | None = None
    #: "short" / "extended" when the drive names the running test.
    running_kind: str | None = None
    #: Newest first, as the drives list them.
    log: list[SelfTestEntry] = field(default_factory=list)
    short_minutes: int | None = None
    extended_minutes: int | None = None
    supported: bool | None = None
    #: The ATA "last result" held in the status byte when idle (e.g. "read failure").
    last_result: str | None = None
    last_passed: bool | None = None


def _kind(name: str | None) -> str | None:
    if not name:
        return None
    low = name.lower()
    for key in ("short", "extended", "conveyance", "selective", "offline", "vendor"):
        if key in low:
            return key
    if "long" in low:
        return "extended"
    return low


def _ata_status_byte(value: int, status: SelfTestStatus) -> None:
    nibble = value >> 4
    if nibble == 0xF:
        status.state = "running"
        status.remaining_percent = (value & 0x0F) * 10
        return
    status.state = "idle"
    status.last_result = ATA_RESULTS.get(nibble, f"status {value:#x}")
    status.last_passed = True if nibble == 0 else None if nibble in (1, 2) else False


def _nvme_entry(
    code: int | None, code_name: str | None, result: int | None, result_name: str | None, hours: Any
) -> SelfTestEntry | None:
    if result is None or result == 0xF:
        return None
    passed: bool | None = True if result == 0 else False if result in (5, 6, 7) else None
    return SelfTestEntry(
        type=_kind(code_name) or NVME_CODES.get(code or -1),
        status=result_name or NVME_RESULTS.get(result, f"result {result}"),
        passed=passed,
        lifetime_hours=hours if isinstance(hours, int) else None,
    )


def _from_json(doc: dict[str, Any]) -> SelfTestStatus:
    status = SelfTestStatus()
    ata = (doc.get("ata_smart_data") or {}).get("self_test") or {}
    caps = (doc.get("ata_smart_data") or {}).get("capabilities") or {}
    if "self_tests_supported" in caps:
        status.supported = bool(caps["self_tests_supported"])
    polling = ata.get("polling_minutes") or {}
    status.short_minutes = polling.get("short")
    status.extended_minutes = polling.get("extended")
    ata_status = ata.get("status") or {}
    if isinstance(ata_status.get("value"), int):
        _ata_status_byte(ata_status["value"], status)
        if isinstance(ata_status.get("remaining_percent"), int):
            status.remaining_percent = ata_status["remaining_percent"]
    table = ((doc.get("ata_smart_self_test_log") or {}).get("standard") or {}).get("table") or []
    for row in table:
        st = row.get("status") or {}
        status.log.append(
            SelfTestEntry(
                type=_kind((row.get("type") or {}).get("string")),
                status=st.get("string"),
                passed=st.get("passed") if isinstance(st.get("passed"), bool) else None,
                lifetime_hours=row.get("lifetime_hours"),
                remaining_percent=st.get("remaining_percent"),
                lba_first_error=row.get("lba"),
            )
        )
    nvme = doc.get("nvme_self_test_log")
    if isinstance(nvme, dict):
        status.supported = True
        op = nvme.get("current_self_test_operation") or {}
        value = op.get("value")
        if isinstance(value, int):
            status.state = "running" if value else "idle"
            status.running_kind = NVME_CODES.get(value) if value else None
            done = nvme.get("current_self_test_completion_percent")
            if value and isinstance(done, int):
                status.remaining_percent = 100 - done
        for row in nvme.get("table") or []:
            code = row.get("self_test_code") or {}
            res = row.get("self_test_result") or {}
            entry = _nvme_entry(
                code.get("value"),
                code.get("string"),
                res.get("value"),
                res.get("string"),
                row.get("power_on_hours"),
            )
            if entry is not None:
                status.log.append(entry)
    if any(isinstance(k, str) and k.startswith("scsi_self_test_") for k in doc):
        # SCSI logs are numbered keys; the smartctl parser already reads them (in-progress row
        # included, result 15), so its reading is reused rather than duplicated.
        from agent.parsers.smartctl import parse_smartctl_object

        smart = parse_smartctl_object(doc).smart
        status.supported = True
        status.log = list(smart.self_tests)
        status.state = "running" if smart.self_test_in_progress else "idle"
    optional = (doc.get("nvme_controller_capabilities") or {}).get("self_test")
    if isinstance(optional, bool):
        status.supported = optional
    return status


_ATA_TEXT_STATUS = re.compile(r"Self-test execution status:\s*\(\s*(\d+)\)")
_ATA_REMAINING = re.compile(r"(\d+)% of test remaining")
_SHORT_POLL = re.compile(
    r"Short self-test routine\s*\n?\s*recommended polling time:\s*\(\s*(\d+)\)", re.IGNORECASE
)
_EXT_POLL = re.compile(
    r"Extended self-test routine\s*\n?\s*recommended polling time:\s*\(\s*(\d+)\)", re.IGNORECASE
)
_NVME_TEXT_STATUS = re.compile(r"Self-test status:\s*(.+)")
_NVME_TEXT_PCT = re.compile(r"\((\d+)% completed\)")
_ATA_LOG_ROW = re.compile(
    r"^#\s*\d+\s+(?P<type>.+?)\s{2,}(?P<status>.+?)\s{2,}(?P<remaining>\d+)%\s+(?P<hours>\d+)\s+(?P<lba>\S+)",
    re.MULTILINE,
)
_NVME_LOG_ROW = re.compile(
    r"^\s*\d+\s+(?P<type>Short|Extended|Vendor\S*)\s+(?P<status>.+?)\s{2,}(?P<hours>\d+)\b", re.MULTILINE
)
_SCSI_PROGRESS = re.compile(r"Self test in progress", re.IGNORECASE)


def _passed_from_text(status: str) -> bool | None:
    low = status.lower()
    if "without error" in low or low.strip() == "completed":
        return True
    if "abort" in low or "interrupt" in low or "progress" in low:
        return None
    return False


def _from_text(text: str) -> SelfTestStatus:
    status = SelfTestStatus()
    match = _ATA_TEXT_STATUS.search(text)
    if match:
        _ata_status_byte(int(match.group(1)), status)
        rem = _ATA_REMAINING.search(text[match.end() : match.end() + 200])
        if rem and status.state == "running":
            status.remaining_percent = int(rem.group(1))
        status.supported = True
    if (m := _SHORT_POLL.search(text)) is not None:
        status.short_minutes = int(m.group(1))
    if (m := _EXT_POLL.search(text)) is not None:
        status.extended_minutes = int(m.group(1))
    if "Self-test supported" in text:
        status.supported = True
    if "No self-test supported" in text or "does not support self-test" in text.lower():
        status.supported = False
    nvme = _NVME_TEXT_STATUS.search(text)
    if nvme:
        status.supported = True
        line = nvme.group(1).strip()
        if "no self-test in progress" in line.lower():
            status.state = "idle"
        elif "in progress" in line.lower():
            status.state = "running"
            status.running_kind = _kind(line)
            pct = _NVME_TEXT_PCT.search(line)
            if pct:
                status.remaining_percent = 100 - int(pct.group(1))
        for row in _NVME_LOG_ROW.finditer(text):
            st = row.group("status").strip()
            status.log.append(
                SelfTestEntry(
                    type=_kind(row.group("type")),
                    status=st,
                    passed=_passed_from_text(st),
                    lifetime_hours=int(row.group("hours")),
                )
            )
    for row in _ATA_LOG_ROW.finditer(text):
        st = row.group("status").strip()
        lba = row.group("lba")
        status.log.append(
            SelfTestEntry(
                type=_kind(row.group("type")),
                status=st,
                passed=_passed_from_text(st),
                lifetime_hours=int(row.group("hours")),
                remaining_percent=int(row.group("remaining")),
                lba_first_error=int(lba) if lba.isdecimal() else None,
            )
        )
    if _SCSI_PROGRESS.search(text) and status.state == "unknown":
        status.state = "running"
    return status


def parse_smartctl_selftest(text: str) -> SelfTestStatus:
    """smartctl output (JSON with -j, or text from any version) -> self-test state and log."""
    stripped = text.strip()
    if stripped.startswith(("{", "[")):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError:
            return _from_text(text)
        if isinstance(doc, list):
            doc = doc[0] if doc and isinstance(doc[0], dict) else {}
        if isinstance(doc, dict):
            return _from_json(doc)
    return _from_text(text)


_NVME_CLI_OP = re.compile(r"Current operation\s*:\s*(\w+)", re.IGNORECASE)
_NVME_CLI_PCT = re.compile(r"Current Completion\s*:\s*(\d+)%", re.IGNORECASE)
_NVME_CLI_RESULT = re.compile(
    r"Self Test Result\[\d+\]:\s*\n\s*Operation Result\s*:\s*(?P<result>\w+)\s*\n\s*Self Test Code\s*:\s*(?P<code>\w+)"
    r"(?:.*?\n\s*Power on hours \(POH\)\s*:\s*(?P<poh>\w+))?",
    re.IGNORECASE | re.DOTALL,
)


def _num(value: str) -> int | None:
    try:
        return int(value, 0)
    except ValueError:
        return None


def parse_nvme_cli_selftest_log(text: str) -> SelfTestStatus:
    """`nvme self-test-log DEV` (text, old and new nvme-cli) or `-o json` -> state and results."""
    status = SelfTestStatus(supported=True)
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except json.JSONDecodeError:
            doc = None
        if isinstance(doc, dict):
            op = doc.get("Current Device Self-Test Operation", doc.get("current_operation"))
            done = doc.get("Current Device Self-Test Completion", doc.get("completion"))
            if isinstance(op, int):
                status.state = "running" if op else "idle"
                status.running_kind = NVME_CODES.get(op) if op else None
                if op and isinstance(done, int):
                    status.remaining_percent = 100 - done
            for row in doc.get("List of Valid Reports", doc.get("result", [])) or []:
                if not isinstance(row, dict):
                    continue
                entry = _nvme_entry(
                    row.get("Self test code"),
                    None,
                    row.get("Self test result"),
                    None,
                    row.get("Power on hours"),
                )
                if entry is not None:
                    status.log.append(entry)
            return status
    op_match = _NVME_CLI_OP.search(text)
    if op_match:
        op = _num(op_match.group(1))
        if op is not None:
            status.state = "running" if op else "idle"
            status.running_kind = NVME_CODES.get(op) if op else None
            pct = _NVME_CLI_PCT.search(text)
            if op and pct:
                status.remaining_percent = 100 - int(pct.group(1))
    for row in _NVME_CLI_RESULT.finditer(text):
        result = _num(row.group("result"))
        code = _num(row.group("code"))
        poh = _num(row.group("poh")) if row.group("poh") else None
        entry = _nvme_entry(code, None, result, None, poh)
        if entry is not None:
            status.log.append(entry)
    return status


__all__ = ["SelfTestStatus", "parse_nvme_cli_selftest_log", "parse_smartctl_selftest"]
