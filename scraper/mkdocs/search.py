"""The site's search: every article page in one Pagefind index, whatever the build skipped."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import meta as page_meta

from scraper.mkdocs.archive import is_article
from scraper.mkdocs.pagehtml import page_html
from scraper.mkdocs.searchindex import SearchIndex, SearchIndexError

log = logging.getLogger("mkdocs.plugins.scraper")


@contextmanager
def _failure_stops_the_build() -> Iterator[None]:
    try:
        yield
    except (OSError, SearchIndexError) as exc:
        raise PluginError(f"Search index: {exc}") from exc


class SiteSearch:
    """Feeds each article page to Pagefind as it is rendered, and at the end the articles a
    dirty build did not render (from their source), so the index always holds every article."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self._index: SearchIndex | None = None
        self._added: set[str] = set()

    def start(self) -> None:
        with _failure_stops_the_build():
            self._index = SearchIndex(self.options)
        self._added = set()

    def add(self, page: Page, content: str) -> None:
        if self._index is None or not is_article(page.file.src_uri) or not page.meta.get("id"):
            return
        with _failure_stops_the_build():
            # The article alone, as a record: the theme's chrome would only cost Pagefind time.
            self._index.add("/" + page.url, content, page.meta)
        self._added.add(page.file.src_uri)

    def add_unrendered(self, files: Files) -> None:
        """The articles MkDocs did not render in this build (`--dirty` skips unchanged pages)."""
        if self._index is None:
            return
        for file in files.documentation_pages():
            if not is_article(file.src_uri) or file.src_uri in self._added:
                continue
            if file.page is not None and file.page.content is not None:
                continue  # rendered, and not an article with an id
            markdown, meta = page_meta.get_data(file.content_string)
            if meta.get("id"):
                with _failure_stops_the_build():
                    self._index.add("/" + file.url, page_html(markdown, file, files).content, meta)
                self._added.add(file.src_uri)

    def start_writing(self, site_dir: str) -> None:
        if self._index is not None:
            self._index.start_writing(Path(site_dir) / "pagefind")

    def finish(self, site_dir: str) -> None:
        index, self._index = self._index, None
        if index is None:
            return
        with _failure_stops_the_build():
            index.finish()
        log.info("Search index: %d article pages in %s", index.pages, Path(site_dir) / "pagefind")

    def close(self) -> None:
        index, self._index = self._index, None
        if index is not None:
            index.close()
