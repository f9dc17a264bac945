"""`atelier erase`: plan, confirm and carry out the erasure of disks; one signed certificate each.

    atelier erase --plan                       # what would be done to every disk (touches nothing)
    atelier erase --device /dev/sdb --yes --out DIR [--policy dod-short]

Exit codes: 0 every named disk erased and verified; 1 an erasure FAILED / is INCOMPLETE or a
disk was skipped by the policy; 4 a disk was refused for safety (the others still ran);
2 usage; 3 bad policy file; 5 environment (key, output directory).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from agent.cli._common import Subparsers, add_command
from agent.i18n import N_, _

if TYPE_CHECKING:
    from agent.erase.planner import ErasePlan
    from agent.erase.progress import Progress
    from agent.report import SignedCertificate


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers, "erase", N_("erase disks (NIST SP 800-88) and write signed certificates")
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--plan", action="store_true", help=N_("show the erase plan and touch nothing"))
    mode.add_argument("--dry-run", action="store_true", help=N_("same as --plan"))
    parser.add_argument(
        "--device",
        action="append",
        metavar="DEV",
        default=[],
        help=N_("a disk to erase (repeat for several); only these disks are touched"),
    )
    parser.add_argument(
        "--policy", metavar=N_("NAME"), help=N_("erase policy: a shipped name or a .toml file")
    )
    parser.add_argument("--yes", action="store_true", help=N_("do not ask for confirmation"))
    parser.add_argument(
        "--out", metavar=N_("DIR"), help=N_("directory for the certificates (.json and .pdf)")
    )
    parser.add_argument(
        "--data-dir",
        metavar=N_("DIR"),
        help=N_("where the station key lives (default: $ATELIER_DATA_DIR or ~/.local/share/atelier)"),
    )
    parser.add_argument("--asset-code", metavar=N_("CODE"), help=N_("asset code (label) of the machine"))
    parser.add_argument("--operator", metavar=N_("NAME"), help=N_("person carrying out the erasure"))
    parser.add_argument(
        "--organisation", metavar=N_("NAME"), help=N_("organisation named on the certificates")
    )
    parser.add_argument("--station", metavar=N_("NAME"), help=N_("name of this station"))
    parser.add_argument("--quiet", action="store_true", help=N_("no progress lines"))
    parser.set_defaults(handler=run)


def default_data_dir() -> Path:
    env = os.environ.get("ATELIER_DATA_DIR")
    return Path(env) if env else Path.home() / ".local" / "share" / "atelier"


PATTERN_LABELS = {"zeros": N_("zeros"), "ones": N_("ones"), "random": N_("random")}
LEVEL_LABELS = {"full": N_("full read-back"), "sampled": N_("sampled (NIST)"), "none": N_("not done")}


def render_plan(plan: ErasePlan) -> str:
    from agent.erase.planner import technique_label
    from agent.fmt import duration, size

    action_text = {"erase": _("ERASE"), "skip": _("skip"), "refuse": _("REFUSED")}
    unknown_model = _("unknown model")
    serial_label = _("serial")
    why_label = _("why")
    # French typography puts a space before the colon; the catalog says how a label is followed.
    colon = _("{label}: ").replace("{label}", "")
    lines = [_("Erase plan (policy {policy}):").format(policy=plan.policy.name)]
    for item in plan.disks:
        d = item.disk
        lines.append(
            f"  {d.path:<14} {action_text[item.action]:<9} {d.model or unknown_model} "
            f"· {serial_label} {d.serial or '?'} · {size(d.size_bytes)}"
        )
        if item.action == "erase":
            passes = (
                ", ".join(
                    _(PATTERN_LABELS.get(p.kind, p.label())) if p.kind != "byte" else p.label()
                    for p in item.passes
                )
                if item.technique == "overwrite"
                else ""
            )
            lines.append(
                "      {label}{colon}{technique}{passes} · {category} · {verify} · {eta}".format(
                    colon=colon,
                    label=_("technique"),
                    technique=technique_label(item.technique),
                    passes=f" ({passes})" if passes else "",
                    category=(item.category or "?").capitalize(),
                    verify=_("verification: {level}").format(level=_(LEVEL_LABELS[item.verification])),
                    eta=_("about {duration}").format(duration=duration(item.expected_seconds)),
                )
            )
        lines.append(f"      {why_label}{colon}{item.why()}")
        if item.purge_note is not None:
            lines.append(f"      {item.purge_note.text()}")
    return "\n".join(lines) + "\n"


class _ProgressPrinter:
    """One line per disk every few seconds on stderr (a log, not a TUI)."""

    def __init__(self, every: float = 5.0) -> None:
        self.every = every
        self.lock = threading.Lock()
        self.last: dict[tuple[str, int, str], float] = {}

    def __call__(self, p: Progress) -> None:
        from agent.fmt import duration, size

        key = (p.device, p.pass_index, p.phase)
        now = time.monotonic()
        with self.lock:
            done = p.bytes_done >= p.bytes_total
            if not done and now - self.last.get(key, 0.0) < self.every:
                return
            self.last[key] = now
            phase = _("writing") if p.phase == "write" else _("verifying") if p.phase == "verify" else p.phase
            print(
                "{dev}: {pass_label} {i}/{n} {phase} {pct:3.0f} % · {rate}/s · {left}".format(
                    dev=p.device,
                    pass_label=_("pass"),
                    i=p.pass_index,
                    n=p.passes,
                    phase=phase,
                    pct=100.0 * p.fraction,
                    rate=size(int(p.throughput_bps)),
                    left=_("{duration} left").format(duration=duration(p.eta_s)),
                ),
                file=sys.stderr,
                flush=True,
            )


def run(args: argparse.Namespace) -> int:
    from agent.certs.machine import machine_identity
    from agent.erase.disks import inventory_disks
    from agent.erase.planner import plan_erasure
    from agent.erase.policy import load_policy
    from agent.errors import CheckFailed, SafetyRefusal
    from agent.host import LiveHost
    from agent.probes.usage import disk_usages

    policy = load_policy(args.policy)
    host = LiveHost()
    named: list[str] = list(dict.fromkeys(args.device))
    disks = inventory_disks(host, named or None)
    plan = plan_erasure(disks, policy, usages=disk_usages(host), selected=set(named) if named else None)
    refusals: list[str] = []
    # A named device that is not a whole disk the kernel knows is refused here: never guess.
    for device in named:
        if plan.find(device) is None and plan.find(os.path.realpath(device)) is None:
            refusals.append(
                _(
                    "{device} is not a whole disk known to the system (a partition, or absent): not touched."
                ).format(device=device)
            )
    sys.stdout.write(render_plan(plan))
    if args.plan or args.dry_run:
        return 0

    skipped = [i for i in plan.disks if named and i.action == "skip" and _is_named(i.disk.path, named)]
    for item in plan.disks:
        if named and item.action == "refuse" and _is_named(item.disk.path, named):
            refusals.append(_("{device} refused: {why}").format(device=item.disk.path, why=item.why()))
    if not named and args.yes:
        # Erasing the whole plan: either a person confirms it, or the policy allows unattended runs.
        from agent.erase.safety import require_unattended

        require_unattended(policy)
    to_erase = plan.to_erase()
    if not to_erase:
        for message in refusals:
            print(f"atelier: {message}", file=sys.stderr)
        if refusals:
            raise SafetyRefusal(_("Nothing was erased."))
        if skipped:
            raise CheckFailed(_("Nothing was erased: the policy skips the named disks."))
        print(_("Nothing to erase."))
        return 0
    if not args.yes:
        from agent.erase.safety import confirm_plan

        if not confirm_plan(plan, input):
            raise SafetyRefusal(_("Not confirmed: nothing was erased."))

    from agent.certs.keys import StationKey
    from agent.erase.runner import EraseContext, execute_plan
    from agent.errors import AtelierError, EnvironmentProblem
    from agent.i18n import current_language

    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    out_dir = Path(args.out) if args.out else data_dir / "certificates"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise EnvironmentProblem(
            _("Cannot create the certificate directory {path}: {error}").format(
                path=out_dir, error=err.strerror
            )
        ) from err
    key = StationKey.load_or_create(data_dir)
    context = EraseContext(
        asset_code=args.asset_code,
        machine=machine_identity(host),
        operator=args.operator,
        organisation=args.organisation,
        station=args.station,
    )
    problems: list[AtelierError] = []
    written: list[tuple[SignedCertificate, tuple[Path, Path] | None]] = []
    certificates = execute_plan(
        plan,
        host,
        key=key,
        context=context,
        out_dir=out_dir,
        progress=None if args.quiet else _ProgressPrinter(),
        refusals=problems,
        lang=current_language(),
        on_certificate=lambda signed, paths: written.append((signed, paths)),
    )
    result_text = {
        "erased": _("ERASED"),
        "failed": _("FAILED"),
        "incomplete": _("INCOMPLETE"),
    }
    for signed, paths in written:
        cert = signed.certificate
        line = "{dev}: {result} — {reason}".format(
            dev=f"/dev/{cert.disk.name}",
            result=result_text.get(cert.result, cert.result),
            reason=_(cert.reason) if cert.reason else "",
        )
        print(line)
        for fr in cert.failed_ranges[:10]:
            print(
                "    "
                + _("failed bytes {start}–{end}: {error}").format(start=fr.start, end=fr.end, error=fr.error)
            )
        if paths is not None:
            print("    " + _("certificate: {path}").format(path=paths[0]))
    for message in refusals:
        print(f"atelier: {message}", file=sys.stderr)
    for problem in problems:
        print(f"atelier: {problem.message}", file=sys.stderr)
    if refusals or any(isinstance(p, SafetyRefusal) for p in problems):
        return SafetyRefusal.exit_code
    if problems:
        return max(p.exit_code for p in problems)
    if skipped or any(c.certificate.result != "erased" for c in certificates):
        return CheckFailed.exit_code
    return 0


def _is_named(path: str, named: list[str]) -> bool:
    real = os.path.realpath(path)
    return any(os.path.realpath(n) == real for n in named)


__all__ = ["default_data_dir", "register", "render_plan", "run"]
