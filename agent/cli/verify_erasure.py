"""`atelier verify-erasure`: check an erasure made by nwipe or Blancco, and sign a verification certificate."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "verify-erasure",
        N_("check an erasure made by another tool (nwipe log, Blancco XML report) on the disk itself"),
    )
    parser.add_argument(
        "--log", required=True, metavar=N_("FILE"), help=N_("nwipe log file or Blancco XML report")
    )
    parser.add_argument(
        "--device", required=True, metavar=N_("DEV"), help=N_("the erased disk, e.g. /dev/sdb")
    )
    parser.add_argument("--asset-code", metavar=N_("CODE"), help=N_("asset code (label) of the machine"))
    parser.add_argument(
        "--out", required=True, metavar=N_("DIR"), help=N_("directory for the certificate (.json and .pdf)")
    )
    parser.add_argument("--data-dir", metavar=N_("DIR"), help=N_("Atelier's data directory (station key)"))
    parser.add_argument("--operator", metavar=N_("NAME"), help=N_("person carrying out the check"))
    parser.add_argument(
        "--organisation", metavar=N_("NAME"), help=N_("organisation named on the certificate")
    )
    parser.add_argument(
        "--full", action="store_true", help=N_("read the whole disk back instead of NIST samples (slower)")
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from agent.certs.keys import StationKey
    from agent.certs.machine import machine_identity
    from agent.certs.sign import sign_certificate
    from agent.certs.store import write_certificate
    from agent.config import resolve_data_dir
    from agent.erase.external.verify import Context, verify_external_erasure
    from agent.errors import EnvironmentProblem, InputError
    from agent.host import LiveHost
    from agent.i18n import current_language

    log = Path(args.log)
    try:
        report = log.read_bytes()
    except OSError as err:
        raise InputError(
            _("Cannot read the report {path}: {error}").format(path=log, error=err.strerror)
        ) from err
    device = args.device
    if not os.path.exists(device):
        raise InputError(_("The device {device} does not exist.").format(device=device))
    data_dir, _origin = resolve_data_dir(args.data_dir, os.environ)
    host = LiveHost()
    context = Context(
        asset_code=args.asset_code,
        organisation=args.organisation,
        operator=args.operator,
        machine=machine_identity(host),
    )
    try:
        cert = verify_external_erasure(
            report, device, host=host, context=context, level="full" if args.full else "sampled"
        )
    except OSError as err:
        raise EnvironmentProblem(
            _("Cannot read the device {device}: {error}").format(device=device, error=err.strerror or err)
        ) from err
    key = StationKey.load_or_create(data_dir)
    signed = sign_certificate(cert, key)
    try:
        json_path, pdf_path = write_certificate(signed, Path(args.out), lang=current_language())
    except OSError as err:
        raise EnvironmentProblem(
            _("Cannot write the certificate into {path}: {error}").format(
                path=args.out, error=err.strerror or err
            )
        ) from err
    ext = cert.external
    assert ext is not None
    from agent.certs.pdf import MATCH_LABELS

    reason = _(cert.reason) if cert.reason else ""
    if cert.result == "verified":
        print(_("VERIFIED: {device} — {reason}").format(device=device, reason=reason))
    else:
        print(_("VERIFICATION FAILED: {device} — {reason}").format(device=device, reason=reason))
        for problem in cert.errors[:20]:
            print(f"  - {problem}")
    matched = ", ".join(_(MATCH_LABELS.get(m, m)) for m in ext.matched_by) or _("nothing")
    print(
        _("Report: {tool} {version}, method {method}, result {result}; disk matched by {matched}.").format(
            tool=ext.tool,
            version=ext.tool_version or "?",
            method=ext.method or "?",
            result=ext.result or "?",
            matched=matched,
        )
    )
    if ext.signature_present:
        print(
            _(
                "The report is signed by its publisher; without the publisher's public key the signature is recorded, not checked."
            )
        )
    print(_("Certificate: {json} and {pdf}").format(json=json_path, pdf=pdf_path))
    sys.stdout.flush()
    return 0 if cert.result == "verified" else 1


__all__ = ["register", "run"]
