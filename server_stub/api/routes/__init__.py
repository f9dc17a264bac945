"""One module per resource; `server_stub.main` includes their routers under /api/v1."""
