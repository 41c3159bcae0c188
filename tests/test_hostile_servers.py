"""A hostile server's neighbours of issue 11's cases: Retry-After asking for hours, robots.txt
answers that are too big or say "too many requests", Location headers in raw UTF-8, and errors
that must name their cause in one line. Time is the injected clock, never the wall clock."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.config import Settings
from scraper.fetch.http import MAX_RETRY_AFTER, Fetcher
from tests.slowserver import RawServer, answer
from tests.test_slow_servers import AGENT, OK, PAGE, fetch_error, fetcher
from tests.test_update import FakeClock


@pytest.fixture
def server() -> Iterator[RawServer]:
    raw = RawServer()
    yield raw
    raw.close()


def busy(status: str, retry_after: str) -> list[tuple[bytes, float]]:
    return list(answer(status, {"Retry-After": retry_after, "Content-Length": "0",
                                "Connection": "close"}))


def clocked(tmp_path: Path, clock: FakeClock, **kw: object) -> Fetcher:
    return fetcher(tmp_path, clock=clock.monotonic, sleep=clock.sleep, connect_timeout=2.0,
                   read_timeout=4.0, **kw)


@pytest.mark.parametrize("status", ["429 Too Many Requests", "503 Busy"])
@pytest.mark.parametrize("retry_after", ["99999999999999999999999", "Wed, 21 Oct 2099 07:28:00 GMT",
                                         str(int(MAX_RETRY_AFTER) + 1), "86400"])
def test_a_retry_after_of_hours_is_not_slept_and_rests_the_host(
        tmp_path: Path, server: RawServer, status: str, retry_after: str) -> None:
    """Before: each request slept to its deadline (70 s by default) and was then abandoned,
    and every further article of the host did the same."""
    clock = FakeClock()
    server.scripts["/page"] = busy(status, retry_after)
    server.scripts["/other"] = OK
    f = clocked(tmp_path, clock, retries=3)
    assert f"HTTP {status[:3]}" in fetch_error(f, server.url("/page"))
    assert clock.sleeps == []
    assert server.requests.count("/page") == 1
    message = fetch_error(f, server.url("/other"))
    assert "not asked" in message and "earlier in this run" in message and retry_after[:20] in message
    assert "/other" not in server.requests


def test_a_retry_after_longer_than_the_request_deadline_is_kept_for_the_next_request(
        tmp_path: Path, server: RawServer) -> None:
    """30 s is more than the 10 s this request may take: not slept inside it (it would be
    cut off anyway), but the host's next request waits it out."""
    clock = FakeClock()
    server.scripts["/page"] = busy("429 Too Many Requests", "30")
    server.scripts["/other"] = OK
    f = clocked(tmp_path, clock, retries=2)
    assert "HTTP 429" in fetch_error(f, server.url("/page"))
    assert clock.sleeps == [] and server.requests.count("/page") == 1
    page, _ = f.fetch(server.url("/other"))
    assert page.content == PAGE
    assert clock.sleeps == [30.0]


def test_a_retry_after_past_the_run_deadline_defers_the_host(tmp_path: Path,
                                                               server: RawServer) -> None:
    clock = FakeClock()
    server.scripts["/page"] = busy("503 Busy", "100")
    f = clocked(tmp_path, clock)
    f.stop_at = clock.now + 50
    fetch_error(f, server.url("/page"))
    assert not f.can_start(server.url("/other"))


def test_a_robots_txt_larger_than_max_bytes_is_read_up_to_its_cap(tmp_path: Path,
                                                                    server: RawServer) -> None:
    """Before: "more than N bytes", and the whole host was not crawled."""
    rules = b"User-agent: *\nDisallow: /early\n" + b"# padding\n" * 300_000
    server.scripts["/robots.txt"] = answer("200 OK", {"Content-Length": str(len(rules))}, rules)
    f = fetcher(tmp_path, max_bytes=1024 * 1024)
    assert not f.allowed(server.url("/early"))
    assert f.allowed(server.url("/late"))


def test_a_robots_txt_without_content_length_larger_than_max_bytes_is_read_up_to_its_cap(
        tmp_path: Path, server: RawServer) -> None:
    rules = b"User-agent: *\nDisallow: /early\n" + b"# padding\n" * 300_000
    server.scripts["/robots.txt"] = answer("200 OK", {"Connection": "close"}, rules)
    f = fetcher(tmp_path, max_bytes=1024 * 1024)
    assert not f.allowed(server.url("/early"))
    server.scripts["/page"] = [(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + b"x" * 2_000_000,
                                0.0)]
    assert "more than" in fetch_error(f, server.url("/page"))  # the cap still holds for pages


def test_a_robots_txt_answering_429_stops_its_host(tmp_path: Path, server: RawServer) -> None:
    """Before: a 429 read as "no robots.txt", so the host was crawled without any rules."""
    server.scripts["/robots.txt"] = busy("429 Too Many Requests", "0")
    server.scripts["/page"] = OK
    message = fetch_error(fetcher(tmp_path), server.url("/page"))
    assert "robots.txt answered 429" in message
    assert "/page" not in server.requests


@pytest.mark.parametrize(("location", "reached"), [
    ("/a/\u6587\u7ae0".encode(), "/a/%E6%96%87%E7%AB%A0"),
    ("/a/caf\u00e9?q=\u4e2d".encode(), "/a/caf%C3%A9?q=%E4%B8%AD"),
    (b"/a/caf\xe9", "/a/caf%C3%A9"),  # Latin-1, not UTF-8: read as Latin-1, as before
])
def test_a_location_in_raw_utf8_is_followed(tmp_path: Path, server: RawServer,
                                            location: bytes, reached: str) -> None:
    """Before: http.client's Latin-1 reading made C1 controls of the UTF-8 bytes, and the
    redirect was refused as "contains control characters"."""
    server.scripts["/old"] = [(b"HTTP/1.1 301 Moved\r\nLocation: " + location
                               + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 0.0)]
    server.scripts[reached] = OK
    page, _ = fetcher(tmp_path).fetch(server.url("/old"))
    assert page.content == PAGE
    assert page.url == server.url(reached)


@pytest.mark.parametrize(("raw", "cause"), [
    (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", "LineTooLong"),
    (b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(200)) + b"\r\n",
     "got more than 100 headers"),
    (b"HTTP/1.1 2000 OK\r\n\r\n", "BadStatusLine"),
    (b"<html>no status line</html>", "BadStatusLine"),
    (b"", "RemoteDisconnected"),
])
def test_a_broken_answer_is_one_line_naming_its_cause(tmp_path: Path, server: RawServer,
                                                      raw: bytes, cause: str) -> None:
    """Before: "ConnectionError: WatchedHTTPPool(host=..., port=...): Max retries exceeded
    with url: ... (Caused by ProtocolError('Connection aborted.', ...))"."""
    server.scripts["/page"] = [(raw, 0.0)]
    message = fetch_error(fetcher(tmp_path), server.url("/page"))
    assert cause in message and "\n" not in message
    assert "Max retries" not in message and "Pool" not in message


def test_a_reason_phrase_with_control_characters_stays_one_plain_line(
        tmp_path: Path, server: RawServer) -> None:
    """The reason phrase is the server's text: a terminal escape or a line break in it must
    not reach the summary printed to the operator's terminal."""
    server.scripts["/page"] = [(b"HTTP/1.1 418 \x1b[2J\x1b]0;owned\x07 fake\x85line\r\n"
                                b"Content-Length: 0\r\nConnection: close\r\n\r\n", 0.0)]
    message = fetch_error(fetcher(tmp_path), server.url("/page"))
    assert "HTTP 418" in message
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f for c in message)


def test_a_name_that_resolves_public_then_private_is_refused_before_the_request(
        tmp_path: Path, server: RawServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the check resolves the name to a public address, the connection
    resolves it again to 127.0.0.1. Before: the request reached the private server."""
    real = socket.getaddrinfo
    answers = iter(["192.0.2.10"])  # TEST-NET-1 stands for "a public address" here

    def rebinding(host: str, port: object, *args: object, **kw: object) -> Any:
        if host == "rebind.example":
            public = next(answers, None)
            if public is not None:
                return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (public, port))]
            host = "127.0.0.1"
        return real(host, port, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr("scraper.fetch.http._blocked_address",
                        lambda ip: ip != "192.0.2.10")  # TEST-NET counts as public here
    server.scripts["/robots.txt"] = OK
    server.scripts["/page"] = OK
    f = Fetcher(Settings(user_agent=AGENT, state_dir=tmp_path / "state", connect_timeout=0.3,
                         read_timeout=0.3, retries=0, min_delay=0.0, max_delay=0.0))
    message = fetch_error(f, f"http://rebind.example:{server.port}/page")
    assert server.requests == []  # before: robots.txt was asked of 127.0.0.1
    assert "connected to 127.0.0.1" in message
