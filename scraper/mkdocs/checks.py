"""Checks of what pages carry into the theme."""

from __future__ import annotations

import html

from mkdocs.structure.pages import Page


class PageTitles:
    """Makes every page's front-matter title safe to print: the theme puts it unescaped into
    <title>, the header and the navigation, and article titles come from pages we do not control."""

    def sanitise(self, page: Page) -> None:
        title = page.meta.get("title")
        if isinstance(title, str):
            page.meta["title"] = html.escape(title, quote=True)
