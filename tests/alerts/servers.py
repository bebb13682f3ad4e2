"""Real servers on 127.0.0.1 for the delivery tests (started and stopped by the tests)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """What the webhook server saw: every request, and the ones it accepted (2xx)."""

    requests: list[dict] = field(default_factory=list)
    accepted: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    first_request: threading.Event = field(default_factory=threading.Event)


@contextmanager
def webhook_server(fail_first: int = 0, status: int = 503, hang_first: float = 0.0,
                   hang_forever: threading.Event | None = None) -> Iterator[tuple[str, Received]]:
    """An HTTP server answering ``status`` to the first ``fail_first`` POSTs, then 200.

    ``hang_first`` seconds: the first request is answered only after that delay (to
    trigger the client's timeout). ``hang_forever``: every request blocks until the
    event is set (a receiver that never answers).
    """
    got = Received()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            record = {"headers": {k.lower(): v for k, v in self.headers.items()},
                      "body": body, "json": json.loads(body)}
            with got.lock:
                got.requests.append(record)
                n = len(got.requests)
            got.first_request.set()
            if hang_forever is not None:
                hang_forever.wait(60)
                return
            if n == 1 and hang_first:
                threading.Event().wait(hang_first)
            if n <= fail_first:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            with got.lock:
                got.accepted.append(record)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            pass  # a client that gave up (timeout) closes the socket: not an error here

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/rotascope", got
    finally:
        if hang_forever is not None:
            hang_forever.set()
        server.shutdown()
        server.server_close()
