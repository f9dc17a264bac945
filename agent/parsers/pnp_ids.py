"""PNP manufacturer ids (EDID bytes 8-9) → maker names, for the panels and monitors seen in refurbishing.

The full registry (UEFI PNP ID list, ~2,500 entries) is not needed: unknown ids keep their three
letters, which is what support searches for anyway.
"""

from __future__ import annotations

PNP_MAKERS: dict[str, str] = {
    "AAC": "AcerView",
    "ACI": "Asus",
    "ACR": "Acer",
    "AOC": "AOC",
    "APP": "Apple",
    "AUO": "AU Optronics",
    "BNQ": "BenQ",
    "BOE": "BOE",
    "CMN": "Chimei Innolux",
    "CMO": "Chi Mei Optoelectronics",
    "CPT": "Chunghwa Picture Tubes",
    "CPQ": "Compaq",
    "DEL": "Dell",
    "EIZ": "Eizo",
    "ENC": "Eizo",
    "FUS": "Fujitsu Siemens",
    "GSM": "LG Electronics",
    "GWY": "Gateway",
    "HPN": "HP",
    "HSD": "HannStar",
    "HWP": "HP",
    "IBM": "IBM",
    "INL": "InnoLux",
    "IVO": "InfoVision",
    "IQT": "Hyundai ImageQuest",
    "KDB": "Kyocera",
    "LEN": "Lenovo",
    "LGD": "LG Display",
    "LPL": "LG Philips",
    "MAX": "Belinea",
    "MEI": "Panasonic",
    "MS_": "Panasonic",
    "MSI": "MSI",
    "MTC": "Mitac",
    "NEC": "NEC",
    "NOK": "Nokia",
    "NVD": "Nvidia",
    "PHL": "Philips",
    "QDS": "Quanta Display",
    "SAM": "Samsung",
    "SDC": "Samsung Display",
    "SEC": "Samsung",
    "SHP": "Sharp",
    "SNY": "Sony",
    "STN": "Samsung",
    "TOS": "Toshiba",
    "TSB": "Toshiba",
    "VSC": "ViewSonic",
    "WDE": "Westinghouse",
}


def maker_name(pnp_id: str | None) -> str | None:
    return None if pnp_id is None else PNP_MAKERS.get(pnp_id.upper())


__all__ = ["PNP_MAKERS", "maker_name"]
