"""`atelier sync`: send every report waiting on the USB stick to the central inventory."""

from __future__ import annotations

import argparse

from agent.cli._common import Subparsers, add_command
from agent.cli._settings import add_data_dir
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "sync", N_("send the reports waiting on the USB stick"))
    parser.add_argument("--server", metavar="URL", help=N_("central inventory URL"))
    parser.add_argument("--token", metavar="TOKEN", help=N_("station token for the central inventory"))
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from agent.cli._settings import effective
    from agent.errors import ServerError, UsageError
    from agent.spool import Spool
    from agent.upload import ServerClient, sync_all

    config = effective(args, server=args.server, token=args.token)
    settings = config.settings
    spool = Spool(config.data_dir)
    pending = spool.pending()
    if not pending:
        print(_("Nothing to send: no report is waiting in {path}.").format(path=spool.root))
        return 0
    if not settings.server:
        raise UsageError(_("No inventory server configured: give --server URL (and --token)."))
    client = ServerClient(settings.server, settings.token, timeout=settings.upload_timeout_s)
    summary = sync_all(spool, client, attempts=settings.upload_attempts)
    for delivery in summary.deliveries:
        entry_text = {
            "sent": _("sent"),
            "rejected": _("refused by the server: {message}").format(message=delivery.message),
            "pending": _("not sent ({message}), still waiting").format(message=delivery.message or "?"),
        }[delivery.outcome]
        print(f"{delivery.report_id}: {entry_text}")
    sent, rejected, waiting = summary.count("sent"), summary.count("rejected"), summary.count("pending")
    print(
        _("{sent} sent, {rejected} refused, {waiting} still waiting.").format(
            sent=sent, rejected=rejected, waiting=waiting
        )
    )
    if waiting:
        raise ServerError(_("{n} report(s) could not be sent: they stay on the USB stick.").format(n=waiting))
    return 1 if rejected else 0
