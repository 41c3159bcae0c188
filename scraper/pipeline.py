"""Wires the stages: read → extract → tag → render → store, counting outcomes per article."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scraper.errors import ScraperError, SkipArticle
from scraper.extract import extract_article
from scraper.fetch.files import read_page
from scraper.listing import GENERATED, Entry, build_listings
from scraper.models import Article
from scraper.render import render_page
from scraper.report import sources_page
from scraper.store import (
    ARTICLES_DIR,
    atomic_write,
    remove_temp_files,
    scan_archive,
    write_article,
)
from scraper.tag import TopicRules

SITE_TITLE = "China Tech Digest"


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

    def add(self, status: str) -> None:
        self.by_status[status] += 1


def extract_pages(pages: Iterable[tuple[Path, str | None]],
                  rules: TopicRules) -> Iterator[Outcome]:
    """One Outcome per page, in order; a failing page never stops the others."""
    for path, url in pages:
        try:
            article = rules.tag(extract_article(read_page(path, url)))
        except SkipArticle as exc:
            yield Outcome(str(path), error=str(exc), skipped=True)
        except ScraperError as exc:
            yield Outcome(str(path), error=str(exc))
        else:
            yield Outcome(str(path), article=article)


def store_article(docs: Path, article: Article, rules: TopicRules) -> tuple[Path, str]:
    return write_article(docs, article, render_page(article, rules))


def import_pages(pages: Iterable[tuple[Path, str | None]], docs: Path, rules: TopicRules,
                 report: Callable[[str, str, str], None] | None = None) -> Counts:
    """Write every page's article; `report(status, source, detail)` hears of each page."""
    counts = Counts()
    if docs.is_dir():
        remove_temp_files(docs)
    for outcome in extract_pages(pages, rules):
        status, detail = "failed", outcome.error or "unknown error"
        if outcome.article is None:
            status = "skipped" if outcome.skipped else "failed"
        else:
            try:
                path, status = store_article(docs, outcome.article, rules)
                detail = str(path)
            except (ScraperError, OSError) as exc:
                detail = f"cannot write the page: {exc}"
        counts.add(status)
        if status in ("failed", "skipped"):
            counts.errors.append((outcome.source, detail))
        if report:
            report(status, outcome.source, detail)
    refresh_listings(docs, rules)
    return counts


def article_entries(docs: Path) -> list[Entry]:
    return [Entry.from_front_matter(f"{ARTICLES_DIR}/{p.name}", meta)
            for p, meta in scan_archive(docs)]


def refresh_listings(docs: Path, rules: TopicRules, site_title: str = SITE_TITLE) -> int:
    """Rewrite the listing pages that changed and remove generated pages no longer needed."""
    pages = build_listings(article_entries(docs), rules, site_title)
    changed = sum(atomic_write(docs / rel, text) for rel, text in pages.items())
    if not (docs / "sources.md").exists():  # the navigation links it; `update` fills it
        changed += atomic_write(docs / "sources.md", sources_page(None))
    for folder in ("topics", "archive"):
        for path in (docs / folder).glob("[!.]*.md"):
            rel = f"{folder}/{path.name}"
            if rel not in pages and GENERATED in path.read_text(encoding="utf-8")[:2000]:
                path.unlink()
                changed += 1
    return changed
