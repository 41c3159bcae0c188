"""Reading and writing the files of the build's cache: whole or not at all, and never
anything that is not a file the build wrote.

The cache folder is restored by the CI's cache between builds, and what it holds is trusted
as much as the site the build prints (it is part of it), but not its shape: a file may be
damaged, cut short, or replaced by a link, a FIFO or a folder. Such a file is not the
build's: it is ignored and written again, and never followed out of the cache.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from scraper.errors import FrontMatterError
from scraper.frontmatter import read_page


def read_file(path: Path) -> bytes:
    """The bytes of a regular file: never through a symbolic link (the build writes none),
    never blocking on a FIFO or reading a device. Raises OSError."""
    try:
        return read_page(path)  # the same rules as for an article page
    except FrontMatterError as exc:
        raise OSError(str(exc)) from exc


def load_json(path: Path) -> Any:
    """What the JSON file holds; None when there is none, or it is damaged (the caller
    starts afresh: the cache only saves time)."""
    try:
        return json.loads(read_file(path))
    except (OSError, ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
        return None


def replace_file(path: Path, data: bytes) -> None:
    """`path` holds `data`, or what it held before: a reader (another build, at the same time)
    never sees half a file. Raises OSError; the cache only saves time, the caller goes on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir() and not path.is_symlink():  # not the build's: a file goes in its place
        remove(path)
    # A new name of its own (O_EXCL): never a link or a FIFO someone left under a name we chose.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(name, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def remove(path: Path) -> None:
    """Delete what is at `path` (a folder with what it holds), never what a link points to."""
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def own_folder(path: Path) -> None:
    """A folder of the cache that is a link goes (the link only): the build makes its own,
    and never writes or prunes through a link out of the cache. (cache_dir itself is the
    operator's to place, a link to another disk included.)"""
    if path.is_symlink():
        remove(path)
