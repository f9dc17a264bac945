"""Blancco erasure reports (XML), read the way public integrations read them
(shared/notes/blancco-report.md): containers are `<entries name="…">`, values
`<entry name="…">value</entry>`, and everything is addressed by `name`, not by tag — real
reports vary by product version, so each step also accepts an element whose *tag* is the name.

Blancco signs its reports; without Blancco's public key Atelier only records that a signature
is there. Pure parser: bytes in, `ExternalClaim` out; never raises on a malformed report.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from agent.erase.external._claim import ExternalClaim, FinalPattern, ReportTarget
from agent.parsers._text import clean, to_int


def _name(el: ET.Element) -> str:
    return (el.get("name") or el.tag.rsplit("}", 1)[-1]).strip().lower()


def _children(el: ET.Element, name: str) -> Iterator[ET.Element]:
    for child in el:
        if _name(child) == name:
            yield child


def _find(el: ET.Element | None, *path: str) -> ET.Element | None:
    """Follow `path` by names; a step may skip levels (reports nest differently across versions)."""
    node = el
    for step in path:
        if node is None:
            return None
        direct = next(_children(node, step), None)
        if direct is None:
            direct = next((d for d in node.iter() if d is not node and _name(d) == step), None)
        node = direct
    return node


def _value(el: ET.Element | None, *path: str) -> str | None:
    node = _find(el, *path)
    if node is None or node.text is None:
        return None
    return clean(node.text)


def final_pattern(standard: str | None) -> FinalPattern:
    """Only standards whose last pass is known to write zeros say so; the rest is checked by signatures."""
    name = (standard or "").lower()
    if "zero" in name or "baseline" in name:
        return "zeros"
    return "unknown"


def parse_blancco_report(data: bytes) -> ExternalClaim:
    claim = ExternalClaim(tool="blancco")
    try:
        # ElementTree never fetches external entities; expat ≥ 2.4 bounds entity expansion.
        root = ET.fromstring(data)
    except ET.ParseError as err:
        claim.problems.append(f"the report is not readable XML: {err}")
        return claim
    blancco = _find(root, "blancco_data")
    if blancco is None:
        claim.problems.append("no blancco_data in the report")
        return claim
    description = _find(blancco, "description")
    claim.report_id = _value(description, "document_id")
    author = _find(description, "document_log", "log_entry", "author")
    claim.tool_version = _value(author, "product_version")
    product = _value(author, "product_name")
    revision = _value(author, "product_revision")
    if product and claim.tool_version:
        claim.tool_version = f"{product} {claim.tool_version}" + (f" ({revision})" if revision else "")
    claim.signature_present = any(
        "signature" in _name(el) and ((el.text or "").strip() or len(el)) for el in root.iter()
    )
    erasures = _find(blancco, "blancco_erasure_report", "erasures")
    if erasures is None:
        claim.problems.append("no erasures in the report")
        return claim
    for erasure in _children(erasures, "erasure"):
        target = _find(erasure, "target")
        state = _value(erasure, "state")
        standard = _value(erasure, "erasure_standard_name")
        item = ReportTarget(
            serial=_value(target, "serial"),
            model=_value(target, "model"),
            vendor=_value(target, "vendor"),
            size_bytes=to_int(_value(target, "capacity")),
            interface=_value(target, "interface_type"),
            status=state,
            success=(state or "").strip().lower() == "successful",
            method=standard,
            final_pattern=final_pattern(standard),
            started_at=_value(erasure, "start_time"),
            finished_at=_value(erasure, "end_time"),
        )
        for path in (("erasure_details", "failure", "message"), ("exception", "message")):
            message = _value(erasure, *path)
            if message:
                item.errors.append(message)
        if item.errors:
            item.success = False
        claim.targets.append(item)
    if not claim.targets:
        claim.problems.append("the report lists no erased drive")
    return claim


def looks_like_blancco(data: bytes) -> bool:
    head = data[:4096].lstrip()
    return head.startswith(b"<") and bool(re.search(rb"blancco", data[:65536], re.I))


__all__ = ["final_pattern", "looks_like_blancco", "parse_blancco_report"]
