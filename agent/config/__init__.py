"""Configuration: CLI > environment > kernel command line > atelier.toml > station file > defaults."""

from agent.config.model import DEFAULT_ASSET_PATTERN, Effective, Settings
from agent.config.sources import (
    CONFIG_FILE,
    STATION_FILE,
    from_cmdline,
    load_settings,
    origin_label,
    resolve_data_dir,
)

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_ASSET_PATTERN",
    "STATION_FILE",
    "Effective",
    "Settings",
    "from_cmdline",
    "load_settings",
    "origin_label",
    "resolve_data_dir",
]
