"""The listing pages: home, daily digests (see digests.py), topics and the monthly archive.

Pure: entries in, {path relative to docs/: Markdown} out. Listings are paginated so that no
page lists the whole archive, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from scraper.mdtext import escape_inline
from scraper.mkdocs.digests import Story, digest_pages
from scraper.mkdocs.entries import Entry, add_pages, count, listing_lines, newest_first, page, paginate
from scraper.mkdocs.frontpage import front_page
from scraper.tag import TopicRules

__all__ = ["Entry", "build_listings"]


def _month_title(month: str) -> str:
    if month == "undated":
        return "Undated"
    return datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def build_listings(entries: list[Entry], rules: TopicRules, site_title: str,
                   day_stories: dict[date, list[Story]] | None = None,
                   entry_lines: dict[str, str] | None = None) -> dict[str, str]:
    """`day_stories`: digests.stories_by_day; `entry_lines`: entries.listing_lines (made when None)."""
    entries = newest_first(entries)
    pages = digest_pages(entries, rules, day_stories)
    # Each entry's line is the same on its month's page and on each of its topics' pages.
    line = entry_lines if entry_lines is not None else listing_lines(entries, rules)
    pages["index.md"] = front_page(entries, rules, site_title)

    by_topic: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        for t in e.topics:
            by_topic[t].append(e)
    known = {t.id for t in rules.topics}
    topic_ids = [t.id for t in rules.topics] + sorted(set(by_topic) - known)
    pages["topics/index.md"] = ""  # first: no topic's page may take its place
    listed = []
    for t in topic_ids:
        lines = [line[e.path] for e in by_topic[t]]
        feeds = f"Feeds: [RSS]({t}.xml) · [JSON Feed]({t}.json)" if t in known else ""
        # a topic of the rules is the rules' mistake; any other, its articles'
        owner = f"topic {t!r}" + ("" if t in known else f" of docs/{by_topic[t][0].path}")
        if add_pages(pages, paginate(f"topics/{t}", rules.label(t), lines, intro=feeds), owner):
            listed.append(t)
    pages["topics/index.md"] = page("Topics", [
        f"- [{escape_inline(rules.label(t))}]({t}.md) — {count(len(by_topic[t]))}" for t in listed])

    by_month: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_month[e.day.strftime("%Y-%m") if e.day else "undated"].append(e)
    months = sorted(by_month, reverse=True)
    pages["archive/index.md"] = page("Archive", [
        f"- [{_month_title(m)}]({m}.md) — {count(len(by_month[m]))}" for m in months]
        or ["No articles yet."])
    for m in months:
        lines = [line[e.path] for e in by_month[m]]
        pages.update(paginate(f"archive/{m}", _month_title(m), lines))

    return pages


class Listings:
    """Makes the home page, the daily digests and the topic and month listings from the entries."""

    def __init__(self, rules: TopicRules, site_title: str) -> None:
        self.rules = rules
        self.site_title = site_title

    def pages(self, entries: list[Entry], day_stories: dict[date, list[Story]],
              lines: dict[str, str]) -> dict[str, str]:
        return build_listings(entries, self.rules, self.site_title, day_stories, lines)
