"""Polite, guarded HTTP: robots.txt, per-host delay, retries, conditional GET, size caps.

Every request goes through `GuardedAdapter`, so the checks hold on every redirect hop too:
only http(s) addresses that `parse_url` accepts (a redirect's Location included), no
private, loopback or link-local address unless the config allows the host, and no body
larger than the cap (counted after decompression).

Timeouts bound each socket operation, so a server that sends one byte a second never
trips them. Every request therefore also has a deadline (`request_deadline`), checked
before every read of the socket, headers included; no request outlives the run's own
deadline either (`Fetcher.stop_at`).
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

from scraper.config import Settings
from scraper.errors import DeadlineError, FetchError
from scraper.fetch.cache import open_cache
from scraper.models import RawPage
from scraper.urls import parse_url

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer is treated as failing
MAX_REDIRECTS = 5
MAX_ROBOTS_BYTES = 500 * 1024  # Google reads the first 500 KiB of a robots.txt; so do we

Clock = Callable[[], float]


def request_deadline(settings: Settings) -> float:
    """Seconds one request may take in all, its redirects and retries included.

    `connect + 2 × read`: time to connect, to wait for the first byte, and as long again
    for the rest of the answer. A server that answers at all answers well within it; one
    that drips its headers or body a byte at a time is cut off there.
    """
    return settings.connect_timeout + 2 * settings.read_timeout


class RequestWatch:
    """The deadline of the request in flight (clock time), which every socket read checks.

    It also does the waiting between retries, so a test can swap both clock and sleep.
    """

    def __init__(self, clock: Clock, sleep: Callable[[float], None]) -> None:
        self.clock = clock
        self.sleep = sleep
        self.until: float | None = None

    def remaining(self) -> float | None:
        return None if self.until is None else self.until - self.clock()

    def expired(self) -> bool:
        left = self.remaining()
        return left is not None and left <= 0


class _WatchedSocketReader(io.RawIOBase):
    """Reads the socket, each read's timeout cut to what is left of the request's deadline.

    A BufferedReader over this is what http.client reads the status line, the headers and
    the body from, so a drip in any of them ends at the deadline.
    """

    def __init__(self, sock: socket.socket, watch: RequestWatch, plain: Any) -> None:
        super().__init__()
        self.sock = sock
        self.watch = watch
        self.timeout = sock.gettimeout()  # the read timeout urllib3 set for this response
        # The reader http.client made holds the socket's file open (closing the connection
        # early only marks it) until the response is done with it, as with the plain reader.
        self.plain = plain

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.plain.close()
        super().close()

    def readinto(self, buffer: Any) -> int:
        left = self.watch.remaining()
        if left is not None:
            if left <= 0:
                raise TimeoutError("the request deadline passed")
            self.sock.settimeout(left if self.timeout is None else min(self.timeout, left))
        return self.sock.recv_into(buffer)


class _WatchedResponse(http.client.HTTPResponse):
    watch: RequestWatch  # set on the subclass made for each adapter

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp = io.BufferedReader(_WatchedSocketReader(sock, self.watch, self.fp))


class _PeerChecked(HTTPConnection):
    """Checks the address it actually connected to, before a byte of the request is sent.

    `check_target` resolves the host once and the connection resolves it again: a name
    whose DNS answers a public address first and a private one next (DNS rebinding) would
    pass the first check and reach the private one.
    """

    allow_hosts: tuple[str, ...] = ()

    def connect(self) -> None:
        super().connect()
        peer = str(self.sock.getpeername()[0]) if self.sock else ""
        if (self.host or "").lower() not in self.allow_hosts and peer not in self.allow_hosts \
                and _blocked_address(peer):
            self.close()
            raise FetchError(f"{self.host}: connected to {peer}, a private, loopback or link-local "
                             "address (add the host to allow_hosts to permit it)")


def _watched_pools(watch: RequestWatch, allow_hosts: tuple[str, ...],
                   ) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pools whose connections read their responses through the watch, and check
    the address they connected to."""
    response = type("WatchedResponse", (_WatchedResponse,), {"watch": watch})
    checked = {"response_class": response, "allow_hosts": allow_hosts}
    http_conn = type("WatchedHTTPConnection", (_PeerChecked,), checked)
    https_conn = type("WatchedHTTPSConnection", (_PeerChecked, HTTPSConnection), checked)
    return {"http": type("WatchedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("WatchedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn})}


class CappedRetry(Retry):
    """Honours a sane Retry-After, never past MAX_RETRY_AFTER nor the request's deadline.

    A Retry-After that is neither seconds nor a date (a negative number, garbage) is
    ignored in favour of the backoff; no retry starts once the deadline has passed. A
    Retry-After longer than either is not waited for at all: the answer is given up at once
    (sleeping to the deadline only to be cut off there would waste the run's time).
    """

    def __init__(self, *args: Any, watch: RequestWatch | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watch = watch

    def new(self, **kw: Any) -> CappedRetry:
        kw.setdefault("watch", self.watch)
        return super().new(**kw)

    def _bounded(self, seconds: float) -> float:
        left = self.watch.remaining() if self.watch else None
        return seconds if left is None else max(0.0, min(seconds, left))

    def get_retry_after(self, response: Any) -> float | None:
        try:
            value = super().get_retry_after(response)
        except (InvalidHeader, OverflowError, ValueError):
            return None
        return None if value is None else self._bounded(min(value, MAX_RETRY_AFTER))

    def get_backoff_time(self) -> float:
        return self._bounded(super().get_backoff_time())

    def _asks_too_long(self, response: Any) -> bool:
        try:
            asked = super().get_retry_after(response)
        except (InvalidHeader, OverflowError, ValueError):
            return False
        if asked is None:
            return False
        left = self.watch.remaining() if self.watch else None
        return asked > MAX_RETRY_AFTER or (left is not None and asked >= left)

    def increment(self, method: str | None = None, url: str | None = None,
                  response: Any = None, error: Exception | None = None, _pool: Any = None,
                  _stacktrace: Any = None) -> CappedRetry:
        if (response is not None and self.respect_retry_after_header
                and self._asks_too_long(response)):
            # urllib3 hands the answer back as it is (raise_on_status is off)
            raise MaxRetryError(_pool, url, None)
        return super().increment(method, url, response, error, _pool, _stacktrace)

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or bool(self.watch and self.watch.expired())

    def sleep(self, response: Any = None) -> None:
        """As urllib3 does (Retry-After if given and positive, else the backoff), via the watch."""
        delay = self.get_retry_after(response) if (
            response is not None and self.respect_retry_after_header) else None
        if not delay:
            delay = self.get_backoff_time()
        if delay > 0:
            (self.watch.sleep if self.watch else time.sleep)(delay)


def _blocked_address(ip: str) -> bool:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:  # a scoped IPv6 address (fe80::1%eth0) is this machine's network
        return True
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved
            or addr.is_multicast or addr.is_unspecified)


def check_target(url: str, allow_hosts: tuple[str, ...]) -> None:
    """Refuse unusable or non-http(s) URLs and hosts that resolve into private ranges."""
    checked = parse_url(url)
    if checked.url is None:
        raise FetchError(f"{url[:200]!r}: {checked.problem}")
    parts = urlsplit(checked.url)
    host = (parts.hostname or "").lower()
    if host in allow_hosts:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"{url}: cannot resolve {host}: {exc}") from exc
    for info in infos:
        ip = str(info[4][0])
        if ip in allow_hosts:
            continue
        if _blocked_address(ip):
            raise FetchError(f"{url}: {host} resolves to {ip}, a private, loopback or link-local "
                             "address (add the host to allow_hosts to permit it)")


def _location(response: requests.Response) -> str:
    """The Location header as the server wrote it: http.client reads header bytes as
    Latin-1, and servers send addresses in other scripts as raw UTF-8 (browsers follow them)."""
    location = response.headers.get("Location", "")
    try:
        return location.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return location


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _printable(text: str, limit: int = 200) -> str:
    """Server-chosen text (a reason phrase, a status line) for a one-line message: control
    characters escaped, so no line break or terminal escape gets through, and cut short."""
    text = text[:limit]
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def _cause(exc: BaseException) -> str:
    """The innermost reason of a requests/urllib3 error, without the wrappers' repetition
    of pool and address ("Max retries exceeded ... Caused by ProtocolError(...)")."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = getattr(exc, "reason", None)
        if not isinstance(inner, BaseException):
            inner = next((a for a in exc.args if isinstance(a, BaseException)), None)
        if inner is None:
            break
        exc = inner
    return _printable(f"{type(exc).__name__}: {exc}", 300)


class GuardedAdapter(HTTPAdapter):
    """Every hop's checks (see the module docstring); `cut_at`, when set, keeps only the
    first that many bytes of the answer instead of refusing a longer one (robots.txt)."""

    cut_at: int | None = None

    def __init__(self, settings: Settings, watch: RequestWatch) -> None:
        retry = CappedRetry(total=settings.retries, connect=settings.retries, read=settings.retries,
                            status=settings.retries, backoff_factor=settings.backoff,
                            status_forcelist=RETRY_STATUSES, allowed_methods={"GET", "HEAD"},
                            respect_retry_after_header=True, raise_on_status=False, watch=watch)
        self.watch = watch
        self.settings = settings  # before HTTPAdapter's __init__, which makes the pools
        super().__init__(max_retries=retry, pool_connections=4, pool_maxsize=1, pool_block=True)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _watched_pools(self.watch,
                                                                 self.settings.allow_hosts)

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None, proxies: Any = None,
             ) -> requests.Response:
        check_target(request.url or "", self.settings.allow_hosts)
        response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert,
                                proxies=proxies)
        if response.is_redirect:
            # requests would parse the Location itself, and crash on a broken one
            location = _location(response)
            target = parse_url(location, request.url)
            if target.url is None:
                response.close()
                raise FetchError(f"{request.url}: redirects to an unusable address "
                                 f"{location[:200]!r}: {target.problem}")
            response.headers["Location"] = target.url
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        cut = self.cut_at
        if cut is None and declared.isdigit() and int(declared) > limit:
            response.close()
            raise FetchError(f"{request.url}: {declared} bytes is more than the {limit} byte limit")
        chunks, total = [], 0
        try:
            for chunk in response.raw.stream(64 * 1024, decode_content=True):
                total += len(chunk)
                if cut is not None and total >= cut:
                    chunks.append(chunk[:len(chunk) - (total - cut)])
                    total = cut
                    response.close()  # the rest is never read
                    break
                if total > limit:
                    raise FetchError(f"{request.url}: more than {limit} bytes (after decompression)")
                chunks.append(chunk)
        except FetchError:
            response.close()
            raise
        except Exception as exc:  # urllib3 protocol errors: truncated or corrupt bodies
            response.close()
            raise FetchError(f"{request.url}: the response broke off: {exc}") from exc
        response._content = b"".join(chunks)
        response._content_consumed = True  # type: ignore[attr-defined]
        # the body is stored decoded; a cached copy must not claim to be compressed
        response.headers.pop("Content-Encoding", None)
        response.headers["Content-Length"] = str(total)
        return response


@dataclass
class RequestRecord:
    url: str
    status: int | str | None  # "cached": from the HTTP cache unasked; "not asked": host resting
    from_cache: bool
    conditional: bool


@dataclass
class Fetcher:
    """One session for the whole run; requests to one host are spaced by its delay.

    `clock` and `sleep` are injectable so tests control time; `stop_at` (clock time) is the
    run's deadline: no request is started or kept running past it.
    """

    settings: Settings
    log: list[RequestRecord] = field(default_factory=list)
    clock: Clock = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    stop_at: float | None = None

    def __post_init__(self) -> None:
        self.watch = RequestWatch(self.clock, self.sleep)
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        self.session = open_cache(self.settings)
        self.adapter = GuardedAdapter(self.settings, self.watch)
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        self.session.max_redirects = MAX_REDIRECTS
        self.session.headers.update({"User-Agent": self.settings.user_agent,
                                     "Accept-Encoding": "gzip, deflate"})
        self._robots: dict[str, Protego | None] = {}
        self._last: dict[str, float] = {}
        self._delay: dict[str, float] = {}
        # A host's last word on when to come back (Retry-After on a 429 or 503 that retries
        # did not get past): a wait up to MAX_RETRY_AFTER is kept before its next request;
        # a longer one rests the host for the rest of the run, so asking for an hour costs
        # one request instead of a request deadline's wait per article.
        self._not_before: dict[str, float] = {}
        self._resting: dict[str, str] = {}

    def close(self) -> None:
        self.session.close()  # type: ignore[no-untyped-call]

    def _host(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _pause(self, host: str) -> float:
        """Seconds until the host's delay allows the next request."""
        asked = self._not_before.get(host, 0.0) - self.clock()
        if host not in self._last:
            return max(0.0, asked)
        return max(0.0, asked, self._last[host] + self._delay.get(host, self.settings.min_delay)
                   - self.clock())

    def can_start(self, url: str) -> bool:
        """Whether a request to `url`, after its host's delay, would start before `stop_at`."""
        return self.stop_at is None or self.clock() + self._pause(self._host(url)) < self.stop_at

    def _wait(self, host: str) -> None:
        pause = self._pause(host)
        if pause > 0:
            self.sleep(pause)
        self._last[host] = self.clock()

    def _get(self, url: str) -> requests.Response:
        if not self.can_start(url):
            raise DeadlineError(f"{url}: not fetched, the run's deadline is too near")
        host = self._host(url)
        if host in self._resting:
            self.log.append(RequestRecord(url, "not asked", False, False))
            raise FetchError(f"{url}: not asked, {self._resting[host]}", status=429)
        self._wait(host)
        limit = request_deadline(self.settings)
        start = self.clock()
        until = start + limit if self.stop_at is None else min(start + limit, self.stop_at)
        left = until - start
        timeout = (min(self.settings.connect_timeout, left), min(self.settings.read_timeout, left))
        self.watch.until = until
        try:
            response = self.session.get(url, timeout=timeout)
        except (FetchError, requests.RequestException) as exc:
            self.log.append(RequestRecord(url, None, False, False))
            if self.watch.expired():
                raise FetchError(f"{url}: abandoned, no complete answer within the request "
                                 f"deadline ({left:g} s)") from exc
            if isinstance(exc, FetchError):
                raise
            if isinstance(exc, requests.TooManyRedirects):
                raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
            if isinstance(exc, requests.Timeout):
                raise FetchError(f"{url}: timed out") from exc
            raise FetchError(f"{url}: {_cause(exc)}") from exc
        except (InvalidHeader, http.client.HTTPException, ValueError) as exc:
            # what requests lets through: contradictory Content-Length headers, and the like
            self.log.append(RequestRecord(url, None, False, False))
            raise FetchError(f"{url}: a broken answer: {type(exc).__name__}: {exc}") from exc
        finally:
            self.watch.until = None
        cached = bool(getattr(response, "from_cache", False))
        revalidated = bool(getattr(response, "revalidated", False))
        # A 304 comes back as the stored 200 response: log what the server said.
        status = 304 if revalidated else ("cached" if cached else response.status_code)
        self.log.append(RequestRecord(url, status, cached, revalidated))
        if status in (429, 503):
            self._note_retry_after(host, status, response.headers.get("Retry-After"))
        return response

    def _note_retry_after(self, host: str, status: int, header: str | None) -> None:
        try:
            asked = float(Retry().parse_retry_after(header)) if header else 0.0
        except (InvalidHeader, OverflowError, ValueError):
            return  # garbage: the backoff was all the waiting it gets
        if asked > MAX_RETRY_AFTER:
            self._resting[host] = (f"{host} answered {status} asking to wait {(header or '')[:40]!r} "
                                   f"(more than {MAX_RETRY_AFTER:g} s) earlier in this run")
        elif asked > 0:
            self._not_before[host] = self.clock() + asked

    def robots(self, url: str) -> Protego | None:
        """The host's robots.txt rules (fetched once per run); None means allow all."""
        host = self._host(url)
        if host not in self._robots:
            robots_url = f"{host}/robots.txt"
            self.adapter.cut_at = MAX_ROBOTS_BYTES  # a longer file is read that far, not refused
            try:
                response = self._get(robots_url)
            except FetchError as exc:
                raise FetchError(f"robots.txt unreachable, not crawling {host}: {exc}") from exc
            finally:
                self.adapter.cut_at = None
            # 429 as a server error (as Google reads it): "allow all" would hammer the host
            if response.status_code >= 500 or response.status_code == 429:
                raise FetchError(f"robots.txt answered {response.status_code}, not crawling {host}")
            text = response.content[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
            rules = Protego.parse(text) if response.status_code == 200 else None
            self._robots[host] = rules
            crawl_delay = rules.crawl_delay(self.settings.user_agent) if rules else None
            self._delay[host] = min(max(self.settings.min_delay, float(crawl_delay or 0)),
                                    max(self.settings.max_delay, self.settings.min_delay))
        return self._robots[host]

    def allowed(self, url: str) -> bool:
        rules = self.robots(url)
        return rules is None or rules.can_fetch(url, self.settings.user_agent)

    def fetch(self, url: str) -> tuple[RawPage, requests.Response]:
        """GET a page the robots.txt allows; raises FetchError for any non-200 answer."""
        checked = parse_url(url)
        if checked.url is None:
            raise FetchError(f"{url[:200]!r}: {checked.problem}")
        url = checked.url
        if not self.allowed(url):
            raise FetchError(f"{url}: disallowed by robots.txt")
        response = self._get(url)
        if response.status_code != 200:
            reason = {403: "forbidden (bot blocking?)", 404: "not found", 410: "gone",
                      429: "too many requests"}.get(response.status_code,
                                                    _printable(response.reason or "", 80))
            raise FetchError(f"{url}: HTTP {response.status_code} {reason}".rstrip(),
                             status=response.status_code)
        final = parse_url(response.url).url or url
        page = RawPage(source=url, content=response.content, url=final,
                       content_type=response.headers.get("Content-Type"))
        return page, response
