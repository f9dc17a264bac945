"""Battery and network checks on recorded sysfs trees (real uevent outputs quoted in public posts)."""

from __future__ import annotations

from agent.checks.battery import check_batteries, measure_discharge
from agent.checks.network import check_network
from agent.host import LiveHost, ReplayHost
from tests.inventory._hw_samples import UEVENT_ACAD, UEVENT_THINKPAD_ENERGY, UEVENT_WORN

PS = "/sys/class/power_supply"


def test_battery_with_many_cycles_and_the_mains_adapter() -> None:
    host = ReplayHost.build(files={f"{PS}/BAT0/uevent": UEVENT_WORN, f"{PS}/AC/uevent": UEVENT_ACAD})
    [result] = check_batteries(host)  # the adapter is not a battery
    assert result.id == "battery:BAT0"
    assert result.measurements["health_percent"] == 85.9  # 48.97 / 57.02 Wh
    assert result.measurements["cycle_count"] == 419
    assert result.status == "pass"
    worn = UEVENT_WORN.replace("ENERGY_FULL=48970000", "ENERGY_FULL=40000000")  # 70 %
    [disclosed] = check_batteries(ReplayHost.build(files={f"{PS}/BAT0/uevent": worn}))
    assert disclosed.status == "warn"
    assert "à signaler" in disclosed.message


def test_battery_health_levels() -> None:
    # That kernel printed no POWER_SUPPLY_TYPE line: the probe reads the `type` file.
    host = ReplayHost.build(
        files={f"{PS}/BAT0/uevent": UEVENT_THINKPAD_ENERGY, f"{PS}/BAT0/type": "Battery\n"}
    )
    [result] = check_batteries(host)
    assert result.measurements["health_percent"] == 87.1  # 52.26 / 60.00 Wh
    assert result.status == "pass"
    dead = UEVENT_THINKPAD_ENERGY.replace("ENERGY_FULL=52260000", "ENERGY_FULL=31000000")
    [worn] = check_batteries(
        ReplayHost.build(files={f"{PS}/BAT0/uevent": dead, f"{PS}/BAT0/type": "Battery\n"})
    )
    assert worn.status == "fail"
    assert "à remplacer" in worn.message


def test_discharge_rate_from_energy_drop() -> None:
    reads = iter([UEVENT_WORN, UEVENT_WORN.replace("ENERGY_NOW=20480000", "ENERGY_NOW=20380000")])

    class TwoReads(ReplayHost):
        def read_text(self, path: str) -> str:
            return next(reads)

    host = TwoReads.build(files={f"{PS}/BAT0/uevent": UEVENT_WORN})
    out = measure_discharge(host, "BAT0", 60, sleep=lambda s: None)
    assert out["discharge_w"] == 6.0  # 0.1 Wh in 60 s
    assert out["runtime_estimate_min"] == round(20.38 / 6.0 * 60)


def test_discharge_needs_the_charger_unplugged() -> None:
    host = ReplayHost.build(files={f"{PS}/BAT0/uevent": UEVENT_THINKPAD_ENERGY})  # Charging
    assert "unplug" in str(measure_discharge(host, "BAT0", 1, sleep=lambda s: None)["discharge"])


def test_live_machine_has_no_battery() -> None:
    [result] = check_batteries(LiveHost())
    assert result.status == "skipped"
    assert result.message == "pas de batterie sur cette machine"


NET = "/sys/class/net"


def _nic(
    name: str, *, carrier: str | None, speed: str | None, wireless: bool = False
) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        f"{NET}/{name}/device/vendor": "0x8086\n",
        f"{NET}/{name}/device/device": "0x15bb\n",
        f"{NET}/{name}/address": "8c:16:45:aa:bb:cc\n",
        f"{NET}/{name}/type": "1\n",
        f"{NET}/{name}/operstate": "up\n" if carrier == "1" else "down\n",
    }
    if carrier is not None:
        files[f"{NET}/{name}/carrier"] = carrier + "\n"
    if speed is not None:
        files[f"{NET}/{name}/speed"] = speed + "\n"
    if wireless:
        files[f"{NET}/{name}/wireless/.keep"] = ""
    return files


def test_wired_link_and_wifi() -> None:
    files = {
        **_nic("enp0s31f6", carrier="1", speed="1000"),
        **_nic("wlp2s0", carrier="0", speed=None, wireless=True),
    }
    result = check_network(
        ReplayHost.build(files=files), server_url="http://inventaire.local", get=lambda url, t: 200
    )
    assert result.status == "pass"
    assert result.measurements["wired_speed_mbps"] == 1000
    assert result.measurements["wifi_adapters"] == 1
    assert result.measurements["server_reachable"] is True
    assert "1000 Mbit/s" in result.message


def test_no_cable_no_wifi_warns_and_unreachable_server() -> None:
    files = _nic("eth0", carrier="0", speed="-1")

    def refused(url: str, timeout: float) -> int:
        raise ConnectionRefusedError(url)

    result = check_network(ReplayHost.build(files=files), server_url="http://inventaire.local", get=refused)
    assert result.status == "warn"
    assert result.measurements["server_reachable"] is False
    assert "INJOIGNABLE" in result.message


def test_no_adapter_fails() -> None:
    assert check_network(ReplayHost.build(files={})).status == "fail"
