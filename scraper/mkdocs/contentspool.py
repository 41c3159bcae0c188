"""Freshly rendered page contents wait on disk between their Markdown and their template.

MkDocs renders every page's Markdown before the first template, and keeps every page's HTML
until the build ends: at 10,000 articles that was 380 MB of a build whose Pagefind process
(about 0.5 MB a record of the part it writes) runs beside the templates. A page the page
cache takes from the cache already has no content until its template (pagecache.py); a page
rendered fresh gets the same: its HTML goes to a file in on_page_content, comes back in
on_page_context (the template reads `page.content` when it renders, after that event) and
goes again once the page is written. Other plugins' on_page_content handlers run before
(the plugin's handler is the last) and see the content.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from pathlib import Path

from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.scraper")


class ContentSpool:
    def __init__(self) -> None:
        self._folder: Path | None = None
        self._held: dict[str, Path] = {}  # page url -> its content's file
        self._broken = False

    def start(self) -> None:
        self.close()
        self._broken = False

    def hold(self, page: Page, content: str) -> str:
        """on_page_content: "" in place of `content`, which waits in a file."""
        if self._broken:
            return content
        try:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="scraper-pages-"))
            path = self._folder / f"{len(self._held)}.html"
            path.write_text(content, encoding="utf-8")
        except OSError as exc:  # only saves memory: the build goes on holding contents
            log.info("Page contents stay in memory: cannot write a temporary file (%s)", exc.strerror or exc)
            self._broken = True
            return content
        self._held[page.url] = path
        return ""

    def give_back(self, page: Page) -> bool:
        """on_page_context: the page's content again, for its template. True for a held page."""
        path = self._held.pop(page.url, None)
        if path is None:
            return False
        page.content = path.read_text(encoding="utf-8")
        path.unlink()
        return True

    def close(self) -> None:
        if self._folder is not None:
            with contextlib.suppress(OSError):
                shutil.rmtree(self._folder)
        self._folder = None
        self._held = {}
