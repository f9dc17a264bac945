"""Configuration precedence: CLI > environment > kernel command line > atelier.toml > station file > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.cli.config import render
from agent.cli.main import main
from agent.config import from_cmdline, load_settings
from agent.errors import InputError, UsageError
from agent.host import ReplayHost

CMDLINE = (
    "BOOT_IMAGE=/live/vmlinuz boot=live components quiet atelier.mode=auto "
    "atelier.server=http://10.0.2.2:8000 atelier.token=s3cret atelier.policy=default "
    "atelier.lang=en atelier.asset=PC-0042 atelier.disks=/dev/vdb,/dev/vdc atelier.end=poweroff"
)


def host_with(cmdline: str) -> ReplayHost:
    return ReplayHost.build(files={"/proc/cmdline": cmdline})


def test_cmdline_parsing_keeps_only_atelier_keys() -> None:
    values = from_cmdline(CMDLINE)
    assert values == {
        "mode": "auto",
        "server": "http://10.0.2.2:8000",
        "token": "s3cret",
        "policy": "default",
        "lang": "en",
        "asset_code": "PC-0042",
        "disks": ["/dev/vdb", "/dev/vdc"],
        "end": "poweroff",
    }


def test_cmdline_with_unbalanced_quote_is_still_read() -> None:
    assert from_cmdline('quiet atelier.mode=auto splash="x')["mode"] == "auto"


def test_precedence_of_every_source(tmp_path: Path) -> None:
    (tmp_path / "atelier.toml").write_text(
        'server = "http://file:1"\nprofile = "full"\noperator = "Samir"\nprinter = "brother"\n'
    )
    (tmp_path / "station.toml").write_text(
        'token = "station-token"\nserver = "http://station:1"\nname = "poste-3"\n'
    )
    env = {"ATELIER_OPERATOR": "Awa", "ATELIER_POLICY": "dod-short"}
    eff = load_settings(
        {"policy": "overwrite-only", "server": None}, data_dir=tmp_path, env=env, host=host_with(CMDLINE)
    )
    s, o = eff.settings, eff.origins
    assert (s.policy, o["policy"]) == ("overwrite-only", "cli")
    assert (s.operator, o["operator"]) == ("Awa", "env")
    assert (s.server, o["server"]) == ("http://10.0.2.2:8000", "cmdline")
    assert (s.token, o["token"]) == ("s3cret", "cmdline")
    assert (s.profile, o["profile"]) == ("full", "file")
    assert (s.printer, o["printer"]) == ("brother", "file")
    assert (s.station_name, o["station_name"]) == ("poste-3", "station")
    assert (s.label_format, o["label_format"]) == ("tape62", "default")
    assert eff.data_dir == tmp_path and eff.data_dir_origin == "cli"


def test_station_token_used_when_nothing_else_sets_one(tmp_path: Path) -> None:
    (tmp_path / "station.toml").write_text('token = "station-token"\n')
    eff = load_settings({}, data_dir=tmp_path, env={}, host=host_with("quiet"))
    assert eff.settings.token == "station-token" and eff.origins["token"] == "station"


def test_cmdline_path_override_for_tests(tmp_path: Path) -> None:
    cmdline = tmp_path / "cmdline"
    cmdline.write_text("atelier.profile=full\n")
    eff = load_settings({}, data_dir=tmp_path, env={"ATELIER_CMDLINE": str(cmdline)})
    assert eff.settings.profile == "full" and eff.origins["profile"] == "cmdline"


def test_data_dir_resolution(tmp_path: Path) -> None:
    eff = load_settings({}, env={"ATELIER_DATA_DIR": str(tmp_path), "ATELIER_CMDLINE": "/nonexistent"})
    assert eff.data_dir == tmp_path and eff.data_dir_origin == "env"
    home = load_settings({}, env={"HOME": str(tmp_path), "ATELIER_CMDLINE": "/nonexistent"})
    assert home.data_dir == tmp_path / ".local/share/atelier" or home.data_dir_origin == "stick"


def test_bad_values_name_the_setting_and_its_source(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="mode"):
        load_settings({}, data_dir=tmp_path, env={}, host=host_with("atelier.mode=sometimes"))
    with pytest.raises(UsageError, match="end"):
        load_settings({"end": "explode"}, data_dir=tmp_path, env={}, host=host_with(""))
    (tmp_path / "atelier.toml").write_text("serveur = 'x'\n")
    with pytest.raises(InputError, match="serveur"):
        load_settings({}, data_dir=tmp_path, env={}, host=host_with(""))
    (tmp_path / "atelier.toml").write_text("server = \n")
    with pytest.raises(InputError, match=r"atelier\.toml"):
        load_settings({}, data_dir=tmp_path, env={}, host=host_with(""))


def test_config_show_never_prints_the_token(tmp_path: Path) -> None:
    eff = load_settings({}, data_dir=tmp_path, env={}, host=host_with(CMDLINE))
    text = render(eff)
    assert "s3cret" not in text
    assert "défini (cmdline)" in text
    assert "ligne de commande du noyau" in text


def test_config_show_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cmdline = tmp_path / "cmdline"
    cmdline.write_text("atelier.token=topsecret atelier.server=http://x:1")
    monkeypatch.setenv("ATELIER_CMDLINE", str(cmdline))
    assert main(["config", "show", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "topsecret" not in out and "http://x:1" in out and "défini (cmdline)" in out
    assert main(["--lang", "en", "config", "show", "--data-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "set (cmdline)" in out and "kernel command line" in out
