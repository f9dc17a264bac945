"""Shared by run, sync, config, station and label: the data-dir option and effective settings."""

from __future__ import annotations

import argparse
from typing import Any

from agent.i18n import N_


def add_data_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        metavar=N_("DIR"),
        help=N_(
            "where reports, certificates and the station key are kept (default: the USB stick's data partition)"
        ),
    )


def effective(args: argparse.Namespace, **cli: Any) -> Any:
    """Load the configuration with these CLI values, and switch language if it says so."""
    from agent.config import load_settings
    from agent.i18n import set_language

    lang = getattr(args, "lang", None)
    if lang:
        cli["lang"] = lang
    result = load_settings(cli, data_dir=getattr(args, "data_dir", None))
    if result.origins.get("lang") != "default" or lang:
        set_language(result.settings.lang)
    return result


__all__ = ["add_data_dir", "effective"]
