"""Wires the stages: read → extract → tag → render → store, counting outcomes per article."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from scraper.errors import ScraperError, SkipArticle
from scraper.extract import extract_article
from scraper.fetch.files import read_page
from scraper.listing import GENERATED, Entry, build_listings
from scraper.models import Article
from scraper.render import render_page
from scraper.store import ARTICLES_DIR, atomic_write, read_front_matter, write_article
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


def extract_pages(paths: Iterable[str | Path], rules: TopicRules,
                  url: str | None = None) -> Iterator[Outcome]:
    """One Outcome per page, in order; a failing page never stops the others."""
    for path in paths:
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


def import_pages(paths: Iterable[str | Path], docs: Path, rules: TopicRules,
                 url: str | None = None) -> tuple[Counts, list[tuple[str, Path, str]]]:
    counts = Counts()
    written = []
    for outcome in extract_pages(paths, rules, url):
        if outcome.article is None:
            counts.add("skipped" if outcome.skipped else "failed")
            counts.errors.append((outcome.source, outcome.error or "unknown error"))
            continue
        try:
            path, status = store_article(docs, outcome.article, rules)
        except (ScraperError, OSError) as exc:
            counts.add("failed")
            counts.errors.append((outcome.source, f"cannot write the page: {exc}"))
            continue
        counts.add(status)
        written.append((outcome.source, path, status))
    refresh_listings(docs, rules)
    return counts, written


def article_entries(docs: Path) -> list[Entry]:
    folder = docs / ARTICLES_DIR
    if not folder.is_dir():
        return []
    return [Entry.from_front_matter(f"{ARTICLES_DIR}/{p.name}", read_front_matter(p))
            for p in sorted(folder.glob("*.md"))]


def refresh_listings(docs: Path, rules: TopicRules, site_title: str = SITE_TITLE) -> int:
    """Rewrite the listing pages that changed and remove generated pages no longer needed."""
    pages = build_listings(article_entries(docs), rules, site_title)
    changed = sum(atomic_write(docs / rel, text) for rel, text in pages.items())
    for folder in ("topics", "archive"):
        for path in (docs / folder).glob("*.md"):
            rel = f"{folder}/{path.name}"
            if rel not in pages and GENERATED in path.read_text(encoding="utf-8")[:2000]:
                path.unlink()
                changed += 1
    return changed
