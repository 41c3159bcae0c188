"""The search index in parts, and the cache of the parts that did not change.

Why parts. Pagefind holds a whole index in memory while it writes it, about 0.45 MB per
article (10,000 articles: 4.2 GB; 50,000 would not fit this machine). Articles are cut
into parts of `size` in date order, oldest first, and each part is its own Pagefind index,
written by its own Pagefind process, one after the other: the build holds one part at a
time. The browser merges the parts with Pagefind's `mergeIndex` (digest-search.js); merged
indexes share the first one's WebAssembly, so a part costs the reader only its own index.

Why a cache. The news arrives at the newest end, so a night's articles change the last
part only: a part's index is kept in the cache under a key made of its articles (address
and file content) and of everything else that shapes the index (Pagefind's version and
options, the part size, the code that makes records). A part whose key is in the cache is
copied into the site as it is, and Pagefind does not see its articles at all. A backdated
article or an edit changes the parts it falls in, which are indexed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from scraper.mkdocs.cachefile import load_json, own_folder, remove

PART_NAME = "part-{:04d}"
PART_FOLDER = re.compile(r"^pagefind/part-\d{4,}/")  # where a part's files are in the site
MANIFEST = "parts.json"  # site/pagefind/parts.json: the parts, newest first
_COMPLETE = "pagefind-entry.json"  # Pagefind writes it; a cached part without it is not one
# Beside Pagefind's files in a cached part (never in the site): each file's size as written.
# A part whose files do not match it (cut short by a damaged cache, gone) is indexed again.
_FILES = "scraper-files.json"


@dataclass
class Part:
    name: str
    key: str
    urls: list[str] = field(default_factory=list)  # its articles' page addresses ("/articles/x/")


@dataclass(frozen=True, order=True)
class Member:
    """An article as the parts see it: `when` sorts it (ISO time, "" when undated)."""

    when: str
    url: str
    digest: str  # of its source file


def salt(options: dict[str, Any], size: int, code: Iterable[Path]) -> str:
    """What, besides its articles, shapes a part's index: change any and every part is new."""
    h = hashlib.sha256()
    h.update(json.dumps({"pagefind": metadata.version("pagefind"), "options": options,
                         "size": size}, sort_keys=True).encode())
    for path in code:
        h.update(path.read_bytes())
    return h.hexdigest()


def plan(members: Sequence[Member], size: int, salted: str) -> list[Part]:
    """The parts, oldest first; always at least one (an empty site has an empty index)."""
    ordered = sorted(members)
    parts = []
    for start in range(0, max(len(ordered), 1), size):
        chunk = ordered[start:start + size]
        h = hashlib.sha256(salted.encode())
        for m in chunk:
            h.update(f"{m.url}\0{m.digest}\n".encode())
        parts.append(Part(PART_NAME.format(start // size + 1), h.hexdigest()[:24],
                          [m.url for m in chunk]))
    return parts


class PartCache:
    """Written parts in `folder`, one sub-folder per key. A part is written to a temporary
    folder and renamed when complete, so an interrupted build leaves no half part."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        own_folder(folder)
        self._checked: dict[str, bool] = {}  # key -> found as written (a stat per file: once)

    def get(self, key: str) -> Path | None:
        """The part's folder, if it holds the part as it was written."""
        found = self.folder / key
        if key not in self._checked:
            # A link is not a part Pagefind wrote: its files would go into the site from elsewhere.
            self._checked[key] = not found.is_symlink() and _as_written(found)
        # Its files are checked once a build; that it is still there, every time.
        return found if self._checked[key] and (found / _COMPLETE).is_file() else None

    def writing(self, key: str) -> Path:
        tmp = self.folder / f"{key}.tmp-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        return tmp

    def commit(self, key: str, tmp: Path) -> Path:
        final = self.folder / key
        if not (tmp / _COMPLETE).is_file():
            raise OSError(f"Pagefind wrote no index into {tmp}")
        (tmp / _FILES).write_text(json.dumps(_sizes(tmp)), encoding="utf-8")
        self._checked.pop(key, None)  # asked before it was written
        if self.get(key) is not None:  # another build (`mkdocs serve` beside a build, say) won
            shutil.rmtree(tmp, ignore_errors=True)  # the same key: the same articles and options
            return final
        remove(final)  # an incomplete one, or not one at all (a link)
        try:
            os.replace(tmp, final)
        except OSError:
            self._checked.pop(key, None)
            if self.get(key) is None:
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # written meanwhile by another build
        self._checked[key] = True
        return final

    def prune(self, keep: set[str]) -> int:
        """Delete the parts no longer in the site, and leftovers of interrupted builds (not
        the part another running build is writing)."""
        gone = 0
        if not self.folder.is_dir():
            return gone
        for path in self.folder.iterdir():
            if not path.is_dir() or path.name in keep or _being_written(path.name):
                continue
            remove(path)  # a link goes, never what it points to
            gone += 1
        return gone


def _sizes(part: Path) -> dict[str, int]:
    return {p.relative_to(part).as_posix(): p.lstat().st_size for p in part.rglob("*")
            if p.is_file() and not p.is_symlink() and p.name != _FILES}


def _as_written(part: Path) -> bool:
    """Every file the part's list names is there, a file of its size (and Pagefind's entry)."""
    listed = load_json(part / _FILES)
    if not (isinstance(listed, dict) and _COMPLETE in listed):
        return False
    for name, size in listed.items():
        if not isinstance(name, str) or ".." in PurePosixPath(name).parts or name.startswith("/"):
            return False
        try:
            info = (part / name).lstat()
        except OSError:
            return False
        if not stat.S_ISREG(info.st_mode) or info.st_size != size:
            return False
    return True


def _being_written(name: str) -> bool:
    """A temporary folder of a build that is still running (`writing` names it by its pid)."""
    key, sep, pid = name.rpartition(".tmp-")
    if not sep or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # exists, but another user's
        return True
    return True


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link where the cache and the site share a file system: 50,000 fragments are
    not copied every night. MkDocs deletes site files (it never writes into them)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _not_for_the_site(folder: str, names: list[str]) -> list[str]:
    """The list of the part's files, and links: Pagefind writes none, and one in a cached part
    would put a file from outside the cache into the site (copytree and os.link follow it)."""
    return [name for name in names if name == _FILES or os.path.islink(os.path.join(folder, name))]


def place(parts: Sequence[Part], cache: PartCache, index_dir: Path) -> None:
    """The site's search folder: every part from the cache, and the manifest, newest first."""
    shutil.rmtree(index_dir, ignore_errors=True)  # a dirty build's old parts
    index_dir.mkdir(parents=True)
    for part in parts:
        source = cache.get(part.key)
        if source is None:
            raise OSError(f"search part {part.name} is missing from the cache {cache.folder}")
        shutil.copytree(source, index_dir / part.name, copy_function=_link_or_copy, ignore=_not_for_the_site)
    manifest = {"parts": [p.name for p in reversed(parts)]}
    (index_dir / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
