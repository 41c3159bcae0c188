"""The front page: a stream of the latest stories, newest day first.

It shows the last STREAM_DAYS Beijing days, or the last STREAM_STORIES stories when those
days hold fewer (a quiet week still fills the page): each story once, with its topic chips,
source, time and dek. Above the stream: the latest day's count with its digest, and a topic
switcher (chips to the topic pages, with their counts).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from scraper.mdtext import escape_inline
from scraper.mkdocs.digests import Story, stories
from scraper.mkdocs.entries import Entry, count, human_day, page
from scraper.mkdocs.storylines import story_line
from scraper.tag import TopicRules

STREAM_DAYS = 3
STREAM_STORIES = 60


def stream(entries: list[Entry]) -> list[tuple[date, list[Story]]]:
    """The newest days, whole, until STREAM_DAYS days and STREAM_STORIES stories are shown;
    each day's stories newest first."""
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.day:
            by_day[e.day].append(e)
    shown: list[tuple[date, list[Story]]] = []
    total = 0
    for day in sorted(by_day, reverse=True):
        if len(shown) >= STREAM_DAYS and total >= STREAM_STORIES:
            break
        day_stories = stories(by_day[day])
        shown.append((day, day_stories[::-1]))
        total += len(day_stories)
    return shown


def front_page(entries: list[Entry], rules: TopicRules, site_title: str) -> str:
    days = stream(entries)
    lines: list[str] = []
    if days:
        latest, latest_stories = days[0]
        n_articles = sum(1 for e in entries if e.day == latest)
        lines.append(f"**{human_day(latest)}** (Beijing time): "
                     f"{count(len(latest_stories), 'story', 'stories')} from {count(n_articles)}. "
                     f"[Read the day's digest](digest/{latest.isoformat()}.md) · "
                     "[all daily digests](digest/index.md)")
    per_topic = Counter(t for e in entries for t in e.topics)
    topic_ids = [t.id for t in rules.topics if per_topic[t.id]]
    if topic_ids:
        switcher = " ".join(f"[{escape_inline(rules.label(t))} ({per_topic[t]})](topics/{t}.md)"
                            for t in topic_ids)
        lines += ["", f"Topics: {switcher}"]
    for day, day_stories in days:
        lines += ["", f"## {human_day(day)}", ""]
        lines += [story_line(s, rules, "") for s in day_stories]
        lines += ["", f"[The digest of {human_day(day)}](digest/{day.isoformat()}.md), "
                      "by topic"]
    if not days:
        lines.append("No articles yet.")
    intro = (f"{count(len(entries))} in the archive. Browse by [topic](topics/index.md), "
             "[day](digest/index.md) or [month](archive/index.md); "
             "subscribe with [RSS](feed.xml) or [JSON Feed](feed.json).")
    return page(site_title, lines, intro)
