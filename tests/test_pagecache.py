"""Rendered article pages kept between builds (scraper/mkdocs/pagecache.py): a page from the
cache is the page a fresh render gives, and anything that changes the page renders it again."""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import site_root
from tests.test_plugin import ENV, indexed_pages

LOG = re.compile(r"Article pages: (\d+) from the cache, (\d+) rendered \((\d+) unused cache entries "
                 r"deleted\); listing pages: (\d+) from the cache, (\d+) rendered; (\d+) pages from "
                 r"their source's record")


class Counts(NamedTuple):
    listed_cached: int  # listing pages (topics, days, months, companies) from the cache
    listed_rendered: int
    unread: int  # pages, articles or listings, whose source MkDocs did not read (pagesources.py)


LAST: dict[Path, Counts] = {}


def build(root: Path, *args: str) -> tuple[int, int, int]:
    """Article pages from the cache, rendered, cache files deleted; the rest in LAST[root]."""
    return build_and_say(root, *args)[0]


def build_and_say(root: Path, *args: str) -> tuple[tuple[int, int, int], list[str]]:
    """build(), and the warnings the build printed."""
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=root,
                          capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    found = LOG.search(done.stderr)
    assert found, done.stderr[-2000:]
    LAST[root] = Counts(int(found[4]), int(found[5]), int(found[6]))
    said = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    return (int(found[1]), int(found[2]), int(found[3])), said


def site_files(site: Path) -> dict[str, str]:
    """Every file but the search index (whose file names carry hashes of their own)."""
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in site.rglob("*") if p.is_file() and "pagefind" not in p.parts}


@pytest.fixture
def project(tmp_path: Path, demo_articles: Path) -> Path:
    root = site_root(tmp_path)
    shutil.copytree(demo_articles, root / "docs" / "articles", ignore=shutil.ignore_patterns(".*"))
    return root


def article_count(root: Path) -> int:
    return len(list((root / "docs" / "articles").glob("*.md")))


def test_a_page_from_the_cache_is_the_page_a_fresh_render_gives(project: Path) -> None:
    n = article_count(project)
    assert build(project, "--strict") == (0, n, 0)
    first = site_files(project / "site")
    assert build(project, "--strict") == (n, 0, 0)
    assert site_files(project / "site") == first
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - scraper:\n", "  - scraper:\n      cache_pages: false\n", 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project,
                          capture_output=True, text=True, env=ENV)
    assert done.returncode == 0 and "Article pages" not in done.stderr
    assert site_files(project / "site") == first


def related_pair(site: Path) -> tuple[str, str]:
    """An article page and another article it links to (Related, or the same day's next)."""
    for page in sorted((site / "articles").glob("*/index.html")):
        text = page.read_text(encoding="utf-8")
        for other in re.findall(r'href="\.\./(tmtpost-\d+|[a-z0-9-]+)/"', text):
            if other != page.parent.name and (site / "articles" / other).is_dir():
                return page.parent.name, other
    raise AssertionError("no article links to another")


def test_a_change_to_a_linked_article_renders_the_page_that_links_to_it_again(project: Path) -> None:
    # A second story of the same day on the same topics: the two pages link to each other.
    articles = project / "docs" / "articles"
    original = (articles / "tmtpost-7286540.md").read_text(encoding="utf-8")
    assert "\nid: tmtpost:7286540\n" in original
    (articles / "tmtpost-7286541.md").write_text(
        original.replace("7286540", "7286541").replace("title: ", "title: Second ", 1), encoding="utf-8")
    build(project, "--strict")
    page, other = related_pair(project / "site")
    source = articles / f"{other}.md"
    text = source.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", text, re.M)
    assert title
    source.write_text(text.replace(title[0], "title: A Title Changed By The Editor", 1), encoding="utf-8")
    cached, rendered, gone = build(project, "--strict")
    # the article, the page linking to it, the listings naming it; their old copies
    assert rendered >= 2 and LAST[project].listed_rendered >= 1
    assert gone == rendered + LAST[project].listed_rendered
    assert "A Title Changed By The Editor" in (project / "site" / "articles" / page / "index.html").read_text(
        encoding="utf-8")


def test_a_change_to_the_theme_renders_every_page_again(project: Path) -> None:
    n = article_count(project)
    build(project, "--strict")
    main = project / "overrides" / "main.html"
    listings = LAST[project].listed_rendered
    main.write_text(main.read_text(encoding="utf-8") + "\n{# edited #}\n", encoding="utf-8")
    assert build(project, "--strict") == (0, n, n + listings)
    assert LAST[project] == (0, listings, 0)


def test_a_damaged_cache_file_is_rendered_again(project: Path) -> None:
    n = article_count(project)
    build(project, "--strict")
    first = site_files(project / "site")
    listings = LAST[project].listed_rendered
    cached = sorted((project / ".cache" / "plugin" / "scraper" / "pages").glob("*/*.html.gz"))
    assert len(cached) == n + listings
    cached[0].write_bytes(b"not gzip")
    cached[1].write_bytes(gzip.compress(b"\xff\xfe not utf-8"))
    hits, rendered, gone = build(project, "--strict")
    assert (hits + LAST[project].listed_cached, rendered + LAST[project].listed_rendered) == (
        n + listings - 2, 2)
    assert LAST[project].unread == n + listings - 2
    assert site_files(project / "site") == first


def test_a_dirty_build_keeps_the_pages_it_did_not_render(project: Path) -> None:
    n = article_count(project)
    build(project, "--strict")
    cached, rendered, gone = build(project, "--dirty", "--no-strict")  # MkDocs warns of any dirty build
    assert gone == 0 and (cached, rendered) == (n, 0)
    assert build(project, "--strict") == (n, 0, 0)


def test_a_cache_folder_that_cannot_be_written_costs_one_log_line_not_the_build(project: Path) -> None:
    blocked = project / "blocked"
    blocked.write_text("a file where the cache folder would be\n", encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - scraper:\n", "  - scraper:\n      cache_dir: blocked/cache\n", 1),
        encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=project,
                          capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr[-2000:]
    said = [line for line in done.stderr.splitlines() if "Page cache: cannot write" in line]
    assert len(said) == 1 and "blocked" in said[0]  # under strict: mkdocs.yml says strict: true
    assert "Search index: cannot write into" in done.stderr  # its parts are made for this build only
    assert (project / "site" / "articles" / "tmtpost-7286540" / "index.html").is_file()
    assert indexed_pages(project / "site") == article_count(project)


def test_pages_the_cache_has_are_not_read_and_come_out_the_same(project: Path) -> None:
    n = article_count(project)
    build(project, "--strict")
    first, listings = site_files(project / "site"), LAST[project].listed_rendered
    assert listings > 0 and LAST[project].unread == 0
    assert build(project, "--strict") == (n, 0, 0)
    assert LAST[project] == (listings, 0, n + listings)
    assert site_files(project / "site") == first


def add_to_article(project: Path, text: str, name: str = "tmtpost-7286540.md") -> None:
    page = project / "docs" / "articles" / name
    page.write_text(page.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def warnings_of(project: Path) -> list[str]:
    return build_and_say(project, "--no-strict")[1]


def test_a_page_with_a_broken_link_warns_on_every_build(project: Path) -> None:
    n = article_count(project)
    add_to_article(project, "See [the missing page](../no-such-page.md).")
    for _ in range(2):
        said = warnings_of(project)
        assert len(said) == 1 and "no-such-page.md" in said[0]
    assert LAST[project].unread == n - 1 + LAST[project].listed_cached  # all but that page


def test_a_page_whose_link_target_goes_is_read_again_and_warns(project: Path) -> None:
    (project / "docs" / "notes.md").write_text("# Notes\n", encoding="utf-8")
    add_to_article(project, "See [the notes](../notes.md).")
    assert warnings_of(project) == []
    assert warnings_of(project) == []
    assert LAST[project].unread >= article_count(project)  # the article came from its record
    (project / "docs" / "notes.md").unlink()
    said = warnings_of(project)
    assert len(said) == 1 and "notes.md" in said[0] and "tmtpost-7286540.md" in said[0]


def test_anchors_in_pages_the_cache_has_are_still_checked(project: Path) -> None:
    add_to_article(project, "## A Section Of Its Own")
    about = project / "docs" / "about.md"
    text = about.read_text(encoding="utf-8")
    about.write_text(text + "\n[good](articles/tmtpost-7286540.md#a-section-of-its-own)"
                     " [bad](articles/tmtpost-7286540.md#no-such-anchor)\n", encoding="utf-8")
    for _ in range(2):  # rendered, then from its source's record
        said = warnings_of(project)
        assert len(said) == 1 and "no-such-anchor" in said[0] and "a-section-of-its-own" not in said[0]
    assert LAST[project].unread >= article_count(project)


def test_a_cached_page_damaged_without_a_change_of_size_stops_one_build_and_is_rendered_next(
        project: Path) -> None:
    """A page given an empty source is checked by its cached file's size only: damage of the
    same size is found when the page is printed, too late to render it, so that build stops
    with one line naming the file, which it deletes, and the next build renders the page."""
    build(project, "--strict")
    first = site_files(project / "site")
    build(project, "--strict")  # now from the records
    cached = sorted((project / ".cache" / "plugin" / "scraper" / "pages").glob("*/*.html.gz"))
    data = bytearray(cached[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    cached[0].write_bytes(bytes(data))
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=project,
                          capture_output=True, text=True, env=ENV)
    assert done.returncode != 0, done.stderr[-3000:]
    said = [line for line in done.stderr.splitlines() if "build again" in line]
    assert said, done.stderr[-3000:]
    assert len(said) == 1 and cached[0].name in said[0] and "Traceback" not in done.stderr
    assert not cached[0].exists()
    build(project, "--strict")
    assert site_files(project / "site") == first


def test_without_a_navigation_in_mkdocs_yml_no_page_is_cached(project: Path) -> None:
    """MkDocs then lists every page in every page's navigation: a new article changes them all."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    start = text.index("\nnav:\n")
    end = text.index("\n\n", start + 1)
    config.write_text(text[:start] + text[end:], encoding="utf-8")
    for _ in range(2):
        assert build(project, "--no-strict") == (0, 0, 0)
        assert LAST[project] == (0, 0, 0)
    assert (project / "site" / "articles" / "tmtpost-7286540" / "index.html").is_file()
