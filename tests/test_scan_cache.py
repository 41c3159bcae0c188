"""The archive scan's cache: a fresh checkout parses no page, a changed page is always read
again, and a damaged or forged cache never makes a page pass that the reader would refuse."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.frontmatter import ArticleMeta
from scraper.write import archiveindex as store
from scraper.write.archiveindex import CACHE_FILE, ArchiveIndex, scan_archive

SECOND = 1_000_000_000
PAGE = '---\nid: "tmtpost:{n}"\ntitle: "{title}"\nurl: "https://e.org/{n}"\n---\n\nBody {n}.\n'


def later() -> Callable[[], int]:
    """A clock a minute ahead: every page written so far has settled by then."""
    return lambda: time.time_ns() + 60 * SECOND


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs" / "articles"
    folder.mkdir(parents=True)
    for n in (1, 2, 3):
        (folder / f"tmtpost-{n}.md").write_text(PAGE.format(n=n, title=f"Title {n}"))
    return tmp_path / "docs"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The pages whose front matter the scan parsed (read_meta is the only YAML reader)."""
    calls: list[Path] = []
    real = store.read_meta

    def counting(path: Path) -> ArticleMeta:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(store, "read_meta", counting)
    yield calls


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """The pages whose content the scan read to compare digests."""
    calls: list[Path] = []
    real = store._content_digest

    def counting(path: Path) -> str | None:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(store, "_content_digest", counting)
    yield calls


def titles(docs: Path, clock: Callable[[], int] | None = None) -> dict[str, str]:
    scan = scan_archive(docs, clock) if clock else scan_archive(docs)
    return {path.name: meta.title for path, meta in scan.pages}


def cache_of(docs: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((docs / "articles" / CACHE_FILE).read_text())
    return data


def test_new_file_times_with_the_same_content_parse_no_page(docs: Path, parsed: list[Path]) -> None:
    """A fresh checkout (every file time new, the cache restored) reads YAML for no page."""
    first = scan_archive(docs, later())
    assert len(parsed) == 3
    parsed.clear()
    for page in (docs / "articles").glob("*.md"):
        os.utime(page, ns=(5 * SECOND, 5 * SECOND))
    again = scan_archive(docs, later())
    assert parsed == [] and (first.parsed, again.parsed) == (3, 0)
    assert again.pages == first.pages and len(again.pages) == 3 and not again.broken


def test_a_cache_copied_with_the_archive_parses_no_page(docs: Path, tmp_path: Path,
                                                        parsed: list[Path]) -> None:
    scan_archive(docs, later())
    copy = tmp_path / "checkout" / "docs"
    shutil.copytree(docs, copy, copy_function=shutil.copy)  # new times, new inodes
    parsed.clear()
    assert titles(copy, later()) == {f"tmtpost-{n}.md": f"Title {n}" for n in (1, 2, 3)}
    assert parsed == []


def test_a_settled_unchanged_page_is_not_even_read(docs: Path, parsed: list[Path],
                                                   hashed: list[Path]) -> None:
    scan_archive(docs, later())
    parsed.clear()
    hashed.clear()
    assert len(titles(docs, later())) == 3
    assert parsed == [] and hashed == []


def test_a_changed_page_is_parsed_again_alone(docs: Path, parsed: list[Path]) -> None:
    scan_archive(docs, later())
    page = docs / "articles" / "tmtpost-2.md"
    page.write_text(PAGE.format(n=2, title="A new headline"))
    parsed.clear()
    assert titles(docs, later())["tmtpost-2.md"] == "A new headline"
    assert parsed == [page]


def test_a_page_changed_to_the_same_size_and_mtime_is_parsed_again(docs: Path) -> None:
    """Same size, modification time set back: the change time and the content still differ."""
    scan_archive(docs)
    page = docs / "articles" / "tmtpost-2.md"
    before = page.stat()
    page.write_text(PAGE.format(n=2, title="Title X"))
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert page.stat().st_size == before.st_size and page.stat().st_mtime_ns == before.st_mtime_ns
    assert titles(docs, later())["tmtpost-2.md"] == "Title X"


def test_a_page_broken_since_the_last_scan_stays_broken(docs: Path) -> None:
    scan_archive(docs)
    page = docs / "articles" / "tmtpost-2.md"
    before = page.stat()
    text = page.read_text()
    page.write_text(text.replace('"Title 2"', '[Title 2]'))  # a list: not a title
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert page.stat().st_size == before.st_size
    scan = scan_archive(docs, later())
    assert list(scan.broken) == [page] and "key 'title'" in scan.broken[page]
    assert [p.name for p, _ in scan.pages] == ["tmtpost-1.md", "tmtpost-3.md"]


def forge(docs: Path, name: str, **identity: Any) -> None:
    """Rewrite one cached entry's front matter, keeping its stamp and digest."""
    data = cache_of(docs)
    data["pages"][name][4].update(identity)
    (docs / "articles" / CACHE_FILE).write_text(json.dumps(data))


def test_a_page_changed_within_the_clock_tick_of_its_scan_is_checked_by_content(
        docs: Path) -> None:
    """A write in the same tick as the scan keeps (mtime, ctime, size): such a fresh entry is
    trusted only if the page's content still has the digest it was cached under."""
    page_ctime = (docs / "articles" / "tmtpost-2.md").stat().st_ctime_ns
    scan_archive(docs, lambda: page_ctime + SECOND)  # scanned while the page was fresh
    data = cache_of(docs)
    data["pages"]["tmtpost-2.md"][3] = "0" * 40  # the content it was cached for is gone
    data["pages"]["tmtpost-2.md"][4]["title"] = "Stale"
    (docs / "articles" / CACHE_FILE).write_text(json.dumps(data))
    assert titles(docs, later())["tmtpost-2.md"] == "Title 2"


def test_a_settled_entry_is_taken_by_its_stamp(docs: Path) -> None:
    """The other side of the test above: an entry stored well after its page's last change
    is taken as it is (this is what makes an unchanged archive cheap)."""
    scan_archive(docs, later())
    forge(docs, "tmtpost-2.md", title="From the cache")
    assert titles(docs, later())["tmtpost-2.md"] == "From the cache"


@pytest.mark.parametrize("identity", [
    {"url": "javascript:alert(1)"}, {"template": "evil.html"}, {"title": None},
    {"aliases": "https://e.org/x"}, {"source_updated": "yesterday"}, {"id": ["x"]},
])
def test_a_cached_entry_the_reader_would_refuse_is_never_used(docs: Path, identity: dict[str, Any],
                                                               parsed: list[Path]) -> None:
    scan_archive(docs, later())
    forge(docs, "tmtpost-2.md", **identity)
    parsed.clear()
    scan = scan_archive(docs, later())
    assert {p.name: (m.title, m.url) for p, m in scan.pages}["tmtpost-2.md"] == (
        "Title 2", "https://e.org/2")
    assert parsed == [docs / "articles" / "tmtpost-2.md"] and not scan.broken


@pytest.mark.parametrize("damage", [
    "", "[1, 2", "[" * 100_000, "[]", '{"format": 1, "scanned_ns": 1, "pages": {}}',
    '{"format": 2, "scanned_ns": "1", "pages": {}}', '{"format": 2, "scanned_ns": 1, "pages": []}',
    '{"format": 2, "scanned_ns": 99999999999999999999, "pages": {"tmtpost-1.md": 7, '
    '"tmtpost-2.md": [1, 2], "tmtpost-3.md": ["1", "2", "3", "x", {}]}}',
])
def test_a_damaged_cache_is_ignored(docs: Path, damage: str) -> None:
    (docs / "articles" / CACHE_FILE).write_text(damage)
    assert titles(docs, later()) == {f"tmtpost-{n}.md": f"Title {n}" for n in (1, 2, 3)}
    assert cache_of(docs)["format"] == 2 and len(cache_of(docs)["pages"]) == 3


def test_the_cache_of_another_page_is_never_borrowed(docs: Path) -> None:
    """Entries are by file name: a page renamed over another's name is read, not taken."""
    scan_archive(docs, later())
    folder = docs / "articles"
    (folder / "tmtpost-1.md").unlink()
    (folder / "tmtpost-3.md").rename(folder / "tmtpost-1.md")
    assert titles(docs, later()) == {"tmtpost-1.md": "Title 3", "tmtpost-2.md": "Title 2"}


def test_the_index_from_a_cache_is_the_index_from_the_pages(docs: Path) -> None:
    folder = docs / "articles"
    (folder / "tmtpost-4.md").write_text(
        '---\nid: "url:https://e.org/4"\ntitle: "T"\nurl: "https://e.org/4?utm_source=x"\n'
        'aliases: ["http://e.org/four"]\nsource_updated: 2025-01-02T03:04:05+08:00\n'
        'published: "2025-01-02"\nsite: "tmtpost"\n---\n')
    (folder / "zz-broken.md").write_text("---\ntitle: [x\n---\n")
    cold = ArchiveIndex(scan_archive(docs, later()))
    for page in folder.glob("*.md"):
        os.utime(page, ns=(7 * SECOND, 7 * SECOND))
    warm = ArchiveIndex(scan_archive(docs, later()))
    assert cache_of(docs)["pages"].keys() == {f"tmtpost-{n}.md" for n in (1, 2, 3, 4)}
    for name in ("by_key", "by_url", "paths", "fingerprints", "broken", "warnings"):
        assert getattr(warm, name) == getattr(cold, name), name
    assert warm.by_key["url:https://e.org/4"].source_updated == \
        cold.by_key["url:https://e.org/4"].source_updated is not None
