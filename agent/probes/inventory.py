"""Collect a whole-machine inventory into a `Report`: every probe in parallel, none able to sink the run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from agent import __version__
from agent._datetime import UTC, datetime
from agent._threads import Pending
from agent._typing import Any, TypeVar
from agent.host import Host
from agent.probes._context import ProbeContext
from agent.report import Report

T = TypeVar("T")

#: Probes whose time is mostly waiting for a command; see `collect_inventory`.
_WAITING_PROBES = frozenset({"disks", "memory"})


def _guarded(ctx: ProbeContext, probe: str, fn: Callable[[ProbeContext], T], default: T) -> T:
    """A probe that raises is a bug, not a reason to lose the inventory: record it and go on."""
    try:
        return fn(ctx)
    except Exception as err:  # the one place where any exception is caught on purpose
        import traceback

        detail = "".join(traceback.format_exception_only(type(err), err)).strip()
        ctx.error(probe, "probe crashed (bug: please send the capture)", detail)
        return default


def collect_inventory(
    host: Host,
    *,
    asset_code: str | None = None,
    only_disks: Sequence[str] | None = None,
    smart: bool = True,
    source: str = "live",
) -> Report:
    """Inventory the machine behind `host`.

    `only_disks` restricts the disk probe to those device paths (how tests and the demo stay on
    loop devices); other probes always run. The disk and memory probes run concurrently with the
    rest: most of their time is spent waiting for smartctl and dmidecode.
    """
    from agent.probes.battery import probe_batteries
    from agent.probes.cpu import probe_cpus
    from agent.probes.disks import probe_disks
    from agent.probes.display import probe_displays
    from agent.probes.machine import probe_machine
    from agent.probes.memory import probe_memory
    from agent.probes.network import probe_network
    from agent.probes.pci import probe_gpus
    from agent.report import Machine, Memory

    started = datetime.now(UTC)
    ctx = ProbeContext(host)

    def disks(c: ProbeContext) -> Any:
        return probe_disks(c, only=only_disks, smart=smart)

    jobs: dict[str, tuple[Callable[[ProbeContext], Any], Any]] = {
        "disks": (disks, []),
        "machine": (probe_machine, Machine()),
        "cpus": (probe_cpus, []),
        "memory": (probe_memory, Memory()),
        "gpus": (probe_gpus, []),
        "network": (probe_network, []),
        "batteries": (probe_batteries, []),
        "displays": (probe_displays, []),
    }
    # The probes that wait for commands (smartctl per disk, dmidecode) run in threads; the others
    # read a few files and run here meanwhile: a thread costs more to start under QEMU's emulated
    # CPUs (~20 ms) than such a probe does to run.
    running = {
        name: Pending(partial(_guarded, ctx, name, fn, default), name=f"probe-{name}")
        for name, (fn, default) in jobs.items()
        if name in _WAITING_PROBES
    }
    results = {
        name: _guarded(ctx, name, fn, default)
        for name, (fn, default) in jobs.items()
        if name not in _WAITING_PROBES
    }
    results.update((name, job.result()) for name, job in running.items())

    # Stable order: a capture replayed later must give the same report, whatever thread finished first.
    errors = sorted(ctx.errors, key=lambda e: (e.probe, e.message, e.detail or ""))
    log = sorted(ctx.log, key=lambda r: r.argv)
    return Report(
        asset_code=asset_code,
        agent_version=__version__,
        started_at=started,
        finished_at=datetime.now(UTC),
        source=source,
        machine=results["machine"],
        cpus=results["cpus"],
        memory=results["memory"],
        disks=sorted(results["disks"], key=lambda d: d.name),
        gpus=results["gpus"],
        network=results["network"],
        batteries=results["batteries"],
        displays=results["displays"],
        probe_errors=errors,
        probe_log=log,
    )


__all__ = ["collect_inventory"]
