"""Where article pages live under docs/, and writing them safely.

Names come from the site's article id where there is one, else from the title plus a hash
of the article's identity, so they are stable across runs and never collide by accident.
A page is replaced atomically: a reader or a killed run never sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from scraper.dates import iso
from scraper.errors import FrontMatterError, SkipArticle, StoreError
from scraper.frontmatter import (
    MAX_FRONT_MATTER,
    ArticleMeta,
    parse_front_matter,
    read_meta,
    validate_meta,
)
from scraper.models import Article
from scraper.urls import normalize_url

ARTICLES_DIR = "articles"
MAX_SLUG = 80
_SAFE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _ascii_words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", folded.lower()))


def id_slug(site: str, article_id: str | None) -> str | None:
    """The name of the page of a site's own article id, or None without a usable id."""
    ident = _ascii_words(article_id or "")
    return f"{_ascii_words(site) or 'article'}-{ident}"[:MAX_SLUG].strip("-") if ident else None


def slug_for(article: Article) -> str:
    """A file-name-safe, length-capped, stable name: never empty, never '..' or '/'."""
    site = _ascii_words(article.site) or "article"
    if by_id := id_slug(article.site, article.article_id):
        slug = by_id
    else:
        digest = hashlib.sha1(article.key.encode("utf-8")).hexdigest()[:10]
        words = _ascii_words(article.title)[: MAX_SLUG - len(digest) - 1].strip("-")
        slug = f"{words}-{digest}" if words else f"{site}-{digest}"
    if not _SAFE.match(slug):  # cannot happen with the rules above; refuse rather than guess
        raise StoreError(f"unsafe file name {slug!r} for {article.source}")
    return slug


def atomic_write(path: Path, text: str) -> bool:
    """Write `text` to `path` via a temporary file and rename; False if it was unchanged.

    Never writes through a symbolic link: the rename replaces the link itself.
    """
    data = text.encode("utf-8")
    try:
        if not path.is_symlink() and path.read_bytes() == data:
            return False
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:
        raise StoreError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".md")
    except OSError as exc:
        raise StoreError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    try:
        # mkstemp makes the file 0600; a page is shared like any file an editor saves.
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise StoreError(f"{path}: cannot write: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it; set back at once
    os.umask(mask)
    return mask


def article_path(docs: Path, article: Article) -> Path:
    """The page of this article: its own if it exists, else a free name (suffix on collision).

    A page under one of these names that cannot be read stops the search: it may well be
    this article, hand-edited, and a second copy beside it would be published twice.
    """
    folder = docs / ARTICLES_DIR
    base = slug_for(article)
    for n in range(1, 1000):
        path = folder / (f"{base}.md" if n == 1 else f"{base}-{n}.md")
        if not os.path.lexists(path):
            return path
        try:
            if read_meta(path).key == article.key:
                return path
        except FrontMatterError as exc:
            raise StoreError(f"{exc}: left as it is, and {article.source} is not written beside "
                             "it; fix or delete that page") from exc
    raise StoreError(f"{article.source}: 999 other articles already use the name {base}")


def _same_headline(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def write_article(docs: Path, article: Article, page: str, index: ArchiveIndex | None = None,
                  meta: Mapping[str, Any] | None = None) -> tuple[Path, str]:
    """Write the page; returns its path and "new", "updated" or "unchanged".

    With an index, a copy of an article already held under a stronger identity (a page
    saved without its address, say) leaves the archive alone, and a stronger copy of a
    weaker page updates that page in place, keeping its published address; a different
    article claiming the address of a stored one is refused (SkipArticle). `meta`, the
    page's front matter, is checked as a later read would check it, before anything is
    written, and is what the index learns.
    """
    path, held_better = index.page_of(article) if index else (None, False)
    if held_better and path is not None:
        return path, "unchanged"
    path = path or article_path(docs, article)
    checked = (validate_meta(meta, str(path)) if meta is not None
               else parse_front_matter(page, str(path))[0])
    if index is not None:
        index.check_claim(article, checked)
    existed = os.path.lexists(path)
    changed = atomic_write(path, page)
    if index is not None:
        index.add(checked, path)
    return path, ("updated" if existed else "new") if changed else "unchanged"


CACHE_FILE = ".archive-cache.json"  # in docs/, ignored by MkDocs (a dot-file) and by git
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
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
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
    scan = ArchiveScan()
    if folder.is_symlink() or not folder.is_dir():
        return scan
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
        with contextlib.suppress(StoreError):  # only a cache: the next scan reads the pages
            atomic_write(cache_path, json.dumps(
                {"format": _CACHE_FORMAT, "scanned_ns": scanned_ns, "pages": fresh},
                ensure_ascii=False))
    return scan


def check_written_dirs(docs: Path, names: Iterable[str]) -> None:
    """Refuse a docs folder whose generated folders are not real folders inside it.

    A symbolic link there would have a run write into, and delete from, a folder outside
    the project.
    """
    if os.path.lexists(docs) and not docs.is_dir():
        raise StoreError(f"{docs}: the docs folder is not a folder")
    try:
        docs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{docs}: cannot make the docs folder: {exc.strerror or exc}") from exc
    root = docs.resolve()
    for name in names:
        folder = docs / name
        if folder.is_symlink():
            raise StoreError(f"{folder}: is a symbolic link; generated folders must be real "
                             "folders inside the docs folder")
        if os.path.lexists(folder) and not folder.is_dir():
            raise StoreError(f"{folder}: is not a folder; generated folders must be real "
                             "folders inside the docs folder")
        if os.path.lexists(folder) and folder.resolve().parent != root:
            raise StoreError(f"{folder}: is not inside {docs}")


def remove_temp_files(docs: Path, names: Iterable[str] = (ARTICLES_DIR,)) -> int:
    """Delete half-written temporary files a killed run left in docs/ and the folders named."""
    removed = 0
    for folder in (docs, *(docs / n for n in names)):
        if folder.is_symlink() or not folder.is_dir():
            continue
        for path in folder.glob(".tmp-*"):
            if path.is_symlink() or path.is_file():  # ours are files; leave anything else be
                path.unlink(missing_ok=True)
                removed += 1
    return removed


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
