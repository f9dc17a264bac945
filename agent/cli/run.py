"""`atelier run`: the technician's whole job on this machine, guided or unattended.

Exit codes: 0 all good and delivered · 1 an erasure failed or is incomplete, or a check failed ·
2 usage · 3 input · 4 erasure refused for safety (or not confirmed) · 5 environment (data
partition full, not root) · 6 report kept on the stick but not delivered · 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from agent.cli._common import Subparsers, add_command
from agent.cli._settings import add_data_dir
from agent.i18n import N_, _

if TYPE_CHECKING:
    from agent.host import Host
    from agent.run.ui import RunUI


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "run",
        N_("inventory, test, erase and grade this machine, then send the report"),
        epilog=N_(
            "exit codes: 0 all done and delivered; 1 an erasure failed or is incomplete, or a check failed; "
            "2 usage; 3 unreadable input; 4 erasure refused for safety or not confirmed; "
            "5 environment (data partition full…); 6 report kept on the USB stick, not delivered "
            "(atelier sync sends it); 130 interrupted"
        ),
    )
    parser.add_argument(
        "--unattended", action="store_true", help=N_("no question at all: everything from configuration")
    )
    parser.add_argument("--asset-code", metavar=N_("CODE"), help=N_("asset code (label) of the machine"))
    parser.add_argument("--server", metavar="URL", help=N_("central inventory URL"))
    parser.add_argument("--token", metavar="TOKEN", help=N_("station token for the central inventory"))
    parser.add_argument("--disks", nargs="+", metavar="DEV", help=N_("only test and erase these disks"))
    parser.add_argument("--policy", metavar=N_("NAME"), help=N_("erasure policy (name or TOML file)"))
    parser.add_argument("--grading-policy", metavar=N_("NAME"), help=N_("grading policy (name or TOML file)"))
    parser.add_argument("--profile", choices=("quick", "full"), help=N_("checks profile"))
    parser.add_argument(
        "--skip-checks", nargs="+", metavar="ID", help=N_("leave these checks out (memory, cpu, read-scan…)")
    )
    parser.add_argument(
        "--operator", metavar=N_("NAME"), help=N_("who runs the machine (goes on certificates)")
    )
    parser.add_argument("--printer", metavar=N_("NAME"), help=N_("CUPS printer for the label"))
    parser.add_argument(
        "--end", choices=("poweroff", "reboot", "wait"), help=N_("what to do at the end (default: wait)")
    )
    parser.add_argument(
        "--fresh", action="store_true", help=N_("start over even if an interrupted run exists")
    )
    add_data_dir(parser)
    parser.set_defaults(handler=run)


def wait_for_data_partition(limit_s: float = 90.0) -> None:
    """Wait until the live image's launcher has mounted the stick's data partition.

    The launcher mounts it while the agent loads (under emulation each took seconds, one after the
    other): it names a file in ATELIER_DATA_PENDING and removes it once the partition — or, without
    one, a RAM spool — is in place. Nothing may read the configuration or write a report before.
    """
    pending = os.environ.get("ATELIER_DATA_PENDING")
    if not pending:
        return
    import time

    deadline = time.monotonic() + limit_s
    while os.path.exists(pending) and time.monotonic() < deadline:
        time.sleep(0.05)


def run(args: argparse.Namespace) -> int:
    from agent.cli._settings import effective
    from agent.host import LiveHost
    from agent.run import Pipeline, RunOptions

    wait_for_data_partition()
    config = effective(
        args,
        asset_code=args.asset_code,
        server=args.server,
        token=args.token,
        disks=args.disks,
        policy=args.policy,
        grading_policy=args.grading_policy,
        profile=args.profile,
        operator=args.operator,
        skip_checks=args.skip_checks,
        printer=args.printer,
        end=args.end,
        mode="auto" if args.unattended else None,
    )
    settings = config.settings
    unattended = settings.mode == "auto"
    settle = os.environ.get("ATELIER_UDEV_SETTLE", "")
    host = LiveHost()
    ui = _make_ui(unattended, settings.operator)
    pipeline = Pipeline(
        RunOptions(
            settings=settings,
            data_dir=config.data_dir,
            host=host,
            unattended=unattended,
            fresh=args.fresh,
            # The live image's launcher starts the agent before udev is done with the disks.
            settle_devices_s=float(settle) if settle.isdecimal() else None,
        ),
        ui,
    )
    try:
        summary = pipeline.run()
    except KeyboardInterrupt:
        pipeline.cancel.set()
        raise
    if not unattended:
        ui.wait_end(_("Press Enter to finish."))
    _end(settings.end, host)
    return summary.exit_code


def _make_ui(unattended: bool, operator: str | None = None) -> RunUI:
    if unattended:
        from agent.tui.log import LogUI

        return LogUI()
    from agent.tui.guided import GuidedUI

    return GuidedUI(operator=operator)


def _end(action: str, host: Host) -> None:
    if action == "poweroff":
        host.run(["systemctl", "poweroff"], timeout=30)
    elif action == "reboot":
        host.run(["systemctl", "reboot"], timeout=30)
