"""Servers that drip, stall or lie: every request ends by its deadline and is recorded.

The deadlines here are tiny and the assertions are on the outcome (which error, which
sleeps were asked for), never on elapsed time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.config import Settings
from scraper.errors import FetchError
from scraper.fetch.http import MAX_RETRY_AFTER, Fetcher, request_deadline
from tests.slowserver import RawServer, answer, drip

AGENT = "TestDigest/0.1 (+https://example.org/contact)"
PAGE = b"<html><body><p>hello</p></body></html>"
OK = answer("200 OK", {"Content-Type": "text/html", "Content-Length": str(len(PAGE)),
                       "Connection": "close"}, PAGE)


@pytest.fixture
def server() -> Iterator[RawServer]:
    raw = RawServer()
    yield raw
    raw.close()


def fetcher(tmp_path: Path, **kw: object) -> Fetcher:
    options: dict[str, object] = {"connect_timeout": 0.3, "read_timeout": 0.3, "retries": 0,
                                  "backoff": 0.0, "min_delay": 0.0, "max_delay": 0.0}
    options.update({k: v for k, v in kw.items() if k not in ("clock", "sleep")})
    settings = Settings(user_agent=AGENT, state_dir=tmp_path / "state",
                        allow_hosts=("127.0.0.1",), **options)  # type: ignore[arg-type]
    extra = {k: v for k, v in kw.items() if k in ("clock", "sleep")}
    return Fetcher(settings, **extra)  # type: ignore[arg-type]


def fetch_error(f: Fetcher, url: str) -> str:
    with pytest.raises(FetchError) as caught:
        f.fetch(url)
    return str(caught.value)


def test_the_deadline_is_connect_plus_twice_read() -> None:
    settings = Settings(user_agent=AGENT, connect_timeout=3, read_timeout=5)
    assert request_deadline(settings) == 13


def test_a_body_dripped_a_byte_at_a_time_is_abandoned(tmp_path: Path, server: RawServer) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
    server.scripts["/drip"] = itertools.chain([(head, 0.0)], drip(b"<html>", 0.02))
    message = fetch_error(fetcher(tmp_path), server.url("/drip"))
    assert "abandoned" in message and "deadline" in message


def test_headers_dripped_a_byte_at_a_time_are_abandoned(tmp_path: Path, server: RawServer) -> None:
    server.scripts["/drip"] = drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", 0.02)
    message = fetch_error(fetcher(tmp_path), server.url("/drip"))
    assert "abandoned" in message and "deadline" in message


def test_the_request_deadline_follows_the_injected_clock(tmp_path: Path, server: RawServer) -> None:
    # Timeouts of a minute: only the clock, one second per look, ends the drip.
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    server.scripts["/drip"] = drip(b"HTTP/1.1 200 OK\r\nX-Slow: ", 0.005)
    f = fetcher(tmp_path, connect_timeout=60.0, read_timeout=60.0, clock=clock)
    message = fetch_error(f, server.url("/drip"))
    assert "abandoned" in message and "180 s" in message


def test_a_slow_robots_txt_stops_only_its_host(tmp_path: Path, server: RawServer) -> None:
    server.scripts["/robots.txt"] = drip(b"HTTP/1.1 200 OK\r\n", 0.02)
    message = fetch_error(fetcher(tmp_path), server.url("/page"))
    assert "robots.txt unreachable" in message and "deadline" in message
    assert "/page" not in server.requests


def test_a_huge_robots_txt_is_read_up_to_its_cap(tmp_path: Path, server: RawServer) -> None:
    rules = b"User-agent: *\nDisallow: /early\n" + b"# padding\n" * 60_000 + b"Disallow: /late\n"
    server.scripts["/robots.txt"] = answer("200 OK", {"Content-Length": str(len(rules))}, rules)
    server.scripts["/late"] = OK
    f = fetcher(tmp_path)
    assert not f.allowed(server.url("/early"))
    assert f.allowed(server.url("/late"))  # past the first 500 KiB, as Google reads it


@pytest.mark.parametrize("value", ["garbage", "-5", "1.5", "Thu, 01 Jan 1970 00:00:00 GMT",
                                   "", "0x10", "Mon, 99 Foo 2025 99:99:99 GMT"])
def test_any_retry_after_is_survived_and_bounded(tmp_path: Path, server: RawServer,
                                                 value: str) -> None:
    slept: list[float] = []
    server.queue["/page"] = [answer("503 Busy", {"Retry-After": value, "Content-Length": "0",
                                                  "Connection": "close"})]
    server.scripts["/page"] = OK
    f = fetcher(tmp_path, retries=1, sleep=slept.append)
    page, _ = f.fetch(server.url("/page"))
    assert page.content == PAGE
    assert all(0 < s <= min(MAX_RETRY_AFTER, request_deadline(f.settings)) for s in slept)


@pytest.mark.parametrize(("headers", "message"), [
    (b"Content-Length: 1000\r\n", "broke off"),  # promises more than it sends
    (b"Content-Length: 10\r\nContent-Length: 20\r\n", "Content-Length"),
    (b"Content-Length: 99999999999999999999999999\r\n", "byte limit"),
])
def test_a_lying_content_length_fails_that_request_cleanly(tmp_path: Path, server: RawServer,
                                                           headers: bytes, message: str) -> None:
    server.scripts["/page"] = [(b"HTTP/1.1 200 OK\r\n" + headers + b"Connection: close\r\n\r\n"
                                + PAGE, 0.0)]
    assert message in fetch_error(fetcher(tmp_path), server.url("/page"))


@pytest.mark.parametrize("value", ["abc", "-1", "1e3"])
def test_a_meaningless_content_length_reads_to_the_end(tmp_path: Path, server: RawServer,
                                                       value: str) -> None:
    server.scripts["/page"] = [(f"HTTP/1.1 200 OK\r\nContent-Length: {value}\r\nConnection: close"
                                "\r\n\r\n".encode() + PAGE, 0.0)]
    try:
        page, _ = fetcher(tmp_path).fetch(server.url("/page"))
    except FetchError as exc:  # refusing it is as good, as long as it is a FetchError
        assert str(server.port) in str(exc)
    else:
        assert page.content == PAGE


@pytest.mark.parametrize("location", [
    "http://127.0.0.1:99999/x", "http://[::1/x", "http://[x/", "http://127.0.0.1:abc/x",
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "http://user:pw@127.0.0.1/x", "http://exa mple.com/", "http://\x00evil/", "http://[::1]:0/",
    "http:///x",
])
def test_a_redirect_to_an_unusable_address_fails_that_request(tmp_path: Path, server: RawServer,
                                                              location: str) -> None:
    server.scripts["/page"] = answer("302 Found", {"Location": location, "Content-Length": "0",
                                                      "Connection": "close"})
    message = fetch_error(fetcher(tmp_path), server.url("/page"))
    assert "redirects to an unusable address" in message
    assert "\n" not in message


def test_a_relative_redirect_with_dot_segments_is_followed(tmp_path: Path, server: RawServer) -> None:
    server.scripts["/a/b/page"] = answer("301 Moved", {"Location": "../../c/./../final?x=1",
                                                       "Connection": "close", "Content-Length": "0"})
    server.scripts["/final?x=1"] = OK
    page, _ = fetcher(tmp_path).fetch(server.url("/a/b/page"))
    assert page.content == PAGE and page.url == server.url("/final?x=1")


def test_scraper_update_records_a_dripping_source_and_finishes(tmp_path: Path,
                                                               server: RawServer) -> None:
    import json

    import yaml
    from click.testing import CliRunner

    from scraper.cli import main

    server.scripts["/drip.xml"] = drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n",
                                       0.02)
    cfg = tmp_path / "scraper.yml"
    cfg.write_text(yaml.safe_dump({
        "user_agent": AGENT, "docs": "docs", "state_dir": "state", "retries": 0,
        "timeout": {"connect": 0.3, "read": 0.3}, "min_delay": 0, "allow_hosts": ["127.0.0.1"],
        "sources": [{"name": "drip", "type": "feed", "url": server.url("/drip.xml")}]}))
    result = CliRunner().invoke(main, ["update", "--config", str(cfg)])
    assert result.exit_code == 1  # the only source failed; the report is still written
    report = json.loads((tmp_path / "state" / "report.json").read_text())
    assert report["sources"][0]["status"] == "failed"
    assert "abandoned" in report["sources"][0]["errors"][0]["error"]
