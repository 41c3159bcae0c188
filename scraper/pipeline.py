"""Wires the stages: read → extract → tag → render → store, counting outcomes per article."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from scraper.errors import ScraperError, SkipArticle
from scraper.fetch.files import read_page
from scraper.frontmatter import http_address
from scraper.models import Article, RawPage
from scraper.sites.dispatch import extract_article
from scraper.tag import TopicRules
from scraper.write.archiveindex import ArchiveIndex, scan_archive
from scraper.write.render import front_matter, render_page
from scraper.write.store import (
    ARTICLES_DIR,
    check_written_dirs,
    remove_temp_files,
    write_article,
)


@dataclass
class Outcome:
    source: str
    article: Article | None = None
    error: str | None = None
    skipped: bool = False


@dataclass
class Counts:
    by_status: Counter[str] = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. archive pages that cannot be read

    def add(self, status: str) -> None:
        self.by_status[status] += 1


def extract_one(source: str, read: Callable[[], RawPage], rules: TopicRules,
                adjust: Callable[[Article], Article] | None = None, publish: bool = True) -> Outcome:
    """Read, extract, `adjust` and tag one page; a failure becomes the Outcome's error.

    `adjust` runs before tagging: a title or summary it fills in (from a feed) is weighed as
    the title it is, not missed.
    """
    try:
        article = extract_article(read(), publish)
        return Outcome(source, article=rules.tag(adjust(article) if adjust else article))
    except SkipArticle as exc:
        return Outcome(source, error=str(exc), skipped=True)
    except ScraperError as exc:
        return Outcome(source, error=str(exc))


def extract_pages(pages: Iterable[tuple[Path, str | None]],
                  rules: TopicRules) -> Iterator[Outcome]:
    """One Outcome per page, in order; a failing page never stops the others."""
    for path, url in pages:
        # Extraction reads any language; only import and update refuse what we do not publish.
        yield extract_one(str(path), functools.partial(read_page, path, url), rules, publish=False)


def store_article(docs: Path, article: Article, rules: TopicRules,
                  index: ArchiveIndex | None = None) -> tuple[Path, str]:
    if article.url and http_address(article.url) is None:
        # The last gate: an address no reader would accept is no address at all.
        article = replace(article, url=None)
    meta = front_matter(article, rules)
    return write_article(docs, article, render_page(article, rules, meta), index, meta)


def ingest(read: Callable[[], RawPage], docs: Path, rules: TopicRules, index: ArchiveIndex,
           adjust: Callable[[Article], Article] | None = None,
           warn: Callable[[str], None] | None = None) -> tuple[str, str]:
    """One page from reading to its written article: (status, the page's path or the error).

    Status is new, updated, unchanged, skipped (not an article) or failed; nothing raised.
    `warn` hears what was dropped on the way (e.g. an unusable canonical link).
    """
    outcome = extract_one("", read, rules, adjust)
    if outcome.article is None:
        return ("skipped" if outcome.skipped else "failed"), outcome.error or "unknown error"
    if warn is not None:
        for warning in outcome.article.warnings:
            warn(warning)
    try:
        path, status = store_article(docs, outcome.article, rules, index)
    except SkipArticle as exc:
        return "skipped", str(exc)
    except ScraperError as exc:
        return "failed", str(exc)
    except OSError as exc:
        return "failed", f"cannot write the page: {exc}"
    return status, str(path)


WRITTEN_DIRS = (ARTICLES_DIR,)  # all a run writes under docs/ (the build makes the rest)


def open_archive(docs: Path) -> ArchiveIndex:
    """The archive as a run starts: checked, leftovers of a killed run removed, indexed.

    Raises StoreError when the run must not write there at all; a page that cannot be
    read is only listed in the index's `broken`, for the caller to warn about.
    """
    check_written_dirs(docs, WRITTEN_DIRS)
    remove_temp_files(docs, WRITTEN_DIRS)
    return ArchiveIndex(scan_archive(docs))


def ingest_files(pages: Iterable[tuple[Path, str | None]], docs: Path, rules: TopicRules,
                 index: ArchiveIndex, report: Callable[[str, str, str], None],
                 warn: Callable[[str], None] | None = None) -> None:
    for path, url in pages:
        status, detail = ingest(functools.partial(read_page, path, url), docs, rules, index,
                                warn=_prefixed(warn, str(path)))
        report(status, str(path), detail)


def _prefixed(warn: Callable[[str], None] | None, prefix: str) -> Callable[[str], None] | None:
    if warn is None:
        return None
    return lambda warning: warn(f"{prefix}: {warning}")


def import_pages(pages: Iterable[tuple[Path, str | None]], docs: Path, rules: TopicRules,
                 report: Callable[[str, str, str], None] | None = None) -> Counts:
    """Write every page's article; `report(status, source, detail)` hears of each page."""
    counts = Counts()

    def count(status: str, source: str, detail: str) -> None:
        counts.add(status)
        if status in ("failed", "skipped"):
            counts.errors.append((source, detail))
        if report:
            report(status, source, detail)

    index = open_archive(docs)
    counts.warnings += index.warnings
    ingest_files(pages, docs, rules, index, count, counts.warnings.append)
    return counts
