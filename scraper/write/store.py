"""Where article pages live under docs/, and writing them safely.

Names come from the site's article id where there is one, else from the title plus a hash
of the article's identity, so they are stable across runs and never collide by accident.
A page is replaced atomically: a reader or a killed run never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scraper.errors import FrontMatterError, StoreError
from scraper.frontmatter import parse_front_matter, read_meta, validate_meta
from scraper.models import Article

if TYPE_CHECKING:
    from scraper.write.archiveindex import ArchiveIndex

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
        # Only a regular file is read: a FIFO put in a page's place would block the run.
        if not path.is_symlink() and path.is_file() and path.read_bytes() == data:
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
