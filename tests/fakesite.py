"""A fake TMTPost on 127.0.0.1 for the live-source tests, built on pytest-httpserver.

Serves tests/fixtures/fakesite/ with ETag and Last-Modified, answers conditional requests
with 304, records every request (path, headers, time), and lets a test replace any path
with a fault: a status code, a delay, other bytes.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FAKESITE = Path(__file__).parent / "fixtures" / "fakesite"
LAST_MODIFIED = formatdate(1_760_000_000, usegmt=True)


@dataclass
class Hit:
    path: str
    query: str
    headers: dict[str, str]
    at: float
    status: int


@dataclass
class FakeSite:
    server: HTTPServer
    routes: dict[str, bytes] = field(default_factory=dict)
    faults: dict[str, tuple[int, float, dict[str, str]]] = field(default_factory=dict)
    once: dict[str, int] = field(default_factory=dict)  # path -> status for its next request only
    hits: list[Hit] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def load(self) -> None:
        def text(rel: str) -> bytes:
            data = (FAKESITE / rel).read_bytes()
            # links in the fixtures point at the real site; here they point at us
            for host in (b"https://www.tmtpost.com", b"https://en.tmtpost.com"):
                data = data.replace(host, self.base.encode())
            return data

        self.routes["/robots.txt"] = text("robots.txt")
        for page in sorted((FAKESITE / "en").glob("post-*.html")):
            self.routes[f"/post/{page.stem.removeprefix('post-')}"] = text(f"en/{page.name}")
        for page in sorted((FAKESITE / "en").glob("listing-*.html")):
            self.routes[f"/{page.name}"] = text(f"en/{page.name}")
        self.routes["/rss.xml"] = text("zh/rss.xml")
        for page in sorted((FAKESITE / "zh").glob("*.html")):
            self.routes[f"/{page.name}"] = text(f"zh/{page.name}")
        for page in sorted((FAKESITE / "faults").iterdir()):
            self.routes[f"/faults/{page.name}"] = text(f"faults/{page.name}")
        self.routes["/private/secret.html"] = text("private/secret.html")

    def handle(self, request: Request) -> Response:
        path = request.path
        status, delay, headers = self.faults.get(path, (0, 0.0, {}))
        if path in self.once:
            status, headers = self.once.pop(path), {"Retry-After": "0"}
        if delay:
            time.sleep(delay)
        if status:
            response = Response(f"fault {status}", status=status, headers=headers)
        elif path not in self.routes:
            response = Response("not found", status=404)
        else:
            body = self.routes[path]
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if request.headers.get("If-None-Match") == etag:
                response = Response(status=304, headers={"ETag": etag})
            else:
                kind = ("application/rss+xml" if path.endswith(".xml") else
                        "text/plain" if path.endswith(".txt") else "text/html")
                response = Response(body, status=200, headers={
                    "ETag": etag, "Last-Modified": LAST_MODIFIED, "Content-Type": kind})
        self.hits.append(Hit(path, request.query_string.decode(), dict(request.headers),
                             time.monotonic(), response.status_code))
        return response

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    def reset_log(self) -> None:
        self.hits.clear()
