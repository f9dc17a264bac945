"""Processors: /proc/cpuinfo first, `lscpu` for what it lacks, cpufreq for base and max clocks."""

from __future__ import annotations

from agent.host import LiveHost
from agent.parsers._text import number_end
from agent.parsers.cpuinfo import CpuinfoPackage, parse_cpuinfo
from agent.parsers.lscpu import LscpuInfo, parse_lscpu
from agent.probes._context import ProbeContext
from agent.report import Cpu

PROBE = "cpu"
LSCPU_ARGV = ("lscpu",)
CPUFREQ = "/sys/devices/system/cpu/cpu0/cpufreq"

#: Flags that decide what a machine can still run: x86-64 levels v2/v3 (cx16, lahf_lm, popcnt,
#: sse4_2, ssse3 / avx2, bmi2, fma, movbe, f16c), NX/PAE (32-bit distributions), AES-NI,
#: virtualisation (vmx/svm) and whether we run under a hypervisor.
KEY_FLAGS = (
    "lm",
    "nx",
    "pae",
    "pni",
    "ssse3",
    "sse4_1",
    "sse4_2",
    "cx16",
    "lahf_lm",
    "popcnt",
    "aes",
    "avx",
    "avx2",
    "fma",
    "bmi1",
    "bmi2",
    "movbe",
    "f16c",
    "avx512f",
    "sha_ni",
    "vmx",
    "svm",
    "hypervisor",
)
_VENDORS = {
    "genuineintel": "Intel",
    "authenticamd": "AMD",
    "hygongenuine": "Hygon",
    "centaurhauls": "VIA",
    "shanghai": "Zhaoxin",
    "cyrixinstead": "Cyrix",
    "genuinetmx86": "Transmeta",
    "transmetacpu": "Transmeta",
    "0x41": "ARM",
    "arm": "ARM",
}


def vendor_name(raw: str | None) -> str | None:
    if raw is None:
        return None
    return _VENDORS.get(raw.strip().lower(), raw.strip() or None)


def _khz_to_mhz(value: str | None) -> float | None:
    if value is None or not value.isdecimal() or int(value) == 0:
        return None
    return int(value) / 1000.0


def _nominal_mhz(model: str | None) -> float | None:
    """Intel and many AMD names state the base clock: "… CPU @ 2.80GHz" → 2800.

    Reads `@\\s*(\\d+(?:\\.\\d+)?)\\s*GHz` (any case) with string methods: a regular expression
    compiled at start is a measurable part of the inventory under emulated CPUs (issue 2)."""
    text = model or ""
    at = text.find("@")
    while at >= 0:
        rest = text[at + 1 :].lstrip()
        end = number_end(rest, 0, ".", len(rest), len(rest))
        if end and rest[end:].lstrip()[:3].lower() == "ghz":
            return round(float(rest[:end]) * 1000.0, 1)
        at = text.find("@", at + 1)
    return None


def _py_cpuinfo_model(ctx: ProbeContext) -> str | None:
    # Last resort only: py-cpuinfo runs its CPUID probe in a child process (1.1 s measured on the
    # 2-core VM) and reads the *live* machine behind the host's back, so it is skipped for replays.
    if not isinstance(ctx.host, LiveHost):
        return None
    try:
        import cpuinfo  # lazy on purpose: start-up time

        brand = cpuinfo.get_cpu_info().get("brand_raw")
    except Exception as err:  # third-party probe: any failure only means "model unknown"
        ctx.error(PROBE, "py-cpuinfo could not identify the processor", repr(err))
        return None
    return (str(brand).strip() or None) if brand else None


def _cpu(
    pkg: CpuinfoPackage | None, ls: LscpuInfo, socket: int, base: float | None, top: float | None
) -> Cpu:
    flags = set(pkg.flags if pkg and pkg.flags else ls.flags)
    model = (pkg.model_name if pkg else None) or ls.model_name
    cores = (pkg.cores if pkg else None) or ls.cores_per_socket
    threads = pkg.threads if pkg else None
    if threads is None and cores and ls.threads_per_core:
        threads = cores * ls.threads_per_core
    if threads is None and ls.cpus and ls.sockets:
        threads = ls.cpus // ls.sockets
    if cores is None and threads is not None and ls.threads_per_core:
        cores = threads // ls.threads_per_core or None
    if flags:
        is_64 = "lm" in flags or ls.architecture in {"aarch64", "arm64", "riscv64", "ppc64le", "s390x"}
    elif ls.op_modes:
        is_64 = "64-bit" in ls.op_modes
    else:
        is_64 = None
    return Cpu(
        socket=str(socket),
        model=model,
        vendor=vendor_name((pkg.vendor if pkg else None) or ls.vendor),
        family=pkg.family if pkg and pkg.family is not None else ls.family,
        model_number=(pkg.model if pkg and pkg.model is not None else ls.model),
        stepping=(pkg.stepping if pkg and pkg.stepping is not None else ls.stepping),
        cores=cores,
        threads=threads,
        base_mhz=base or _nominal_mhz(model),
        max_mhz=top or ls.max_mhz,
        is_64bit=is_64,
        flags=[f for f in KEY_FLAGS if f in flags],
        microcode=pkg.microcode if pkg else None,
    )


def probe_cpus(ctx: ProbeContext) -> list[Cpu]:
    text = ctx.read_text(PROBE, "/proc/cpuinfo")
    packages = parse_cpuinfo(text) if text else []
    ls = LscpuInfo()
    # lscpu reads the same /proc and /sys files: run it (a process, ~5 ms, far more under TCG)
    # only when /proc/cpuinfo left the model or topology unknown (ARM, old kernels, captures).
    if not packages or any(p.model_name is None or p.cores is None for p in packages):
        result = ctx.run(PROBE, LSCPU_ARGV, timeout=10)
        if result.ok:
            ls = parse_lscpu(result.stdout)
        elif not result.missing and not result.timed_out:
            ctx.error(PROBE, "lscpu failed", f"exit {result.returncode}: {result.stderr.strip()[:200]}")
    # base_frequency exists with intel_pstate (HWP) only; cpuinfo_max_freq includes turbo.
    base = _khz_to_mhz(ctx.read_value(PROBE, f"{CPUFREQ}/base_frequency"))
    top = _khz_to_mhz(ctx.read_value(PROBE, f"{CPUFREQ}/cpuinfo_max_freq"))
    if packages:
        cpus = [_cpu(pkg, ls, i, base, top) for i, pkg in enumerate(packages)]
    elif ls.model_name or ls.cpus:
        cpus = [_cpu(None, ls, i, base, top) for i in range(ls.sockets or 1)]
    else:
        ctx.error(PROBE, "no processor information (no /proc/cpuinfo, no lscpu)")
        return []
    if any(cpu.model is None for cpu in cpus):
        model = _py_cpuinfo_model(ctx)
        for cpu in cpus:
            cpu.model = cpu.model or model
    return cpus


__all__ = ["KEY_FLAGS", "probe_cpus", "vendor_name"]
