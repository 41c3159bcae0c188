"""The navigation tab of the section a generated page belongs to, shown as the current one.

Digests, topic, month and company pages are not in the navigation (listing them all would
repeat the archive on every page), so no tab would be highlighted on them. While such a page
is rendered, its section's index page is marked active (`Page.active`, which MkDocs also sets
on the parents of the current page), and unmarked when the page is done.
"""

from __future__ import annotations

from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

SECTIONS = {"digest/": "digest/index.md", "topics/": "topics/index.md",
            "archive/": "archive/index.md", "companies/": "companies/index.md"}


class SectionTabs:
    def __init__(self) -> None:
        self._marked: Page | None = None

    def mark(self, page: Page, nav: Navigation) -> None:
        src = page.file.src_uri
        index = next((i for prefix, i in SECTIONS.items() if src.startswith(prefix)), None)
        if index is None or index == src:
            return
        section = next((p for p in nav.pages if p.file.src_uri == index), None)
        if section is not None and not section.active:
            section.active = True
            self._marked = section

    def unmark(self) -> None:
        if self._marked is not None:
            self._marked.active = False
            self._marked = None
