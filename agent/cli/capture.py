"""`atelier capture OUT`: record every file and command the probes use, for bug reports and fixtures."""

from __future__ import annotations

import argparse

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "capture",
        N_("record what the inventory reads on this machine (to send with a bug report)"),
    )
    parser.add_argument("out", metavar=N_("OUT"), help=N_("a directory, or a file ending in .tar.gz"))
    parser.add_argument("--disks", nargs="+", metavar="DEV", help=N_("only look at these disks"))
    parser.add_argument("--no-smart", action="store_true", help=N_("do not query SMART"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from agent.errors import EnvironmentProblem
    from agent.host import LiveHost, RecordingHost
    from agent.probes.inventory import collect_inventory

    recorder = RecordingHost(LiveHost())
    report = collect_inventory(recorder, only_disks=args.disks, smart=not args.no_smart)
    try:
        path = recorder.save(args.out)
    except OSError as err:
        raise EnvironmentProblem(
            _("cannot write the capture to {path}: {why}").format(path=args.out, why=err)
        ) from err
    print(
        _("Capture written to {path} ({disks} disks, {errors} probe errors).").format(
            path=path, disks=len(report.disks), errors=len(report.probe_errors)
        )
    )
    return 0
