"""Finding article links: items of an RSS/Atom feed, links on a listing page. Pure parsing."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
from lxml import etree

from scraper.dates import plausible
from scraper.errors import ParseError
from scraper.mdtext import squash
from scraper.read.decode import decode_page
from scraper.urls import is_http, strip_tracking

ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.I)
MAX_ITEMS = 2000  # a feed or listing with more links is cut here; the rest waits


@dataclass(frozen=True)
class Link:
    url: str
    title: str | None = None
    published: datetime | None = None
    updated: datetime | None = None  # the source's own "this changed" stamp, if any
    summary: str | None = None  # the feed item's description, as plain text, if short


MAX_SUMMARY = 400  # characters: a longer "summary" is the article itself, not a summary


def _summary(entry: Any) -> str | None:
    raw = entry.get("summary")
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        text = squash(lxml.html.fromstring(raw).text_content()) if "<" in raw else squash(raw)
    except (etree.ParserError, ValueError):
        return None
    return text if 0 < len(text) <= MAX_SUMMARY else None


def _when(entry: Any, key: str) -> datetime | None:
    # dict.get: feedparser's own .get maps a missing "updated" to "published" (deprecated)
    parsed = dict.get(entry, f"{key}_parsed")
    if not parsed:
        return None
    # feedparser gives UTC struct_time: timegm, never mktime (local time would shift it)
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return when if plausible(when) else None


def feed_links(content: bytes, base_url: str, headers: dict[str, str] | None = None
               ) -> tuple[list[Link], str | None]:
    """Items of a feed, and a warning when feedparser had to recover from broken XML."""
    if ENTITY_DECLARATION.search(content[:65536]):
        # feeds never need their own entities; declaring them is how expansion attacks start
        raise ParseError("the feed declares its own XML entities (an entity-expansion attack?)")
    parsed = feedparser.parse(content, response_headers=headers or {})
    warning = None
    if parsed.bozo:
        problem = getattr(parsed, "bozo_exception", None) or "malformed"
        if not parsed.entries:
            raise ParseError(f"not a readable feed: {problem}")
        warning = f"malformed feed, read {len(parsed.entries)} item(s) anyway: {problem}"
    links = []
    for entry in parsed.entries[:MAX_ITEMS]:
        href = entry.get("link") or ""
        url = urljoin(base_url, href.strip())
        if not is_http(url):
            continue
        links.append(Link(strip_tracking(url), entry.get("title"), _when(entry, "published"),
                          _when(entry, "updated"), _summary(entry)))
    return links, warning


def listing_links(content: bytes, base_url: str, pattern: re.Pattern[str],
                  content_type: str | None = None) -> tuple[list[Link], str | None]:
    """Article links on a listing page (first occurrence, in page order) and its next page."""
    try:
        root = lxml.html.document_fromstring(decode_page(content, content_type) or "<html/>")
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"listing page is not parseable HTML: {exc}") from exc
    base_host = urlsplit(base_url).hostname
    seen: set[str] = set()
    links: list[Link] = []
    next_url = None
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href:
            continue
        url = urljoin(base_url, href).split("#", 1)[0]
        if not is_http(url):
            continue
        if "next" in (a.get("rel") or "").lower().split() and next_url is None:
            next_url = url
            continue
        path = urlsplit(url).path
        if urlsplit(url).hostname != base_host or not pattern.search(path):
            continue
        key = strip_tracking(url)
        if key in seen:
            continue
        seen.add(key)
        text = " ".join(a.text_content().split()) or None
        links.append(Link(key, text))
        if len(links) >= MAX_ITEMS:
            break
    return links, next_url
