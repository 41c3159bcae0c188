"""The site's search: every article page in a Pagefind index of parts (searchparts.py),
whatever the build skipped; the parts whose articles did not change come from the cache.

The flow of one build:
- on_files (`plan`): the parts, and which of them the cache lacks ("stale");
- on_page_content (`add`): the record of each article of a stale part goes to a spool file
  of its part; a part whose last article is spooled is handed to the indexer;
- on_env (`start_writing`): the articles a dirty build did not render are spooled from their
  source, and every stale part is handed over. The indexer thread runs one Pagefind process
  per part, one part at a time, while the theme renders the pages;
- on_post_build (`finish`): waits for the indexer, copies every part into site/pagefind/.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.utils import meta as page_meta

import scraper.mkdocs.searchindex
import scraper.searchtext
from scraper.mkdocs.archive import file_digest, is_article
from scraper.mkdocs.entries import Entry
from scraper.mkdocs.lean import drop_unused_pagefind_files
from scraper.mkdocs.pagehtml import page_html
from scraper.mkdocs.searchindex import SearchIndex, SearchIndexError
from scraper.mkdocs.searchparts import Member, Part, PartCache, place, plan, salt
from scraper.searchtext import record, sort_stamp

log = logging.getLogger("mkdocs.plugins.scraper")

# The code that makes a part's records: a change to it makes every part new.
RECORD_CODE = (Path(scraper.searchtext.__file__), Path(scraper.mkdocs.searchindex.__file__))


@contextmanager
def _failure_stops_the_build() -> Iterator[None]:
    try:
        yield
    except (OSError, SearchIndexError) as exc:
        raise PluginError(f"Search index: {exc}") from exc


class SiteSearch:
    """Feeds the articles of the parts the cache lacks to Pagefind, part by part, and puts
    every part into the site."""

    def __init__(self, options: dict[str, Any], part_size: int, cache_dir: Path) -> None:
        self.options = options
        self.part_size = part_size
        self.cache_dir = cache_dir
        self.cache = PartCache(cache_dir)
        self._scratch: Path | None = None  # the cache of this build only, when cache_dir is unwritable
        self._reset()

    def _writable_cache(self) -> PartCache:
        """The cache in cache_dir; a temporary one (this build's only) where it cannot be
        written: the cache saves time, the index does not depend on it."""
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            probe = self.cache_dir / f".probe-{os.getpid()}"
            probe.write_bytes(b"")
            probe.unlink()
            return PartCache(self.cache_dir)
        except OSError as exc:
            self._scratch = Path(tempfile.mkdtemp(prefix="scraper-parts-"))
            log.info("Search index: cannot write into %s (%s); its parts are not kept for the next "
                     "build", self.cache_dir, exc.strerror or exc)
            return PartCache(self._scratch)

    def _reset(self) -> None:
        self.parts: list[Part] = []
        self._part_of: dict[str, Part] = {}
        self._titles: dict[str, str] = {}  # url -> the title as the article's front matter says
        self._stale: dict[str, Part] = {}  # by name
        self._left: dict[str, int] = {}  # articles of a stale part not spooled yet
        self._spooled: set[str] = set()  # urls
        self._spool_dir: Path | None = None
        self._spools: dict[str, TextIO] = {}
        self._queue: queue.Queue[Part | None] = queue.Queue()
        self._handed: set[str] = set()
        self._indexer: threading.Thread | None = None
        self._index: SearchIndex | None = None
        self._failures: list[str] = []
        self._cancelled = False

    def start(self) -> None:
        self.close()
        self._reset()

    def plan(self, files: Files, entries: Sequence[Entry], digests: Mapping[str, str]) -> None:
        """Cut the articles into parts (date order) and find the parts the cache has.
        `digests`: of the article pages' bytes, as the archive read them."""
        self.cache = self._writable_cache()
        stamps = {e.path: sort_stamp(e.when) for e in entries}
        titles = {e.path: e.title for e in entries}
        members = []
        with _failure_stops_the_build():
            for file in files.documentation_pages():
                # Only the articles the archive took: a page whose front matter it refused
                # (named in a warning) is in no listing, and its meta is anyone's guess.
                if is_article(file.src_uri) and file.src_uri in stamps:
                    members.append(Member(stamps[file.src_uri], "/" + file.url,
                                          digests.get(file.src_uri) or file_digest(file.content_bytes)))
                    self._titles["/" + file.url] = titles[file.src_uri]
            salted = salt(self.options, self.part_size, RECORD_CODE)
        self.parts = plan(members, self.part_size, salted)
        self._part_of = {url: p for p in self.parts for url in p.urls}
        self._stale = {p.name: p for p in self.parts if self.cache.get(p.key) is None}
        self._left = {name: len(p.urls) for name, p in self._stale.items()}
        if self._stale:
            self._spool_dir = Path(tempfile.mkdtemp(prefix="scraper-search-"))
            self._indexer = threading.Thread(target=self._index_parts, daemon=True)
            self._indexer.start()

    def unindexed_urls(self) -> set[str]:
        """The articles of the parts this build indexes (after `plan`)."""
        return {url for part in self._stale.values() for url in part.urls}

    def add(self, page: Page, content: str) -> None:
        if not is_article(page.file.src_uri) or not page.meta.get("id"):
            return
        self._spool("/" + page.url, content, page.meta)

    def _spool(self, url: str, content: str, meta: Mapping[str, Any]) -> None:
        part = self._part_of.get(url)
        if part is None or part.name not in self._stale or url in self._spooled:
            return
        assert self._spool_dir is not None
        with _failure_stops_the_build():
            spool = self._spools.get(part.name)
            if spool is None:
                spool = self._spools[part.name] = (self._spool_dir / f"{part.name}.jsonl").open(
                    "w", encoding="utf-8")
            # The page's own title is escaped for the theme by now (checks.py); the search box
            # prints the record's title as text.
            meta = {**meta, "title": self._titles[url]}
            spool.write(json.dumps(record(url, content, meta, part.name), ensure_ascii=False) + "\n")
        self._spooled.add(url)
        self._left[part.name] -= 1
        if self._left[part.name] == 0:
            self._hand_over(part)

    def add_unrendered(self, files: Files) -> None:
        """The articles of stale parts MkDocs did not render (`--dirty` skips unchanged pages)."""
        for file in files.documentation_pages():
            url = "/" + file.url
            part = self._part_of.get(url)
            if part is None or part.name not in self._stale or url in self._spooled:
                continue
            if file.page is not None and file.page.content is not None:
                continue  # rendered, and not an article with an id
            markdown, meta = page_meta.get_data(file.content_string)
            if meta.get("id"):
                self._spool(url, page_html(markdown, file, files).content, meta)

    def _hand_over(self, part: Part) -> None:
        spool = self._spools.pop(part.name, None)
        if spool is not None:
            spool.close()
        self._handed.add(part.name)
        self._queue.put(part)

    def start_writing(self) -> None:
        """Every article is spooled: the indexer gets the parts still open (articles without
        an id never come) and ends after the last."""
        for name, part in self._stale.items():
            if name not in self._handed:
                self._hand_over(part)
        self._queue.put(None)

    def _index_parts(self) -> None:
        while (part := self._queue.get()) is not None:
            if self._cancelled:
                continue
            try:
                self._index_part(part)
            except (OSError, SearchIndexError) as exc:
                self._failures.append(f"{part.name}: {exc}")

    def _index_part(self, part: Part) -> None:
        assert self._spool_dir is not None
        spool = self._spool_dir / f"{part.name}.jsonl"
        tmp = self.cache.writing(part.key)
        index = self._index = SearchIndex(self.options)
        try:
            if spool.is_file():
                with spool.open(encoding="utf-8") as lines:
                    for line in lines:
                        index.add_record(json.loads(line))
                spool.unlink()
            index.start_writing(tmp)
            index.finish()
        finally:
            index.close()
            self._index = None
        drop_unused_pagefind_files(tmp)
        self.cache.commit(part.key, tmp)

    def finish(self, site_dir: str) -> None:
        indexer, self._indexer = self._indexer, None
        if indexer is not None:
            indexer.join()
        self._remove_spool()
        if self._failures:
            more = f" (and {len(self._failures) - 3} more)" if len(self._failures) > 3 else ""
            raise PluginError("Search index: " + "; ".join(self._failures[:3]) + more)
        with _failure_stops_the_build():
            place(self.parts, self.cache, Path(site_dir) / "pagefind")
            self.cache.prune({p.key for p in self.parts})
        articles = sum(len(p.urls) for p in self.parts)
        log.info("Search index: %d articles; parts indexed now: %d, from the cache: %d (%s)",
                 articles, len(self._stale), len(self.parts) - len(self._stale), self.cache.folder)
        self._drop_scratch()

    def _drop_scratch(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def close(self) -> None:
        """Stop indexing (a failed build): the part being written is abandoned."""
        self._cancelled = True
        if self._indexer is not None:
            self._queue.put(None)
            if self._index is not None:
                self._index.close()
            self._indexer.join(timeout=30)
            self._indexer = None
        self._remove_spool()
        self._drop_scratch()  # after the indexer: it may be writing a part there

    def _remove_spool(self) -> None:
        for spool in self._spools.values():
            with contextlib.suppress(OSError):
                spool.close()
        self._spools = {}
        if self._spool_dir is not None:
            shutil.rmtree(self._spool_dir, ignore_errors=True)
            self._spool_dir = None
