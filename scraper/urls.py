"""Addresses from outside, parsed once at the border; and their normal form for identity.

Every URL that comes from a feed, a listing, a page's canonical link, a redirect, `--url`
or urls.yml goes through `parse_url` before anything else looks at it. It gives a
normalised absolute http(s) URL, or no URL and the reason, and never raises: a bad address
is a problem of the item that carried it, never of the run.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import ada_url
import idna

TRACKING = {"spm", "from", "source", "share", "share_source", "share_medium", "fbclid", "gclid",
            "igshid", "mc_cid", "mc_eid", "ref", "ref_src", "wechat", "isappinstalled", "scene",
            "clicktime", "enterid", "_ga"}
MAX_URL_LENGTH = 2048  # longer addresses are not article links (and some servers refuse them)
DEFAULT_PORTS = {"http": 80, "https": 443}
# Browsers drop these at both ends of an address, and tabs and newlines anywhere in it.
_EDGE = "".join(map(chr, range(0x21)))
_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ASCII_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")
# host, or [IPv6], then an optional port: urlsplit lets `[::1]junk` through as ::1
_AUTHORITY = re.compile(r"(?:\[[^\[\]]*\]|[^\[\]:]*)(?::[0-9]*)?")
NOT_HTTP = "not an http(s) URL"  # how a problem of scheme starts (mailto:, javascript:, ...)
_ABSOLUTE = re.compile(r"https?://[^\x00-\x20\\]", re.I)  # no edge or control chars to strip
_PATH_SAFE = "/:@!$&'()*+,;=%~-._"
_QUERY_SAFE = _PATH_SAFE + "?[]"


@dataclass(frozen=True)
class CheckedUrl:
    """An address as read at the border: `url` when usable, else None and the reason."""

    url: str | None
    problem: str | None = None


def _refuse(problem: str) -> CheckedUrl:
    return CheckedUrl(None, problem)


def _host(name: str) -> str | None:
    """The host in its ASCII form (IDNA, IP literal checked), or None when it is not one."""
    name = name.rstrip(".")
    if ":" in name:  # only an IPv6 literal may hold a colon once the port is split off
        if "%" in name:  # a zone id names an interface of this machine, not a host
            return None
        try:
            return f"[{ipaddress.IPv6Address(name).compressed}]"
        except ValueError:
            return None
    labels = name.split(".")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        # browsers read 0x7f.1 or 2130706433 as IPv4: only the plain dotted form is accepted
        try:
            return str(ipaddress.IPv4Address(name))
        except ValueError:
            return None
    try:
        if name.isascii():
            ok = len(name) <= 253 and all(_ASCII_LABEL.fullmatch(label) for label in labels)
            if ok and any(label.startswith("xn--") for label in labels):
                idna.decode(name)  # a punycode label must decode to a valid name
            return name if ok else None
        return idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return None


def _without_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: `/a/../b` and `/./b` are `/b`; never above the root."""
    out: list[str] = []
    segments = path.split("/")
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        elif segment == ".":
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/".join(out)


def parse_url(raw: object, base: str | None = None) -> CheckedUrl:
    """An absolute http(s) URL in normal form, or the reason there is none.

    `base` resolves relative addresses (a link on a page, a redirect's Location). The result
    has a lower-case scheme and host (IDNA for other scripts), no default port, no `.` or
    `..` segments, no fragment, and percent-escapes where the path or query had raw
    spaces or other characters.
    """
    if not isinstance(raw, str):
        return _refuse("no URL")
    if base is not None and _ABSOLUTE.match(raw):
        base = None  # an absolute address ignores its base: one cache entry for both
    return _parse_text(raw, base)


@functools.lru_cache(maxsize=4096)
def _parse_text(raw: str, base: str | None) -> CheckedUrl:
    """`parse_url` of a text: one page asks for its own address about five times (its
    adapter, its canonical link, its host), and the full parse costs about 15 µs."""
    if base is None and _is_normal(raw):
        return CheckedUrl(raw)
    return _parse_in_full(raw, base)


# An address already in the normal form `_parse_in_full` gives, as most links are: lower-case
# scheme and host, no port, user, fragment or empty query, and only characters the path and
# query may hold unescaped. What this regex lets through, `_is_normal` checks further.
_NORMAL = re.compile(r"https?://([a-z0-9_.-]{1,253})/[A-Za-z0-9_.~/:@!$&'()*+,;=%-]*"
                     r"(?:\?[A-Za-z0-9_.~/:@!$&'()*+,;=%?\[\]-]+)?")


def _is_normal(raw: str) -> bool:
    """Whether `_parse_in_full(raw, None)` is `raw` itself, decided without its ~15 µs of
    splitting, IDNA, a second parser and escaping (tests/test_urls.py checks the two agree).

    Its host must be one `_host` keeps as it is (plain labels, no punycode, not read as an
    IPv4 number), and its path must hold no `.` or `..` segment (nothing starts with "/.").
    """
    match = _NORMAL.fullmatch(raw) if len(raw) <= MAX_URL_LENGTH else None
    if match is None:
        return False
    labels = match.group(1).split(".")
    path_and_query = raw[match.end(1):]
    return (all(_ASCII_LABEL.fullmatch(label) for label in labels)
            and not _NUMERIC_LABEL.fullmatch(labels[-1])
            and not any(label.startswith("xn--") for label in labels)
            and "/." not in path_and_query.partition("?")[0])


def _parse_in_full(raw: str, base: str | None) -> CheckedUrl:
    text = raw.strip(_EDGE).translate(_TAB_NEWLINE)
    if not text:
        return _refuse("an empty URL")
    if len(text) > MAX_URL_LENGTH:
        return _refuse(f"longer than {MAX_URL_LENGTH} characters")
    if _CONTROL.search(text):
        return _refuse("contains control characters")
    if "\\" in re.split(r"[?#]", text, maxsplit=1)[0]:
        return _refuse("contains a backslash, which browsers read as a slash")
    try:
        parts = urlsplit(urljoin(base, text) if base else text)
        port = parts.port
    except ValueError as exc:  # out-of-range or non-numeric port, broken IPv6 brackets
        return _refuse(f"not a valid URL: {exc}")
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        return _refuse(f"{NOT_HTTP} (scheme {scheme!r})" if scheme
                       else "a relative address with nothing to resolve it against")
    if "@" in parts.netloc:
        return _refuse("carries a user name or password, a way to disguise the host")
    if not parts.hostname:
        return _refuse("no host")
    if not _AUTHORITY.fullmatch(parts.netloc):
        return _refuse(f"{parts.netloc!r} is not a host and port")
    host = _host(parts.hostname)
    if host is None:
        return _refuse(f"{parts.hostname!r} is not a valid host name or IP address")
    if port == 0:
        return _refuse("port 0")
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    try:  # a second opinion from a WHATWG parser: what we fetch is where a browser goes
        browser = ada_url.URL(text, base) if base else ada_url.URL(text)
    except ValueError:
        return _refuse("not a URL a browser would follow")
    seen = browser.hostname.rstrip(".") + (f":{browser.port}" if browser.port else "")
    if seen != netloc or browser.protocol != f"{scheme}:":
        return _refuse(f"read as {seen!r} by browsers and as {netloc!r} here")
    path = quote(_without_dot_segments(parts.path) or "/", safe=_PATH_SAFE)
    query = quote(parts.query, safe=_QUERY_SAFE)
    url = urlunsplit((scheme, netloc, path, query, ""))
    if len(url) > MAX_URL_LENGTH:
        return _refuse(f"longer than {MAX_URL_LENGTH} characters")
    return CheckedUrl(url)


def forget_parsed() -> None:
    """Empty the cache of parsed addresses (benchmarks: each page as if new)."""
    _parse_text.cache_clear()


def is_http(url: object) -> bool:
    return parse_url(url).url is not None


def host_of(url: str | None) -> str:
    """The host of an address, or "" when it has none that is usable; never raises."""
    checked = parse_url(url)
    return (urlsplit(checked.url).hostname or "") if checked.url else ""


def strip_tracking(url: str) -> str:
    """The URL to fetch: tracking parameters removed (`url` is a `parse_url` result)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING]
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), ""))


def normalize_url(url: str) -> str:
    """The identity of an address: its fetch form with https and no port 80 or 443.

    Never raises: an unusable address (a hand-edited page, an old archive) is its own
    stripped text, which matches no usable address.
    """
    checked = parse_url(url)
    if checked.url is None:
        return url.strip() if isinstance(url, str) else ""
    parts = urlsplit(strip_tracking(checked.url))
    netloc = parts.netloc
    if parts.port in (80, 443):
        netloc = netloc.rsplit(":", 1)[0]
    return urlunsplit(("https", netloc, parts.path, parts.query, ""))
