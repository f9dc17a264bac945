"""CPU and cooling check: every core busy with work whose answer is known, sensors watched meanwhile.

Correctness: each worker repeats a SHA-256 chain whose final digest is a constant of this file
and a zlib compress/decompress round trip of a known buffer (CRC-32 constant); one wrong answer
fails the CPU (an unstable core, a marginal voltage regulator or cache shows up this way).

Cooling: temperatures (hwmon: coretemp, k10temp, zenpower, acpitz…) and frequencies (cpufreq) are
sampled while the cores are loaded. Near-critical temperatures, or frequency collapsing while hot,
or the kernel's thermal-throttle counters rising, mean the heatsink is clogged or the thermal paste
dried out — the most common fault of old laptops, and a cheap one to fix.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from agent.checks._result import Timer, result
from agent.checks._text import text
from agent.host import Host, HostFileError
from agent.i18n import N_
from agent.report import CheckResult
from agent.report.checks import Measurement

CHAIN_SEED = b"atelier-cpu-check"
CHAIN_LENGTH = 20_000
CHAIN_DIGEST = "f0fab201b1b93de5cedf07c9d2c5add01de2c41aeecf0e02331db4c0bfe0e7a5"
KNOWN_BUFFER_CRC32 = 0x3B002C9D

#: Sensor names that measure the processor (hwmon `name`).
CPU_SENSORS = ("coretemp", "k10temp", "zenpower", "k8temp", "cpu_thermal", "acpitz", "soc_thermal")
#: Degrees below the critical (or max) limit counted as "near critical".
NEAR_CRITICAL_MARGIN_C = 5.0
#: Used when a sensor gives no limit: Intel and AMD mobile parts throttle from about 95-100 °C.
DEFAULT_CRITICAL_C = 100.0
#: Frequency below this share of the maximum while hot is throttling.
THROTTLE_FREQ_RATIO = 0.6


def known_buffer() -> bytes:
    return b"".join(
        hashlib.sha256(i.to_bytes(4, "little")).digest()[:16] + b"atelier atelier " for i in range(16384)
    )


def work_unit(buffer: bytes) -> bool:
    """One unit of checked work; False means the processor computed a wrong answer."""
    digest = CHAIN_SEED
    for _ in range(CHAIN_LENGTH):
        digest = hashlib.sha256(digest).digest()
    if digest.hex() != CHAIN_DIGEST:
        return False
    packed = zlib.compress(buffer, 6)
    return zlib.decompress(packed) == buffer and zlib.crc32(buffer) == KNOWN_BUFFER_CRC32


def _load_worker(seconds: float) -> tuple[int, int]:
    buffer = known_buffer()
    end = time.monotonic() + seconds
    done = errors = 0
    while time.monotonic() < end:
        if not work_unit(buffer):
            errors += 1
        done += 1
    return done, errors


@dataclass(frozen=True)
class Sensor:
    label: str
    celsius: float
    critical: float | None
    maximum: float | None


@dataclass(frozen=True)
class Sample:
    t: float
    sensors: tuple[Sensor, ...] = ()
    freqs_mhz: tuple[float, ...] = ()
    max_freq_mhz: float | None = None
    throttle_count: int | None = None

    @property
    def hottest(self) -> Sensor | None:
        return max(self.sensors, key=lambda s: s.celsius, default=None)


def _millis(host: Host, path: str) -> float | None:
    try:
        return int(host.read_text(path).strip()) / 1000.0
    except (HostFileError, ValueError):
        return None


def _int(host: Host, path: str) -> int | None:
    try:
        return int(host.read_text(path).strip())
    except (HostFileError, ValueError):
        return None


def read_sensors(host: Host) -> tuple[Sensor, ...]:
    base = "/sys/class/hwmon"
    try:
        hwmons = host.list_dir(base)
    except HostFileError:
        return ()
    found: list[Sensor] = []
    for hw in hwmons:
        try:
            name = host.read_text(f"{base}/{hw}/name").strip()
        except HostFileError:
            continue
        if name not in CPU_SENSORS:
            continue
        try:
            entries = host.list_dir(f"{base}/{hw}")
        except HostFileError:
            continue
        for entry in entries:
            if not (entry.startswith("temp") and entry.endswith("_input")):
                continue
            stem = entry[: -len("_input")]
            celsius = _millis(host, f"{base}/{hw}/{entry}")
            if celsius is None or celsius <= 0 or celsius > 150:  # absent or nonsense reading
                continue
            try:
                label = host.read_text(f"{base}/{hw}/{stem}_label").strip()
            except HostFileError:
                label = stem
            found.append(
                Sensor(
                    label=f"{name} {label}",
                    celsius=celsius,
                    critical=_millis(host, f"{base}/{hw}/{stem}_crit"),
                    maximum=_millis(host, f"{base}/{hw}/{stem}_max"),
                )
            )
    return tuple(found)


def _cpu_dirs(host: Host) -> list[str]:
    try:
        return [
            e for e in host.list_dir("/sys/devices/system/cpu") if e[3:].isdecimal() and e.startswith("cpu")
        ]
    except HostFileError:
        return []


def read_sample(host: Host, t: float) -> Sample:
    freqs: list[float] = []
    max_freq: float | None = None
    throttle: int | None = None
    for cpu in _cpu_dirs(host):
        base = f"/sys/devices/system/cpu/{cpu}"
        cur = _int(host, f"{base}/cpufreq/scaling_cur_freq")
        if cur:
            freqs.append(cur / 1000.0)
        top = _int(host, f"{base}/cpufreq/cpuinfo_max_freq")
        if top:
            max_freq = max(max_freq or 0.0, top / 1000.0)
        for counter in ("core_throttle_count", "package_throttle_count"):
            value = _int(host, f"{base}/thermal_throttle/{counter}")
            if value is not None:
                throttle = (throttle or 0) + value
    return Sample(
        t=t,
        sensors=read_sensors(host),
        freqs_mhz=tuple(freqs),
        max_freq_mhz=max_freq,
        throttle_count=throttle,
    )


@dataclass
class ThermalVerdict:
    measured: bool
    max_temp_c: float | None = None
    critical_c: float | None = None
    near_critical: bool = False
    throttling: bool = False
    min_freq_ratio: float | None = None
    throttle_events: int | None = None
    notes: list[str] = field(default_factory=list)


#: Limits below this are firmware nonsense (an ACPI zone announcing "critical" at 31 °C was
#: seen in a real `sensors -u` output): such a sensor is judged against DEFAULT_CRITICAL_C.
PLAUSIBLE_LIMIT_C = 50.0


def _limit(sensor: Sensor) -> float:
    limit = sensor.critical or sensor.maximum
    return limit if limit is not None and limit >= PLAUSIBLE_LIMIT_C else DEFAULT_CRITICAL_C


def _tightest(sample: Sample) -> tuple[Sensor, float] | None:
    """The sensor closest to its own limit, and that limit."""
    if not sample.sensors:
        return None
    sensor = min(sample.sensors, key=lambda x: _limit(x) - x.celsius)
    return sensor, _limit(sensor)


def analyse_thermal(samples: Sequence[Sample]) -> ThermalVerdict:
    """Near-critical temperatures and throttling from samples taken under load (pure function).

    Each sensor is judged against its own limit (crit, else max): a package at 95 °C of 100 is
    near critical, a PCH at 70 °C of 75 too, an ACPI zone at 77 °C of a bogus 31 °C is not.
    """
    with_temp = [s for s in samples if s.sensors]
    verdict = ThermalVerdict(measured=bool(with_temp))
    counts = [s.throttle_count for s in samples if s.throttle_count is not None]
    if len(counts) >= 2:
        verdict.throttle_events = counts[-1] - counts[0]
        if verdict.throttle_events > 0:
            verdict.throttling = True
            verdict.notes.append("thermal_throttle counters increased")
    if not with_temp:
        return verdict
    hottest = max((s.hottest for s in with_temp if s.hottest), key=lambda x: x.celsius)
    verdict.max_temp_c = hottest.celsius
    worst_headroom: float | None = None
    ratios: list[float] = []
    for s in with_temp:
        tight = _tightest(s)
        if tight is None:
            continue
        sensor, limit = tight
        headroom = limit - sensor.celsius
        if worst_headroom is None or headroom < worst_headroom:
            worst_headroom = headroom
            verdict.critical_c = limit
            verdict.max_temp_c = max(verdict.max_temp_c or sensor.celsius, sensor.celsius)
        if headroom <= NEAR_CRITICAL_MARGIN_C:
            verdict.near_critical = True
        if s.freqs_mhz and s.max_freq_mhz:
            ratio = (sum(s.freqs_mhz) / len(s.freqs_mhz)) / s.max_freq_mhz
            ratios.append(ratio)
            # Low frequency alone is power saving; low frequency while near the limit is throttling.
            if ratio < THROTTLE_FREQ_RATIO and headroom <= 2 * NEAR_CRITICAL_MARGIN_C:
                verdict.throttling = True
    verdict.min_freq_ratio = round(min(ratios), 2) if ratios else None
    return verdict


def run_load(seconds: float, workers: int) -> list[tuple[int, int]]:
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        return pool.map(_load_worker, [seconds] * workers)


Sampler = Callable[[float], Sample]


def check_cpu(
    host: Host,
    *,
    seconds: float = 30.0,
    workers: int | None = None,
    interval: float = 1.0,
    sampler: Sampler | None = None,
    load: Callable[[float, int], list[tuple[int, int]]] | None = None,
    progress: Callable[[float], None] | None = None,
) -> CheckResult:
    """Load every core for `seconds`, sampling sensors every `interval` (the seams serve tests)."""
    timer = Timer()
    workers = workers or os.cpu_count() or 1
    sample = sampler or (lambda t: read_sample(host, t))
    load = load or run_load
    samples: list[Sample] = [sample(0.0)]
    # The load runs in worker processes driven from a thread, so this thread is free to sample.
    with ThreadPoolExecutor(max_workers=1) as executor:
        pending = executor.submit(load, seconds, workers)
        start = time.monotonic()
        while True:
            try:
                outcomes = pending.result(timeout=interval)
                break
            except FutureTimeout:
                elapsed = time.monotonic() - start
                samples.append(sample(elapsed))
                if progress:
                    progress(min(elapsed / seconds, 1.0))
    done = sum(d for d, _ in outcomes)
    errors = sum(e for _, e in outcomes)
    thermal = analyse_thermal(samples)
    measurements: dict[str, Measurement] = {
        "workers": workers,
        "work_units": done,
        "wrong_results": errors,
        "temperature_measured": thermal.measured,
        "max_temp_c": thermal.max_temp_c,
        "critical_c": thermal.critical_c,
        "near_critical": thermal.near_critical,
        "throttling": thermal.throttling,
        "min_freq_ratio": thermal.min_freq_ratio,
        "throttle_events": thermal.throttle_events,
    }
    if errors:
        return result(
            "cpu",
            "fail",
            text(N_("the processor gave {n} wrong results under load: unstable, do not reuse"), n=errors),
            timer=timer,
            measurements=measurements,
        )
    if done == 0:
        return result(
            "cpu",
            "error",
            text(N_("the load test did not complete any work")),
            timer=timer,
            measurements=measurements,
        )
    if thermal.near_critical or thermal.throttling:
        return result(
            "cpu",
            "warn",
            text(
                N_(
                    "processor correct but overheats ({temp} °C, limit {crit} °C): renew the thermal paste and clean the fan"
                ),
                temp=f"{thermal.max_temp_c:.0f}" if thermal.max_temp_c is not None else "?",
                crit=f"{thermal.critical_c:.0f}" if thermal.critical_c is not None else "?",
            ),
            timer=timer,
            measurements=measurements,
        )
    if not thermal.measured:
        return result(
            "cpu",
            "pass",
            text(
                N_("processor correct under load on {n} cores (temperature not measurable on this machine)"),
                n=workers,
            ),
            timer=timer,
            measurements=measurements,
        )
    return result(
        "cpu",
        "pass",
        text(
            N_("processor correct under load on {n} cores, max {temp} °C"),
            n=workers,
            temp=f"{thermal.max_temp_c:.0f}",
        ),
        timer=timer,
        measurements=measurements,
    )


__all__ = [
    "Sample",
    "Sensor",
    "ThermalVerdict",
    "analyse_thermal",
    "check_cpu",
    "known_buffer",
    "read_sample",
    "read_sensors",
    "work_unit",
]
