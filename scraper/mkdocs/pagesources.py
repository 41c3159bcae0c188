"""Which cached page a page's source gives, so that the build can skip its Markdown.

The page cache (pagecache.py) keys a page on what its template reads, which is only known
once the page is rendered: every page of the archive still went through MkDocs' YAML,
cmark, the "Related" links and link checks, about 2 ms a page and most of a nightly build.
This index keys a page before any of that, on its source: the page's bytes (an article) or
Markdown (a generated page), and for an article the links the plugin adds (`fingerprint`
from articlepages.py), under a salt of everything else (the page cache's salt).

A record holds what MkDocs would learn from rendering the page: its title, its anchors,
the links it makes to other pages' anchors (MkDocs checks them at the end of the build) and
which docs paths its links looked up, found or not. A record is used only while every one of
those paths is still found or still missing, and only for a page whose links all resolved
(a page with a broken link renders again and warns again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any, NamedTuple

from scraper.mkdocs.cachefile import load_json, remove, replace_file

log = logging.getLogger("mkdocs.plugins.scraper")

PAGE_KEY = re.compile(r"[0-9a-f]{64}")  # a sha256 in hex, as PageCache.key makes it


class SourceRecord(NamedTuple):
    page_key: str  # of the page cache: its rendered HTML
    size: int  # of that file: a file of another size is not the page recorded
    title: str
    anchors: list[str]
    anchor_links: dict[str, dict[str, str]]  # target src_uri -> {anchor: link}, as MkDocs checks them
    lookups: dict[str, bool]  # docs path -> found

    def as_json(self) -> list[Any]:
        return [self.page_key, self.size, self.title, self.anchors, self.anchor_links, self.lookups]

    @classmethod
    def from_json(cls, row: Any) -> SourceRecord | None:
        """None for a row not of the shape we write (a damaged index)."""
        if not (isinstance(row, list) and len(row) == 6):
            return None
        page_key, size, title, anchors, links, lookups = row
        # The key names the cached page's file: anything but a page key (a path, "../x")
        # would read, or delete as damaged, a file outside the cache.
        ok = (isinstance(page_key, str) and PAGE_KEY.fullmatch(page_key) is not None
              and type(size) is int and size >= 0 and isinstance(title, str)
              and isinstance(anchors, list)
              and all(isinstance(a, str) for a in anchors) and isinstance(links, dict)
              and all(isinstance(d, dict) and all(isinstance(k, str) and isinstance(v, str)
                                                  for k, v in d.items()) for d in links.values())
              and isinstance(lookups, dict) and all(isinstance(v, bool) for v in lookups.values()))
        return cls(page_key, size, title, anchors, links, lookups) if ok else None


class SourceIndex:
    """`folder`/sources-<salt>.json: {source key: record}, one file per salt."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.salt = ""
        self._stored: dict[str, Any] = {}
        self._now: dict[str, list[Any]] = {}

    def _file(self) -> Path:
        return self.folder / f"sources-{self.salt[:24]}.json"

    def load(self, salt: str) -> None:
        self.salt = salt
        self._now = {}
        data = load_json(self._file())
        self._stored = data if isinstance(data, dict) else {}

    def key(self, src_uri: str, fingerprint: str) -> str:
        h = hashlib.sha256(f"{self.salt}\0{src_uri}\0".encode())
        h.update(fingerprint.encode())
        return h.hexdigest()

    def find(self, key: str) -> SourceRecord | None:
        return SourceRecord.from_json(self._stored.get(key))

    def put(self, key: str, record: SourceRecord) -> None:
        self._now[key] = record.as_json()

    def save(self, whole: bool) -> None:
        """`whole`: this build saw every page, so the records it did not use go (and the index
        files of other salts); a dirty or `serve` build adds to what is there."""
        records = self._now if whole else {**self._stored, **self._now}
        if records == self._stored and self._file().is_file():
            return
        path = self._file()
        try:
            replace_file(path, json.dumps(records, ensure_ascii=False).encode("utf-8"))
        except OSError:  # the page cache has logged that it cannot write there
            return
        self._stored = records
        if whole:
            for other in self.folder.glob("sources-*.json"):
                if other != path:
                    remove(other)
