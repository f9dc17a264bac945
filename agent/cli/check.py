"""`atelier check --profile quick`: inventory (or a stored report), then the component checks."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_

if TYPE_CHECKING:
    from agent.report import Report


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers, "check", N_("test the components (disks, memory, processor, battery, network)")
    )
    parser.add_argument(
        "--profile", choices=("quick", "full"), default="quick", help=N_("quick (a few minutes) or full")
    )
    parser.add_argument(
        "--disks",
        nargs="+",
        metavar="DEV",
        help=N_("only test these disks (e.g. /dev/loop3); others are ignored"),
    )
    parser.add_argument(
        "--from", dest="report", metavar=N_("REPORT"), help=N_("take the inventory from this report")
    )
    parser.add_argument("--skip", nargs="+", default=[], metavar="CHECK", help=N_("leave these checks out"))
    parser.add_argument(
        "--policy", metavar=N_("FILE"), help=N_("grading policy (TOML); default: the shipped one")
    )
    parser.add_argument("--server", metavar="URL", help=N_("inventory server to test reachability"))
    parser.add_argument(
        "--json", action="store_true", help=N_("print the report with checks and grade as JSON")
    )
    parser.set_defaults(handler=run)


def _inventory(args: argparse.Namespace) -> Report:
    from agent import __version__
    from agent.host import LiveHost
    from agent.report import Disk, Report

    if args.report:
        from agent.grading.stored import load_report

        return load_report(args.report)
    try:
        from agent.probes.inventory import collect_inventory
    except ImportError:  # the inventory is another part of Atelier: without it, a minimal report
        disks = [Disk(name=d.rsplit("/", 1)[-1], path=d) for d in args.disks or []]
        return Report(agent_version=__version__, disks=disks)
    return collect_inventory(LiveHost(), only_disks=args.disks)


def run(args: argparse.Namespace) -> int:
    import dataclasses

    from rich.console import Console

    from agent.checks.runner import profile_settings, run_checks
    from agent.grading import grade_report, load_policy
    from agent.grading.render import print_checks, print_grade
    from agent.host import LiveHost

    report = _inventory(args)
    settings = dataclasses.replace(profile_settings(args.profile), skip=frozenset(args.skip))
    console = Console(stderr=True)

    def progress(check_id: str, fraction: float) -> None:
        if not args.json and fraction in (0.0, 1.0):
            console.print(f"… {check_id} {fraction:.0%}", style="dim")

    checks = run_checks(
        report,
        LiveHost(),
        profile=args.profile,
        only_disks=args.disks,
        server_url=args.server,
        settings=settings,
        progress=progress,
    )
    report.checks.extend(checks)
    report.grade = grade_report(report, load_policy(args.policy))
    if args.json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
    else:
        out = Console()
        print_checks(out, checks)
        print_grade(out, report.grade)
    return 1 if any(c.status == "fail" for c in checks) else 0
