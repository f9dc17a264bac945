"""Non-negotiable 1: never write to a disk that is not in the plan, nor to one that is in use.

Three layers, because each one alone has a hole:
1. the plan refuses the boot medium, mounted / swap / RAID / LVM disks and read-only ones;
2. right before a device is opened for writing, its usage is read again (`usage_of`) — a stick
   mounted by a desktop while the plan waited for confirmation is caught here — and the device
   must be an "erase" entry of the plan;
3. the device and each of its partitions are opened with O_EXCL (`device.open_device`): the
   kernel itself refuses a mounted or held device, and nobody can mount it while we write.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from agent.erase.planner import DiskPlan, ErasePlan
from agent.erase.policy import Policy
from agent.errors import SafetyRefusal
from agent.fmt import size as fmt_size
from agent.host import Host
from agent.i18n import _


def _same_device(a: str, b: str) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b)
    except OSError:
        return a == b


def planned_entry(plan: ErasePlan, device: str) -> DiskPlan:
    """The plan's "erase" entry for `device`; a SafetyRefusal for anything else."""
    for item in plan.disks:
        if _same_device(item.disk.path, device):
            if item.action != "erase":
                raise SafetyRefusal(
                    _("{device} is not to be erased: {why}").format(device=device, why=item.why())
                )
            return item
    raise SafetyRefusal(_("{device} is not in the erase plan: it will not be touched.").format(device=device))


def recheck_usage(host: Host, item: DiskPlan) -> None:
    """Read the disk's usage again just before writing; raise SafetyRefusal if it became busy."""
    from agent.probes.usage import usage_of

    usage = usage_of(host, item.disk.path)
    if usage.is_boot_medium:
        raise SafetyRefusal(
            _("{device} is the boot medium: it will not be erased ({why}).").format(
                device=item.disk.path, why=", ".join(usage.reasons)
            )
        )
    if usage.in_use:
        raise SafetyRefusal(
            _("{device} is in use: {why}. Unmount it (or stop what holds it) and plan again.").format(
                device=item.disk.path, why=", ".join(usage.reasons) or "?"
            )
        )


def busy_refusal(device: str, err: OSError) -> SafetyRefusal:
    """The kernel refused the exclusive open: something holds the disk (mount, swap, md, dm)."""
    return SafetyRefusal(
        _("{device} is busy (the system refused exclusive access: {error}); it was not touched.").format(
            device=device, error=err.strerror or err
        )
    )


def read_only_refusal(device: str) -> SafetyRefusal:
    return SafetyRefusal(
        _("{device} is read-only (write-protected); it was not touched.").format(device=device)
    )


def require_unattended(policy: Policy) -> None:
    """Erasing the whole plan without a person confirming needs a policy that says so."""
    if not policy.unattended:
        raise SafetyRefusal(
            _(
                "Erasing without confirmation needs a policy that allows it (unattended = true); "
                "policy {policy} does not. Name the disks with --device, or confirm on screen."
            ).format(policy=policy.name)
        )


def confirmation_word() -> str:
    return _("ERASE")


def describe_for_confirmation(plan: ErasePlan) -> str:
    lines = [_("These disks will be erased; everything on them will be lost for good:")]
    for item in plan.to_erase():
        d = item.disk
        lines.append(
            "  {path}  {model}  {serial_label} {serial}  {size}".format(
                path=d.path,
                model=d.model or _("unknown model"),
                serial_label=_("serial"),
                serial=d.serial or "?",
                size=fmt_size(d.size_bytes),
            )
        )
    return "\n".join(lines)


def confirm_plan(plan: ErasePlan, ask: Callable[[str], str]) -> bool:
    """Typed confirmation: the person must type the word shown (ERASE / EFFACER), nothing else.

    `ask` gets the full prompt (disk list with model, serial and size, then the question) and
    returns what was typed; the TUI passes its own input box, the CLI `input`.
    """
    if not plan.to_erase():
        return False
    word = confirmation_word()
    prompt = "{summary}\n{question} ".format(
        summary=describe_for_confirmation(plan),
        question=_("Type {word} to confirm:").format(word=word),
    )
    try:
        answer = ask(prompt)
    except (EOFError, KeyboardInterrupt):
        return False
    return answer.strip() == word


__all__ = [
    "busy_refusal",
    "confirm_plan",
    "confirmation_word",
    "describe_for_confirmation",
    "planned_entry",
    "read_only_refusal",
    "recheck_usage",
    "require_unattended",
]
