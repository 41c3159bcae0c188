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
import os
import tempfile
from typing import BinaryIO

from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.plugins.scraper")


class ContentSpool:
    """One temporary file, appended to: a file per page cost an unlink each (0.3 ms here)."""

    def __init__(self) -> None:
        self._file: BinaryIO | None = None
        self._held: dict[str, tuple[int, int]] = {}  # page url -> (offset, length) in the file
        self._broken = False

    def start(self) -> None:
        self.close()
        self._broken = False

    def hold(self, page: Page, content: str) -> str:
        """on_page_content: "" in place of `content`, which waits in the file."""
        if self._broken:
            return content
        data = content.encode("utf-8")
        try:
            if self._file is None:
                # open across the build's events; close() ends it
                self._file = tempfile.TemporaryFile(prefix="scraper-pages-")  # noqa: SIM115
            offset = self._file.seek(0, os.SEEK_END)
            self._file.write(data)
        except OSError as exc:  # only saves memory: the build goes on holding contents
            log.info("Page contents stay in memory: cannot write a temporary file (%s)", exc.strerror or exc)
            self._broken = True
            return content
        self._held[page.url] = (offset, len(data))
        return ""

    def give_back(self, page: Page) -> bool:
        """on_page_context: the page's content again, for its template. True for a held page."""
        at = self._held.pop(page.url, None)
        if at is None or self._file is None:
            return False
        self._file.seek(at[0])
        page.content = self._file.read(at[1]).decode("utf-8")
        return True

    def close(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()  # a TemporaryFile has no name: closed, it is gone
        self._file = None
        self._held = {}
