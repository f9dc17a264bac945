"""`atelier config show`: the effective configuration and where each value came from."""

from __future__ import annotations

import argparse

from agent.cli._common import Subparsers, add_command
from agent.cli._settings import add_data_dir
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "config", N_("show the configuration in effect"))
    actions = parser.add_subparsers(dest="action", metavar=N_("ACTION"))
    show = add_command(actions, "show", N_("print every setting, its value and where it comes from"))
    add_data_dir(show)
    show.set_defaults(handler=show_config)
    add_data_dir(parser)
    parser.set_defaults(handler=show_config)


def render(config: object) -> str:
    from agent.config import Effective, origin_label
    from agent.config.model import FIELDS, SECRET_FIELDS

    assert isinstance(config, Effective)
    settings = config.settings.model_dump()
    rows: list[tuple[str, str, str]] = [
        ("data_dir", str(config.data_dir), origin_label(config.data_dir_origin)),
        ("config_file", str(config.config_file) if config.config_file else _("none"), ""),
    ]
    for field in FIELDS:
        origin = config.origins[field]
        value = settings[field]
        if field in SECRET_FIELDS:
            # Never print a token: it would end up in photos of the screen and in support chats.
            shown = _("set ({origin})").format(origin=origin) if value else _("not set")
        elif isinstance(value, list):
            shown = " ".join(value) or "-"
        else:
            shown = "-" if value is None else str(value)
        rows.append((field, shown, "" if field in SECRET_FIELDS else origin_label(origin)))
    width = max(len(r[0]) for r in rows)
    vwidth = min(48, max(len(r[1]) for r in rows))
    return "".join(f"{k:<{width}}  {v:<{vwidth}}  {o}".rstrip() + "\n" for k, v, o in rows)


def show_config(args: argparse.Namespace) -> int:
    from agent.cli._settings import effective

    print(render(effective(args)), end="")
    return 0
