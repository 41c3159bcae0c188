"""Article bodies for the full-text feeds, read from the article pages when a feed needs them
(only the newest articles are in feeds: the archive is never read whole for them).

The body is the page's text without its title, dek and byline and without what follows its
rule (source, topics): cmark renders it in its safe mode, which drops raw HTML and
javascript: links, so a feed reader gets sanitised HTML. The image credits and the source
follow as their own paragraphs (credits keep their own label: "Image Source: …").
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

import cmarkgfm
from mkdocs.structure.files import Files

from scraper.errors import FrontMatterError
from scraper.frontmatter import http_address, read_article
from scraper.mkdocs.entries import Entry
from scraper.pagelabels import labelled, when_text

log = logging.getLogger("mkdocs.plugins.scraper")

_RULE = "\n---\n"


def body_markdown(page_body: str, has_dek: bool) -> str:
    """The text of an article page, as render.render_page lays it out."""
    text = page_body.rsplit(_RULE, 1)[0] if _RULE in page_body else page_body
    blocks = text.strip("\n").split("\n\n")
    skip = 1 + (1 if has_dek else 0) + 1  # title, dek, byline
    if blocks and not blocks[0].startswith("# "):
        skip = 0  # not our layout: keep it all
    return "\n\n".join(blocks[skip:])


class FeedBodies:
    """Sanitised HTML of an article for a feed item, from its page; None when unreadable."""

    def __init__(self) -> None:
        self.files: Files | None = None
        self._cache: dict[str, str | None] = {}

    def use(self, files: Files) -> None:
        self.files = files
        self._cache = {}

    def html(self, entry: Entry) -> str | None:
        if entry.path not in self._cache:
            self._cache[entry.path] = self._render(entry)
        return self._cache[entry.path]

    def _render(self, entry: Entry) -> str | None:
        file = self.files.get_file_from_path(entry.path) if self.files is not None else None
        if file is None or file.abs_src_path is None:
            return None
        try:
            meta, body = read_article(Path(file.abs_src_path))
        except FrontMatterError as exc:
            log.warning("feed: %s", exc)
            return None
        out: str = cmarkgfm.markdown_to_html(body_markdown(body, bool(meta.summary))).strip()
        lang = entry.language
        if meta.credits:
            out += f"\n<p>{html.escape('; '.join(meta.credits))}</p>"  # "Image Source: …" already
        when = when_text(entry.when if entry.timed else entry.day, lang)
        source = html.escape(f"{entry.site_name}, {when}" if entry.site_name else when)
        url = http_address(entry.url)
        linked = f'<a href="{html.escape(url, quote=True)}">{source}</a>' if url else source
        out += f"\n<p>{html.escape(labelled(lang, 'source', ''))}{linked}</p>"
        return out
