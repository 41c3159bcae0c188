"""Finding article links: items of an RSS/Atom feed, links on a listing page. Pure parsing."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.html
from lxml import etree

from scraper.dates import plausible
from scraper.errors import ParseError
from scraper.mdtext import squash
from scraper.read.decode import decode_page
from scraper.read.parse import XML_DECLARATION, parse_html
from scraper.urls import NOT_HTTP, host_of, parse_url, strip_tracking

MAX_ITEMS = 2000  # a feed or listing with more links is cut here; the rest waits
MAX_PROBLEMS_LISTED = 20  # a page full of broken links is summed up after this many
# Feeds never need entities of their own, and declaring them is how expansion attacks
# start. Checked on the whole decoded text, which is exactly what feedparser is given.
ENTITY_DECLARATION = re.compile(r"<!ENTITY")
_MIME = re.compile(r"^\s*([\w.+-]+/[\w.+-]+)")


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


@dataclass
class Found:
    """What a feed or listing page yields: article links, the next page, and what was wrong."""

    links: list[Link] = field(default_factory=list)
    next_url: str | None = None
    warnings: list[str] = field(default_factory=list)
    unusable: list[tuple[str, str]] = field(default_factory=list)  # (item, why no link)


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


def _feed_text(content: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """The feed as UTF-8 bytes for feedparser, and the response headers it should see.

    We decode (BOM, HTTP charset, XML declaration, detection) and check the text; feedparser
    then parses those very characters, so no encoding trick (UTF-16, padding, a charset only
    in the header) makes it read something other than what was checked.
    """
    folded = {k.lower(): v for k, v in headers.items()}
    text = decode_page(content, folded.get("content-type"))
    if ENTITY_DECLARATION.search(text):
        raise ParseError("the feed declares its own XML entities (an entity-expansion attack?)")
    text = XML_DECLARATION.sub("", text, count=1)
    mime = _MIME.match(folded.get("content-type", ""))
    folded["content-type"] = f"{mime.group(1) if mime else 'application/xml'}; charset=utf-8"
    folded.pop("content-encoding", None)  # the body is already decompressed
    data = ('<?xml version="1.0" encoding="utf-8"?>\n' + text).encode("utf-8", "replace")
    return data, folded


def feed_links(content: bytes, base_url: str, headers: dict[str, str] | None = None) -> Found:
    """Items of a feed; items without a usable http(s) link are listed in `unusable`."""
    data, folded = _feed_text(content, headers or {})
    parsed = feedparser.parse(data, response_headers=folded)
    found = Found()
    if not parsed.entries and (parsed.bozo or not parsed.version):
        problem = getattr(parsed, "bozo_exception", None) or "no RSS, Atom or RDF structure"
        raise ParseError(f"not a readable feed: {problem}")
    if parsed.bozo:
        problem = getattr(parsed, "bozo_exception", None) or "malformed"
        found.warnings.append(f"malformed feed, read {len(parsed.entries)} item(s) anyway: "
                              f"{problem}")
    own = parse_url(base_url).url
    for n, entry in enumerate(parsed.entries[:MAX_ITEMS], 1):
        # feedparser fills `link` from <link>, or from a <guid> that is a permalink; never
        # join an empty link to the feed's own address (the feed would be read as a page)
        href = entry.get("link") or ""
        title = entry.get("title")
        label = f"item {n}" + (f" ({title[:80]!r})" if title else "")
        checked = parse_url(href, base_url) if href.strip() else None
        if checked is None or checked.url is None:
            why = "no http(s) link" if checked is None else (
                f"unusable link {href[:200]!r}: {checked.problem}")
            found.unusable.append((label, why))
            continue
        if checked.url == own:
            found.unusable.append((label, "links to the feed itself"))
            continue
        found.links.append(Link(strip_tracking(checked.url), title, _when(entry, "published"),
                                _when(entry, "updated"), _summary(entry)))
    return found


def listing_links(content: bytes, base_url: str, pattern: re.Pattern[str],
                  content_type: str | None = None) -> Found:
    """Article links on a listing page (first occurrence, in page order) and its next page.

    A link that is not http(s) (mailto:, javascript:) is no article link; one that claims
    to be an address and is broken (a bad port, broken brackets) is a warning.
    """
    root = parse_html(decode_page(content, content_type) or "<html/>")
    base_host = host_of(base_url)
    seen: set[str] = set()
    found = Found()
    broken: list[str] = []
    for a in root.iter("a"):
        href = a.get("href") or ""
        if not href.strip() or href.strip().startswith("#"):
            continue
        checked = parse_url(href, base_url)
        if checked.url is None:
            if not (checked.problem or "").startswith(NOT_HTTP):
                broken.append(f"{href[:200]!r}: {checked.problem}")
            continue
        url = checked.url
        if "next" in (a.get("rel") or "").lower().split() and found.next_url is None:
            found.next_url = url
            continue
        if urlsplit(url).hostname != base_host or not pattern.search(urlsplit(url).path):
            continue
        key = strip_tracking(url)
        if key in seen:
            continue
        seen.add(key)
        text = " ".join(a.text_content().split()) or None
        found.links.append(Link(key, text))
        if len(found.links) >= MAX_ITEMS:
            break
    found.warnings += [f"unusable link {b}" for b in broken[:MAX_PROBLEMS_LISTED]]
    if len(broken) > MAX_PROBLEMS_LISTED:
        found.warnings.append(f"... and {len(broken) - MAX_PROBLEMS_LISTED} more unusable links")
    return found
