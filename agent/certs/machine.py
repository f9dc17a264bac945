"""The machine named on a certificate, read from SMBIOS through sysfs (placeholders dropped)."""

from __future__ import annotations

from agent.host import Host, HostFileError
from agent.parsers._text import clean
from agent.report import CertMachine


def machine_identity(host: Host) -> CertMachine:
    def dmi(name: str) -> str | None:
        try:
            return clean(host.read_text(f"/sys/class/dmi/id/{name}"))
        except (HostFileError, OSError):
            return None

    return CertMachine(
        manufacturer=dmi("sys_vendor"),
        product=dmi("product_name"),
        serial=dmi("product_serial"),
        uuid=dmi("product_uuid"),
    )


__all__ = ["machine_identity"]
