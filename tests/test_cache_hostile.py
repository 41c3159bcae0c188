"""The build's caches as a broken CI cache, a careless operator or a hostile user leave them.

What a cache holds is trusted as much as the site the build prints (the cache folder is
written by the build and restored by the CI's cache after a build that passed), but not its
shape: whatever is in a cache file, the build ignores or rebuilds it, never crashes, hangs
or prints a page that is not the current source's, and never reads, writes or deletes
anything outside the cache through a name or a link the cache holds.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scraper.mkdocs.cachefile import load_json, replace_file
from scraper.mkdocs.entries import Entry
from scraper.mkdocs.entrycache import EntryCache, _as_row
from scraper.mkdocs.pagecache import PageCache, nav_paths
from scraper.mkdocs.pagesources import SourceIndex, SourceRecord
from scraper.mkdocs.searchparts import Part, PartCache, place
from scraper.write.archiveindex import CACHE_FILE, scan_archive
from tests.conftest import site_root
from tests.test_pagecache import site_files
from tests.test_plugin import ENV

ROW = ["T", None, "S", [], None, None, [], None, False, []]  # an entry as entries.json holds it
RECORD = ["ab" * 32, 1, "T", [], {}, {}]  # a page's source record as sources-*.json holds it
# What a link points to: an entry and a source record, well formed, but not the cache's.
GOOD = {"salt": "s", "entries": {"a" * 32: ROW}, "k" * 64: RECORD}
ROOT = Path(__file__).parents[1]


def _truncated(path: Path) -> None:
    path.write_text(json.dumps(GOOD)[:-7])


def _deep(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000)


def _directory(path: Path) -> None:
    path.mkdir()
    (path / "inside").write_text("{}")


def _link_outside(path: Path) -> None:
    outside = path.with_name("elsewhere.json")
    outside.write_text(json.dumps(GOOD))
    path.symlink_to(outside)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


# What a cache file can be instead of what the build wrote. True: could hang or exhaust memory
# on code that reads it blindly, so it is tried in a child process with a memory limit.
HOSTILE: dict[str, tuple[Callable[[Path], object], bool]] = {
    "empty": (lambda p: p.write_bytes(b""), False),
    "truncated": (_truncated, False),
    "not JSON": (lambda p: p.write_text("hello"), False),
    "a list": (lambda p: p.write_text("[1, 2]"), False),
    "nested too deep": (_deep, False),
    "NaN": (lambda p: p.write_text('{"salt": NaN, "entries": NaN, "pages": NaN}'), False),
    "not UTF-8": (lambda p: p.write_bytes(b"\xff\xfe\x00{\xc3"), False),
    "a folder": (_directory, False),
    "a link out of the cache": (_link_outside, False),
    "a FIFO": (_fifo, True),
    "a link to /dev/zero": (_dev_zero, True),
}

# Each reader of a cache file, as a child process runs it: prints what it kept of the file.
READERS = {
    "entries.json": "from scraper.mkdocs.entrycache import EntryCache\n"
                    "c = EntryCache(folder / 'entries.json'); c.load('s'); print(len(c._stored))",
    "pages/sources-*.json": "from scraper.mkdocs.pagesources import SourceIndex\n"
                            "i = SourceIndex(folder / 'pages'); i.load('s' * 24); print(len(i._stored))",
    ".archive-cache.json": "from scraper.write.archiveindex import scan_archive\n"
                           "s = scan_archive(folder / 'docs')\n"
                           "print(0 if [m.title for _, m in s.pages] == ['One'] and s.parsed == 1 else s)",
}


def _cache_file(folder: Path, reader: str) -> Path:
    if reader == "entries.json":
        return folder / "entries.json"
    if reader == ".archive-cache.json":
        articles = folder / "docs" / "articles"
        articles.mkdir(parents=True)
        (articles / "tmtpost-1.md").write_text('---\nid: "tmtpost:1"\ntitle: "One"\n---\n\nBody.\n')
        return articles / CACHE_FILE
    (folder / "pages").mkdir()
    return folder / "pages" / f"sources-{'s' * 24}.json"


@pytest.mark.parametrize("reader", list(READERS))
@pytest.mark.parametrize("hostile", list(HOSTILE))
def test_a_cache_file_that_is_not_what_the_build_wrote_is_ignored(tmp_path: Path, hostile: str,
                                                                 reader: str) -> None:
    """Read as an empty cache: no traceback, no hang, nothing read through a link. (A FIFO
    or /dev/zero is read in a child process with a memory limit, which fails, not hangs,
    on code that would read it: the limit and the timeout only stop a runaway child.)"""
    make, runaway = HOSTILE[hostile]
    path = _cache_file(tmp_path, reader)
    make(path)
    folder = repr(str(tmp_path))
    code = ("import resource, sys\nfrom pathlib import Path\n"
            "resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
            f"folder = Path({folder})\n{READERS[reader]}\n")
    if runaway:
        try:
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                  timeout=120, env=ENV)
        except subprocess.TimeoutExpired:
            pytest.fail(f"reading {reader} as {hostile} hangs")
        assert done.returncode == 0 and done.stdout.strip() == "0", done.stderr[-2000:]
        return
    outside = {p: p.read_bytes() for p in tmp_path.glob("elsewhere.json")}
    if reader == "entries.json":
        cache = EntryCache(path)
        cache.load("s")
        assert cache.get("a" * 32, "articles/x.md") is None and not cache._stored
        entry = Entry("articles/x.md", "Read again", None, "S", (), None)
        cache.put("c" * 32, entry)
        cache.save()
        assert load_json(path) == {"salt": "s", "entries": {"c" * 32: _as_row(entry)}}
    elif reader == ".archive-cache.json":
        scan = scan_archive(tmp_path / "docs")
        assert [m.title for _, m in scan.pages] == ["One"] and scan.parsed == 1 and not scan.broken
        assert load_json(path)["pages"].keys() == {"tmtpost-1.md"}
    else:
        index = SourceIndex(tmp_path / "pages")
        index.load("s" * 24)
        assert all(index.find(key) is None for key in [*index._stored, "k" * 64])
        index.put("d" * 64, SourceRecord.from_json(RECORD))  # type: ignore[arg-type]
        index.save(whole=True)
        assert load_json(path) == {"d" * 64: RECORD}
    # written again as a file of its own, in place of the folder or the link (not through it)
    assert path.is_file() and not path.is_symlink()
    assert {p: p.read_bytes() for p in tmp_path.glob("elsewhere.json")} == outside


def _entry(**change: object) -> list[object]:
    row = dict(zip(["title", "when", "site_name", "topics", "summary", "url", "authors", "language",
                    "timed", "companies"], ROW, strict=True))
    row.update(change)
    return list(row.values())


@pytest.mark.parametrize("row", [
    _entry(when="9999-12-31T23:59:59-12:00"), _entry(when="0001-01-01T00:00:00+14:00"),
    _entry(when="2025-01-02T03:04:05"), _entry(when="yesterday"), _entry(when=20250102),
    _entry(title=None), _entry(title=["T"]), _entry(topics="ai"), _entry(companies=[1]),
    _entry(timed="yes"), _entry()[:9], {"title": "T"}, None,
], ids=["after the calendar", "before it", "no zone", "not a time", "a number", "no title",
        "a list title", "topics a text", "companies not texts", "timed a text", "short", "a mapping",
        "null"])
def test_an_entry_the_listings_could_not_use_is_read_from_its_page_again(tmp_path: Path,
                                                                        row: object) -> None:
    """A row entries.json holds under a page's digest, forged or damaged: not taken (a time
    at the ends of the calendar stopped the build with an OverflowError on its day)."""
    path = tmp_path / "entries.json"
    path.write_text(json.dumps({"salt": "s", "entries": {"a" * 32: row, "b" * 32: ROW}}))
    cache = EntryCache(path)
    cache.load("s")
    assert cache.get("a" * 32, "articles/x.md") is None
    good = cache.get("b" * 32, "articles/y.md")
    assert good is not None and (good.path, good.title, good.when) == ("articles/y.md", "T", None)


def _row(**change: object) -> list[object]:
    row = {"page_key": "ab" * 32, "size": 120, "title": "T", "anchors": ["a"],
           "links": {"articles/x.md": {"s": "x.md#s"}}, "lookups": {"articles/x.md": True}}
    row.update(change)
    return list(row.values())


@pytest.mark.parametrize("row, why", [
    (_row(page_key="/tmp/victim"), "an absolute path"),
    (_row(page_key="../../../../victim" + "0" * 46), "a path up and out"),
    (_row(page_key="ab/../../" + "0" * 55), "a path through the shard"),
    (_row(page_key="AB" * 32), "not as PageCache.key writes it"),
    (_row(page_key="ab" * 31), "too short"),
    (_row(size=-1), "a negative size"),
    (_row(size=True), "a flag, not a size"),
    (_row(size=1e308), "a float"),
    (_row(anchors=[1]), "anchors not texts"),
    (_row(lookups={"x.md": "yes"}), "lookups not flags"),
    (_row(links={"x.md": {"a": 1}}), "links not texts"),
    (_row()[:5], "a field short"),
    ({"page_key": "ab" * 32}, "not a row"),
])
def test_a_source_record_that_names_anything_but_a_cached_page_is_not_used(row: object, why: str) -> None:
    assert SourceRecord.from_json(row) is None, why


def test_a_well_formed_source_record_is_used() -> None:
    assert SourceRecord.from_json(_row()) == SourceRecord("ab" * 32, 120, "T", ["a"],
                                                          {"articles/x.md": {"s": "x.md#s"}},
                                                          {"articles/x.md": True})


def test_pruning_the_page_cache_never_follows_a_link_out_of_it(tmp_path: Path) -> None:
    """A link, a folder or a leftover in the pages folder is removed; what a link points to
    stays, and a folder where a page belongs costs no traceback."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.html.gz").write_text("kept")
    (outside / "ab").mkdir()
    (outside / "ab" / "precious.html.gz").write_text("kept")
    pages = tmp_path / "cache" / "pages"
    (pages / "cd").mkdir(parents=True)
    (pages / "zz").symlink_to(outside)  # a shard that is a link
    (pages / "cd" / "stray").mkdir()  # a folder where a page would be
    (pages / "cd" / f"{'cd' * 32}.html.gz").symlink_to(outside / "precious.html.gz")
    (pages / "cd" / f"{'cd' * 32}.html.gz.123.tmp").write_text("left by an interrupted build")
    (pages / "sources-x.json").mkdir()  # not a file: left for the index, which removes it
    cache = PageCache(pages)
    cache.used = {"cd" * 32}
    assert cache.prune() == 3
    assert (outside / "precious.html.gz").read_text() == "kept"
    assert (outside / "ab" / "precious.html.gz").read_text() == "kept"
    assert sorted(p.name for p in pages.rglob("*")) == ["cd", "sources-x.json"]
    index = SourceIndex(pages)
    index.load("s" * 24)
    index.save(whole=True)
    assert sorted(p.name for p in pages.iterdir()) == ["cd", f"sources-{'s' * 24}.json"]


def test_a_cache_file_is_never_written_through_a_link_planted_under_a_name_it_would_use(
        tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("kept")
    target = tmp_path / "cache" / "entries.json"
    target.parent.mkdir()
    for planted in (target, target.with_name(f"{target.name}.{os.getpid()}.tmp")):
        planted.symlink_to(outside)
    replace_file(target, b"{}")
    assert outside.read_text() == "kept"
    assert not target.is_symlink() and load_json(target) == {}


def _committed(cache: PartCache, key: str) -> Path:
    """A part as the build leaves it in the cache: Pagefind's files, then commit."""
    written = cache.writing(key)
    (written / "fragment").mkdir(parents=True)
    (written / "pagefind-entry.json").write_text("{}")
    (written / "fragment" / "en_1.pf_fragment").write_bytes(b"x" * 100)
    return cache.commit(key, written)


def test_a_search_part_never_brings_a_file_from_outside_the_cache_into_the_site(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not for the site")
    (outside / "pagefind-entry.json").write_text("{}")
    cache = PartCache(tmp_path / "search")
    kept = _committed(cache, "k1")
    (kept / "leak.txt").symlink_to(outside / "secret.txt")  # a link inside a cached part
    (cache.folder / "k2").symlink_to(outside)  # a part that is a link
    assert cache.get("k1") == kept and cache.get("k2") is None
    place([Part("part-0001", "k1")], cache, tmp_path / "site" / "pagefind")
    placed = tmp_path / "site" / "pagefind" / "part-0001"
    assert sorted(p.relative_to(placed).as_posix() for p in placed.rglob("*")) == [
        "fragment", "fragment/en_1.pf_fragment", "pagefind-entry.json"]
    assert _committed(cache, "k2") == cache.folder / "k2" and cache.get("k2") is not None
    (cache.folder / "k3").symlink_to(outside)
    assert cache.prune({"k1", "k2"}) == 1 and not (cache.folder / "k3").exists()
    assert sorted(p.name for p in outside.iterdir()) == ["pagefind-entry.json", "secret.txt"]


@pytest.mark.parametrize("damage", [
    lambda part: (part / "fragment" / "en_1.pf_fragment").write_bytes(b"x" * 50),  # cut short
    lambda part: (part / "fragment" / "en_1.pf_fragment").unlink(),
    lambda part: (part / "scraper-files.json").write_text('{"pagefind-entry.json": 2, "../../x": 1}'),
    lambda part: (part / "scraper-files.json").write_text("[" * 100_000),
    lambda part: (part / "scraper-files.json").unlink(),  # a part of an older cache
], ids=["cut short", "a file gone", "a name out of the part", "a damaged list", "no list"])
def test_a_search_part_damaged_in_the_cache_is_indexed_again(tmp_path: Path,
                                                              damage: Callable[[Path], object]) -> None:
    cache = PartCache(tmp_path / "search")
    damage(_committed(cache, "k1"))
    assert PartCache(cache.folder).get("k1") is None  # a new build's look at the cache
    assert _committed(cache, "k1") and PartCache(cache.folder).get("k1") is not None


def test_nav_paths_tell_the_pages_the_navigation_shows_with_their_own_title() -> None:
    nav = ["index.md", {"About": "about.md"}, {"Section": ["a.md", {"B": "b.md"}]},
           {"Out": "https://e.org/"}]
    assert nav_paths(nav) == ({"index.md", "about.md", "a.md", "b.md", "https://e.org/"},
                              {"index.md", "a.md"})
    assert nav_paths(None) is None


# --- whole builds -----------------------------------------------------------------------------

CACHE = Path(".cache") / "plugin" / "scraper"


def run_build(root: Path, env: dict[str, str] | None = None, strict: bool = True) -> str:
    """`mkdocs build --strict`; what it printed. It must pass, without a traceback."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict" if strict else "--no-strict"],
                          cwd=root,
                          capture_output=True, text=True, env=env or ENV, timeout=600)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stderr


def search_files(site: Path) -> tuple[int, list[str]]:
    """The search index's fragments (one an article), and its files that are not whole:
    Pagefind gzips each. (site_files leaves the index out: two indexes of the same pages
    differ, Pagefind's filter files and their names.)"""
    broken = []
    for path in (site / "pagefind").rglob("*"):
        if path.suffix.startswith(".pf_") or path.name.startswith("wasm."):
            try:
                gzip.decompress(path.read_bytes())
            except (OSError, EOFError):
                broken.append(path.name)
    return len(list((site / "pagefind").glob("*/fragment/*"))), broken


def clean_build(root: Path, tmp: Path, env: dict[str, str] | None = None,
                strict: bool = True) -> dict[str, str]:
    """The site a build of the same project prints without any cache."""
    clean = tmp / "clean"
    shutil.copytree(root, clean, symlinks=True, ignore=shutil.ignore_patterns(".cache", "site"))
    run_build(clean, env, strict)
    return site_files(clean / "site")


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory, demo_articles: Path) -> Path:
    """A project built twice: its cache has every page and every page's source record."""
    root = site_root(tmp_path_factory.mktemp("warm"))
    shutil.copytree(demo_articles, root / "docs" / "articles", ignore=shutil.ignore_patterns(".*"))
    run_build(root)
    run_build(root)
    return root


def _pages(root: Path) -> list[Path]:
    return sorted((root / CACHE / "pages").glob("*/*.html.gz"))


def _sources(root: Path) -> Path:
    return next((root / CACHE / "pages").glob("sources-*.json"))


def _swap_pages(root: Path, outside: Path) -> None:
    """Two cached pages' files swapped (and no source records: each page looks itself up)."""
    a, b = _pages(root)[:2]
    data_a, data_b = a.read_bytes(), b.read_bytes()
    a.write_bytes(data_b)
    b.write_bytes(data_a)
    _sources(root).unlink()


def _record_names_a_file_outside(root: Path, outside: Path) -> None:
    victim = outside / "victim.html.gz"
    victim.write_bytes(gzip.compress(b"<p>not a page of this site</p>"))
    index = _sources(root)
    records = json.loads(index.read_text())
    for row in records.values():
        row[0], row[1] = str(victim.with_name("victim")), victim.stat().st_size
    index.write_text(json.dumps(records))


def _shard_is_a_link_out(root: Path, outside: Path) -> None:
    (outside / "precious.txt").write_text("kept")
    (root / CACHE / "pages" / "zz").symlink_to(outside)
    page = _pages(root)[0]
    shard = page.parent
    moved = outside / "shard"
    shutil.move(shard, moved)
    shard.symlink_to(moved)  # a used page, read through a link out of the cache


def _page_is_a_gzip_bomb(root: Path, outside: Path) -> None:
    """50 MB of nothing in 50 KB, under a page's name: not read to the end (a large one
    would fill the memory)."""
    page = _pages(root)[0]
    page.write_bytes(gzip.compress(page.name.split(".")[0].encode() + b"\n" + bytes(50 << 20)))
    _sources(root).unlink()


def _folders_are_links_out(root: Path, outside: Path) -> None:
    """pages/ and search/ are links to folders elsewhere, as a cache restored by hand could
    hold: the build neither prunes nor writes there."""
    for name in ("pages", "search"):
        there = outside / name
        shutil.move(root / CACHE / name, there)
        (there / "precious").mkdir()
        (there / "precious" / "file.html.gz").write_text("kept")
        (root / CACHE / name).symlink_to(there)


def _page_is_a_fifo(root: Path, outside: Path) -> None:
    page = _pages(root)[0]
    page.unlink()
    os.mkfifo(page)
    _sources(root).unlink()


def _every_file_cut_in_half(root: Path, outside: Path) -> None:
    """What a build killed while writing, or a broken restore, could leave."""
    for path in (root / CACHE).rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes()[:path.stat().st_size // 2])


def _indexes_nested_too_deep(root: Path, outside: Path) -> None:
    _deep(root / CACHE / "entries.json")
    _deep(_sources(root))


@pytest.mark.parametrize("damage", [_swap_pages, _record_names_a_file_outside, _shard_is_a_link_out,
                                    _folders_are_links_out, _page_is_a_fifo, _page_is_a_gzip_bomb,
                                    _every_file_cut_in_half,
                                    _indexes_nested_too_deep],
                         ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_or_forged_page_cache_prints_the_site_a_clean_build_prints(
        warm: Path, tmp_path: Path, damage: Callable[[Path, Path], None]) -> None:
    root = tmp_path / "project"
    shutil.copytree(warm, root, symlinks=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    expected = site_files(warm / "site"), search_files(warm / "site")
    damage(root, outside)
    before = {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()}
    for _ in range(2):  # and the cache it left serves the next build
        run_build(root)
        assert (site_files(root / "site"), search_files(root / "site")) == expected
    assert {p: p.read_bytes() for p in outside.rglob("*") if p.is_file()} == before


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _description_from_the_environment(root: Path, env: dict[str, str]) -> None:
    _edit(root / "mkdocs.yml", "\nsite_description: ", "\nsite_description: !ENV [DESCRIPTION, ")
    _edit(root / "mkdocs.yml", " Chinese.\n", " Chinese.]\n")
    env["DESCRIPTION"] = "One description"


def _untitled_nav_entry(root: Path, env: dict[str, str]) -> None:
    _edit(root / "mkdocs.yml", "  - About: about.md\n", "  - about.md\n")


def _a_hook(root: Path, env: dict[str, str]) -> None:
    _edit(root / "mkdocs.yml", "\nnav:\n", "\nhooks:\n  - hooks.py\n\nnav:\n")
    (root / "hooks.py").write_text(
        "def on_page_markdown(markdown, page, config, files):\n"
        "    return markdown + '\\n\\nHook one.\\n'\n", encoding="utf-8")


CHANGES: dict[str, tuple[Callable[[Path, dict[str, str]], None], Callable[[Path, dict[str, str]], None]]] = {
    "site_description from !ENV": (_description_from_the_environment,
                                   lambda root, env: env.update(DESCRIPTION="Another description")),
    "an untitled nav page's heading": (_untitled_nav_entry, lambda root, env: _edit(
        root / "docs" / "about.md", "# About\n", "# About This Digest\n")),
    "a hook's code": (_a_hook, lambda root, env: _edit(root / "hooks.py", "Hook one.", "Hook two.")),
    # (not under --strict, which fails for it: a local build, the page shown as a plain link)
    "a page the navigation names deleted": (lambda root, env: None,
                                            lambda root, env: (root / "docs" / "about.md").unlink()),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_outside_mkdocs_yml_that_shapes_pages_renders_them_again(
        tmp_path: Path, demo_articles: Path, change: str) -> None:
    """What the page cache's key must cover besides mkdocs.yml's bytes and the pages' own."""
    setup, edit = CHANGES[change]
    (tmp_path / "project").mkdir()
    root = site_root(tmp_path / "project")
    shutil.copytree(demo_articles, root / "docs" / "articles", ignore=shutil.ignore_patterns(".*"))
    env = dict(ENV)
    setup(root, env)
    run_build(root, env)
    run_build(root, env)  # from the records
    edit(root, env)
    strict = (root / "docs" / "about.md").is_file()
    run_build(root, env, strict)
    assert site_files(root / "site") == clean_build(root, tmp_path, env, strict)
