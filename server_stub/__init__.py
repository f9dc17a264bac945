"""Atelier central inventory: the per-device record, certificates, donor traceability, GLPI export."""
