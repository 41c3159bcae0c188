"""What the HTTP cache keeps, and for how long.

The cache is there for conditional requests: a feed, a listing page or a robots.txt is asked
for again on every run, and costs a 304 when it has not changed. An article page is fetched
once and then lives in the archive, so storing it would only grow the file. So only
responses to the configured feed and listing URLs, the listing pages reached from them by
rel="next", and robots.txt files are stored, and only when they carry a validator (ETag or
Last-Modified) to revalidate with.

Every stored entry is revalidated whenever it is used; its expiry only says when it was last
used. An entry not used for KEEP (a source removed from the config, a listing page that fell
off the end) is deleted when the next run opens the cache.
"""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from requests_cache import CachedSession

from scraper.config import Settings
from scraper.errors import ParseError
from scraper.fetch.discover import listing_links
from scraper.urls import normalize_url

KEEP = timedelta(days=30)


class RevalidatedOnly:
    """requests-cache's filter_fn: True for the responses worth storing."""

    def __init__(self, settings: Settings) -> None:
        self.wanted = {normalize_url(s.url) for s in settings.sources if s.url}
        # listing page -> its source's article link pattern (what tells articles from pages)
        self.listings: dict[str, re.Pattern[str]] = {
            normalize_url(s.url): s.link_pattern for s in settings.sources
            if s.type == "listing" and s.url and s.link_pattern}

    def __call__(self, response: requests.Response) -> bool:
        if response.status_code != 200 or "no-store" in response.headers.get("Cache-Control", ""):
            return False
        if not (response.headers.get("ETag") or response.headers.get("Last-Modified")):
            return False
        addresses = [normalize_url(r.url) for r in [*response.history, response] if r.url]
        if any(urlsplit(a).path == "/robots.txt" for a in addresses):
            return True
        if not any(a in self.wanted for a in addresses):
            return False
        self._follow_next(response, addresses)
        return True

    def _follow_next(self, response: requests.Response, addresses: list[str]) -> None:
        """A listing page's rel="next" page will be asked for too: let it be stored."""
        pattern = next((self.listings[a] for a in addresses if a in self.listings), None)
        if pattern is None:
            return
        try:
            next_url = listing_links(response.content, response.url, pattern,
                                     response.headers.get("Content-Type")).next_url
        except ParseError:
            return
        if next_url:
            self.wanted.add(normalize_url(next_url))
            self.listings[normalize_url(next_url)] = pattern


def open_cache(settings: Settings) -> CachedSession:
    """The run's session, with entries unused for KEEP already deleted."""
    session = CachedSession(
        str(settings.state_dir / "http_cache"), backend="sqlite",
        # Our expiry, not the server's: each entry is revalidated on use anyway, and a
        # max-age of minutes would otherwise drop a feed between two nightly runs.
        cache_control=False, expire_after=KEEP, always_revalidate=True,
        allowable_codes=(200,), stale_if_error=True, filter_fn=RevalidatedOnly(settings))
    session.cache.delete(expired=True, invalid=True)
    return session
