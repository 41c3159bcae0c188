"""Daily digests (Beijing days): the day's stories grouped by topic, each story once.

Articles about the same story from several sources or editions (near-identical titles or
summaries) are merged: the first report is listed, the others as "also reported by".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from scraper.mdtext import escape_inline
from scraper.mkdocs.entries import Entry, count, human_day, page, paginate
from scraper.mkdocs.storylines import by_first_topic, story_line
from scraper.tag import TopicRules

SAME_STORY = 0.6  # Jaccard similarity of title shingles above which two reports are one story
_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]")
_STOP = {"the", "a", "an", "of", "to", "in", "on", "for", "and", "with", "as", "at", "by", "is",
         "its", "after", "amid", "from", "over", "says", "said"}


def shingles(text: str) -> frozenset[str]:
    """English words without stop words, plus Chinese character pairs."""
    low = text.lower()
    words = {w for w in _WORD.findall(low) if w not in _STOP}
    han = "".join(_CJK.findall(text))
    return frozenset(words | {han[i:i + 2] for i in range(len(han) - 1)})


def similar(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity; the union's size is counted, not built (every pair of a day's
    reports is compared)."""
    if not (a and b):
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


@dataclass
class Story:
    lead: Entry
    others: list[Entry] = field(default_factory=list)

    @property
    def topics(self) -> list[str]:
        seen: dict[str, None] = dict.fromkeys(self.lead.topics)
        for other in self.others:
            seen.update(dict.fromkeys(other.topics))
        return list(seen)


def stories(entries: list[Entry]) -> list[Story]:
    """Group one day's entries into stories, earliest report first."""
    out: list[tuple[Story, frozenset[str], frozenset[str]]] = []
    for entry in sorted(entries, key=lambda e: (e.when, e.path)):
        title = shingles(entry.title)
        full = shingles(f"{entry.title} {entry.summary or ''}")
        match = next((s for s, t, f in out
                      if similar(t, title) >= SAME_STORY or similar(f, full) >= SAME_STORY), None)
        if match:
            match.others.append(entry)
        else:
            out.append((Story(entry), title, full))
    return [s for s, _, _ in out]


def stories_by_day(entries: list[Entry]) -> dict[date, list[Story]]:
    """Each Beijing day's stories (the digests and the article pages' day links share them)."""
    by_day: dict[date, list[Entry]] = defaultdict(list)
    for e in entries:
        if e.day:
            by_day[e.day].append(e)
    return {day: stories(day_entries) for day, day_entries in by_day.items()}


def day_body(day_stories: list[Story], rules: TopicRules, prefix: str) -> list[str]:
    """Each story once, under its first topic, with all its topics as chips."""
    lines: list[str] = []
    for topic, section in by_first_topic(day_stories, rules):
        heading = escape_inline(rules.label(topic)) if topic else "Other news"
        lines += ["", f"## {heading}", ""]
        lines += [story_line(story, rules, prefix) for story in section]
    return lines


def digest_pages(entries: list[Entry], rules: TopicRules,
                 day_stories_of: dict[date, list[Story]] | None = None) -> dict[str, str]:
    """digest/YYYY-MM-DD.md per day and digest/index.md (`day_stories_of`: stories_by_day)."""
    if day_stories_of is None:
        day_stories_of = stories_by_day(entries)
    # every article of a day is in one of its stories, as its lead or as another report
    reports = {day: sum(1 + len(s.others) for s in found) for day, found in day_stories_of.items()}
    days = sorted(day_stories_of, reverse=True)
    pages: dict[str, str] = {}
    for i, day in enumerate(days):
        day_stories = day_stories_of[day]
        nav = []
        if i + 1 < len(days):
            nav.append(f"[← {human_day(days[i + 1])}]({days[i + 1].isoformat()}.md)")
        if i > 0:
            nav.append(f"[{human_day(days[i - 1])} →]({days[i - 1].isoformat()}.md)")
        links = " · ".join(nav)
        intro = (f"{count(len(day_stories), 'story', 'stories')} from {count(reports[day])}, "
                 f"Beijing time. {links}")
        body = day_body(day_stories, rules, "../") + (["", "---", "", links] if nav else [])
        pages[f"digest/{day.isoformat()}.md"] = page(f"Digest for {human_day(day)}", body, intro)
    index_lines = [f"- [{human_day(d)}]({d.isoformat()}.md) — {count(reports[d])}" for d in days]
    pages.update(paginate("digest/index", "Daily digests", index_lines, "No digests yet."))
    return pages
