"""The UI's pages, one module per area (routes only; queries in `crud` and `web.queries`)."""
