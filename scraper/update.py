"""`scraper update`: every configured source, fetched politely and incrementally.

Per source: find article links (feed items, listing pages, files), skip what the archive
already holds unless the source says it changed, fetch and extract the rest, and write
them. One source failing never stops the others; everything is counted in the report.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from scraper import sites
from scraper.config import Settings, Source
from scraper.dates import BEIJING
from scraper.errors import DeadlineError, FetchError, ParseError
from scraper.fetch.discover import Found, Link, feed_links, listing_links
from scraper.fetch.files import folder_pages
from scraper.fetch.http import Clock, Fetcher
from scraper.models import Article, RawPage
from scraper.pipeline import ingest, ingest_files, open_archive
from scraper.tag import TopicRules
from scraper.urls import normalize_url
from scraper.write.archiveindex import StoredArticle
from scraper.write.store import id_slug

STATUSES = ("new", "updated", "unchanged", "skipped", "failed", "deferred")


def deadline_reserve(deadline: float) -> float:
    """Seconds kept back from the run's deadline to write the last pages and the report.

    A tenth of the deadline, at least 5 s and at most 120 s: fetching stops (and no request
    runs on) once only this much is left. Every article page is written as it is fetched.
    """
    return min(120.0, max(5.0, deadline / 10))


@dataclass
class SourceReport:
    name: str
    type: str
    url: str | None
    # ok, partial (some articles failed), failed (the source itself failed),
    # deferred (the run's deadline came before the source was read)
    status: str = "ok"
    http: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, where: str, message: str) -> None:
        self.errors.append({"url": where, "error": message})

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "url": self.url, "status": self.status,
                "http": dict(sorted(self.http.items())),
                "counts": {s: self.counts.get(s, 0) for s in STATUSES},
                "errors": self.errors, "warnings": self.warnings}


Progress = Callable[[str, str, str, str], None]  # (source, status, url, detail)


def _quiet(source: str, status: str, url: str, detail: str) -> None:
    pass


@dataclass
class Updater:
    settings: Settings
    rules: TopicRules
    fetcher: Fetcher
    progress: Progress = _quiet
    start_total: Callable[[str, int], None] = lambda name, total: None
    budget: int = field(init=False)  # article pages this run may still fetch
    stopped: bool = field(init=False, default=False)  # the run's deadline stopped fetching

    def __post_init__(self) -> None:
        self.budget = self.settings.max_articles
        self.index = open_archive(self.settings.docs)

    # --- discovering links -------------------------------------------------------------

    def _out_of_time(self, url: str) -> bool:
        if not self.fetcher.can_start(url):
            self.stopped = True
        return self.stopped

    def _links(self, source: Source, report: SourceReport) -> list[Link]:
        assert source.url is not None
        links: list[Link] = []
        url: str | None = source.url
        for n in range(1, source.pages + 1):
            if url is None or (links and self._out_of_time(url)):
                break
            try:
                page, response = self._fetch(url, report)
                if source.type == "feed":
                    found = feed_links(page.content, page.url or url, dict(response.headers))
                else:
                    assert source.link_pattern is not None
                    found = listing_links(page.content, page.url or url, source.link_pattern,
                                          page.content_type)
            except DeadlineError:
                raise  # the source is deferred, as it was before it was read
            except (FetchError, ParseError) as exc:
                if n == 1:
                    raise
                # a broken (or hostile) rel="next" page costs its own links, not the ones
                # the pages before it gave
                report.status = "partial"
                report.error(url, f"listing page {n} not read, the {len(links)} link(s) of the "
                             f"pages before it go on: {exc}")
                break
            self._note_unusable(found, source, report)
            seen = {link.url for link in links}
            links += [link for link in found.links if link.url not in seen]
            url = found.next_url
        return links

    def _note_unusable(self, found: Found, source: Source, report: SourceReport) -> None:
        """Items without a usable link are skipped and counted; page problems are warnings."""
        report.warnings += found.warnings
        for item, why in found.unusable:
            self._count(source, report, "skipped", item, why)

    def _fetch(self, url: str, report: SourceReport) -> tuple[RawPage, Any]:
        before = len(self.fetcher.log)
        try:
            return self.fetcher.fetch(url)
        finally:
            for record in self.fetcher.log[before:]:
                report.http[str(record.status) if record.status else "error"] += 1

    # --- one article ---------------------------------------------------------------------

    def _guess_key(self, url: str) -> str | None:
        adapter = sites.for_url(url)
        article_id = adapter.article_id(url) if adapter else None
        return f"{adapter.name}:{article_id}" if adapter and article_id else None

    def _changed(self, link: Link, known: StoredArticle) -> bool:
        stamp = link.updated or link.published
        stored = known.source_updated
        return stamp is not None and stored is not None and stamp > stored

    def _fill_gaps(self, article: Article, link: Link) -> Article:
        """The feed's own title, summary and date where the page lacks them; remember every
        address. Runs before tagging, so what the feed gives is weighed as title and summary."""
        title = article.title or (link.title or "").strip()
        summary = article.summary or link.summary
        published = article.published
        if published is None and link.published is not None:
            published = link.published.astimezone(BEIJING)
        aliases = {normalize_url(link.url)}
        known = self.index.find(link.url, article.key)
        if known:
            aliases |= set(known.aliases)
        aliases.discard(normalize_url(article.url or ""))
        return replace(article, title=title, summary=summary, published=published,
                       aliases=tuple(sorted(aliases)),
                       source_updated=(link.updated or link.published) or article.source_updated)

    def _article(self, link: Link, source: Source, report: SourceReport) -> None:
        key = self._guess_key(link.url)
        broken = self.index.broken_page(id_slug(*key.split(":", 1)) if key else None)
        if broken:  # its page is this article, hand-edited: never fetched and written twice
            self._count(source, report, "skipped", link.url, f"{broken}: left as it is; fix "
                        "or delete that page")
            return
        known = self.index.find(link.url, key)
        if known and not self._changed(link, known):
            report.counts["unchanged"] += 1
            self.progress(source.name, "unchanged", link.url, "already in the archive")
            return
        if self.budget <= 0 or self._out_of_time(link.url):
            report.counts["deferred"] += 1
            why = "the run's deadline is near" if self.stopped else "article cap for this run reached"
            self.progress(source.name, "deferred", link.url, why)
            return
        self.budget -= 1

        def fetched() -> RawPage:
            page, _ = self._fetch(link.url, report)
            if _looks_truncated(page.content):
                raise FetchError(f"{link.url}: the page is truncated (no closing </body> or </html>)")
            return page

        status, detail = ingest(fetched, self.settings.docs, self.rules, self.index,
                                lambda article: self._fill_gaps(article, link),
                                warn=lambda warning: report.warnings.append(f"{link.url}: {warning}"))
        self._count(source, report, status, link.url, detail)

    def _count(self, source: Source, report: SourceReport, status: str, where: str,
               detail: str) -> None:
        report.counts[status] += 1
        if status in ("failed", "skipped"):
            report.error(where, detail)
        self.progress(source.name, status, where, detail)

    def _files(self, source: Source, report: SourceReport) -> None:
        assert source.path is not None
        if not source.path.is_dir():
            raise FetchError(f"{source.path}: no such folder")
        pages = folder_pages(source.path)
        self.start_total(source.name, len(pages))
        ingest_files(pages, self.settings.docs, self.rules, self.index,
                     lambda status, where, detail: self._count(source, report, status, where,
                                                               detail),
                     warn=report.warnings.append)

    def run_source(self, source: Source) -> SourceReport:
        report = SourceReport(source.name, source.type,
                              source.url or (str(source.path) if source.path else None))
        if source.url and self._out_of_time(source.url):
            report.status = "deferred"
            report.warnings.append("not read: the run's deadline came first")
            return report
        try:
            if source.type == "files":
                self._files(source, report)
            else:
                links = self._links(source, report)
                if source.max_articles:
                    links = links[: source.max_articles]
                self.start_total(source.name, len(links))
                for link in links:
                    self._article(link, source, report)
        except DeadlineError as exc:
            self.stopped = True
            report.status = "deferred"
            report.warnings.append(f"not read: {exc}")
            return report
        except (FetchError, ParseError) as exc:
            report.status = "failed"
            report.error(source.url or str(source.path), str(exc))
            self.progress(source.name, "failed", source.url or "", str(exc))
            return report
        if self.stopped and report.counts["deferred"]:
            report.warnings.append(f"the run's deadline stopped this source: "
                                   f"{report.counts['deferred']} item(s) deferred to the next run")
        done = sum(report.counts[s] for s in ("new", "updated", "unchanged"))
        if report.counts["failed"] + report.counts["skipped"]:
            report.status = "partial" if done or report.counts["deferred"] else "failed"
        return report


def _looks_truncated(content: bytes) -> bool:
    tail = content[-2048:].lower()
    return b"<html" in content[:4096].lower() and b"</html>" not in tail and b"</body>" not in tail


def run_update(settings: Settings, rules: TopicRules, progress: Progress = _quiet,
               start_total: Callable[[str, int], None] | None = None,
               clock: Clock = time.monotonic, sleep: Callable[[float], None] = time.sleep,
               ) -> dict[str, Any]:
    """Every source in turn; with `settings.deadline`, fetching stops in time for the report."""
    started = datetime.now(UTC)
    stop_at = None
    if settings.deadline is not None:
        stop_at = clock() + settings.deadline - deadline_reserve(settings.deadline)
    fetcher = Fetcher(settings, clock=clock, sleep=sleep, stop_at=stop_at)
    try:
        updater = Updater(settings, rules, fetcher, progress,
                          start_total or (lambda name, total: None))
        reports = [updater.run_source(source) for source in settings.sources]
    finally:
        fetcher.close()
    totals: Counter[str] = Counter()
    for r in reports:
        totals.update(r.counts)
    report: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "sources": [r.as_dict() for r in reports],
        "totals": {s: totals.get(s, 0) for s in STATUSES},
        "requests": len(fetcher.log),
        "ok_sources": sum(r.status != "failed" for r in reports),
        "failed_sources": sum(r.status == "failed" for r in reports),
        "archive_warnings": updater.index.warnings,
        # how many archive pages the run had to parse, the rest coming from the scan's cache
        "archive_scan": updater.index.scanned,
    }
    if settings.deadline is not None:
        report["deadline"] = {"seconds": settings.deadline, "stopped_run": updater.stopped}
    return report
