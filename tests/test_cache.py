"""The HTTP cache keeps only what is revalidated (feeds, listing pages, robots.txt) and forgets
what goes unused: it must not grow with the archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
from requests_cache import CachedSession

from scraper.config import load_config
from scraper.fetch.cache import KEEP, RevalidatedOnly, open_cache
from tests import test_update
from tests.fakesite import FakeSite
from tests.test_update import config, update

site = test_update.site  # the fake site fixture


def stored(state: Path) -> dict[str, datetime | None]:
    """The cached URLs with their expiry."""
    session = CachedSession(str(state / "http_cache"), backend="sqlite")
    try:
        return {r.url: r.expires for r in session.cache.responses.values()}
    finally:
        session.close()  # type: ignore[no-untyped-call]


def paths(urls: dict[str, datetime | None], site: FakeSite) -> set[str]:
    return {url.removeprefix(site.base) for url in urls}


def test_articles_are_not_stored_feeds_listings_and_robots_are(tmp_path: Path, site: FakeSite) -> None:
    code, report = update(config(tmp_path, site))
    assert code == 0 and report["totals"]["new"] == 13
    # listing-2.html is reached by rel="next" from the configured listing-1.html
    assert paths(stored(tmp_path / "state"), site) == {
        "/robots.txt", "/listing-1.html", "/listing-2.html", "/rss.xml"}


def test_each_run_revalidates_and_keeps_what_it_used(tmp_path: Path, site: FakeSite) -> None:
    cfg = config(tmp_path, site)
    update(cfg)
    site.reset_log()
    update(cfg)
    assert {hit.status for hit in site.hits} == {304}
    soon = datetime.now(UTC) + KEEP - timedelta(days=1)
    for url, expires in stored(tmp_path / "state").items():
        assert expires is not None and expires > soon, url


def test_an_entry_unused_for_a_month_is_deleted_when_the_next_run_opens_the_cache(
        tmp_path: Path, site: FakeSite) -> None:
    cfg = config(tmp_path, site)
    update(cfg)
    settings = load_config(cfg)
    session = CachedSession(str(settings.state_dir / "http_cache"), backend="sqlite")
    for key, response in list(session.cache.responses.items()):
        if response.url.endswith("/listing-2.html"):
            response.expires = datetime.now(UTC) - timedelta(days=1)
            session.cache.responses[key] = response
    session.close()  # type: ignore[no-untyped-call]
    open_cache(settings).close()  # type: ignore[no-untyped-call]
    assert paths(stored(settings.state_dir), site) == {"/robots.txt", "/listing-1.html", "/rss.xml"}


def response(url: str, headers: dict[str, str], status: int = 200) -> requests.Response:
    made = requests.Response()
    made.url, made.status_code, made._content = url, status, b"<rss/>"
    made.headers.update(headers)
    return made


def test_a_feed_without_a_validator_or_marked_no_store_is_not_stored(tmp_path: Path,
                                                                    site: FakeSite) -> None:
    keep = RevalidatedOnly(load_config(config(tmp_path, site)))
    feed = site.url("/rss.xml")
    assert keep(response(feed, {"ETag": '"1"'}))
    assert keep(response(feed, {"Last-Modified": "Wed, 01 Oct 2025 00:00:00 GMT"}))
    assert not keep(response(feed, {}))  # nothing to revalidate with
    assert not keep(response(feed, {"ETag": '"1"', "Cache-Control": "private, no-store"}))
    assert not keep(response(feed, {"ETag": '"1"'}, status=404))
    assert not keep(response(site.url("/7400001.html"), {"ETag": '"1"'}))  # an article
    # a feed reached through a redirect is still the configured feed
    moved = response(site.url("/feeds/rss.xml"), {"ETag": '"1"'})
    moved.history = [response(feed, {}, status=301)]
    assert keep(moved)
