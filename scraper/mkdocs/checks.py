"""Checks of what pages carry into the theme."""

from __future__ import annotations

from mkdocs.structure.pages import Page

from scraper.frontmatter import REFUSED_KEYS
from scraper.mdtext import escape_printed_meta
from scraper.mkdocs.archive import is_article


class PageTitles:
    """Makes every page's printed front matter (title, description, author) safe to print:
    the theme puts it unescaped into <title>, the header and the navigation, and article
    titles come from pages we do not control (hand edits may give them any YAML type)."""

    def sanitise(self, page: Page) -> None:
        if isinstance(page.meta, dict):
            escape_printed_meta(page.meta)
            if is_article(page.file.src_uri):
                # Refused with a warning (frontmatter.py), yet MkDocs renders the page: a
                # build without --strict must not use the template or redirect it chose.
                for key in REFUSED_KEYS:
                    page.meta.pop(key, None)
