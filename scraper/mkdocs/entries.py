"""Articles as the listing, digest and feed pages see them (their front matter), and the
Markdown helpers those pages share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

import yaml

from scraper.dates import BEIJING
from scraper.frontmatter import ArticleMeta
from scraper.mdtext import escape_inline, link
from scraper.tag import TopicRules

PAGE_SIZE = 100


@dataclass(frozen=True)
class Entry:
    path: str  # relative to docs/, e.g. articles/tmtpost-6353999.md
    title: str
    when: datetime | None
    site_name: str
    topics: tuple[str, ...]
    summary: str | None
    url: str | None = None  # the original article
    authors: tuple[str, ...] = ()
    language: str | None = None
    timed: bool = False  # the source gave a time of day, not only a day
    companies: tuple[str, ...] = ()  # ids of the companies its text names (archive.py)

    @classmethod
    def from_front_matter(cls, path: str, meta: ArticleMeta,
                          companies: tuple[str, ...] = ()) -> Entry:
        return cls(path=path, title=meta.title, when=meta.date, site_name=meta.site_name,
                   topics=meta.topics, summary=meta.summary, url=meta.url, authors=meta.authors,
                   language=meta.language, timed="T" in (meta.published or ""),
                   companies=companies)

    @cached_property  # asked for on every listing, digest and article page that shows it
    def day(self) -> date | None:
        """The Beijing calendar day the article belongs to."""
        return self.when.astimezone(BEIJING).date() if self.when else None


def newest_first(entries: Sequence[Entry]) -> list[Entry]:
    floor = datetime.min.replace(tzinfo=BEIJING)
    return sorted(entries, key=lambda e: (e.when or floor, e.path), reverse=True)


def human_day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def entry_line(entry: Entry, prefix: str, rules: TopicRules, summary: bool = False,
               topics: bool = True, source_link: bool = False) -> str:
    when = human_day(entry.day) if entry.day else "undated"
    site = escape_inline(entry.site_name)
    if source_link and entry.url:
        site = link(site, entry.url)
    labels = ", ".join(escape_inline(rules.label(t)) for t in entry.topics) if topics else ""
    meta = " · ".join(x for x in (when, site, labels) if x)
    line = f"- [{escape_inline(entry.title)}]({prefix}{entry.path}) — {meta}"
    if summary and entry.summary:
        line += f"  \n  {escape_inline(entry.summary)}"
    return line


def listing_lines(entries: Sequence[Entry], rules: TopicRules) -> dict[str, str]:
    """Each entry's line on the month, topic and company pages (the same on all of them)."""
    return {e.path: entry_line(e, "../", rules, summary=True) for e in entries}


def page(title: str, lines: list[str], intro: str = "") -> str:
    meta = yaml.safe_dump({"title": title}, allow_unicode=True)
    head = f"---\n{meta}---\n\n# {escape_inline(title)}\n\n"
    return head + (intro + "\n\n" if intro else "") + "\n".join(lines) + "\n"


def paginate(base: str, title: str, lines: list[str], empty: str = "No articles yet.",
             intro: str = "") -> dict[str, str]:
    """base.md, base-2.md, ... of at most PAGE_SIZE lines, linked to their neighbours."""
    chunks = [lines[i:i + PAGE_SIZE] for i in range(0, len(lines), PAGE_SIZE)] or [[]]
    name = base.rsplit("/", 1)[-1]
    pages = {}
    for n, chunk in enumerate(chunks, 1):
        nav = []
        if n > 1:
            nav.append(f"[← newer]({name if n == 2 else f'{name}-{n - 1}'}.md)")
        if n < len(chunks):
            nav.append(f"[older →]({name}-{n + 1}.md)")
        text = intro if n == 1 else ""
        lines = chunk or [empty]
        if len(chunks) > 1:
            where = f"Page {n} of {len(chunks)}. " + " · ".join(nav)
            text = (text + "\n\n" if text else "") + where
            lines = [*lines, "", where]  # at the bottom too, where a reader finishes the list
        path = f"{base}.md" if n == 1 else f"{base}-{n}.md"
        pages[path] = page(title if n == 1 else f"{title} (page {n})", lines, text)
    return pages


def count(n: int, noun: str = "article", plural: str | None = None) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"
