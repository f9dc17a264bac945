"""`atelier station register`: enroll this station's key with a supervisor's one-time code."""

from __future__ import annotations

import argparse

from agent.cli._common import Subparsers, add_command
from agent.cli._settings import add_data_dir
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "station", N_("this station's identity (key and server token)"))
    actions = parser.add_subparsers(dest="action", metavar=N_("ACTION"))
    reg = add_command(actions, "register", N_("register this station with the central inventory"))
    reg.add_argument("--server", metavar="URL", required=True, help=N_("central inventory URL"))
    reg.add_argument(
        "--code", metavar=N_("CODE"), required=True, help=N_("one-time code given by the supervisor")
    )
    reg.add_argument("--name", metavar=N_("NAME"), help=N_("station name (default: host name)"))
    add_data_dir(reg)
    reg.set_defaults(handler=register_cmd)
    show = add_command(actions, "show", N_("show the station key fingerprint and registration"))
    add_data_dir(show)
    show.set_defaults(handler=show_cmd)
    add_data_dir(parser)
    parser.set_defaults(handler=show_cmd)


def register_cmd(args: argparse.Namespace) -> int:
    import os

    from agent.config import resolve_data_dir
    from agent.station import register_station

    data_dir, _origin = resolve_data_dir(args.data_dir, os.environ)
    registration = register_station(args.server, args.code, data_dir, args.name)
    print(
        _("Station {name} registered (id {id}); key fingerprint {fp}. Token saved in {path}.").format(
            name=registration.name,
            id=registration.station_id,
            fp=registration.fingerprint,
            path=data_dir / "station.toml",
        )
    )
    return 0


def show_cmd(args: argparse.Namespace) -> int:
    import os

    from agent.certs.keys import StationKey
    from agent.config import resolve_data_dir
    from agent.config.sources import read_station_file

    data_dir, _origin = resolve_data_dir(args.data_dir, os.environ)
    key = StationKey.load_or_create(data_dir)
    info = read_station_file(data_dir / "station.toml")
    print(_("Key fingerprint: {fp}").format(fp=key.fingerprint))
    if info.get("token"):
        print(
            _("Registered as {name} with {server}.").format(
                name=info.get("station_name", "?"), server=info.get("server", "?")
            )
        )
    else:
        print(_("Not registered yet: atelier station register --server URL --code CODE"))
    return 0
