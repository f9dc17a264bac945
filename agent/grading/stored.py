"""Reading a stored report (JSON) to re-grade it or to run checks on top of its inventory."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from agent.errors import InputError
from agent.i18n import _
from agent.report import SCHEMA_VERSION, Report, schema_major


def load_report(path: str) -> Report:
    """A report file, or an InputError (exit 3) that says what is wrong with it."""
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise InputError(_("cannot read the report {0}: {1}").format(path, err.strerror)) from err
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(_("{0} is not a JSON report ({1})").format(path, err)) from err
    if isinstance(data, dict):
        version = str(data.get("schema_version", ""))
        if version and schema_major(version) > schema_major(SCHEMA_VERSION):
            raise InputError(
                _("the report {0} comes from a newer Atelier (schema {1}): update Atelier").format(
                    path, version
                )
            )
    try:
        return Report.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError(_("{0}: invalid report at {1} ({2})").format(path, where, first.get("msg"))) from err


__all__ = ["load_report"]
