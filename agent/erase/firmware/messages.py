"""What the technician reads when a drive refuses its own erasure — plain French, one action each."""

from __future__ import annotations

from agent.i18n import _


def frozen(disk: str) -> str:
    # The BIOS sends SECURITY FREEZE LOCK at boot (ATA8-ACS §7.36); a suspend/resume or a SATA
    # hot-plug brings the drive back up *without* the BIOS, hence not frozen.
    return _(
        'The disk {disk} is locked by the computer\'s BIOS ("frozen") and refuses its internal erase. '
        "Put the computer to sleep and wake it up: type  rtcwake -m mem -s 5  (it wakes up by itself after "
        "5 seconds). If that does not work on this computer: with the computer switched on, unplug the "
        "disk's SATA data cable, wait 5 seconds and plug it back in (desktop computers only, never the power "
        "cable first). Then start the erasure again."
    ).format(disk=disk)


def locked_expired(disk: str) -> str:
    return _(
        'The disk {disk} is locked by a password and has refused too many attempts ("expired"). '
        "Switch the computer off completely, wait 10 seconds and switch it on again, then start the "
        "erasure again. Without the password the disk cannot erase itself: Atelier will overwrite it "
        "instead if it can, otherwise set the disk aside for a supervisor."
    ).format(disk=disk)


def locked(disk: str) -> str:
    return _(
        "The disk {disk} is locked by a password that Atelier does not know, so it cannot be read or erased. "
        "Set the disk aside and ask a supervisor: it may need the password from the donor, or be destroyed."
    ).format(disk=disk)


def password_already_set(disk: str) -> str:
    return _(
        "The disk {disk} already has a security password set by someone else. Atelier will not use its "
        "internal erase; it will overwrite the disk instead. If the erasure fails, ask a supervisor."
    ).format(disk=disk)


def stuck(disk: str, percent: float | None) -> str:
    where = "?" if percent is None else f"{percent:.0f}"
    return _(
        "The disk {disk} stopped making progress in its internal erase (stuck at {percent} %). "
        "Switch the computer off, wait 10 seconds, switch it on and start the erasure again: the disk "
        "resumes its erase by itself. If it stays stuck, Atelier will overwrite it instead."
    ).format(disk=disk, percent=where)


def password_left(disk: str) -> str:
    return _(
        "Warning: the temporary security password could not be removed from the disk {disk}. "
        "Before giving the disk away, run:  hdparm --user-master u --security-disable atelier {path}"
    ).format(disk=disk, path=disk.split(" ")[0])


__all__ = ["frozen", "locked", "locked_expired", "password_already_set", "password_left", "stuck"]
