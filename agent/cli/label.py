"""`atelier label`: print (or save) the machine's label from its report."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.cli._common import Subparsers, add_command
from agent.cli._settings import add_data_dir
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "label", N_("make the machine's label (PDF) and print it"))
    parser.add_argument("--report", metavar=N_("FILE"), help=N_("report JSON (default: the last run's)"))
    parser.add_argument(
        "--format", dest="label_format", choices=("tape62", "a4"), help=N_("62 mm tape or A4 sheet")
    )
    parser.add_argument("--printer", metavar=N_("NAME"), help=N_("CUPS printer (default: save the PDF only)"))
    parser.add_argument("--out", metavar=N_("FILE"), help=N_("where to save the PDF"))
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def _last_report(data_dir: Path) -> Path | None:
    candidates = list((data_dir / "runs").glob("*/report.json"))
    candidates += list((data_dir / "spool").glob("*/*.json"))
    candidates = [p for p in candidates if not p.name.startswith(".")]
    return max(candidates, key=lambda p: p.stat().st_mtime, default=None)


def run(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from agent.cli._settings import effective
    from agent.errors import InputError
    from agent.label import print_or_save
    from agent.report import Report

    config = effective(args, printer=args.printer, label_format=args.label_format)
    path = Path(args.report) if args.report else _last_report(config.data_dir)
    if path is None:
        raise InputError(_("No report found in {path}: give --report FILE.").format(path=config.data_dir))
    try:
        report = Report.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as err:
        raise InputError(_("The report {path} cannot be read: {error}").format(path=path, error=err)) from err
    out = Path(args.out) if args.out else path.with_name(f"label-{report.asset_code or report.report_id}.pdf")
    saved, printed = print_or_save(
        report, out, fmt=config.settings.label_format, printer=config.settings.printer
    )
    if printed:
        print(
            _("Label sent to the printer {printer} ({path}).").format(
                printer=config.settings.printer, path=saved
            )
        )
    else:
        if config.settings.printer:
            print(_("The printer {printer} could not be used.").format(printer=config.settings.printer))
        print(_("Label saved: {path}").format(path=saved))
    return 0
