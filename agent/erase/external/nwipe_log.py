"""nwipe log files (`nwipe --logfile=F`, nwipe 0.3x): options, the drives found, the per-drive
summary tables (Error Summary, Drive Status) and the SUCCESS/FAILURE lines.

Pure parser: text in, `ExternalClaim` out. A log cut short (no Drive Status table) is not a
success for any drive.
"""

from __future__ import annotations

import re

from agent.erase.external._claim import ExternalClaim, FinalPattern, ReportTarget
from agent.parsers._text import clean

_STAMP = re.compile(r"^\[(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)\]")
_OPTION = re.compile(r"notice:\s+(banner|method|verify|rounds|prng|noblank)\s*=\s*(.+?)\s*$")
_FOUND = re.compile(r"Found (/dev/\S+?),\s*([^,]*),\s*(.*?),\s*([\d.]+\s*[KMGTP]?B),\s*S/N=(.*)$")
_GEOMETRY = re.compile(r"(/dev/\S+), sect/blk/dev (\d+)/(\d+)/(\d+)")
_TABLE_ROW = re.compile(r"^\s*(\S+)\s*\|(.*)$")

#: Methods whose last pass leaves a known pattern (nwipe's method names, 0.3x).
ZERO_METHODS = {"fill with zeros", "zero fill", "zero"}
ONE_METHODS = {"fill with ones", "one fill", "one"}


def final_pattern(method: str | None, blanked: bool) -> FinalPattern:
    if blanked:
        # "Blanking device": nwipe's final zero pass (on unless --noblank).
        return "zeros"
    name = (method or "").strip().lower()
    if name in ZERO_METHODS:
        return "zeros"
    if name in ONE_METHODS:
        return "ones"
    return "unknown"


def parse_nwipe_log(text: str) -> ExternalClaim:
    claim = ExternalClaim(tool="nwipe")
    options: dict[str, str] = {}
    found: dict[str, ReportTarget] = {}
    blanked: set[str] = set()
    verified_empty: set[str] = set()
    failures: dict[str, list[str]] = {}
    first_stamp: str | None = None
    last_stamp: str | None = None
    completed = False
    section: str | None = None
    status_rows: dict[str, list[str]] = {}
    error_rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        if (m := _STAMP.match(line)) is not None:
            first_stamp = first_stamp or m.group(1)
            last_stamp = m.group(1)
        if (m := _OPTION.search(line)) is not None:
            options[m.group(1)] = m.group(2)
        if (m := _FOUND.search(line)) is not None:
            path = m.group(1)
            found[path] = ReportTarget(
                name=path, model=clean(m.group(3)), serial=clean(m.group(5)), interface=clean(m.group(2))
            )
        if (m := _GEOMETRY.search(line)) is not None:
            found.setdefault(m.group(1), ReportTarget(name=m.group(1))).size_bytes = int(m.group(4))
        if (m := re.search(r"Blanked device (/dev/\S+?)\.?$", line)) is not None and "[SUCCESS]" in line:
            blanked.add(m.group(1))
        if (m := re.search(r"Verified that (/dev/\S+?) is empty", line)) is not None and "[SUCCESS]" in line:
            verified_empty.add(m.group(1))
        if "[FAILURE]" in line or re.search(r"\berror:", line):
            dev = re.search(r"(/dev/\S+?)[\s.,'\"]", line + " ")
            failures.setdefault(dev.group(1) if dev else "?", []).append(line.split("]", 1)[-1].strip())
        if "Error Summary" in line:
            section = "errors"
        elif "Drive Status" in line:
            section = "status"
        elif section and (m := _TABLE_ROW.match(line)) is not None and not line.lstrip().startswith("!"):
            cells = [c.strip() for c in m.group(2).split("|")]
            (error_rows if section == "errors" else status_rows)[m.group(1)] = cells
        if "Nwipe successfully completed" in line:
            completed = True
    claim.tool_version = (options.get("banner") or "").replace("nwipe", "").strip() or None
    method = options.get("method")
    if not found:
        claim.problems.append("the log names no drive")
    if not status_rows:
        claim.problems.append("the log has no Drive Status table (nwipe interrupted or log cut short)")
    for path, target in found.items():
        short = path.rsplit("/", 1)[-1]
        target.method = method
        target.started_at, target.finished_at = first_stamp, last_stamp
        errs = error_rows.get(short)
        if errs and len(errs) >= 3:
            counts = [int(c) if c.isdecimal() else -1 for c in errs[:3]]
            labels = ("pass errors", "verification errors", "fdatasync I/O errors")
            target.errors += [f"{n} {label}" for n, label in zip(counts, labels, strict=True) if n != 0]
        target.errors += failures.get(path, [])
        row = status_rows.get(short)
        target.status = row[0] if row else None
        target.final_pattern = final_pattern(method, path in blanked)
        target.success = completed and row is not None and row[0].lower() == "erased" and not target.errors
        if row and len(row) >= 4:
            model_serial = row[3]
            if "/" in model_serial and target.serial is None:
                target.serial = clean(model_serial.rsplit("/", 1)[1])
        claim.targets.append(target)
    return claim


__all__ = ["final_pattern", "parse_nwipe_log"]
