"""Grade a machine from its report: every rule that fires is listed, the worst grade wins."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from agent.checks._text import Text, text
from agent.checks.disk_health import Health, assess_smart
from agent.grading import eligibility, upgrades
from agent.grading.facts import cpu_facts, internal_disks, is_hdd, is_soldered, memory_gb
from agent.grading.policy import GradeLetter, GradingPolicy, load_policy
from agent.i18n import N_
from agent.report import CheckResult, Disk, Grade, GradeReason, Report, Upgrade

Outcome = Literal["reuse", "reuse-after-upgrade", "parts", "recycle"]
#: CPU flags of the x86-64-v2 level (as /proc/cpuinfo names them).
X86_64_V2 = frozenset({"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"})
_ORDER: dict[GradeLetter, int] = {"A": 0, "B": 1, "C": 2, "D": 3}
_OUTCOME: dict[GradeLetter, Outcome] = {
    "A": "reuse",
    "B": "reuse-after-upgrade",
    "C": "parts",
    "D": "recycle",
}

#: Interactive checks whose failure is a rule of its own (check id -> rule).
_INTERACTIVE_RULES = {
    "keyboard": "keyboard-fault",
    "screen": "screen-fault",
    "speakers": "speaker-fault",
    "webcam": "webcam-fault",
    "pointer": "pointer-fault",
    "usb-ports": "usb-port-fault",
    "network": "network-fault",
}
#: The part each interactive check looks at, as the reason names it.
_PART_NAMES = {
    "keyboard": N_("keyboard"),
    "screen": N_("screen"),
    "speakers": N_("speakers"),
    "webcam": N_("webcam"),
    "pointer": N_("touchpad or mouse"),
    "usb-ports": N_("USB ports"),
    "network": N_("network"),
}


@dataclass(frozen=True)
class Finding:
    rule: str
    text: Text
    upgrade: Upgrade | None = None


def _checks(report: Report, prefix: str) -> list[CheckResult]:
    return [c for c in report.checks if c.id == prefix or c.id.startswith(prefix + ":")]


def _check(report: Report, check_id: str) -> CheckResult | None:
    found = _checks(report, check_id)
    return found[-1] if found else None


def _disk_health(report: Report, disk: Disk) -> Health:
    for check in _checks(report, "disk-health"):
        if check.id == f"disk-health:{disk.path}":
            health = check.measurements.get("health")
            if health in ("ok", "warning", "failing", "unknown"):
                return health  # type: ignore[return-value]
    return assess_smart(disk.smart, disk).health


def _disk_findings(report: Report, policy: GradingPolicy) -> Iterator[Finding]:
    min_gb = policy.thresholds.ssd_min_gb
    disks = internal_disks(report)
    if not disks:
        yield Finding("no-disk", text(N_("no internal disk")), upgrades.add_disk(report, min_gb))
        return
    replaced: set[str] = set()
    for disk in disks:
        health = _disk_health(report, disk)
        selftest = _check(report, f"selftest:{disk.path}")
        scan = _check(report, f"read-scan:{disk.path}")
        label = disk.model or disk.name
        if health == "failing" or (selftest is not None and selftest.status == "fail"):
            replaced.add(disk.name)
            yield Finding(
                "disk-failing",
                text(N_("disk {disk} is failing (SMART)"), disk=label),
                upgrades.replace_failing_disk(report, disk, min_gb),
            )
        elif health == "warning":
            yield Finding("disk-warning", text(N_("disk {disk} shows signs of wear"), disk=label))
        if scan is not None and scan.status == "fail":
            upgrade = None if disk.name in replaced else upgrades.replace_failing_disk(report, disk, min_gb)
            replaced.add(disk.name)
            yield Finding(
                "disk-read-errors", text(N_("disk {disk} has unreadable sectors"), disk=label), upgrade
            )
    healthy_ssd = [d for d in disks if not is_hdd(d) and d.name not in replaced]
    if not healthy_ssd:
        for disk in disks:
            if is_hdd(disk) and disk.name not in replaced:
                yield Finding(
                    "hdd-system-disk",
                    text(
                        N_("system disk {disk} is a hard disk: slow for today's systems"),
                        disk=disk.model or disk.name,
                    ),
                    upgrades.replace_hdd(report, disk, min_gb),
                )
                break


def _memory_findings(report: Report, policy: GradingPolicy) -> Iterator[Finding]:
    th = policy.thresholds
    ram = memory_gb(report.memory)
    if ram is not None and ram < th.ram_min_gb:
        soldered = is_soldered(report.memory)
        if soldered and ram < th.ram_soldered_parts_below_gb:
            yield Finding(
                "ram-soldered-low",
                text(N_("only {ram:g} GB of memory, soldered: it cannot be extended"), ram=ram),
            )
        else:
            yield Finding(
                "ram-low",
                text(
                    N_("only {ram:g} GB of memory (at least {min:g} GB needed)"), ram=ram, min=th.ram_min_gb
                ),
                upgrades.memory_upgrade(report.memory, th.ram_min_gb, th.ram_module_gb),
            )
    memory = _check(report, "memory")
    if memory is not None and memory.status == "fail":
        yield Finding(
            "memory-errors",
            text(N_("the memory test found errors: {detail}"), detail=memory.message_en or ""),
        )


def _battery_findings(report: Report, policy: GradingPolicy) -> Iterator[Finding]:
    th = policy.thresholds
    healths: dict[str, float] = {}
    for battery in report.batteries:
        if battery.health_percent is not None:
            healths[battery.name] = battery.health_percent
    for check in _checks(report, "battery"):
        value = check.measurements.get("health_percent")
        if isinstance(value, int | float) and not isinstance(value, bool):
            healths[check.id.partition(":")[2] or "battery"] = float(value)
    for name, health in healths.items():
        if health < th.battery_replace_below_percent:
            yield Finding(
                "battery-replace",
                text(
                    N_("battery {name} holds {health:.0f}% of its original capacity"),
                    name=name,
                    health=health,
                ),
                upgrades.replace_battery(health),
            )
        elif health < th.battery_disclose_below_percent:
            yield Finding(
                "battery-worn",
                text(
                    N_("battery {name} holds {health:.0f}% of its original capacity (disclosed)"),
                    name=name,
                    health=health,
                ),
            )


def _cpu_findings(report: Report) -> Iterator[Finding]:
    cpu = cpu_facts(report)
    if cpu is not None and cpu.is_64bit is False:
        yield Finding(
            "cpu-32bit",
            text(N_("32-bit-only processor {model}: no current system runs on it"), model=cpu.model or "?"),
        )
    elif cpu is not None and cpu.is_64bit and report.cpus[0].flags:
        flags = set(report.cpus[0].flags)
        # x86-64-v2 (2009 onwards): what RHEL 9 and a few other current systems require.
        missing = sorted(X86_64_V2 - flags)
        if missing:
            yield Finding(
                "cpu-old-isa",
                text(
                    N_(
                        "processor without {flags} (x86-64-v2): some current Linux systems no longer run on it"
                    ),
                    flags=", ".join(missing),
                ),
            )
    check = _check(report, "cpu")
    if check is None:
        return
    if check.status == "fail":
        yield Finding("cpu-errors", text(N_("the processor gave wrong results under load")))
    if check.measurements.get("near_critical") is True or check.measurements.get("throttling") is True:
        yield Finding(
            "overheating",
            text(N_("the processor overheats under load (thermal paste to renew, fan to clean)")),
            upgrades.clean_cooling(),
        )


def _interactive_findings(report: Report) -> Iterator[Finding]:
    for check_id, rule in _INTERACTIVE_RULES.items():
        check = _check(report, check_id)
        if check is not None and check.status == "fail":
            # The check's own message is in the report's language; its English twin is message_en.
            english = check.message_en or check.message
            french = check.message if report.lang == "fr" else english
            part = text(_PART_NAMES[check_id])
            yield Finding(
                rule,
                Text(en=f"{part.en}: {english}", fr=f"{part.fr} : {french}"),
                upgrades.part_replacement(rule),
            )
    appearance = _appearance(report)
    if appearance == "D":
        yield Finding(
            "appearance-poor",
            text(N_("appearance D: damaged case")),
            upgrades.part_replacement("appearance-poor"),
        )


def _appearance(report: Report) -> GradeLetter | None:
    check = _check(report, "appearance")
    if check is None:
        return None
    value = check.measurements.get("grade")
    return value if value in ("A", "B", "C", "D") else None  # type: ignore[return-value]


def findings(report: Report, policy: GradingPolicy) -> list[Finding]:
    found: list[Finding] = []
    found.extend(_disk_findings(report, policy))
    found.extend(_memory_findings(report, policy))
    found.extend(_battery_findings(report, policy))
    found.extend(_cpu_findings(report))
    found.extend(_interactive_findings(report))
    return found


def grade_report(report: Report, policy: GradingPolicy | None = None) -> Grade:
    """The grade the policy gives this report, with every rule that fired and the upgrades to do."""
    policy = policy or load_policy(None)
    reasons: list[GradeReason] = []
    suggested: list[Upgrade] = []
    grade: GradeLetter = "A"
    for finding in findings(report, policy):
        rule_grade = policy.rule_grade(finding.rule)
        if rule_grade is None:
            continue
        reasons.append(
            GradeReason(
                rule=finding.rule, grade=rule_grade, message_fr=finding.text.fr, message_en=finding.text.en
            )
        )
        if _ORDER[rule_grade] > _ORDER[grade]:
            grade = rule_grade
        if finding.upgrade is not None and all(u.part != finding.upgrade.part for u in suggested):
            suggested.append(finding.upgrade)
    # Upgrades only help a machine that will be reused; for parts or recycling they are noise.
    if grade in ("C", "D"):
        suggested = []
    step = policy.next_step.get(grade)
    storage_min = policy.thresholds.storage_min_gb
    return Grade(
        grade=grade,
        outcome=_OUTCOME[grade],
        reasons=reasons,
        upgrades=suggested,
        windows11=eligibility.windows11(report),
        linux_desktop=eligibility.linux_desktop(report, storage_min_gb=storage_min),
        policy=policy.name,
        next_step_fr=step.fr if step else None,
        next_step_en=step.en if step else None,
        appearance=_appearance(report),
    )


__all__ = ["Finding", "findings", "grade_report"]
