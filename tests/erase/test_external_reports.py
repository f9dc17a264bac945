"""Other tools' reports: real nwipe logs, and Blancco XML reports written to the documented shape."""

from __future__ import annotations

from pathlib import Path

from agent.erase.external.blancco import looks_like_blancco, parse_blancco_report
from agent.erase.external.nwipe_log import parse_nwipe_log
from agent.erase.external.verify import match_target, parse_report
from agent.report import CertDisk


def blancco_xml(
    *,
    state: str = "Successful",
    serial: str = "WD-WCC4N4SSDC4L",
    capacity: int = 3000592982016,
    standard: str = "HMG Infosec Standard 5, Baseline",
    failure: str | None = None,
    signature: bool = True,
    extra_usb: bool = False,
) -> bytes:
    failure_xml = (
        f'<entries name="erasure_details"><entries name="failure"><entry name="message" type="string">{failure}</entry></entries></entries>'
        if failure
        else ""
    )
    usb = (
        '<entries name="erasure"><entry name="state" type="string">Successful</entry>'
        '<entries name="target"><entry name="serial" type="string">USB-STICK-1</entry>'
        '<entry name="capacity" type="uint">8004304896</entry><entry name="interface_type" type="string">USB</entry>'
        "</entries></entries>"
        if extra_usb
        else ""
    )
    sig = '<signature type="string">MEUCIQDbase64signature==</signature>' if signature else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<root>
 <report>
  <entries name="blancco_data">
   <entries name="description">
    <entry name="document_id" type="string">BL-2026-000123</entry>
    <entries name="document_log"><entries name="log_entry">
      <entries name="author">
       <entry name="product_name" type="string">Blancco Drive Eraser</entry>
       <entry name="product_version" type="string">7.9.0</entry>
       <entry name="product_revision" type="string">b4f1</entry>
      </entries>
      <entry name="date" type="string">2026-11-28T14:02:11+0100</entry>
    </entries></entries>
    <entries name="description_entries"><entry name="verified" type="string">true</entry>
     <entries name="company_information"><entry name="business_name" type="string">Atelier Solidaire</entry></entries>
    </entries>
   </entries>
   <entries name="blancco_erasure_report">
    <entries name="erasures">
     {usb}
     <entries name="erasure">
      <entry name="state" type="string">{state}</entry>
      <entry name="erasure_standard_name" type="string">{standard}</entry>
      <entry name="start_time" type="string">2026-11-28T13:01:00+0100</entry>
      <entry name="end_time" type="string">2026-11-28T14:01:00+0100</entry>
      <entry name="overwriting_rounds" type="uint">1</entry>
      {failure_xml}
      <entries name="target">
       <entry name="serial" type="string">{serial}</entry>
       <entry name="vendor" type="string">Western Digital</entry>
       <entry name="model" type="string">WDC WD30EFRX-68EUZN0</entry>
       <entry name="capacity" type="uint">{capacity}</entry>
       <entry name="type" type="string">HDD</entry>
       <entry name="interface_type" type="string">SATA</entry>
      </entries>
     </entries>
    </entries>
   </entries>
  </entries>
  <entries name="user_data"><entries name="fields"><entry name="asset_tag" type="string">AT-7</entry></entries></entries>
 </report>
 {sig}
</root>
""".encode()


def test_nwipe_zero_log(fixtures: Path) -> None:
    claim = parse_nwipe_log((fixtures / "nwipe/nwipe-0.33-zero-verify-last-success.log").read_text())
    assert claim.tool_version == "0.33" and claim.problems == []
    (t,) = claim.targets
    assert (t.name, t.model, t.serial, t.size_bytes, t.status) == (
        "/dev/loop0",
        "Loopback device",
        None,
        67108864,
        "Erased",
    )
    assert t.success and t.method == "Fill With Zeros" and t.final_pattern == "zeros"
    assert (t.started_at, t.finished_at) == ("2026/11/29 08:09:43", "2026/11/29 08:09:46")


def test_nwipe_dod_log_blanked(fixtures: Path) -> None:
    claim = parse_nwipe_log((fixtures / "nwipe/nwipe-0.33-dodshort-verify-all-success.log").read_text())
    (t,) = claim.targets
    # DoD Short ends with a random pass, but nwipe then blanks the device with zeros.
    assert t.method == "DoD Short" and t.final_pattern == "zeros" and t.success


def test_nwipe_log_cut_short_is_not_success(fixtures: Path) -> None:
    text = (fixtures / "nwipe/nwipe-0.33-zero-verify-last-success.log").read_text()
    cut = text.split("Error Summary")[0]
    claim = parse_nwipe_log(cut)
    assert not claim.targets[0].success
    assert any("Drive Status" in p for p in claim.problems)


def test_nwipe_errors_counted(fixtures: Path) -> None:
    text = (fixtures / "nwipe/nwipe-0.33-zero-verify-last-success.log").read_text()
    bad = text.replace(
        "     loop0 |           0 |                    0 |",
        "     loop0 |           0 |                    3 |",
    )
    bad = bad.replace("loop0 | Erased |", "loop0 | FAILED |")
    (t,) = parse_nwipe_log(bad).targets
    assert not t.success and t.errors == ["3 verification errors"] and t.status == "FAILED"


def test_blancco_successful_report() -> None:
    data = blancco_xml()
    assert looks_like_blancco(data)
    claim = parse_blancco_report(data)
    assert claim.report_id == "BL-2026-000123"
    assert claim.tool_version == "Blancco Drive Eraser 7.9.0 (b4f1)"
    assert claim.signature_present and claim.problems == []
    (t,) = claim.targets
    assert (t.serial, t.model, t.size_bytes, t.status, t.success) == (
        "WD-WCC4N4SSDC4L",
        "WDC WD30EFRX-68EUZN0",
        3000592982016,
        "Successful",
        True,
    )
    assert t.final_pattern == "zeros" and t.interface == "SATA"


def test_blancco_failed_erasure() -> None:
    claim = parse_blancco_report(
        blancco_xml(state="Failed", failure="Write error at sector 1234", signature=False)
    )
    (t,) = claim.targets
    assert not t.success and t.errors == ["Write error at sector 1234"] and not claim.signature_present


def test_blancco_unknown_standard_is_checked_by_signatures() -> None:
    (t,) = parse_blancco_report(blancco_xml(standard="DoD 5220.22-M ECE")).targets
    assert t.final_pattern == "unknown"


def test_blancco_malformed() -> None:
    claim = parse_report(b"<root><report><entries name='blancco_data'>")
    assert claim.tool == "blancco" and claim.targets == [] and claim.problems
    assert parse_blancco_report(b"<root/>").problems == ["no blancco_data in the report"]


def test_matching_serial_mismatch_and_usb_stick() -> None:
    claim = parse_blancco_report(blancco_xml(extra_usb=True))
    disk = CertDisk(serial="WD-WCC4N4SSDC4L", model="WDC WD30EFRX-68EUZN0", size_bytes=3000592982016)
    good = match_target(claim, disk)
    assert good.target is not None and good.target.serial == "WD-WCC4N4SSDC4L"
    assert good.matched_by == ["serial", "size", "model"] and good.mismatches == []
    other = match_target(
        claim, CertDisk(serial="S3Z9NB0K123456", size_bytes=3000592982016, model="Samsung SSD 860")
    )
    assert "serial: report says WD-WCC4N4SSDC4L, disk says S3Z9NB0K123456" in other.mismatches
    assert any(m.startswith("model:") for m in other.mismatches)
    unknown = match_target(claim, CertDisk())
    assert unknown.mismatches == [
        "nothing in the report identifies this disk (no serial number or size to compare)"
    ]


def test_report_kind_detection(fixtures: Path) -> None:
    log = (fixtures / "nwipe/nwipe-0.33-zero-verify-last-success.log").read_bytes()
    assert parse_report(log).tool == "nwipe"
    assert parse_report(blancco_xml()).tool == "blancco"
