"""Articles as the listing, digest and feed pages see them (their front matter), and the
Markdown helpers those pages share."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from urllib.parse import quote

import yaml

from scraper.dates import BEIJING
from scraper.frontmatter import ArticleMeta
from scraper.mdtext import escape_inline, link
from scraper.tag import TopicRules

PAGE_SIZE = 100

log = logging.getLogger("mkdocs.plugins.scraper")


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


def doc_href(path: str) -> str:
    """A docs path as a Markdown link's target: a file name with a space or a parenthesis
    ("with space.md") would end the link, and show it as text."""
    return quote(path)


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
    line = f"- [{escape_inline(entry.title)}]({prefix}{doc_href(entry.path)}) — {meta}"
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
    """base.md with the newest PAGE_SIZE lines (`lines` are newest first), and the older lines
    on base-1.md (the oldest PAGE_SIZE), base-2.md, …, each linked to its neighbours.

    The older pages are counted from the oldest line: a night's news changes base.md and the
    newest older page, not every page of the list (a list counted from the newest shifted
    every line of every page each night, and the build rendered all of them again)."""
    if len(lines) <= PAGE_SIZE:
        return {f"{base}.md": page(title, lines or [empty], intro)}
    name = base.rsplit("/", 1)[-1]
    older = lines[PAGE_SIZE:][::-1]  # oldest first
    chunks = [older[i:i + PAGE_SIZE][::-1] for i in range(0, len(older), PAGE_SIZE)]
    newest = len(chunks)

    def where(n: int) -> str:
        nav = [f"[← newer]({name if n == newest else f'{name}-{n + 1}'}.md)"] if n else []
        if n != 1:
            nav.append(f"[older →]({name}-{(n or newest + 1) - 1}.md)")
        lead = (f"The newest {PAGE_SIZE} of {len(lines)}." if n == 0
                else "Page 1, the oldest." if n == 1 else f"Page {n}, counted from the oldest.")
        return f"{lead} " + " · ".join(nav)

    top = where(0)
    pages = {f"{base}.md": page(title, [*lines[:PAGE_SIZE], "", top],
                                (intro + "\n\n" if intro else "") + top)}
    for n, chunk in enumerate(chunks, 1):
        # at the top, and at the bottom too, where a reader finishes the list
        pages[f"{base}-{n}.md"] = page(f"{title} (page {n})", [*chunk, "", where(n)], where(n))
    return pages


def add_pages(pages: dict[str, str], new: dict[str, str], owner: str) -> bool:
    """Adds `new` to `pages`, unless one of them is a page already made: a topic `index` would
    replace the Topics page, a topic `ai-1` the oldest page of `ai`'s list. Then the warning
    names `owner`, and none of `new` is added."""
    clash = next((path for path in new if path in pages), None)
    if clash is not None:
        log.warning("%s: its page %s would replace another page of the site; left out", owner, clash)
        return False
    pages.update(new)
    return True


def count(n: int, noun: str = "article", plural: str | None = None) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {plural or noun + 's'}"
