"""The articles as the build finds them: each page read once, its front matter checked."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from mkdocs.structure.files import File, Files

from scraper.companies import Companies
from scraper.errors import FrontMatterError
from scraper.frontmatter import ArticleMeta, UnreadablePage, parse_article, read_page
from scraper.mkdocs.entries import Entry
from scraper.mkdocs.entrycache import EntryCache

log = logging.getLogger("mkdocs.plugins.scraper")

ARTICLES = "articles/"

ReadPage = Callable[[Path], bytes]
ParsePage = Callable[[bytes, Path], tuple[ArticleMeta, str]]  # its front matter and its body


def file_digest(data: bytes) -> str:
    """A page's bytes as the key of what is made of it (its entry, search part, rendered page)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def is_article(src_uri: str) -> bool:
    return src_uri.startswith(ARTICLES) and _not_an_article(src_uri) is None


def _not_an_article(src_uri: str) -> str | None:
    """Why a file in articles/ is not an article page (None: it is one). The listings link
    articles as articles/x.md, and only those pages are tracked: anything else there (a sub-
    folder's page, an .html file with a script, a copy of a draft) would be published as it is."""
    name = src_uri[len(ARTICLES):]
    if "/" in name:
        return "articles are pages directly in articles/, not in a sub-folder"
    if not name.endswith(".md"):
        return "not an article page (only *.md files of articles/ are published)"
    return None


class Archive:
    """Reads every article page once, into the entry listings are made of: its front matter
    and the companies its text names. A page that cannot be read, or whose front matter is
    invalid, is left out with a warning naming it (so --strict fails).

    `digests` (src_uri → digest of the page's bytes) keys the search index's parts and the
    rendered pages; with a `cache`, a page whose bytes it knows is not parsed again.

    `left_out`: the files in articles/ the site must not publish at all (a page that is not
    UTF-8, a symbolic link, a FIFO: MkDocs would crash, follow it, or block; a file that is
    not an article page), each named in one log line."""

    def __init__(self, companies: Companies, read: ReadPage = read_page,
                 cache: EntryCache | None = None, parse: ParsePage = parse_article) -> None:
        self.companies = companies
        self.read = read
        self.parse = parse
        self.cache = cache
        self.digests: dict[str, str] = {}
        self.left_out: list[File] = []

    def entries(self, files: Files, docs_dir: str) -> list[Entry]:
        found = []
        self.digests = {}
        self.left_out = []
        for file in files:
            # MkDocs' own exclusions (dot files, exclude_docs, drafts) are never published.
            if (not file.src_uri.startswith(ARTICLES) or file.abs_src_path is None
                    or not file.inclusion.is_included()):  # type: ignore[no-untyped-call]
                continue
            label = f"{Path(docs_dir).name}/{file.src_uri}"
            problem = _not_an_article(file.src_uri)
            if problem is not None:
                self.left_out.append(file)
                # An editor's backup copy (x.md~) is no mistake in the content.
                level = logging.INFO if file.src_uri.endswith("~") else logging.WARNING
                log.log(level, "%s: %s; left out of the site", label, problem)
                continue
            path = Path(file.abs_src_path)
            try:
                data = self.read(path)
                digest = file_digest(data)
                entry = self.cache.get(digest, file.src_uri) if self.cache is not None else None
                if entry is None:
                    entry = self._entry(file.src_uri, data, path)
                    if self.cache is not None:
                        self.cache.put(digest, entry)
            except FrontMatterError as exc:  # named as the user knows it: docs/articles/x.md
                log.warning("%s", str(exc).replace(file.abs_src_path, label, 1))
                if isinstance(exc, UnreadablePage):
                    self.left_out.append(file)
                continue
            self.digests[file.src_uri] = digest
            found.append(entry)
        if self.cache is not None:
            self.cache.save()
        return found

    def _entry(self, src_uri: str, data: bytes, path: Path) -> Entry:
        meta, body = self.parse(data, path)
        # The front matter's evidence names companies too; only the page's text counts.
        named = self.companies.mentioned(f"{meta.title}\n{meta.summary or ''}\n{body}")
        return Entry.from_front_matter(src_uri, meta, named)
