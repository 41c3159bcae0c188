"""Read saved pages from disk into RawPage records."""

from __future__ import annotations

import zlib
from pathlib import Path

import yaml

from scraper.errors import FetchError
from scraper.models import RawPage
from scraper.yamlload import UniqueKeyLoader, short

MAX_PAGE_BYTES = 20 * 1024 * 1024  # after decompression: a news page is far smaller
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text"}


MAX_GZIP_MEMBERS = 100  # concatenated gzip files have a few; each costs a copy of the rest


def gunzip_capped(data: bytes, limit: int = MAX_PAGE_BYTES) -> bytes:
    """Decompress gzip data, refusing to inflate past `limit` (a gzip bomb stops early).

    Every member of a concatenated file is read (as gunzip does); data that ends before its
    last member does is refused, not read as a shorter page.
    """
    parts: list[bytes] = []
    size = 0
    rest = data
    for _ in range(MAX_GZIP_MEMBERS):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            part = inflater.decompress(rest, limit + 1 - size)
        except zlib.error as exc:
            raise FetchError(f"not valid gzip data: {exc}") from exc
        parts.append(part)
        size += len(part)
        if size > limit:
            raise FetchError(f"page is larger than {limit // (1024 * 1024)} MB once decompressed")
        if not inflater.eof:
            raise FetchError("the gzip data is cut short (a truncated download?)")
        rest = inflater.unused_data
        if not rest.strip(b"\x00"):  # gzip allows zero padding after the last member
            return b"".join(parts)
    raise FetchError(f"more than {MAX_GZIP_MEMBERS} gzip members in one file")


def page_kind(path: Path) -> tuple[bool, bool]:
    """(is gzip, is text dump) from a file name such as page.html.gz or dump.txt."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    inner = suffixes[-2] if gz and len(suffixes) == 2 else (suffixes[-1] if suffixes and not gz else "")
    if inner in TEXT_SUFFIXES:
        return gz, True
    if inner in HTML_SUFFIXES or gz:
        return gz, False
    raise FetchError(
        f"{path}: unknown page type {''.join(path.suffixes) or '(no suffix)'}; "
        "expected .html, .htm, .txt or one of them with .gz"
    )


def read_page(path: str | Path, url: str | None = None) -> RawPage:
    """Read one saved page (HTML or text dump, optionally gzip-compressed)."""
    p = Path(path)
    gz, is_text = page_kind(p)
    try:
        size = p.stat().st_size
        if not p.is_file():
            raise FetchError(f"{p}: not a file")
        if size > MAX_PAGE_BYTES:
            raise FetchError(f"{p}: {size} bytes is larger than the {MAX_PAGE_BYTES} byte limit")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise FetchError(f"{p}: no such file") from exc
    except OSError as exc:
        raise FetchError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    if gz or data[:2] == b"\x1f\x8b":  # also a page saved compressed without .gz
        try:
            data = gunzip_capped(data)
        except FetchError as exc:
            raise FetchError(f"{p}: {exc}") from exc
    return RawPage(source=str(p), content=data, url=url, is_text_dump=is_text)


URLS_FILE = "urls.yml"


def _is_page(path: Path) -> bool:
    try:
        page_kind(path)
    except FetchError:
        return False
    return path.is_file() and not path.name.startswith(".")


def folder_pages(folder: Path) -> list[tuple[Path, str | None]]:
    """Every page in a folder, sorted, with its URL from the folder's urls.yml if listed.

    urls.yml maps file names to original addresses: `nio.html: https://...`.
    """
    urls: dict[str, str | None] = {}
    manifest = folder / URLS_FILE
    if manifest.is_file():
        try:
            data = yaml.load(manifest.read_text(encoding="utf-8"), Loader=UniqueKeyLoader) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise FetchError(f"{manifest}: not valid YAML: {exc}") from exc
        if not isinstance(data, dict):
            raise FetchError(f"{manifest}: must map file names to URLs")
        for name, url in data.items():
            if url is not None and not isinstance(url, str):
                raise FetchError(f"{manifest}: key {short(name)}: the URL must be a string or null")
            urls[str(name)] = url
    return [(p, urls.get(p.name)) for p in sorted(folder.iterdir()) if _is_page(p)]


def expand_pages(args: list[str], url: str | None = None) -> list[tuple[Path, str | None]]:
    """Command-line PAGE arguments: files as given, folders expanded to their pages."""
    out: list[tuple[Path, str | None]] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            out.extend(folder_pages(path))
        else:
            out.append((path, url))
    return out
