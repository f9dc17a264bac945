"""`atelier inventory`: the machine's hardware as a French summary or as the JSON report."""

from __future__ import annotations

import argparse
import sys

from agent._typing import TYPE_CHECKING
from agent.cli._common import Subparsers, add_command
from agent.i18n import N_

if TYPE_CHECKING:
    from agent.host import Host


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "inventory", N_("inventory this machine's hardware"))
    parser.add_argument(
        "--json",
        action="store_true",
        help=N_("print the full report as JSON (indented on a terminal, on one line otherwise)"),
    )
    parser.add_argument("--asset-code", metavar=N_("CODE"), help=N_("asset code (label) of the machine"))
    parser.add_argument(
        "--from", dest="capture", metavar=N_("CAPTURE"), help=N_("replay a capture instead of this machine")
    )
    parser.add_argument(
        "--disks",
        nargs="+",
        metavar="DEV",
        help=N_("only look at these disks (e.g. /dev/loop3); others are ignored"),
    )
    parser.add_argument("--no-disks", action="store_true", help=N_("do not look at any disk"))
    parser.add_argument("--no-smart", action="store_true", help=N_("do not query SMART (faster)"))
    parser.add_argument("--out", metavar=N_("FILE"), help=N_("also write the JSON report to this file"))
    # One inventory allocates a few megabytes and no long-lived cycles: the collector stays paused.
    parser.set_defaults(handler=run, short_lived=True)


def run(args: argparse.Namespace) -> int:
    only_disks = [] if args.no_disks else args.disks
    if args.capture is None:
        # The drives' queries start first: they then run while the probes and the schema load.
        from agent.host import LiveHost, PrefetchingHost
        from agent.probes.commands import live_prefetch

        host: Host = PrefetchingHost(LiveHost(), live_prefetch(only_disks, smart=not args.no_smart))
        source = "live"
    else:
        from agent.cli._hosts import host_from_args

        host, source = host_from_args(args.capture)
    from agent.probes.inventory import collect_inventory

    report = collect_inventory(
        host,
        asset_code=args.asset_code,
        only_disks=only_disks,
        smart=not args.no_smart,
        source=source,
    )
    if args.out:
        from agent.storage import atomic_write

        atomic_write(args.out, report.model_dump_json(indent=2).encode() + b"\n")
    if args.json:
        # Indented for a person at a terminal; on one line for a program reading a pipe or a
        # file: json writes that line in C, the indented text in Python (a tenth of a second
        # under emulated CPUs, issue 2).
        indent = 2 if sys.stdout.isatty() else None
        sys.stdout.write(report.model_dump_json(indent=indent) + "\n")
    else:
        from agent.summary import render_summary

        sys.stdout.write(render_summary(report))
    return 0
