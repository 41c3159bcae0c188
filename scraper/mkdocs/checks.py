"""Checks of what pages carry into the theme."""

from __future__ import annotations

from mkdocs.structure.pages import Page

from scraper.mdtext import escape_printed_meta


class PageTitles:
    """Makes every page's printed front matter (title, description, author) safe to print:
    the theme puts it unescaped into <title>, the header and the navigation, and article
    titles come from pages we do not control (hand edits may give them any YAML type)."""

    def sanitise(self, page: Page) -> None:
        if isinstance(page.meta, dict):
            escape_printed_meta(page.meta)
