"""The search index in parts: which articles go in which part, the cache of unchanged parts,
and builds that take parts from it (scraper/mkdocs/searchparts.py, search.py)."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.mkdocs.searchparts import Member, Part, PartCache, place, plan
from tests.conftest import ROOT, site_root, with_part_size
from tests.test_plugin import ENV, indexed_pages

SALT = "salt"


def members(n: int, start: int = 10) -> list[Member]:
    return [Member(f"2025-01-{start + i:02d}", f"/articles/a{start + i}/", f"d{start + i}") for i in range(n)]


def keys(parts: list[Part]) -> list[str]:
    return [p.key for p in parts]


def test_articles_are_cut_in_date_order_oldest_part_first() -> None:
    shuffled = members(10)[::-1]
    parts = plan(shuffled, 4, SALT)
    assert [p.name for p in parts] == ["part-0001", "part-0002", "part-0003"]
    assert [len(p.urls) for p in parts] == [4, 4, 2]
    assert parts[0].urls[0] == "/articles/a10/" and parts[-1].urls[-1] == "/articles/a19/"


def test_an_empty_archive_has_one_empty_part() -> None:
    parts = plan([], 4, SALT)
    assert len(parts) == 1 and parts[0].urls == []


def test_new_articles_change_only_the_newest_part() -> None:
    before = plan(members(10), 4, SALT)
    after = plan(members(11), 4, SALT)  # one more, newer than all
    assert keys(after)[:2] == keys(before)[:2] and keys(after)[2] != keys(before)[2]
    grown = plan(members(13), 4, SALT)  # a fourth part begins
    assert keys(grown)[:2] == keys(before)[:2] and len(grown) == 4


def test_an_edited_article_changes_its_part_and_a_backdated_one_the_parts_from_its_date() -> None:
    base = members(12)
    edited = list(base)
    edited[5] = Member(base[5].when, base[5].url, "changed")
    assert [a == b for a, b in zip(keys(plan(base, 4, SALT)), keys(plan(edited, 4, SALT)), strict=True)] == [
        True, False, True]
    backdated = [*base, Member("2025-01-14T12:00", "/articles/old/", "x")]  # inside the second part
    old, new = keys(plan(base, 4, SALT)), keys(plan(backdated, 4, SALT))
    assert old[0] == new[0] and old[1] != new[1] and old[2] != new[2]


def test_anything_else_that_shapes_the_index_changes_every_part() -> None:
    assert not set(keys(plan(members(9), 4, SALT))) & set(keys(plan(members(9), 4, "other")))


def written(cache: PartCache, key: str) -> Path:
    tmp = cache.writing(key)
    tmp.mkdir()
    (tmp / "pagefind-entry.json").write_text("{}", encoding="utf-8")
    (tmp / "pagefind.js").write_text("//", encoding="utf-8")
    return cache.commit(key, tmp)


def test_a_half_written_part_is_never_taken_from_the_cache_and_is_pruned(tmp_path: Path) -> None:
    cache = PartCache(tmp_path / "cache")
    half = cache.writing("k1")
    half.mkdir()
    (half / "pagefind.js").write_text("//", encoding="utf-8")  # the build died before the entry file
    with pytest.raises(OSError, match="no index"):
        cache.commit("k1", half)
    assert cache.get("k1") is None
    written(cache, "k2")
    (tmp_path / "cache" / "k3").mkdir()  # a folder without an entry file is no part either
    assert cache.get("k2") is not None and cache.get("k3") is None
    assert cache.prune({"k2"}) == 2
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["k2"]


def test_two_builds_writing_the_same_part_both_succeed(tmp_path: Path) -> None:
    """`mkdocs serve` and `mkdocs build` side by side: the second to finish finds the part
    written, and a part another live build is writing is not pruned."""
    cache = PartCache(tmp_path / "cache")
    first = written(cache, "k")
    late = tmp_path / "cache" / "k.tmp-elsewhere"
    late.mkdir()
    (late / "pagefind-entry.json").write_text("{}", encoding="utf-8")
    assert cache.commit("k", late) == first and not late.exists()
    assert cache.get("k") is not None
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        (tmp_path / "cache" / f"k2.tmp-{live.pid}").mkdir()
        (tmp_path / "cache" / "k3.tmp-999999999").mkdir()  # no such process: a leftover
        assert cache.prune({"k"}) == 1
        assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["k", f"k2.tmp-{live.pid}"]
    finally:
        live.kill()
        live.wait()


def test_the_site_gets_every_part_and_a_manifest_newest_first(tmp_path: Path) -> None:
    cache = PartCache(tmp_path / "cache")
    parts = plan(members(5), 2, SALT)
    for part in parts:
        written(cache, part.key)
    index = tmp_path / "site" / "pagefind"
    (index / "part-0009").mkdir(parents=True)  # left by an earlier (dirty) build
    place(parts, cache, index)
    assert json.loads((index / "parts.json").read_text(encoding="utf-8")) == {
        "parts": ["part-0003", "part-0002", "part-0001"]}
    assert sorted(p.name for p in index.iterdir()) == ["part-0001", "part-0002", "part-0003", "parts.json"]
    shutil.rmtree(cache.folder / parts[1].key)
    with pytest.raises(OSError, match="part-0002 is missing"):
        place(parts, cache, index)


# ---- builds ----

def build(root: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                          capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


def index_files(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in (site / "pagefind").rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, demo_articles: Path) -> Path:
    root = site_root(tmp_path_factory.mktemp("parts"))
    shutil.copytree(demo_articles, root / "docs" / "articles", ignore=shutil.ignore_patterns(".*"))
    with_part_size(root, 2)
    return root


def test_builds_index_only_the_parts_whose_articles_changed(project: Path) -> None:
    articles = sorted((project / "docs" / "articles").glob("*.md"))
    parts = -(-len(articles) // 2)
    assert parts >= 3, "the demo archive should fill several parts"
    log = build(project)
    assert f"Search index: {len(articles)} articles; parts indexed now: {parts}, from the cache: 0" in log
    site = project / "site"
    assert indexed_pages(site) == len(articles)
    first = index_files(site)
    assert all(f"pagefind/part-{n:04d}/pagefind.js" in first for n in range(1, parts + 1))
    assert not [name for name in first if "-ui" in name]  # Pagefind's UI bundles are dropped

    log = build(project)  # nothing changed: every part from the cache, the same files
    assert f"parts indexed now: 0, from the cache: {parts}" in log
    assert index_files(site) == first

    # An editor fixes a typo in one article: only its part is indexed again.
    newest = max(articles, key=lambda p: p.read_text(encoding="utf-8").split("\ndate: ")[1][:25])
    body, rule, credits = newest.read_text(encoding="utf-8").rpartition("\n---\n")
    assert rule  # the rule before the source line: what comes after it is not indexed
    newest.write_text(f"{body}\nA correction from the editor.\n{rule}{credits}", encoding="utf-8")
    log = build(project)
    assert f"parts indexed now: 1, from the cache: {parts - 1}" in log
    changed = {name for name, digest in index_files(site).items() if first.get(name) != digest}
    assert changed and {name.split("/")[1] for name in changed} <= {f"part-{parts:04d}", "parts.json"}
    cached = project / ".cache" / "plugin" / "scraper" / "search"
    assert len([p for p in cached.iterdir() if p.is_dir()]) == parts  # the replaced part is pruned


def test_a_cache_folder_that_is_not_the_projects_is_used_from_the_config(tmp_path: Path,
                                                                          project: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(project, root, ignore=shutil.ignore_patterns("site", ".cache"))
    config = root / "mkdocs.yml"
    elsewhere = tmp_path / "elsewhere"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - scraper:\n", f"  - scraper:\n      cache_dir: {elsewhere}\n", 1), encoding="utf-8")
    build(root)
    assert any((p / "pagefind-entry.json").is_file() for p in (elsewhere / "search").iterdir())
    assert list((elsewhere / "pages").glob("*/*.html.gz"))
    assert not (root / ".cache").exists()


def test_the_repository_ignores_the_cache() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".cache/plugin/scraper/x"], cwd=ROOT)
    assert ignored.returncode == 0


def test_the_metadata_benchmark_reads_every_parts_pages(project: Path) -> None:
    """benchmarks/search_meta.py's floor is the pages Pagefind lists: one per article, in
    every part. Its CBOR reader must read the real files, and size a section as written."""
    from benchmarks.search_meta import cbor_encode, cbor_item, sections

    build(project)
    site = project / "site"
    articles = len(list((project / "docs" / "articles").glob("*.md")))
    listed = []
    for meta_file in (site / "pagefind").glob("part-*/pagefind.*.pf_meta"):
        decoded = sections(meta_file)
        pages = decoded[1]
        assert isinstance(pages, list)
        listed += [page[0] for page in pages]
        raw = gzip.decompress(meta_file.read_bytes())[len(b"pagefind_dcd"):]
        assert cbor_encode(decoded) == raw  # the reader loses nothing it would size
    assert len(listed) == len(set(listed)) == articles
    assert all(re.fullmatch(r"[a-z]+_[0-9a-f]{7,}", h) for h in listed)
    big = [0, 23, 24, 255, 256, 65_536, 2**32, -1, -300, "中文", b"\x00", [], {"k": [1, "v"]}]
    for value in big:
        assert cbor_item(cbor_encode(value), 0) == (value, len(cbor_encode(value)))
