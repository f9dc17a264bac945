"""The `atelier` command line."""
