"""A scripted HTTP server for the upload's retry logic (the real atelier-server is used elsewhere)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Script:
    """Answers in order (status, body); "drop" closes the connection after reading the body."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = list(answers)
        self.received: list[dict[str, Any]] = []
        self.stored: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()


@contextmanager
def scripted_server(script: Script) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            with script.lock:
                script.received.append({"auth": self.headers.get("Authorization"), "body": body})
                answer = script.answers.pop(0) if script.answers else "store"
            if answer == "drop":
                # The server stored nothing and died before answering.
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if answer in ("store", "store-then-drop"):
                with script.lock:
                    first = body["report_id"] not in script.stored
                    script.stored.setdefault(body["report_id"], body)
                if answer == "store-then-drop":
                    # Stored, then killed before the answer left: the agent must retry, the
                    # server must not duplicate.
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status, payload = (201 if first else 200), {"report_id": body["report_id"]}
            else:
                status, payload = answer
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
