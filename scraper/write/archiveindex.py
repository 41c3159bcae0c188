"""What the archive already holds, read back from its pages: the index a run checks every
article against before writing it.

Reading 50,000 pages' front matter takes half a minute, and a nightly run writes about 50:
the scan keeps what it read in a cache beside the pages, and a run pays for what changed.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from scraper.dates import iso
from scraper.errors import FrontMatterError, SkipArticle, StoreError
from scraper.frontmatter import MAX_FRONT_MATTER, ArticleMeta, read_meta, read_page, validate_meta
from scraper.models import Article
from scraper.urls import normalize_url
from scraper.write.store import ARTICLES_DIR, atomic_write

CACHE_FILE = ".archive-cache.json"  # in docs/articles, ignored by MkDocs (a dot-file) and by git
_CACHE_FORMAT = 2
# A page is taken from the cache by its (mtime, ctime, size) only if its ctime was this much
# older than the scan that stored it: a write in the same tick of the file system's clock
# keeps all three, so a page changed just then is checked by its content instead (git's
# "racily clean" entries). Two seconds cover the coarsest clocks (FAT's).
_SETTLED_NS = 2_000_000_000
# read_meta reads no further than this: a page's front matter is decided by its first bytes
_META_BYTES = MAX_FRONT_MATTER * 4 + 64 + 1


@dataclass(frozen=True)
class StoredArticle:
    """What a run needs of a stored page: its identity, its addresses, when its source changed."""

    key: str
    title: str
    site: str = ""
    published: str | None = None
    url: str | None = None
    aliases: tuple[str, ...] = ()
    source_updated: datetime | None = None

    @classmethod
    def of(cls, meta: ArticleMeta | StoredArticle) -> StoredArticle:
        if isinstance(meta, StoredArticle):
            return meta
        return cls(**{f.name: getattr(meta, f.name) for f in fields(cls)})

    def as_json(self) -> dict[str, Any]:
        """As front matter again, to be checked by the same reader on the way back in."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out["id" if f.name == "key" else f.name] = (
                value.isoformat() if isinstance(value, datetime) else
                list(value) if isinstance(value, tuple) else value)
        return out


@dataclass
class ArchiveScan:
    """The article pages as read: good ones with what a run needs of them, and broken ones."""

    pages: list[tuple[Path, StoredArticle]] = field(default_factory=list)
    broken: dict[Path, str] = field(default_factory=dict)  # page → one-line problem
    parsed: int = 0  # pages whose front matter was parsed, not taken from the cache


def _content_digest(path: Path) -> str | None:
    """A digest of everything read_meta would read of the page; None if it cannot be read
    (read_meta then says why). Never follows a link, never blocks on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return None
            return hashlib.blake2b(fh.read(_META_BYTES), digest_size=20).hexdigest()
        except OSError:
            return None


def _checked(identity: Any, name: str) -> StoredArticle | None:
    """A cached entry through the reader's own checks: a damaged or forged one is never
    trusted further than a page saying the same would be."""
    try:
        return StoredArticle.of(validate_meta(identity, name))
    except FrontMatterError:
        return None


def _load_cache(path: Path) -> tuple[dict[str, Any], int]:
    """(the cached pages by file name, when the scan that wrote them started); empty if unusable."""
    try:  # read_page: never through a link, never blocking on a FIFO or reading a device
        data = json.loads(read_page(path))
    except (FrontMatterError, ValueError, RecursionError):
        return {}, 0
    if not (isinstance(data, dict) and data.get("format") == _CACHE_FORMAT
            and isinstance(data.get("pages"), dict) and type(data.get("scanned_ns")) is int):
        return {}, 0
    return data["pages"], data["scanned_ns"]


def _well_formed(hit: Any) -> bool:
    return (isinstance(hit, list) and len(hit) == 5 and all(type(n) is int for n in hit[:3])
            and isinstance(hit[3], str))


def _from_cache(hit: list[Any] | None, stamp: list[int], settled_before: int,
                path: Path) -> tuple[StoredArticle | None, str | None, bool]:
    """(the page's cached front matter if it is still the page's, its content digest,
    whether the page was read for it).

    The stamp alone is trusted only for a page last changed well before the scan that
    cached it; otherwise, and for new file times, the content's digest decides.
    """
    if hit is not None and hit[:3] == stamp and stamp[1] < settled_before:
        meta = _checked(hit[4], str(path))
        if meta is not None:
            return meta, hit[3], False
    digest = _content_digest(path)
    if hit is not None and digest is not None and hit[3] == digest:
        return _checked(hit[4], str(path)), digest, True
    return None, digest, True


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """The scan makes a dozen objects a page and no cycles: the cyclic collector's passes
    over the growing heap would cost a third of a scan that the cache serves."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def scan_archive(docs: Path, clock: Callable[[], int] = time.time_ns) -> ArchiveScan:
    """Every article page under docs/articles with its checked front matter.

    A page that cannot be read or fails the checks is listed in `broken`, never fatal: any
    single page can be wrong without stopping a run. Symbolic links are never followed.
    What was read of each page is cached beside them (CACHE_FILE), under the page's
    (mtime, ctime, size) and a digest of its content: a page whose file is unchanged costs
    a stat, one with new times but the same content (a fresh checkout) a read and a hash,
    and only a new or changed page is parsed. Cached entries pass the reader's checks again.
    `clock` gives the time in nanoseconds, as file times are.
    """
    folder = docs / ARTICLES_DIR
    if folder.is_symlink() or not folder.is_dir():
        return ArchiveScan()
    with _no_cycle_collection():
        return _scan(folder, clock)


def _scan(folder: Path, clock: Callable[[], int]) -> ArchiveScan:
    scan = ArchiveScan()
    cache_path = folder / CACHE_FILE
    cache, cached_at = _load_cache(cache_path)
    scanned_ns = clock()
    fresh: dict[str, Any] = {}
    hashed = 0  # pages read for their digest: written down again, their stamps count next time
    with os.scandir(folder) as entries:
        found = sorted((e for e in entries if e.name.endswith(".md") and not e.name.startswith(".")),
                       key=lambda e: e.name)
    for entry in found:
        path = Path(entry.path)
        try:
            entry.name.encode("utf-8")
            if entry.is_symlink():
                raise FrontMatterError(f"{path}: is a symbolic link, which is not followed")
            if not entry.is_file(follow_symlinks=False):
                raise FrontMatterError(f"{path}: not a regular file")
            info = entry.stat(follow_symlinks=False)
            stamp = [info.st_mtime_ns, info.st_ctime_ns, info.st_size]
            hit: Any = cache.get(entry.name)
            hit = hit if _well_formed(hit) else None
            meta, digest, was_read = _from_cache(hit, stamp, cached_at - _SETTLED_NS, path)
            hashed += was_read
            if meta is None:
                scan.parsed += 1
                meta = StoredArticle.of(read_meta(path))
                identity = meta.as_json()
            else:  # as cached: it passed the checks, and an unchanged cache then compares equal
                identity = hit[4]
        except UnicodeEncodeError:
            scan.broken[path] = f"{ascii(entry.path)}: the file name is not UTF-8"
            continue
        except FrontMatterError as exc:
            scan.broken[path] = str(exc)
            continue
        except OSError as exc:
            scan.broken[path] = f"{path}: cannot read: {exc.strerror or exc}"
            continue
        if digest is not None:  # a page read_meta could read but this could not: never cached
            fresh[entry.name] = [*stamp, digest, identity]
        scan.pages.append((path, meta))
    if hashed or fresh != cache:
        if cache_path.is_dir() and not cache_path.is_symlink():  # not ours: a file goes in its place
            shutil.rmtree(cache_path, ignore_errors=True)
        with contextlib.suppress(StoreError):  # only a cache: the next scan reads the pages
            atomic_write(cache_path, json.dumps(
                {"format": _CACHE_FORMAT, "scanned_ns": scanned_ns, "pages": fresh},
                ensure_ascii=False))
    return scan


def _same_headline(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def fingerprint(site: Any, title: Any, published: Any) -> str | None:
    """Site, headline and day: the same article saved with and without its address."""
    if not (isinstance(title, str) and title.strip() and published):
        return None
    return f"{site}|{' '.join(title.casefold().split())}|{str(published)[:10]}"


def key_strength(key: str) -> int:
    """A site's own id beats an address, which beats a title."""
    return 1 if key.startswith("title:") else 2 if key.startswith("url:") else 3


class ArchiveIndex:
    """What the archive already holds: by identity key, by every address seen, by fingerprint."""

    def __init__(self, scan: ArchiveScan) -> None:
        self.by_key: dict[str, StoredArticle] = {}
        self.by_url: dict[str, str] = {}
        self.paths: dict[str, Path] = {}
        self.fingerprints: dict[str, str] = {}
        self.broken = dict(scan.broken)
        self.scanned = {"pages": len(scan.pages) + len(scan.broken), "parsed": scan.parsed}
        self.warnings = list(scan.broken.values())  # one line each, for the user
        for path, meta in scan.pages:
            if meta.key in self.paths:  # a copied page: the first keeps the article's updates
                self.warnings.append(f"{path}: front matter: key 'id': {meta.key!r} is also the "
                                     f"id of {self.paths[meta.key]}, which alone is updated")
                continue
            self.add(meta, path)

    def add(self, meta: ArticleMeta | StoredArticle, path: Path | None = None) -> None:
        key = meta.key
        self.by_key[key] = StoredArticle.of(meta)
        if path is not None:
            self.paths[key] = path
        for url in (meta.url, *meta.aliases):
            if url:
                self.by_url.setdefault(normalize_url(url), key)
        mark = fingerprint(meta.site, meta.title, meta.published)
        if mark:
            self.fingerprints[mark] = key

    def find(self, url: str, key: str | None = None) -> StoredArticle | None:
        if key and key in self.by_key:
            return self.by_key[key]
        found = self.by_url.get(normalize_url(url))
        return self.by_key.get(found) if found else None

    def broken_page(self, name: str | None) -> str | None:
        """The problem of a broken page under this file name (or a numbered one), if any."""
        for path, problem in self.broken.items() if name else ():
            stem = path.stem
            if stem == name or (stem.startswith(f"{name}-") and stem[len(f"{name}-"):].isdigit()):
                return problem
        return None

    def check_claim(self, article: Article, meta: ArticleMeta) -> None:
        """Refuse a different text claiming an address a stored article holds.

        A site's own id is trusted (the site says it is that article); an address alone is
        not: a page can name any address as its canonical link.
        """
        stored_key: str | None = article.key
        if article.key not in self.by_key:
            stored_key = self.by_url.get(normalize_url(meta.url)) if meta.url else None
        stored = self.by_key.get(stored_key) if stored_key else None
        if stored is None or (stored_key == article.key and (
                key_strength(article.key) == 3 or _same_headline(stored.title, meta.title))):
            return
        where = self.paths.get(stored.key)
        raise SkipArticle(f"{meta.url or article.key}: already the address of "
                          f"{where or stored.key} ({stored.title!r}), a different article; "
                          "the stored one is kept")

    def page_of(self, article: Article) -> tuple[Path | None, bool]:
        """(the page this article belongs in, whether a better copy already holds it)."""
        if article.key in self.paths:
            return self.paths[article.key], False
        mark = fingerprint(article.site, article.title, iso(article.published))
        other = self.fingerprints.get(mark) if mark else None
        # Only a copy saved without any address is matched by its headline and day: two
        # articles with their own ids or addresses are two articles, whatever their titles.
        if other is None or other not in self.paths or min(
                key_strength(other), key_strength(article.key)) > 1:
            return None, False
        return self.paths[other], key_strength(other) > key_strength(article.key)
