"""What the pipeline asks of a screen. The guided TUI and the unattended log both implement it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from agent.report import Report


class RunUI(Protocol):
    #: False for unattended runs: the pipeline never calls a prompt method then.
    interactive: bool

    def set_context(self, *, asset_code: str | None, machine: str | None) -> None: ...

    def step(self, step: str, index: int, total: int, title: str, detail: str = "") -> None:
        """A new step starts: say what is happening and how long it will take."""
        ...

    def info(self, message: str) -> None: ...

    def warn(self, message: str) -> None: ...

    def ask_asset_code(self, error: str | None = None) -> str:
        """Read an asset code typed or scanned (a barcode scanner types it and presses Enter)."""
        ...

    def confirm(self, question: str) -> bool: ...

    def ask_text(self, prompt: str) -> str:
        """Free text (the typed confirmation of an erasure plan)."""
        ...

    def show_inventory(self, report: Report) -> None: ...

    def check_progress(self, *args: Any, **kwargs: Any) -> None: ...

    def show_plan(self, rows: list[dict[str, str]]) -> None: ...

    def erase_started(self, devices: list[str]) -> None: ...

    def erase_progress(self, progress: Any) -> None: ...

    def erase_finished(self) -> None: ...

    def interactive_checks(self) -> Any:
        """The InteractiveUI for agent.checks, or None when nobody is there to answer."""
        ...

    def show_summary(self, summary: Any) -> None: ...

    def wait_end(self, message: str) -> None:
        """The run is over; a guided screen waits for Enter, a log returns at once."""
        ...


__all__ = ["RunUI"]
