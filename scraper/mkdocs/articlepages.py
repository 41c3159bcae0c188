"""What an article page gets at build time besides its text:

- its language tag (the page's lang, the theme's Chinese labels) and its description for
  search engines and link previews;
- where to go next: the companies it names, "Related" (the same story from other sources,
  then recent stories sharing its companies or topics), and the previous and next story of
  the same day with that day's digest.

Links are Markdown links to docs files, so MkDocs validates them like any other.
"""

from __future__ import annotations

import bisect
import html
from collections import defaultdict
from datetime import date, datetime, timedelta

from mkdocs.structure.pages import Page

from scraper.dates import BEIJING
from scraper.mdtext import escape_inline, link
from scraper.mkdocs.archive import is_article
from scraper.mkdocs.companypages import Mentions
from scraper.mkdocs.digests import Story
from scraper.mkdocs.entries import Entry, doc_href
from scraper.pagelabels import day_text, label, labelled, lang_tag

RELATED = 5  # recent stories listed under "Related"
RELATED_WINDOW = timedelta(days=14)
_FLOOR = datetime.min.replace(tzinfo=BEIJING)


def _rel(path: str) -> str:
    """A docs path as a link from an article page (articles/x.md)."""
    return doc_href(path.removeprefix("articles/") if path.startswith("articles/") else "../" + path)


class ArticlePages:
    """Sets page.meta.lang (read by overrides/partials/language.html) and page.meta.description
    (Material's <meta name="description">; main.html's Open Graph and Twitter card tags), and
    appends the links that lead on from an article."""

    def __init__(self) -> None:
        self.update([], {}, {}, {})

    def update(self, entries: list[Entry], mentions: Mentions, company_names: dict[str, str],
               day_stories: dict[date, list[Story]]) -> None:
        """The archive as this build sees it (on_files); `day_stories`: digests.stories_by_day."""
        self.entries = {e.path: e for e in entries}
        self.mentions = mentions
        self.company_names = company_names
        self._day_stories = day_stories
        self._story_at: dict[str, tuple[date, int]] = {}
        self._lines: dict[tuple[str, str], str] = {}
        for day in day_stories:
            for i, story in enumerate(self._day_stories[day]):
                for member in (story.lead, *story.others):
                    self._story_at[member.path] = (day, i)
        # Companies and topics -> their articles, oldest first, to find neighbours by bisection.
        self._by_key: dict[str, list[Entry]] = defaultdict(list)
        for e in sorted(entries, key=lambda e: (e.when or _FLOOR, e.path)):
            for ident in mentions.get(e.path, ()):
                self._by_key[f"company:{ident}"].append(e)
            for t in e.topics:
                self._by_key[f"topic:{t}"].append(e)
        # Their sort keys beside them: bisect without a key function per step.
        self._order = {key: [(e.when or _FLOOR, e.path) for e in found]
                       for key, found in self._by_key.items()}

    def prepare(self, markdown: str, page: Page) -> str:
        if not is_article(page.file.src_uri):
            return markdown
        meta = page.meta
        title = meta.get("title") if isinstance(meta.get("title"), str) else ""  # escaped
        language = meta.get("language") if isinstance(meta.get("language"), str) else None
        lang = meta["lang"] = lang_tag(language, f"{title}{markdown[:2000]}")
        summary = meta.get("summary")
        if isinstance(summary, str) and summary and not meta.get("description"):
            # Escaped: Material prints it into an attribute, and MkDocs' Jinja does not escape.
            meta["description"] = html.escape(summary, quote=True)
        entry = self.entries.get(page.file.src_uri)
        if entry is None:
            return markdown
        return markdown.rstrip("\n") + "\n\n" + "\n\n".join(self.lead_on(entry, lang)) + "\n"

    def fingerprint(self, entry: Entry) -> str:
        """Changes whenever what `prepare` adds to the entry's page would, in any language: the
        same links in English (labels and the form of a day are code, in the cache's salt)."""
        return "\n\n".join(self.lead_on(entry, "en"))

    def lead_on(self, entry: Entry, lang: str) -> list[str]:
        parts = []
        companies = [c for c in self.mentions.get(entry.path, ()) if c in self.company_names]
        if companies:
            names = " · ".join(f"[{escape_inline(self.company_names[c])}](../companies/{c}.md)"
                               for c in companies)
            parts.append(labelled(lang, "companies", names))
        story = self._story(entry)
        same = [e for e in (story.lead, *story.others) if e.path != entry.path] if story else []
        related = self.related(entry, {e.path for e in same})
        if same or related:
            parts.append(f"## {label(lang, 'related')}")
        if same:
            parts.append(labelled(lang, "same_story", ", ".join(
                f"[{escape_inline(e.site_name or e.title)}]({_rel(e.path)})" for e in same)))
        if related:
            parts.append("\n".join(self._related_line(e, lang) for e in related))
        nav = self.day_links(entry, lang)
        if nav:
            parts.append(nav)
        return parts

    def _related_line(self, entry: Entry, lang: str) -> str:
        # An article is listed under "Related" on about ten pages: its line is made once.
        line = self._lines.get((entry.path, lang))
        if line is None:
            day = day_text(entry.day, lang) if entry.day else ""
            line = self._lines[entry.path, lang] = (
                f"- [{escape_inline(entry.title)}]({_rel(entry.path)}) — {day} · "
                f"{link(escape_inline(entry.site_name), entry.url)}")
        return line

    def _story(self, entry: Entry) -> Story | None:
        at = self._story_at.get(entry.path)
        return self._day_stories[at[0]][at[1]] if at else None

    def related(self, entry: Entry, exclude: set[str]) -> list[Entry]:
        """Up to RELATED stories near in time that share a company (first) or a topic."""
        if entry.when is None:
            return []
        keys = [f"company:{c}" for c in self.mentions.get(entry.path, ())]
        keys += [f"topic:{t}" for t in entry.topics]
        exclude = exclude | {entry.path}
        chosen: dict[str, Entry] = {}
        for key in keys:
            found = self._by_key.get(key, [])
            at = bisect.bisect_left(self._order.get(key, []), (entry.when, entry.path))
            # the nearest on either side, the earlier ones first
            near = found[max(0, at - RELATED - 1):at][::-1] + found[at:at + RELATED + 1]
            for other in near:
                if len(chosen) >= RELATED:
                    break
                if (other.path in exclude or other.path in chosen or other.when is None
                        or abs(other.when - entry.when) > RELATED_WINDOW
                        or self._same_story(entry, other)):
                    continue
                chosen[other.path] = other
        return sorted(chosen.values(), key=lambda e: (e.when or _FLOOR, e.path), reverse=True)

    def _same_story(self, a: Entry, b: Entry) -> bool:
        at = self._story_at.get(a.path)
        return at is not None and at == self._story_at.get(b.path)

    def day_links(self, entry: Entry, lang: str) -> str:
        at = self._story_at.get(entry.path)
        if at is None:
            return ""
        day, i = at
        day_stories = self._day_stories[day]
        links = []
        if i > 0:
            prev = day_stories[i - 1].lead
            links.append(f"← {label(lang, 'previous')}: [{escape_inline(prev.title)}]({_rel(prev.path)})")
        digest = label(lang, "digest").format(day=day_text(day, lang))
        links.append(f"[{escape_inline(digest)}](../digest/{day.isoformat()}.md)")
        if i + 1 < len(day_stories):
            nxt = day_stories[i + 1].lead
            links.append(f"{label(lang, 'next')}: [{escape_inline(nxt.title)}]({_rel(nxt.path)}) →")
        return "  \n".join(links)
