"""Where article pages live under docs/, and writing them safely.

Names come from the site's article id where there is one, else from the title plus a hash
of the article's identity, so they are stable across runs and never collide by accident.
A page is replaced atomically: a reader or a killed run never sees half a file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from scraper.dates import iso
from scraper.errors import StoreError
from scraper.models import Article
from scraper.urls import normalize_url

ARTICLES_DIR = "articles"
MAX_SLUG = 80
_SAFE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _ascii_words(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", folded.lower()))


def slug_for(article: Article) -> str:
    """A file-name-safe, length-capped, stable name: never empty, never '..' or '/'."""
    site = _ascii_words(article.site) or "article"
    if article.article_id and (ident := _ascii_words(article.article_id)):
        slug = f"{site}-{ident}"[:MAX_SLUG].strip("-")
    else:
        digest = hashlib.sha1(article.key.encode("utf-8")).hexdigest()[:10]
        words = _ascii_words(article.title)[: MAX_SLUG - len(digest) - 1].strip("-")
        slug = f"{words}-{digest}" if words else f"{site}-{digest}"
    if not _SAFE.match(slug):  # cannot happen with the rules above; refuse rather than guess
        raise StoreError(f"unsafe file name {slug!r} for {article.source}")
    return slug


def read_front_matter(path: Path) -> dict[str, Any]:
    """The YAML front matter of a page written by `write_article`, or {}."""
    try:
        with path.open(encoding="utf-8") as fh:
            if fh.readline().rstrip("\n") != "---":
                return {}
            lines = []
            for line in fh:
                if line.rstrip("\n") == "---":
                    break
                lines.append(line)
    except (OSError, UnicodeDecodeError):
        return {}
    try:
        data = yaml.load("".join(lines), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def atomic_write(path: Path, text: str) -> bool:
    """Write `text` to `path` via a temporary file and rename; False if it was unchanged."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".md")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def article_path(docs: Path, article: Article) -> Path:
    """The page of this article: its own if it exists, else a free name (suffix on collision)."""
    folder = docs / ARTICLES_DIR
    base = slug_for(article)
    for n in range(1, 1000):
        path = folder / (f"{base}.md" if n == 1 else f"{base}-{n}.md")
        if not path.exists() or read_front_matter(path).get("id") == article.key:
            return path
    raise StoreError(f"{article.source}: 999 other articles already use the name {base}")


def write_article(docs: Path, article: Article, page: str, index: ArchiveIndex | None = None,
                  meta: dict[str, Any] | None = None) -> tuple[Path, str]:
    """Write the page; returns its path and "new", "updated" or "unchanged".

    With an index, a copy of an article already held under a stronger identity (a page
    saved without its address, say) leaves the archive alone, and a stronger copy of a
    weaker page updates that page in place, keeping its published address. `meta`, the
    page's front matter, is what the index learns (as a later scan would read it).
    """
    path, held_better = index.page_of(article) if index else (None, False)
    if held_better and path is not None:
        return path, "unchanged"
    path = path or article_path(docs, article)
    existed = path.exists()
    changed = atomic_write(path, page)
    if index is not None:
        index.add(article.key, meta if meta is not None else read_front_matter(path), path)
    return path, ("updated" if existed else "new") if changed else "unchanged"


CACHE_FILE = ".archive-cache.json"  # in docs/, ignored by MkDocs (a dot-file) and by git
CACHED_KEYS = ("id", "url", "aliases", "site", "site_name", "title", "published", "date",
               "source_updated", "topics", "summary", "authors", "language")
_WHEN_KEYS = ("date", "source_updated")


def _to_cache(meta: dict[str, Any]) -> dict[str, Any]:
    out = {k: meta[k] for k in CACHED_KEYS if k in meta}
    for k in _WHEN_KEYS:
        if isinstance(out.get(k), date):
            out[k] = {"iso": out[k].isoformat()}
    return out


def _from_cache(meta: dict[str, Any]) -> dict[str, Any]:
    out = dict(meta)
    for k in _WHEN_KEYS:
        value = out.get(k)
        if isinstance(value, dict) and isinstance(value.get("iso"), str):
            text = value["iso"]
            out[k] = datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    return out


def scan_archive(docs: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every article page under docs/articles with the front matter the pipeline uses.

    Pages unchanged since the last scan (same size and modification time) come from a cache
    beside them, so a run over a large archive reads only what changed.
    """
    folder = docs / ARTICLES_DIR
    if not folder.is_dir():
        return []
    cache_path = folder / CACHE_FILE
    try:
        cache = json.loads(cache_path.read_text(encoding="utf-8"))
        if not isinstance(cache, dict):
            cache = {}
    except (OSError, ValueError):
        cache = {}
    fresh: dict[str, Any] = {}
    out = []
    with os.scandir(folder) as entries:
        files = sorted((e.name, e.stat()) for e in entries
                       if e.name.endswith(".md") and not e.name.startswith(".") and e.is_file())
    for name, stat in files:
        stamp = [stat.st_mtime_ns, stat.st_size]
        hit = cache.get(name)
        if isinstance(hit, list) and len(hit) == 2 and hit[0] == stamp and isinstance(hit[1], dict):
            meta = _from_cache(hit[1])
            fresh[name] = hit
        else:
            meta = read_front_matter(folder / name)
            fresh[name] = [stamp, _to_cache(meta)]
        out.append((folder / name, meta))
    if fresh != cache:
        atomic_write(cache_path, json.dumps(fresh, ensure_ascii=False, default=str))
    return out


def remove_temp_files(docs: Path) -> int:
    """Delete half-written temporary files a killed run left behind."""
    removed = 0
    for path in docs.rglob(".tmp-*"):
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

    def __init__(self, pages: list[tuple[Path, dict[str, Any]]]) -> None:
        self.by_key: dict[str, dict[str, Any]] = {}
        self.by_url: dict[str, str] = {}
        self.paths: dict[str, Path] = {}
        self.fingerprints: dict[str, str] = {}
        for path, meta in pages:
            key = meta.get("id")
            if isinstance(key, str):
                self.add(key, meta, path)

    def add(self, key: str, meta: dict[str, Any], path: Path | None = None) -> None:
        self.by_key[key] = meta
        if path is not None:
            self.paths[key] = path
        urls = [meta.get("url")] + list(meta.get("aliases") or [])
        for url in urls:
            if isinstance(url, str) and url:
                self.by_url[normalize_url(url)] = key
        mark = fingerprint(meta.get("site"), meta.get("title"), meta.get("published"))
        if mark:
            self.fingerprints[mark] = key

    def find(self, url: str, key: str | None = None) -> dict[str, Any] | None:
        if key and key in self.by_key:
            return self.by_key[key]
        found = self.by_url.get(normalize_url(url))
        return self.by_key.get(found) if found else None

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
