"""A raw HTTP server on 127.0.0.1 that misbehaves on purpose: drips bytes, lies in headers.

pytest-httpserver (werkzeug) always writes well-formed answers at full speed; these tests
need a server that sends its headers one byte at a time, or a Content-Length that lies.
Each answer is a script of (bytes, pause) steps. A dripping answer stops after
`give_up` seconds and closes, so code without a deadline fails its test instead of hanging.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

Script = Iterable[tuple[bytes, float]]

NOT_FOUND = [(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 0.0)]


def answer(status: str, headers: dict[str, str], body: bytes = b"") -> Script:
    """A whole answer at once, headers exactly as given (Content-Length is not added)."""
    head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return [(head.encode("latin-1") + b"\r\n" + body, 0.0)]


def drip(data: bytes, every: float, then: bytes = b"x") -> Iterator[tuple[bytes, float]]:
    """`data` one byte at a time, then `then` one byte at a time for ever."""
    for i in range(len(data)):
        yield data[i:i + 1], every
    while True:
        yield then, every


@dataclass
class RawServer:
    """Answers each request with the script for its path ("/robots.txt" is 404 by default)."""

    scripts: dict[str, Script] = field(default_factory=dict)
    queue: dict[str, list[Script]] = field(default_factory=dict)  # answers used once, first
    give_up: float = 20.0  # seconds after which a dripping answer is cut (old code would hang)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)  # so that the accept loop sees `close` promptly
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._stop.set()
        self.sock.close()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
            except OSError:
                return
            path = request.split(b" ", 2)[1].decode("latin-1")
            self.requests.append(path)
            end = time.monotonic() + self.give_up
            queued = self.queue.get(path)
            script = queued.pop(0) if queued else self.scripts.get(
                path, NOT_FOUND if path == "/robots.txt" else [])
            for data, pause in script:
                if self._stop.is_set() or time.monotonic() > end:
                    return
                try:
                    conn.sendall(data)
                except OSError:  # the client gave up: what the tests want
                    return
                if pause:
                    time.sleep(pause)
