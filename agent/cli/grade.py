"""`atelier grade --from REPORT.json [--policy FILE]`: grade (again) a stored report."""

from __future__ import annotations

import argparse
import sys

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers, "grade", N_("grade a stored report (A reuse, B upgrade, C parts, D recycle)")
    )
    parser.add_argument(
        "--from", dest="report", required=True, metavar=N_("REPORT"), help=N_("report JSON file")
    )
    parser.add_argument(
        "--policy", metavar=N_("FILE"), help=N_("grading policy (TOML); default: the shipped one")
    )
    parser.add_argument("--json", action="store_true", help=N_("print the grade as JSON"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from agent.grading import grade_report, load_policy
    from agent.grading.stored import load_report

    report = load_report(args.report)
    policy = load_policy(args.policy)
    grade = grade_report(report, policy)
    if args.json:
        sys.stdout.write(grade.model_dump_json(indent=2) + "\n")
        return 0
    from rich.console import Console

    from agent.grading.render import print_grade

    print_grade(Console(), grade)
    return 0
