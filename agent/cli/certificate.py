"""`atelier certificate verify FILE`: is this certificate file exactly what the station signed?"""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_, _


def register(subparsers: Subparsers) -> None:
    parser = add_command(subparsers, "certificate", N_("check erasure certificates"))
    actions = parser.add_subparsers(dest="certificate_action", metavar=N_("ACTION"))
    verify = actions.add_parser(
        "verify",
        help=N_("check a certificate's signature and content"),
        description=N_("check a certificate's signature and content"),
    )
    verify.add_argument("file", metavar=N_("FILE"), help=N_("certificate .json file"))
    verify.add_argument(
        "--public-key",
        metavar="B64",
        help=N_("the station's registered public key (base64); checked if given"),
    )
    verify.add_argument("--lang", choices=("fr", "en"), help=N_("language of messages (default: fr)"))
    verify.set_defaults(handler=run_verify)
    parser.set_defaults(handler=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_verify(args: argparse.Namespace) -> int:
    from agent.certs.sign import verify_certificate_bytes
    from agent.errors import InputError

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(
            _("Cannot read the certificate {path}: {error}").format(path=path, error=err.strerror or err)
        ) from err
    outcome = verify_certificate_bytes(data, args.public_key)
    if outcome.valid and outcome.signed is not None:
        from agent.certs.pdf import RESULT_LABELS

        cert = outcome.signed.certificate
        print(_("VALID"))
        print(
            _("Certificate {id} ({result}) for disk {serial}, signed by the key {fingerprint}.").format(
                id=cert.certificate_id,
                result=_(RESULT_LABELS.get(cert.result, cert.result)),
                serial=cert.disk.serial or cert.disk.name or "?",
                fingerprint=outcome.signed.key_fingerprint[:16],
            )
        )
        if args.public_key is None:
            print(_("Note: give --public-key to also check that the key is the station's registered one."))
        return 0
    print(_("INVALID"))
    for message in outcome.messages():
        print(f"  - {message}")
    for detail in outcome.details[:10]:
        print(f"    {detail}")
    return 1


__all__ = ["register", "run_verify"]
