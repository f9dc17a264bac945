"""The pipeline's step implementations, injected so tests can substitute any of them.

`default_steps()` binds each step to the module another part of Atelier provides (inventory,
checks, grading, erase planner and engine, certificates). A module that is not installed yet
makes its step raise `StepUnavailable`: the run records "not available yet" and goes on.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent._record import Record
from agent.host import Host

if TYPE_CHECKING:
    from agent.report import CheckResult, Grade, Report, SignedCertificate


class StepUnavailable(Exception):
    """The piece of Atelier this step needs is not part of this build (yet)."""


def _load(module: str, attr: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name and (module == err.name or module.startswith(err.name + ".")):
            raise StepUnavailable(f"{module} not available yet") from err
        raise
    try:
        return getattr(mod, attr)
    except AttributeError as err:
        raise StepUnavailable(f"{module}.{attr} not available yet") from err


class EraseRequest(Record, frozen=True):
    """Everything `execute` needs besides the plan; the context fields go on each certificate."""

    host: Host
    key: Any
    asset_code: str | None
    machine: Any
    operator: str | None
    organisation: str | None
    station: str | None
    report_id: str
    out_dir: Path
    progress: Callable[[Any], None] | None
    cancel: threading.Event | None
    restarted: set[str]
    #: Called from the engine's worker as each disk's certificate is signed (resume granularity).
    on_certificate: Callable[[SignedCertificate], None] | None = None
    #: Disks refused at the last moment (SafetyRefusal…) are appended here.
    refusals: list[Exception] | None = None
    lang: str = "fr"


# The report schema is imported only for type checking: `atelier run` shows its first screen
# before loading it (see pipeline._warm_up), so these aliases name it as forward references.
InventoryFn = Callable[[Host, str | None, Sequence[str] | None], "Report"]
ChecksFn = Callable[..., "list[CheckResult]"]
GradeFn = Callable[["Report", str | None], "Grade"]
UsagesFn = Callable[[Host], Any]
ErasePolicyFn = Callable[[str | None], Any]
PlanFn = Callable[[Sequence[Any], Any, Any, Sequence[str] | None], Any]
ConfirmFn = Callable[[Any, Callable[[str], str]], bool]
ExecuteFn = Callable[[Any, EraseRequest], "list[SignedCertificate]"]
KeyFn = Callable[[Path], Any]
WriteCertFn = Callable[["SignedCertificate", Path, str], Any]


def _inventory(host: Host, asset_code: str | None, only_disks: Sequence[str] | None) -> Report:
    fn = _load("agent.probes.inventory", "collect_inventory")
    report: Report = fn(host, asset_code=asset_code, only_disks=list(only_disks) if only_disks else None)
    return report


def _checks(report: Report, host: Host, **kwargs: Any) -> list[CheckResult]:
    fn = _load("agent.checks.runner", "run_checks")
    skip = kwargs.pop("skip", None)
    if skip:
        import dataclasses

        base = _load("agent.checks.runner", "profile_settings")(kwargs.get("profile", "quick"))
        kwargs["settings"] = dataclasses.replace(base, skip=frozenset(base.skip) | frozenset(skip))
    results: list[CheckResult] = fn(report, host, **kwargs)
    return results


def _grade(report: Report, policy: str | None) -> Grade:
    grade_report = _load("agent.grading.grade", "grade_report")
    loaded = _load("agent.grading.grade", "load_policy")(policy) if policy else None
    grade: Grade = grade_report(report, loaded)
    return grade


def _usages(host: Host) -> Any:
    return _load("agent.probes.usage", "disk_usages")(host)


def _erase_policy(name: str | None) -> Any:
    return _load("agent.erase.policy", "load_policy")(name)


def _plan(disks: Sequence[Any], policy: Any, usages: Any, selected: Sequence[str] | None) -> Any:
    fn = _load("agent.erase.planner", "plan_erasure")
    return fn(list(disks), policy, usages=usages, selected=list(selected) if selected is not None else None)


def _confirm(plan: Any, ask: Callable[[str], str]) -> bool:
    return bool(_load("agent.erase.safety", "confirm_plan")(plan, ask))


def _forward(callback: Callable[[SignedCertificate], None] | None) -> Callable[..., None] | None:
    if callback is None:
        return None
    target: Callable[[SignedCertificate], None] = callback

    def on_certificate(signed: SignedCertificate, _paths: Any = None) -> None:
        target(signed)

    return on_certificate


def _execute(plan: Any, request: EraseRequest) -> list[SignedCertificate]:
    execute_plan = _load("agent.erase.runner", "execute_plan")
    context_cls = _load("agent.erase.runner", "EraseContext")
    context = context_cls(
        asset_code=request.asset_code,
        machine=request.machine,
        operator=request.operator,
        organisation=request.organisation,
        station=request.station,
        report_id=request.report_id,
    )
    certificates: list[SignedCertificate] = execute_plan(
        plan,
        request.host,
        key=request.key,
        context=context,
        out_dir=request.out_dir,
        progress=request.progress,
        cancel=request.cancel,
        restarted=request.restarted,
        refusals=request.refusals,
        lang=request.lang,
        on_certificate=_forward(request.on_certificate),
    )
    return certificates


def _require_unattended(policy: Any) -> None:
    _load("agent.erase.safety", "require_unattended")(policy)


def _station_key(data_dir: Path) -> Any:
    return _load("agent.certs.keys", "StationKey").load_or_create(data_dir)


def _write_certificate(signed: SignedCertificate, out_dir: Path, lang: str) -> Any:
    return _load("agent.certs.store", "write_certificate")(signed, out_dir, lang=lang)


class RunSteps(Record, frozen=True):
    inventory: InventoryFn = _inventory
    checks: ChecksFn = _checks
    grade: GradeFn = _grade
    usages: UsagesFn = _usages
    erase_policy: ErasePolicyFn = _erase_policy
    plan: PlanFn = _plan
    confirm: ConfirmFn = _confirm
    execute: ExecuteFn = _execute
    station_key: KeyFn = _station_key
    require_unattended: Callable[[Any], None] = _require_unattended
    write_certificate: WriteCertFn = _write_certificate

    def replace(self, **changes: Any) -> RunSteps:
        """The same steps with some substituted (what tests and demos do)."""
        values = {name: getattr(self, name) for name, _d, _f, _r in self.__record_fields__}
        return RunSteps(**{**values, **changes})


def default_steps() -> RunSteps:
    return RunSteps()


__all__ = ["EraseRequest", "RunSteps", "StepUnavailable", "default_steps"]
