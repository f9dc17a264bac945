"""The web UI: server-rendered French pages (Jinja2, inline SVG charts, no JavaScript framework).

`create_app` calls `register(app)`: it mounts the stylesheet, the pages and the HTML error pages.
Pages reuse the API's rules: `crud` for every query (with the same `donor_scope`), `api.deps`
for sessions, and they link to the API's downloads (certificates, traceability exports), which
accept the same session cookie.
"""

from __future__ import annotations

from server_stub.web.app import register

__all__ = ["register"]
