"""Where pages are written: safe stable names, no overwrites, idempotent re-import."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from scraper.errors import FrontMatterError, SkipArticle, StoreError
from scraper.frontmatter import read_meta
from scraper.models import Article, Block
from scraper.pipeline import import_pages
from scraper.tag import TopicRules
from scraper.write.archiveindex import CACHE_FILE, ArchiveIndex, scan_archive
from scraper.write.render import render_page
from scraper.write.store import (
    atomic_write,
    remove_temp_files,
    slug_for,
    write_article,
)
from tests.conftest import EXAMPLE


def make(title: str = "Title", article_id: str | None = None, url: str | None = None,
         body: str = "Body text.") -> Article:
    return Article(source="s", url=url, site="tmtpost", site_name="TMTPost", language="en",
                   title=title, summary=None, authors=(), published=None,
                   blocks=(Block("paragraph", body, body),), article_id=article_id)


@pytest.mark.parametrize("title", ["../../etc/passwd", "/abs/path", "CON", "", "x" * 2000,
                                   "a\x00b\x1fc", "\u202eevil\u202c", "---", "key: value", "!!python/object",
                                   "蔚来汽车数据泄露", ".."])
def test_slugs_are_safe_and_capped(title: str) -> None:
    slug = slug_for(make(title))
    assert slug and len(slug) <= 80
    assert "/" not in slug and ".." not in slug and slug.strip("-") == slug
    assert slug.lower() not in {"con", "nul", "prn", "aux"}


def test_slug_comes_from_the_site_id_when_known() -> None:
    assert slug_for(make(article_id="6353999")) == "tmtpost-6353999"


def test_same_title_different_articles_get_different_pages(tmp_path: Path, rules: TopicRules) -> None:
    a = make("Same title", url="https://example.com/a")
    b = make("Same title", url="https://example.com/b")
    pa, _ = write_article(tmp_path, a, render_page(a, rules))
    pb, _ = write_article(tmp_path, b, render_page(b, rules))
    assert pa != pb and pa.exists() and pb.exists()


def test_a_name_collision_gets_a_suffix_never_an_overwrite(tmp_path: Path, rules: TopicRules) -> None:
    first = make(article_id="42")
    path, _ = write_article(tmp_path, first, render_page(first, rules))
    # another article that maps to the same file name but has a different identity
    path.write_text(path.read_text().replace("id: tmtpost:42", "id: other:1"))
    second_path, status = write_article(tmp_path, first, render_page(first, rules))
    assert second_path.name == "tmtpost-42-2.md" and status == "new"
    assert "id: other:1" in path.read_text()


def test_reimport_updates_in_place_and_unchanged_writes_nothing(tmp_path: Path,
                                                                rules: TopicRules) -> None:
    art = make(article_id="7")
    path, status = write_article(tmp_path, art, render_page(art, rules))
    assert status == "new"
    mtime = path.stat().st_mtime_ns
    again, status = write_article(tmp_path, art, render_page(art, rules))
    assert (again, status) == (path, "unchanged") and path.stat().st_mtime_ns == mtime
    changed = replace(art, blocks=(Block("paragraph", "New text.", "New text."),))
    again, status = write_article(tmp_path, changed, render_page(changed, rules))
    assert (again, status) == (path, "updated") and "New text." in path.read_text()
    assert len(list(path.parent.iterdir())) == 1  # no temporary files left behind


def test_front_matter_round_trips_hostile_fields(tmp_path: Path, rules: TopicRules) -> None:
    art = replace(make('Title: "quoted" --- #x', url="https://e.com/x"),
                  summary="---\nkey: value", authors=("!!python/object:os.system",))
    path, _ = write_article(tmp_path, art, render_page(art, rules))
    meta = read_meta(path)
    # fields are single lines: a line break inside a scraped summary becomes a space
    assert meta.title == art.title and meta.summary == "--- key: value"
    assert meta.authors == art.authors and meta.url == art.url


def test_two_articles_with_one_headline_on_one_day_keep_two_pages(tmp_path: Path,
                                                                 rules: TopicRules) -> None:
    from datetime import date

    index = ArchiveIndex(scan_archive(tmp_path))
    first = replace(make("BYD cuts prices", article_id="1"), published=date(2024, 3, 1))
    second = replace(make("BYD cuts prices", article_id="2", body="Other text."),
                     published=date(2024, 3, 1))
    p1, s1 = write_article(tmp_path, first, render_page(first, rules), index)
    p2, s2 = write_article(tmp_path, second, render_page(second, rules), index)
    assert p1 != p2 and (s1, s2) == ("new", "new")
    assert "Body text." in p1.read_text() and "Other text." in p2.read_text()


# --- the archive scan, broken pages and what may be written where --------------------------

def good_page(rules: TopicRules, article_id: str = "1", title: str = "Title") -> str:
    return render_page(make(title, article_id=article_id, url=f"https://e.org/{article_id}"), rules)


def _swap(old: str, new: str) -> Callable[[Path, str], None]:
    def make_page(path: Path, good: str) -> None:
        assert old in good
        path.write_text(good.replace(old, new, 1), encoding="utf-8")
    return make_page


def _raw(data: bytes) -> Callable[[Path, str], None]:
    return lambda path, good: path.write_bytes(data)


def _unreadable(path: Path, good: str) -> None:
    path.write_text(good, encoding="utf-8")
    path.chmod(0)  # root reads it anyway: then it is a good page, and must be listed as one


BROKEN_PAGES: dict[str, Callable[[Path, str], None]] = {
    "unclosed list": _swap("topics: []", "topics: [evs"),
    "no closing line": _swap("\n---\n\n#", "\n\n#"),
    "tab indentation": _swap("authors: []", "authors:\n\t- x"),
    "python tag": _swap("title: Title", "title: !!python/object/apply:os.system ['true']"),
    "month 13": _swap("id: tmtpost:9", "id: tmtpost:9\ndate: 2025-13-45"),
    "title a list": _swap("title: Title", "title: ['<img src=x onerror=alert(1)>']"),
    "url broken brackets": _swap("url: https://e.org/9", "url: http://[x/"),
    "url port 99999": _swap("url: https://e.org/9", "url: http://127.0.0.1:99999/post/1"),
    "url javascript": _swap("url: https://e.org/9", "url: javascript:alert(1)"),
    "alias broken": _swap("credits: []", "credits: []\naliases: ['http://[::1/post/1']"),
    "duplicate key": _swap("site: tmtpost", "site: tmtpost\nsite: x"),
    "billion laughs": _swap("credits: []", "credits: []\na: &a [x,x,x,x,x,x,x,x,x]\n"
                            "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]"),
    "10 MB front matter": lambda path, good: path.write_text(
        "---\ntitle: " + "x" * (10 * 1024 * 1024) + "\n---\n", encoding="utf-8"),
    "binary garbage": _raw(bytes(range(256)) * 64),
    "latin-1": lambda path, good: path.write_bytes(good.replace("Title", "Tîtlé").encode("latin-1")),
    "utf-16": lambda path, good: path.write_bytes(good.encode("utf-16")),
    "empty file": _raw(b""),
    "no front matter": _raw(b"# Just a heading\n\nText.\n"),
    "a folder named .md": lambda path, good: path.mkdir(),
    "a symlink to a good page outside": lambda path, good: (
        path.parent.parent.joinpath("outside.md").write_text(good, encoding="utf-8"),
        path.symlink_to(path.parent.parent / "outside.md")),
    "a dangling symlink": lambda path, good: path.symlink_to(path.parent / "gone.md"),
    "a FIFO": lambda path, good: os.mkfifo(path),
    "unreadable": _unreadable,
}


@pytest.mark.parametrize("how", list(BROKEN_PAGES))
def test_the_archive_scan_survives_any_single_bad_page(tmp_path: Path, rules: TopicRules,
                                                       how: str) -> None:
    docs = tmp_path / "docs"
    first, _ = write_article(docs, make(article_id="1", url="https://e.org/1"),
                             good_page(rules, "1"))
    bad = docs / "articles" / "tmtpost-9.md"
    BROKEN_PAGES[how](bad, good_page(rules, "9"))
    before = bad.read_bytes() if bad.is_file() and not bad.is_symlink() and os.access(bad, os.R_OK) else None

    scan = scan_archive(docs)
    if how == "unreadable" and not scan.broken:  # root: the page is readable, hence good
        assert [p.name for p, _ in scan.pages] == ["tmtpost-1.md", "tmtpost-9.md"]
        return
    assert [p for p, _ in scan.pages] == [first] and list(scan.broken) == [bad]
    problem = scan.broken[bad]
    assert problem.startswith(f"{bad}: ") and "\n" not in problem and len(problem) < 300

    # a whole import over this archive: the broken page stays as it is (the build lists it
    # nowhere, with a warning: tests/test_plugin.py)
    counts = import_pages([(EXAMPLE, "https://en.tmtpost.com/post/6353999")], docs, rules)
    assert counts.by_status == {"new": 1} and counts.warnings == [problem]
    if before is not None:
        assert bad.read_bytes() == before
    assert not list((docs / "articles").glob("tmtpost-9-*"))


def test_a_broken_page_keeps_its_name_and_is_never_written_twice(tmp_path: Path,
                                                                rules: TopicRules) -> None:
    art = make(article_id="7012345", url="https://www.tmtpost.com/7012345.html")
    path, _ = write_article(tmp_path, art, render_page(art, rules))
    path.write_text(path.read_text().replace("date: null", "date: 2025-13-45"))
    broken = path.read_bytes()
    index = ArchiveIndex(scan_archive(tmp_path))
    assert index.broken_page("tmtpost-7012345") == f"{path}: front matter: key 'date': " \
        "'2025-13-45' is not a date (month must be in 1..12)"
    with pytest.raises(StoreError, match=r"tmtpost-7012345\.md: front matter: key 'date'.*left as "
                                         "it is"):
        write_article(tmp_path, art, render_page(art, rules), index)
    assert path.read_bytes() == broken and sorted(path.parent.glob("*.md")) == [path]


def test_a_numbered_page_that_is_broken_also_blocks_its_name(tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "tmtpost-5-2.md").write_text("---\ntitle: [x\n---\n")
    index = ArchiveIndex(scan_archive(tmp_path))
    assert index.broken_page("tmtpost-5") and not index.broken_page("tmtpost-50")
    assert index.broken_page(None) is None


def test_a_symlinked_article_page_is_never_written_through(tmp_path: Path,
                                                           rules: TopicRules) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text("precious\n")
    (tmp_path / "docs" / "articles").mkdir(parents=True)
    (tmp_path / "docs" / "articles" / "tmtpost-1.md").symlink_to(outside)
    art = make(article_id="1", url="https://e.org/1")
    with pytest.raises(StoreError, match="symbolic link"):
        write_article(tmp_path / "docs", art, render_page(art, rules))
    assert outside.read_text() == "precious\n"


@pytest.mark.parametrize("folder", ["articles"])
def test_a_generated_folder_that_is_a_symlink_is_refused(tmp_path: Path, rules: TopicRules,
                                                         folder: str) -> None:
    docs = tmp_path / "docs"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.md").write_text("mine\n")
    docs.mkdir()
    (docs / folder).symlink_to(outside)
    with pytest.raises(StoreError, match=f"{docs / folder}: is a symbolic link"):
        import_pages([(EXAMPLE, None)], docs, rules)
    assert sorted(p.name for p in outside.iterdir()) == ["keep.md"]


def test_a_generated_folder_that_is_a_file_is_refused(tmp_path: Path, rules: TopicRules) -> None:
    (tmp_path / "articles").write_text("x")
    with pytest.raises(StoreError, match="articles: is not a folder"):
        import_pages([(EXAMPLE, None)], tmp_path, rules)


def test_temporary_files_are_removed_only_inside_our_folders(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    (docs / "articles").mkdir(parents=True)
    (docs / "articles" / ".tmp-x.md").write_text("half")
    (docs / "assets").mkdir()
    (docs / "assets" / ".tmp-mine").write_text("not ours")
    (docs / "articles" / ".tmp-folder").mkdir()  # not something we leave behind
    assert remove_temp_files(docs) == 1
    assert (docs / "assets" / ".tmp-mine").exists()


def test_a_different_article_cannot_take_a_stored_articles_address(tmp_path: Path,
                                                                   rules: TopicRules) -> None:
    url = "https://example.org/story"
    first = make("Alibaba opens data centres", url=url)
    path, _ = write_article(tmp_path, first, render_page(first, rules))
    stored = path.read_bytes()
    index = ArchiveIndex(scan_archive(tmp_path))
    other = make("Something else entirely", url=url, body="Other text.")
    with pytest.raises(SkipArticle, match=f"{url}: already the address of .*a different article"):
        write_article(tmp_path, other, render_page(other, rules), index)
    assert path.read_bytes() == stored and len(list(path.parent.glob("*.md"))) == 1
    # the same headline at the same address is the same article, revised: it is updated
    revised = make("Alibaba  opens data centres", url=url, body="Revised text.")
    assert write_article(tmp_path, revised, render_page(revised, rules), index) == (path, "updated")


def test_a_site_id_is_trusted_over_a_changed_headline(tmp_path: Path, rules: TopicRules) -> None:
    first = make("Old headline", article_id="42", url="https://www.tmtpost.com/42.html")
    path, _ = write_article(tmp_path, first, render_page(first, rules))
    index = ArchiveIndex(scan_archive(tmp_path))
    renamed = make("New headline", article_id="42", url="https://www.tmtpost.com/42.html")
    assert write_article(tmp_path, renamed, render_page(renamed, rules), index) == (path, "updated")


def test_an_address_held_as_an_alias_is_not_taken_either(tmp_path: Path, rules: TopicRules) -> None:
    first = replace(make("First", article_id="1", url="https://e.org/1"),
                    aliases=("https://m.e.org/1",))
    write_article(tmp_path, first, render_page(first, rules))
    index = ArchiveIndex(scan_archive(tmp_path))
    other = make("Other", url="https://m.e.org/1")
    with pytest.raises(SkipArticle):
        write_article(tmp_path, other, render_page(other, rules), index)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_new_pages_get_the_mode_the_umask_gives(tmp_path: Path, rules: TopicRules, umask: int,
                                                mode: int) -> None:
    old = os.umask(umask)
    try:
        path, _ = write_article(tmp_path, make(article_id="1"), good_page(rules))
        listing = tmp_path / "index.md"
        atomic_write(listing, "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert stat.S_IMODE(listing.stat().st_mode) == mode


def test_a_write_that_fails_is_one_line_naming_the_path(tmp_path: Path) -> None:
    (tmp_path / "report.json").mkdir()
    with pytest.raises(StoreError, match=f"^{tmp_path / 'report.json'}: cannot write: "):
        atomic_write(tmp_path / "report.json", "{}")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match=f"^{tmp_path / 'file' / 'index.md'}: cannot write: "):
        atomic_write(tmp_path / "file" / "index.md", "x")


def test_a_page_the_reader_would_refuse_is_never_written(tmp_path: Path, rules: TopicRules) -> None:
    art = make(article_id="1", url="http://[x/")
    with pytest.raises(FrontMatterError, match="key 'url'"):
        write_article(tmp_path, art, render_page(art, rules))
    assert not list(tmp_path.rglob("*.md"))


def test_the_scan_cache_is_checked_again_when_read(tmp_path: Path, rules: TopicRules) -> None:
    write_article(tmp_path, make(article_id="1", url="https://e.org/1"), good_page(rules))
    assert len(scan_archive(tmp_path).pages) == 1
    cache = tmp_path / "articles" / CACHE_FILE
    data = json.loads(cache.read_text())
    data["pages"]["tmtpost-1.md"][4]["url"] = "http://[x/"  # a damaged cache: the page is read instead
    cache.write_text(json.dumps(data))
    (meta_path, meta), = scan_archive(tmp_path).pages
    assert meta.url == "https://e.org/1"
    cache.write_text("[1, 2")
    assert len(scan_archive(tmp_path).pages) == 1


def test_a_copied_page_with_the_same_id_is_a_warning_and_never_updated(
        tmp_path: Path, rules: TopicRules) -> None:
    art = make(article_id="1", url="https://e.org/1")
    path, _ = write_article(tmp_path, art, render_page(art, rules))
    copy = path.with_name("zz-copy.md")
    copy.write_bytes(path.read_bytes())
    index = ArchiveIndex(scan_archive(tmp_path))
    assert index.warnings == [f"{copy}: front matter: key 'id': 'tmtpost:1' is also the id of "
                              f"{path}, which alone is updated"]
    changed = replace(art, blocks=(Block("paragraph", "New.", "New."),))
    assert write_article(tmp_path, changed, render_page(changed, rules), index) == (path, "updated")
    assert "New." not in copy.read_text()


def test_a_file_name_that_is_not_utf8_is_a_broken_page(tmp_path: Path, rules: TopicRules) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    os.close(os.open(os.fsencode(folder) + b"/caf\xe9.md", os.O_CREAT | os.O_WRONLY, 0o644))
    scan = scan_archive(tmp_path)
    (problem,) = scan.broken.values()
    assert problem.endswith("the file name is not UTF-8") and "\n" not in problem


def test_a_cache_that_cannot_be_written_does_not_stop_the_scan(tmp_path: Path,
                                                               rules: TopicRules) -> None:
    write_article(tmp_path, make(article_id="1"), good_page(rules))
    (tmp_path / "articles" / CACHE_FILE).mkdir()
    assert len(scan_archive(tmp_path).pages) == 1


@pytest.mark.parametrize("name", ["index.md", "feed.json", "topics/evs.md", "archive"])
def test_import_leaves_what_the_build_makes_alone(tmp_path: Path, rules: TopicRules,
                                                  name: str) -> None:
    """Listings and feeds are made at build time: import writes only under articles/."""
    (tmp_path / name).mkdir(parents=True)
    (tmp_path / name / "keep").write_text("mine\n")
    assert import_pages([(EXAMPLE, None)], tmp_path, rules).by_status == {"new": 1}
    assert [p.name for p in (tmp_path / name).iterdir()] == ["keep"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"articles", name.split("/")[0]})
