"""One story as a listing shows it (digests and the front page): its title, source, time of
day, topic chips and dek, and the other sources that reported it. Each story is shown once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scraper.dates import BEIJING
from scraper.mdtext import escape_inline, link
from scraper.mkdocs.entries import doc_href
from scraper.tag import TopicRules

if TYPE_CHECKING:
    from scraper.mkdocs.digests import Story


def chips(topics: list[str], rules: TopicRules, prefix: str) -> str:
    """Topic chips: links to the topic pages (digest.css draws links into topics/ as chips)."""
    return " ".join(f"[{escape_inline(rules.label(t))}]({prefix}topics/{t}.md)" for t in topics)


def story_line(story: Story, rules: TopicRules, prefix: str, show_day: bool = False) -> str:
    lead = story.lead
    meta = [link(escape_inline(lead.site_name or "source"), lead.url)]
    if lead.when and lead.timed:
        local = lead.when.astimezone(BEIJING)
        meta.append(f"{local.day} {local:%b} {local:%H:%M}" if show_day else f"{local:%H:%M}")
    if story.topics:
        meta.append(chips(story.topics, rules, prefix))
    lines = [f"- **[{escape_inline(lead.title)}]({prefix}{doc_href(lead.path)})**", " · ".join(meta)]
    if lead.summary:
        lines.append(escape_inline(lead.summary))
    if story.others:
        also = ", ".join(f"[{escape_inline(o.site_name or o.title)}]({prefix}{doc_href(o.path)})"
                         for o in story.others)
        lines.append(f"Also reported by: {also}")
    return "  \n  ".join(lines)


def by_first_topic(stories: list[Story], rules: TopicRules) -> list[tuple[str | None, list[Story]]]:
    """Sections in the topic rules' order, each story under its first topic; untagged last."""
    sections: dict[str | None, list[Story]] = {}
    for story in stories:
        topics = story.topics
        sections.setdefault(topics[0] if topics else None, []).append(story)
    known = [t.id for t in rules.topics]
    order: list[str | None] = [t for t in known if t in sections]
    order += sorted(t for t in sections if t is not None and t not in known)
    if None in sections:
        order.append(None)
    return [(t, sections[t]) for t in order]
