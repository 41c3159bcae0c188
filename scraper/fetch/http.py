"""Polite, guarded HTTP: robots.txt, per-host delay, retries, conditional GET, size caps.

Every request goes through `GuardedAdapter`, so the checks hold on every redirect hop too:
only http(s), no private, loopback or link-local address unless the config allows the host,
and no body larger than the cap (counted after decompression).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from scraper.config import Settings
from scraper.errors import FetchError
from scraper.fetch.cache import open_cache
from scraper.models import RawPage

RETRY_STATUSES = (429, 500, 502, 503, 504)
MAX_RETRY_AFTER = 120.0  # seconds; a server asking for longer is treated as failing
MAX_REDIRECTS = 5


class CappedRetry(Retry):
    """Honours Retry-After, but never sleeps longer than MAX_RETRY_AFTER."""

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, MAX_RETRY_AFTER)


def _blocked_address(ip: str) -> bool:
    addr = ipaddress.ip_address(ip)
    return (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_reserved
            or addr.is_multicast or addr.is_unspecified)


def check_target(url: str, allow_hosts: tuple[str, ...]) -> None:
    """Refuse non-http(s) URLs and hosts that resolve into private address ranges."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https are fetched")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchError(f"{url}: no host")
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


class GuardedAdapter(HTTPAdapter):
    def __init__(self, settings: Settings) -> None:
        retry = CappedRetry(total=settings.retries, connect=settings.retries, read=settings.retries,
                            status=settings.retries, backoff_factor=settings.backoff,
                            status_forcelist=RETRY_STATUSES, allowed_methods={"GET", "HEAD"},
                            respect_retry_after_header=True, raise_on_status=False)
        super().__init__(max_retries=retry, pool_connections=4, pool_maxsize=1, pool_block=True)
        self.settings = settings

    def send(self, request: requests.PreparedRequest, stream: bool = False,
             timeout: Any = None, verify: Any = True, cert: Any = None, proxies: Any = None,
             ) -> requests.Response:
        check_target(request.url or "", self.settings.allow_hosts)
        response = super().send(request, stream=True, timeout=timeout, verify=verify, cert=cert,
                                proxies=proxies)
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            response.close()
            raise FetchError(f"{request.url}: {declared} bytes is more than the {limit} byte limit")
        chunks, total = [], 0
        try:
            for chunk in response.raw.stream(64 * 1024, decode_content=True):
                total += len(chunk)
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
    status: int | str | None  # "cached": served from the HTTP cache without asking
    from_cache: bool
    conditional: bool


@dataclass
class Fetcher:
    """One session for the whole run; requests to one host are spaced by its delay."""

    settings: Settings
    log: list[RequestRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        self.session = open_cache(self.settings)
        adapter = GuardedAdapter(self.settings)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.max_redirects = MAX_REDIRECTS
        self.session.headers.update({"User-Agent": self.settings.user_agent,
                                     "Accept-Encoding": "gzip, deflate"})
        self._robots: dict[str, Protego | None] = {}
        self._last: dict[str, float] = {}
        self._delay: dict[str, float] = {}

    def close(self) -> None:
        self.session.close()  # type: ignore[no-untyped-call]

    def _host(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def _wait(self, host: str) -> None:
        delay = self._delay.get(host, self.settings.min_delay)
        if host in self._last:
            pause = self._last[host] + delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        self._last[host] = time.monotonic()

    def _get(self, url: str) -> requests.Response:
        host = self._host(url)
        self._wait(host)
        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        try:
            response = self.session.get(url, timeout=timeout)
        except FetchError:
            self.log.append(RequestRecord(url, None, False, False))
            raise
        except requests.TooManyRedirects as exc:
            raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects") from exc
        except requests.Timeout as exc:
            self.log.append(RequestRecord(url, None, False, False))
            raise FetchError(f"{url}: timed out") from exc
        except requests.RequestException as exc:
            self.log.append(RequestRecord(url, None, False, False))
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
        cached = bool(getattr(response, "from_cache", False))
        revalidated = bool(getattr(response, "revalidated", False))
        # A 304 comes back as the stored 200 response: log what the server said.
        status = 304 if revalidated else ("cached" if cached else response.status_code)
        self.log.append(RequestRecord(url, status, cached, revalidated))
        return response

    def robots(self, url: str) -> Protego | None:
        """The host's robots.txt rules (fetched once per run); None means allow all."""
        host = self._host(url)
        if host not in self._robots:
            robots_url = f"{host}/robots.txt"
            try:
                response = self._get(robots_url)
            except FetchError as exc:
                raise FetchError(f"robots.txt unreachable, not crawling {host}: {exc}") from exc
            if response.status_code >= 500:
                raise FetchError(f"robots.txt answered {response.status_code}, not crawling {host}")
            rules = Protego.parse(response.text) if response.status_code == 200 else None
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
        if not self.allowed(url):
            raise FetchError(f"{url}: disallowed by robots.txt")
        response = self._get(url)
        if response.status_code != 200:
            reason = {403: "forbidden (bot blocking?)", 404: "not found", 410: "gone",
                      429: "too many requests"}.get(response.status_code, response.reason or "")
            raise FetchError(f"{url}: HTTP {response.status_code} {reason}".rstrip(),
                             status=response.status_code)
        final = response.url or url
        page = RawPage(source=url, content=response.content, url=final,
                       content_type=response.headers.get("Content-Type"))
        return page, response
