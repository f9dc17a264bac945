"""What a run has done so far, saved after every step so a crash or power cut resumes it.

`<data>/runs/<report_id>/state.json` (atomic write). A new `atelier run` on the same machine —
matched by its DMI serial or UUID, else by the asset code — continues the unfinished run: steps
marked done are not redone; a disk whose erasure was *running* when the power went is erased
again from the start, and its certificate says `restarted`.
"""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal
from uuid import uuid4

from agent._record import field
from agent.errors import EnvironmentProblem
from agent.i18n import _
from agent.report._base import Model
from agent.spool import disk_full_error
from agent.storage import atomic_write

StepStatus = Literal["done", "failed", "skipped", "unavailable"]
EraseStatus = Literal["running", "done"]

#: The pipeline's steps, in order. Each is saved when it completes.
STEPS: tuple[str, ...] = (
    "asset",
    "inventory",
    "checks",
    "plan",
    "erase",
    "grade",
    "report",
    "upload",
    "label",
)


#: Empty file next to state.json once the run is over.
FINISHED_MARK = "finished"


def _now() -> datetime:
    return datetime.now(UTC)


class _StateModel(Model):
    """Plain classes (pydantic only when a saved state is read back), fields a newer agent added ignored."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "ignore"}


class StepRecord(_StateModel):
    status: StepStatus
    message: str = ""
    finished_at: datetime = field(default_factory=_now)


class DiskErasure(_StateModel):
    device: str
    serial: str | None = None
    status: EraseStatus
    attempts: int = 1


class RunState(_StateModel):
    report_id: str = field(default_factory=lambda: str(uuid4()))
    asset_code: str | None = None
    machine_serial: str | None = None
    machine_uuid: str | None = None
    mode: str = "guided"
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    finished: bool = False
    exit_code: int | None = None
    steps: dict[str, StepRecord] = field(default_factory=dict)
    erasure: dict[str, DiskErasure] = field(default_factory=dict)
    #: The report as built so far (Report JSON): saved with each step.
    report: dict[str, Any] | None = None
    #: Devices the plan covered (so a resumed run plans the same disks).
    planned: list[str] = field(default_factory=list)
    #: Why the erasure was refused (safety rule, no confirmation), when it was.
    refused: str | None = None

    def done(self, step: str) -> bool:
        record = self.steps.get(step)
        return record is not None and record.status in ("done", "skipped")

    def record(self, step: str, status: StepStatus, message: str = "") -> None:
        self.steps[step] = StepRecord(status=status, message=message)


class RunStore:
    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "runs"

    def directory(self, state: RunState) -> Path:
        return self.root / state.report_id

    def save(self, state: RunState) -> Path:
        state.updated_at = _now()
        path = self.directory(state) / "state.json"
        try:
            written = atomic_write(path, state.model_dump_json(indent=1).encode("utf-8"))
            if state.finished:
                atomic_write(path.parent / FINISHED_MARK, b"")
            return written
        except OSError as err:
            if err.errno in (errno.ENOSPC, errno.EDQUOT):
                raise disk_full_error(self.root.parent, err) from err
            raise EnvironmentProblem(
                _("Cannot save the progress of the run in {path}: {error}").format(
                    path=path, error=err.strerror
                )
            ) from err

    def load_all(self, *, include_finished: bool = False) -> list[RunState]:
        states: list[RunState] = []
        if not self.root.is_dir():
            return states
        for path in sorted(self.root.glob("*/state.json")):
            if not include_finished and (path.parent / FINISHED_MARK).exists():
                continue  # a stick holds hundreds of finished runs: do not parse them at start-up
            try:
                states.append(RunState.model_validate_json(path.read_bytes()))
            except (OSError, ValueError):  # pydantic's ValidationError is a ValueError
                continue  # a torn or foreign file must not block the next machine
        return states

    def find_unfinished(
        self, *, serial: str | None = None, uuid: str | None = None, asset_code: str | None = None
    ) -> RunState | None:
        """The newest unfinished run of this machine: same DMI serial or UUID, else same asset code."""
        candidates = [s for s in self.load_all() if not s.finished]
        candidates.sort(key=lambda s: s.updated_at, reverse=True)
        for state in candidates:
            if serial and state.machine_serial and state.machine_serial == serial:
                return state
            if uuid and state.machine_uuid and state.machine_uuid.lower() == uuid.lower():
                return state
        if asset_code:
            for state in candidates:
                same_machine_unknown = not (
                    serial and state.machine_serial and state.machine_serial != serial
                )
                if state.asset_code == asset_code and same_machine_unknown:
                    return state
        return None


__all__ = ["STEPS", "DiskErasure", "EraseStatus", "RunState", "RunStore", "StepRecord", "StepStatus"]
