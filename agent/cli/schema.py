"""`atelier schema`: the report's JSON Schema, for the server, GLPI bridges and anyone integrating."""

from __future__ import annotations

import argparse
import json
import sys

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "schema", N_("print the report's JSON Schema"))
    parser.add_argument("--out", metavar=N_("FILE"), help=N_("write it to this file instead"))
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from agent.report import SCHEMA_VERSION, Report

    schema = Report.model_json_schema()
    schema["$id"] = f"https://atelier.invalid/schema/report-{SCHEMA_VERSION}.json"
    schema["title"] = f"Atelier report {SCHEMA_VERSION}"
    text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    if args.out:
        from agent.storage import atomic_write

        atomic_write(args.out, text.encode())
    else:
        sys.stdout.write(text)
    return 0
