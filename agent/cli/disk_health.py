"""`atelier disk-health FILE…`: the health verdict of every drive in smartctl JSON files."""

from __future__ import annotations

import argparse
import json
import sys

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "disk-health",
        N_("health verdict (ok, warning, failing, unknown) of the drives in smartctl JSON files"),
    )
    parser.add_argument(
        "files", nargs="+", metavar=N_("FILE"), help=N_("output of smartctl --json (-a or -x)")
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from agent.checks.disk_health import assess_smart
    from agent.errors import InputError
    from agent.parsers.smartctl import SmartctlParseError, parse_smartctl_documents
    from agent.report import Disk

    failed_input = False
    worst_failing = False
    for name in args.files:
        try:
            with open(name, encoding="utf-8", errors="replace") as handle:
                drives = parse_smartctl_documents(handle.read())
        except OSError as err:
            message = _("cannot read the file {0}: {1}").format(name, err.strerror)
            print(f"atelier: {message}", file=sys.stderr)
            failed_input = True
            continue
        except SmartctlParseError as err:
            message = _("{0}: not smartctl JSON ({1})").format(name, err)
            print(f"atelier: {message}", file=sys.stderr)
            failed_input = True
            continue
        for drive in drives:
            disk = Disk(name="?", path="?", rotation_rate_rpm=drive.rotation_rate)
            verdict = assess_smart(drive.smart, disk)
            worst_failing = worst_failing or verdict.health == "failing"
            line = {
                "file": name,
                "model": drive.model,
                "serial": drive.serial,
                "health": verdict.health,
                "reasons": [r.as_dict() for r in verdict.reasons],
            }
            sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
    if failed_input:
        raise InputError(_("some files could not be read as smartctl JSON"))
    return 1 if worst_failing else 0
