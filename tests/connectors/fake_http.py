"""A real HTTP server on 127.0.0.1 for connector tests, imitating a vendor API.

Routes are plain functions `(Request) -> Reply`; `FakeApi.fail_next(...)` queues failures
(status codes with headers/bodies, a read timeout, a connection reset, a body cut short, a
truncated JSON document) that are served before the route answers. Every request is recorded
so tests can assert where a token travelled.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    url: str  # path with query string, as sent
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list -> JSON; str/bytes as is
    headers: dict[str, str] = field(default_factory=dict)
    # Misbehaviours
    delay_s: float = 0.0  # sleep before answering
    # Never answer; close the connection once this event is set (when the test is done, at most
    # 60 s): a server that hangs, so the client's read timeout fires however slow the machine is.
    hold: threading.Event | None = None
    reset: bool = False  # close the connection with a TCP RST instead of answering
    cut_body: bool = False  # promise a longer body than sent, then close


Route = Callable[[Request], Reply]


class FakeApi:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], Route] = {}
        self.failures: list[Reply] = []
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as two writes: with Nagle's algorithm on, the body waited
            # for the client's delayed ACK (40 ms on Linux loopback) on every answer.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                req = Request(
                    method=self.command,
                    path=parts.path,
                    url=self.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with api._lock:
                    api.requests.append(req)
                    reply = api.failures.pop(0) if api.failures else None
                if reply is None:
                    route = api.routes.get((self.command, parts.path))
                    reply = (
                        route(req)
                        if route
                        else Reply(404, {"message": f"no route {self.command} {parts.path}"})
                    )
                self._send(reply)

            def _send(self, reply: Reply) -> None:
                if reply.hold is not None:
                    reply.hold.wait(60)
                    self.close_connection = True
                    return
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.reset:
                    # SO_LINGER with a zero timeout makes close() send RST: "connection reset by peer".
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if isinstance(reply.body, dict | list):
                    data = json.dumps(reply.body).encode()
                    ctype = "application/json"
                elif isinstance(reply.body, str):
                    data = reply.body.encode()
                    ctype = "text/plain; charset=utf-8"
                else:
                    data = reply.body or b""
                    ctype = "application/octet-stream"
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.get("Content-Type", ctype))
                for k, v in reply.headers.items():
                    if k != "Content-Type":
                        self.send_header(k, v)
                if reply.cut_body:
                    self.send_header("Content-Length", str(len(data) + 500))
                    self.end_headers()
                    self.wfile.write(data[: max(1, len(data) // 2)])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _handle
            do_POST = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        # serve_forever notices shutdown() at its next poll: a short poll keeps each test's
        # teardown at a few milliseconds (at 0.05 s it was a fifth of the connector tests' time).
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.005,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str) -> Callable[[Route], Route]:
        def deco(fn: Route) -> Route:
            self.routes[(method, path)] = fn
            return fn

        return deco

    def fail_next(self, *replies: Reply) -> None:
        with self._lock:
            self.failures.extend(replies)

    def start(self) -> FakeApi:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SleepRecorder:
    """Stands in for time.sleep in HttpClient: records the waits instead of sleeping them."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def assert_no_secret(secret: str, *texts: object) -> None:
    """Fail if the secret (or its first 8 characters) appears in any of the texts."""
    for text in texts:
        s = str(text)
        assert secret not in s, f"secret leaked into: {s[:300]}"
        assert secret[:8] not in s, f"part of a secret leaked into: {s[:300]}"
