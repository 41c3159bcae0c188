"""The digest of this package's code, part of every cache key: new code, new pages."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import scraper


def files_digest(h: Any, folder: Path) -> None:
    """Every file under `folder`, its name and bytes, into the hash `h`."""
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(path.read_bytes())


@functools.cache  # the code does not change while a process runs
def package_digest() -> str:
    h = hashlib.sha256()
    files_digest(h, Path(scraper.__file__).parent)
    return h.hexdigest()
