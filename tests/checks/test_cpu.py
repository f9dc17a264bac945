"""CPU check: known-answer work, thermal analysis on sensor sequences replayed through hosts."""

from __future__ import annotations

from agent.checks.cpu import analyse_thermal, check_cpu, known_buffer, read_sample, work_unit
from agent.host import LiveHost, ReplayHost

# A laptop's coretemp hwmon and cpufreq as the Linux drivers lay them out (temperatures in
# millidegrees: coretemp exposes temp*_max 84 °C / temp*_crit 100 °C on Intel mobile parts).
HWMON = "/sys/class/hwmon/hwmon3"
CPUFREQ = "/sys/devices/system/cpu/cpu{n}/cpufreq"


def laptop(temp_c: float, freq_mhz: int, throttles: int = 0) -> ReplayHost:
    files: dict[str, str | bytes] = {
        "/sys/class/hwmon/hwmon0/name": "acpitz\n",
        "/sys/class/hwmon/hwmon0/temp1_input": "27800\n",
        f"{HWMON}/name": "coretemp\n",
        f"{HWMON}/temp1_label": "Package id 0\n",
        f"{HWMON}/temp1_input": f"{int(temp_c * 1000)}\n",
        f"{HWMON}/temp1_max": "84000\n",
        f"{HWMON}/temp1_crit": "100000\n",
        f"{HWMON}/temp2_label": "Core 0\n",
        f"{HWMON}/temp2_input": f"{int(temp_c * 1000) - 2000}\n",
        f"{HWMON}/temp2_crit": "100000\n",
    }
    for n in range(2):
        files[f"{CPUFREQ.format(n=n)}/scaling_cur_freq"] = f"{freq_mhz * 1000}\n"
        files[f"{CPUFREQ.format(n=n)}/cpuinfo_max_freq"] = "3100000\n"
        files[f"/sys/devices/system/cpu/cpu{n}/thermal_throttle/core_throttle_count"] = f"{throttles}\n"
    files["/sys/devices/system/cpu/online"] = "0-1\n"
    return ReplayHost.build(files=files)


def test_known_answer_work_is_right_here() -> None:
    assert work_unit(known_buffer()) is True


def test_sample_reads_cpu_sensors_only() -> None:
    sample = read_sample(laptop(61.0, 2800), 0.0)
    labels = sorted(s.label for s in sample.sensors)
    assert labels == ["acpitz temp1", "coretemp Core 0", "coretemp Package id 0"]
    assert sample.hottest is not None and sample.hottest.celsius == 61.0
    assert sample.freqs_mhz == (2800.0, 2800.0)
    assert sample.max_freq_mhz == 3100.0
    assert sample.throttle_count == 0


def test_cool_machine_is_fine() -> None:
    samples = [read_sample(laptop(t, 2900), i) for i, t in enumerate((45, 58, 66, 70, 71))]
    verdict = analyse_thermal(samples)
    assert verdict.measured and not verdict.near_critical and not verdict.throttling
    assert verdict.max_temp_c == 71.0
    assert verdict.critical_c == 100.0


def test_clogged_heatsink_near_critical_and_throttling() -> None:
    # Temperature climbs to 97 °C and the clock collapses to 1.2 GHz: the classic dried-paste laptop.
    steps = [(52, 3000, 0), (78, 2900, 0), (93, 2200, 3), (97, 1200, 17), (97, 1200, 30)]
    samples = [read_sample(laptop(t, f, c), i) for i, (t, f, c) in enumerate(steps)]
    verdict = analyse_thermal(samples)
    assert verdict.near_critical is True
    assert verdict.throttling is True
    assert verdict.throttle_events == 60  # 30 on each of the 2 cores
    assert verdict.min_freq_ratio == round(1200 / 3100, 2)


def test_low_clock_while_cool_is_power_saving_not_throttling() -> None:
    samples = [read_sample(laptop(40, 800), i) for i in range(5)]
    assert analyse_thermal(samples).throttling is False


def test_check_cpu_with_recorded_sensors_warns() -> None:
    steps = iter([(60, 3000), (85, 2500), (98, 1100), (98, 1100)] + [(98, 1100)] * 100)

    def sampler(t: float):  # type: ignore[no-untyped-def]
        temp, freq = next(steps)
        return read_sample(laptop(temp, freq), t)

    result = check_cpu(LiveHost(), seconds=1.0, workers=1, interval=0.2, sampler=sampler)
    assert result.status == "warn"
    assert result.measurements["near_critical"] is True
    assert "pâte thermique" in result.message


def test_wrong_result_fails_the_cpu() -> None:
    result = check_cpu(LiveHost(), seconds=0.1, workers=2, interval=0.05, load=lambda s, w: [(10, 0), (9, 1)])
    assert result.status == "fail"
    assert result.measurements["wrong_results"] == 1


def test_live_without_sensors_passes_on_correctness() -> None:
    result = check_cpu(LiveHost(), seconds=1.0, workers=2, interval=0.5)
    assert result.status == "pass", result.message
    assert result.measurements["work_units"] >= 2  # type: ignore[operator]
    if not result.measurements["temperature_measured"]:
        assert "non mesurable" in result.message


# Real `sensors -u` outputs quoted verbatim in public monitoring-agent test suites (lm-sensors prints
# the hwmon attributes in °C). The second is a hot two-socket server whose ACPI zone announces a
# bogus 31.3 °C "critical" limit — firmware nonsense the analysis must not take at its word.
SENSORS_IDLE_DESKTOP = """\
coretemp-isa-0000
Adapter: ISA adapter
Package id 0:
  temp1_input: 32.000
  temp1_max: 80.000
  temp1_crit: 100.000
  temp1_crit_alarm: 0.000
Core 0:
  temp2_input: 28.000
  temp2_max: 80.000
  temp2_crit: 100.000
  temp2_crit_alarm: 0.000

acpitz-acpi-0
Adapter: ACPI interface
temp1:
  temp1_input: 27.800
  temp1_crit: 119.000
"""
SENSORS_HOT_SERVER = """\
acpitz-virtual-0
temp1:
  temp1_input: 8.300
  temp1_crit: 31.300

coretemp-isa-0000
Physical id 0:
  temp1_input: 77.000
  temp1_max: 82.000
  temp1_crit: 92.000
  temp1_crit_alarm: 0.000
Core 0:
  temp2_input: 75.000
  temp2_max: 82.000
  temp2_crit: 92.000
  temp2_crit_alarm: 0.000
Core 1:
  temp3_input: 77.000
  temp3_max: 82.000
  temp3_crit: 92.000
  temp3_crit_alarm: 0.000
"""


def hwmon_tree(sensors_u: str, bump_c: float = 0.0) -> ReplayHost:
    """The /sys/class/hwmon files behind a `sensors -u` output (values back in millidegrees)."""
    files: dict[str, str | bytes] = {}
    for index, chip in enumerate(block for block in sensors_u.strip().split("\n\n") if block.strip()):
        lines = chip.splitlines()
        base = f"/sys/class/hwmon/hwmon{index}"
        files[f"{base}/name"] = lines[0].split("-")[0] + "\n"
        label = None
        for line in lines[1:]:
            if line.startswith("Adapter:"):
                continue
            if not line.startswith(" "):
                label = line.rstrip(":")
                continue
            key, value = (part.strip() for part in line.split(":"))
            if not key.startswith("temp") or key.endswith("_alarm"):
                continue
            celsius = float(value) + (bump_c if key.endswith("_input") else 0.0)
            files[f"{base}/{key}"] = f"{round(celsius * 1000)}\n"
            if key.endswith("_input") and label and not label.startswith("temp"):
                files[f"{base}/{key.replace('_input', '_label')}"] = label + "\n"
    return ReplayHost.build(files=files)


def test_recorded_idle_desktop() -> None:
    sample = read_sample(hwmon_tree(SENSORS_IDLE_DESKTOP), 0.0)
    assert sorted((s.label, s.celsius, s.critical) for s in sample.sensors) == [
        ("acpitz temp1", 27.8, 119.0),
        ("coretemp Core 0", 28.0, 100.0),
        ("coretemp Package id 0", 32.0, 100.0),
    ]
    assert analyse_thermal([sample]).near_critical is False


def test_recorded_hot_server_with_a_bogus_acpi_limit() -> None:
    samples = [
        read_sample(hwmon_tree(SENSORS_HOT_SERVER, bump), t) for t, bump in enumerate((0.0, 5.0, 11.0))
    ]
    first = analyse_thermal(samples[:1])
    assert first.near_critical is False  # 77 °C of 92: 15 °C of headroom; acpitz's 31.3 °C ignored
    assert first.critical_c == 92.0
    hot = analyse_thermal(samples)  # the package reaches 88 °C of 92
    assert hot.near_critical is True
    assert hot.max_temp_c == 88.0
