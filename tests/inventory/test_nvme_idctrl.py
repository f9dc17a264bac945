"""`nvme id-ctrl` parser on the 8 real outputs in fixtures/disk-tools/nvme-id-ctrl/."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from agent.parsers.nvme_idctrl import NvmeIdCtrl, parse_nvme_idctrl, parse_nvme_list

_ROOT = Path(__file__).resolve().parents[2]
IDCTRL = (
    Path(os.environ.get("ATELIER_SHARED", _ROOT.parent / "shared")).resolve()
    / "fixtures"
    / "disk-tools"
    / "nvme-id-ctrl"
)


def _parse(name: str) -> NvmeIdCtrl:
    return parse_nvme_idctrl((IDCTRL / name).read_text())


def test_all_eight_files_are_covered() -> None:
    assert len(list(IDCTRL.iterdir())) == 8


def test_wdc_sn730_json() -> None:
    ctrl = _parse("wdc-pc-sn730-256g-idctrl-json-fna4.json")
    assert ctrl.model == "WDC PC SN730 SDBQNTY-256G-1001"  # padding stripped
    assert ctrl.serial == "1951B3444502"
    assert ctrl.firmware == "11170101"
    assert (ctrl.vid, ctrl.oacs, ctrl.sanicap, ctrl.fna, ctrl.edstt) == (5559, 23, 1610612739, 4, 26)
    assert ctrl.sanitize_actions == ["crypto", "block"]
    assert ctrl.format_supported is True and ctrl.format_crypto_erase is True
    assert ctrl.self_test_supported is True


def test_crucial_p3_plus_full_h_block_erase_only() -> None:
    ctrl = _parse("crucial-p3plus-ct4000p3pssd8-idctrl-H-full-sanicap-blockonly-fna0x1.txt")
    assert (ctrl.model, ctrl.serial, ctrl.firmware) == ("CT4000P3PSSD8", "2242E67C541A", "P9CR40A")
    assert (ctrl.oacs, ctrl.sanicap, ctrl.fna) == (0x17, 0x40000002, 0x1)
    assert ctrl.sanitize_actions == ["block"]
    assert ctrl.format_supported is True
    assert ctrl.format_crypto_erase is False  # fna 0x1: bit 2 clear


def test_intel_grep_no_sanitize_but_crypto_format() -> None:
    ctrl = _parse("intel-SSDPEKKF256G8L-idctrl-H-grep-nosanitize.txt")
    assert ctrl.oacs is None and ctrl.sanicap is None  # only decoded lines were pasted
    assert ctrl.sanitize_known and ctrl.sanitize_actions == []
    assert ctrl.format_supported is True
    assert ctrl.format_crypto_erase is True


def test_kioxia_plain_text_with_elided_serial() -> None:
    ctrl = _parse("kioxia-toshiba-kxg6aznv512g-idctrl-text-sanicap0x3-fna0x4-ELIDED.txt")
    assert ctrl.model == "KXG6AZNV512G TOSHIBA" and ctrl.firmware == "5108AGLA"
    assert ctrl.serial is None  # the poster elided it (line absent)
    assert (ctrl.oacs, ctrl.sanicap, ctrl.fna, ctrl.edstt) == (0x1F, 0x3, 0x4, 14)
    assert ctrl.sanitize_actions == ["crypto", "block"]
    assert ctrl.format_crypto_erase is True


def test_sk_hynix_grep_block_only() -> None:
    ctrl = _parse("skhynix-pc801-idctrl-H-grep-blockerase-only.txt")
    assert ctrl.sanitize_actions == ["block"]
    assert ctrl.format_supported is True
    # no FNA bit 2 line in the paste: unknown, not False
    assert ctrl.format_crypto_erase is None
    # "Format NVM Broadcast NSID … Supported" (value 0) is FNA bit 3, not OACS
    assert "fna.3" not in ctrl.bits


def test_ssstc_grep_fna_and_sanicap_registers() -> None:
    ctrl = _parse("ssstc-ca6-8d1024-idctrl-H-fna-sanicap-grep.txt")
    assert ctrl.fna == 0 and ctrl.sanicap == 0xA0000002
    assert ctrl.sanitize_actions == ["block"]
    assert ctrl.format_crypto_erase is False
    assert ctrl.format_supported is None  # no OACS in this paste


def test_wd_black_elided_h_output() -> None:
    ctrl = _parse("wd-black-wds250g2x0c-idctrl-H-ELIDED-oacs0x17-fna0.txt")
    assert ctrl.model == "WDS250G2X0C-00L350" and ctrl.firmware == "101110WD"
    assert ctrl.serial is None and ctrl.placeholders == {"serial": "XXXXXXXXXXXX"}
    assert ctrl.oacs == 0x17 and ctrl.fna == 0
    assert ctrl.format_supported is True and ctrl.format_crypto_erase is False
    assert not ctrl.sanitize_known and ctrl.sanitize_actions == []


def test_nvme_list_is_not_an_id_ctrl() -> None:
    text = (IDCTRL / "ssstc-ca6-8d1024-nvme-list.txt").read_text()
    assert parse_nvme_idctrl(text).is_empty
    (entry,) = parse_nvme_list(text)
    assert entry.node == "/dev/nvme0n1"
    assert (entry.serial, entry.model, entry.firmware) == ("002115101B16", "SSSTC CA6-8D1024", "ERA2101")


def test_odd_inputs_are_empty() -> None:
    for text in ("", "{", "[1,2]", '{"oacs": "zz", "sn": 5, "sanicap": -1}', "oacs : banana"):
        ctrl = parse_nvme_idctrl(text)
        assert ctrl.oacs is None and ctrl.sanicap is None and ctrl.serial is None
    assert parse_nvme_list("") == []


_TEXTS = [p.read_text() for p in sorted(IDCTRL.iterdir())]


@settings(max_examples=200, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(_TEXTS) - 1), data=st.data())
def test_truncated_and_mutated_outputs_never_raise(index: int, data: st.DataObject) -> None:
    text = list(_TEXTS[index])
    text = text[: data.draw(st.integers(min_value=0, max_value=len(text)))]
    for _ in range(data.draw(st.integers(min_value=0, max_value=6))):
        if text:
            position = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
            text[position] = data.draw(st.sampled_from(list('{}[]":,0x1 \n[:]ab-')))
    ctrl = parse_nvme_idctrl("".join(text))
    _ = (ctrl.sanitize_actions, ctrl.format_supported, ctrl.format_crypto_erase, ctrl.self_test_supported)
    parse_nvme_list("".join(text))
