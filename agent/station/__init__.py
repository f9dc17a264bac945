"""Station identity: key on the data partition, token from the server's enrollment."""

from agent.station.identity import Registration, register_station, registered_name, save_registration

__all__ = ["Registration", "register_station", "registered_name", "save_registration"]
