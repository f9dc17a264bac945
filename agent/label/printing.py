"""Print on the workshop's CUPS printer when there is one, else keep the PDF on the stick."""

from __future__ import annotations

from pathlib import Path

from agent.host import Host
from agent.label.content import label_content
from agent.label.render import Format, render_label
from agent.report import Report
from agent.storage import atomic_write


def print_or_save(
    report: Report,
    path: Path,
    *,
    fmt: Format = "tape62",
    printer: str | None = None,
    host: Host | None = None,
) -> tuple[Path, bool]:
    """Write the label PDF to `path`; send it to `lp -d PRINTER` when a printer is configured.

    Returns the path and whether the print job was accepted (`lp` missing or failing → saved only).
    """
    atomic_write(path, render_label(label_content(report), fmt))
    if not printer:
        return path, False
    if host is None:
        from agent.host import LiveHost

        host = LiveHost()
    result = host.run(
        ["lp", "-d", printer, "-t", f"atelier-{report.asset_code or 'label'}", str(path)], timeout=30
    )
    return path, result.ok


__all__ = ["print_or_save"]
