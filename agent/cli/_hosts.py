"""Choose the host a command reads: this machine, or a capture given with `--from`."""

from __future__ import annotations

from agent.errors import InputError
from agent.host import CaptureFormatError, Host, LiveHost, ReplayHost
from agent.i18n import _


def host_from_args(capture: str | None) -> tuple[Host, str]:
    """(host, report source). A capture that cannot be replayed is an InputError, never a traceback."""
    if capture is None:
        return LiveHost(), "live"
    try:
        replay = ReplayHost.load(capture)
    except CaptureFormatError as err:
        raise InputError(_("cannot read the capture {path}: {why}").format(path=capture, why=err)) from err
    from agent.report import SCHEMA_VERSION, schema_major

    recorded = replay.schema_version
    if recorded and schema_major(recorded) > schema_major(SCHEMA_VERSION):
        raise InputError(
            _(
                "the capture {path} comes from a newer Atelier (schema {theirs}, this one reads {ours}): update Atelier"
            ).format(path=capture, theirs=recorded, ours=SCHEMA_VERSION)
        )
    return replay, "capture"
