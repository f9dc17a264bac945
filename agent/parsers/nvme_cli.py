"""nvme-cli outputs used by the erasure wrappers: `sanitize-log` and the status lines of
`format` / `sanitize` (nvme-cli 1.x "NVME Admin command error:NAME(410a)" and 2.x
"NVMe status: NAME: text(0x2020)"). `id-ctrl` and `nvme list` are parsed by `agent.parsers.nvme_idctrl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.parsers._text import to_int

NO_TIME = 0xFFFFFFFF
SPROG_DONE = 0xFFFF

SanitizeState = Literal["never", "completed", "in_progress", "failed", "completed_no_deallocate", "unknown"]
_STATES: dict[int, SanitizeState] = {
    0: "never",
    1: "completed",
    2: "in_progress",
    3: "failed",
    4: "completed_no_deallocate",
}


@dataclass
class SanitizeLog:
    sprog: int | None = None
    sstat: int | None = None
    scdw10: int | None = None
    #: Seconds per operation ("overwrite", "block", "crypto", + "_nd" for No-Deallocate);
    #: None where the drive reports none (0xFFFFFFFF).
    estimates: dict[str, int | None] = field(default_factory=dict)
    ssi: int | None = None

    @property
    def state(self) -> SanitizeState:
        if self.sstat is None:
            return "unknown"
        return _STATES.get(self.sstat & 0x7, "unknown")

    @property
    def global_data_erased(self) -> bool | None:
        return None if self.sstat is None else bool(self.sstat & 0x100)

    @property
    def overwrite_passes_done(self) -> int | None:
        return None if self.sstat is None else (self.sstat >> 3) & 0x1F

    @property
    def progress(self) -> float | None:
        """Fraction done (0..1) while in progress; 1.0 when finished; None when unknown."""
        if self.sprog is None:
            return None
        if self.state == "in_progress":
            return min(self.sprog, SPROG_DONE) / 65536
        return 1.0 if self.state in ("completed", "completed_no_deallocate") else None

    @property
    def action(self) -> Literal["exit_failure", "block", "overwrite", "crypto"] | None:
        """The sanitize action of the last command (SCDW10 bits 2:0)."""
        if self.scdw10 is None:
            return None
        return {1: "exit_failure", 2: "block", 3: "overwrite", 4: "crypto"}.get(self.scdw10 & 0x7)  # type: ignore[return-value]


_LOG_LINE = re.compile(
    r"^[>\s]*(?P<name>[A-Za-z][A-Za-z0-9 ()\-/,.]*?)\s*:\s*(?P<value>0x[0-9a-fA-F]+|\d+)", re.M
)
_ESTIMATE_KEYS = {
    "estimated time for overwrite": "overwrite",
    "estimated time for block erase": "block",
    "estimated time for crypto erase": "crypto",
    "estimated time for overwrite (no-deallocate)": "overwrite_nd",
    "estimated time for block erase (no-deallocate)": "block_nd",
    "estimated time for crypto erase (no-deallocate)": "crypto_nd",
    "estimated time for post-verification deallocation": "post_verification",
}


def parse_sanitize_log(text: str) -> SanitizeLog:
    """`nvme sanitize-log DEV` (text or `-H`); truncated pastes leave the missing fields None."""
    out = SanitizeLog()
    for m in _LOG_LINE.finditer(text):
        name = " ".join(m.group("name").split()).lower()
        value = to_int(m.group("value"))
        if name.endswith("(sprog)"):
            out.sprog = value
        elif name.endswith("(sstat)"):
            out.sstat = value
        elif name.endswith("(scdw10)"):
            out.scdw10 = value
        elif name.endswith("(ssi)"):
            out.ssi = value
        elif name in _ESTIMATE_KEYS:
            out.estimates[_ESTIMATE_KEYS[name]] = None if value == NO_TIME else value
    return out


@dataclass
class NvmeStatus:
    """One outcome line of an nvme-cli admin command."""

    success: bool
    #: "INVALID_OPCODE", "Access Denied", "Sanitize In Progress"… as printed.
    name: str | None = None
    description: str | None = None
    #: Status field as printed (may include DNR 0x4000 and More 0x2000 bits), None if cut off.
    code: int | None = None
    namespace: str | None = None
    line: str = ""

    @property
    def status_code(self) -> int | None:
        """SCT/SC without the DNR/More bits: 0x410a and 0x10a are both INVALID_FORMAT (0x10a)."""
        return None if self.code is None else self.code & 0x7FF

    @property
    def kind(self) -> str:
        """A stable key for the wrappers: invalid_opcode, invalid_format, access_denied, …"""
        if self.success:
            return "success"
        sc = self.status_code
        by_code = {
            0x001: "invalid_opcode",
            0x002: "invalid_field",
            0x01D: "sanitize_in_progress",
            0x01C: "sanitize_failed",
            0x020: "write_protected",
            0x10A: "invalid_format",
            0x115: "namespace_insufficient_capacity",
            0x286: "access_denied",
        }
        if sc is not None and sc in by_code:
            return by_code[sc]
        name = (self.name or "").lower().replace(" ", "_")
        for key in (
            "invalid_opcode",
            "invalid_format",
            "access_denied",
            "sanitize_in_progress",
            "write_protected",
        ):
            if key in name:
                return key
        return name or "error"


_STATUS_2X = re.compile(
    r"NVMe status:\s*(?P<name>[^:(\n]+?)\s*(?::\s*(?P<desc>[^\n]*?))?\s*(?:\((?:0x)?(?P<code>[0-9a-fA-F]+)\))?\s*$"
)
_STATUS_1X = re.compile(
    r"NVME Admin command error:\s*(?P<name>[A-Z_]+)(?::\s*(?P<desc>[^\n]*?))?\s*\((?P<code>[0-9a-fA-F]+)\)"
)
_SUCCESS = re.compile(r"Success formatting namespace:\s*(?P<ns>[0-9a-fA-F]+)")


def parse_nvme_outcomes(text: str) -> list[NvmeStatus]:
    """Every outcome line in order (a paste may hold several attempts)."""
    outcomes: list[NvmeStatus] = []
    for raw in text.splitlines():
        line = raw.strip().lstrip(">").strip().strip("`").strip()
        if (m := _SUCCESS.search(line)) is not None:
            outcomes.append(NvmeStatus(True, namespace=m.group("ns"), line=line))
            continue
        m = _STATUS_1X.search(line) or _STATUS_2X.search(line)
        if m is not None:
            code = m.group("code")
            outcomes.append(
                NvmeStatus(
                    False,
                    name=m.group("name").strip(),
                    description=(m.group("desc") or "").strip() or None,
                    code=int(code, 16) if code else None,
                    line=line,
                )
            )
        elif line.startswith("Invalid namespace ID"):
            outcomes.append(NvmeStatus(False, name="Invalid namespace ID", line=line))
    return outcomes


def parse_nvme_status(text: str) -> NvmeStatus | None:
    """The last outcome of a command's output, or None when it printed none (cut off, or silent)."""
    outcomes = parse_nvme_outcomes(text)
    return outcomes[-1] if outcomes else None


@dataclass
class IdCtrlErase:
    """The erase-relevant Identify Controller facts, as the planner's tests read them.

    A thin view over `agent.parsers.nvme_idctrl` (the one id-ctrl parser), kept for callers
    that want plain fields.
    """

    model: str | None = None
    serial: str | None = None
    oacs: int | None = None
    sanicap: int | None = None
    fna: int | None = None
    format_supported: bool | None = None
    format_crypto: bool | None = None
    sanitize_modes: list[str] = field(default_factory=list)
    sanitize_known: bool = False


def parse_idctrl_erase(text: str) -> IdCtrlErase:
    from agent.parsers.nvme_idctrl import parse_nvme_idctrl

    ctrl = parse_nvme_idctrl(text)
    return IdCtrlErase(
        model=ctrl.model,
        serial=ctrl.serial,
        oacs=ctrl.oacs,
        sanicap=ctrl.sanicap,
        fna=ctrl.fna,
        format_supported=ctrl.format_supported,
        format_crypto=ctrl.format_crypto_erase,
        sanitize_modes=list(ctrl.sanitize_actions),
        sanitize_known=ctrl.sanitize_known,
    )


__all__ = [
    "NO_TIME",
    "SPROG_DONE",
    "IdCtrlErase",
    "NvmeStatus",
    "SanitizeLog",
    "SanitizeState",
    "parse_idctrl_erase",
    "parse_nvme_outcomes",
    "parse_nvme_status",
    "parse_sanitize_log",
]
