"""The plugin as a maintainer meets it: strict, dirty and served builds, ProperDocs, and a
nightly run that writes only articles."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner
from mkdocs.utils.yaml import yaml_load

from scraper.cli import main
from tests.conftest import ROOT, build_site, site_root
from tests.fakesite import FakeSite
from tests.test_browser import free_port

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "true"}
ARTICLE = "docs/articles/tmtpost-7286540.md"


@pytest.fixture
def demo_project(tmp_path: Path, demo_articles: Path) -> Path:
    """A project with the demo archive (imported from samples/) in docs/articles."""
    root = site_root(tmp_path)
    shutil.copytree(demo_articles, root / "docs" / "articles", ignore=shutil.ignore_patterns(".*"))
    return root


def mkdocs(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=root, capture_output=True,
                          text=True, env=ENV)


def indexed_pages(site: Path) -> int:
    """Pages in every part of the search index the site lists."""
    parts = json.loads((site / "pagefind" / "parts.json").read_text(encoding="utf-8"))["parts"]
    total = 0
    for part in parts:
        entry = json.loads((site / "pagefind" / part / "pagefind-entry.json").read_text(encoding="utf-8"))
        total += sum(language["page_count"] for language in entry["languages"].values())
    return total


def test_only_articles_are_tracked_in_docs() -> None:
    tracked = subprocess.run(["git", "ls-files", "docs"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    assert tracked and all(p.startswith("docs/articles/") or p == "docs/about.md" for p in tracked)


def test_no_demo_page_is_tracked(demo_articles: Path) -> None:
    # docs/articles/ is the live archive the nightly job publishes: the repository ships it
    # empty, and a fork's checkout (where the nightly runs these tests too) holds only what it
    # fetched. A demo page is one the samples import to, byte for byte.
    demo = {page.read_bytes() for page in demo_articles.glob("*.md")}
    assert len(demo) == len(list((ROOT / "samples").glob("*.*"))) - 1  # all but urls.yml
    tracked = subprocess.run(["git", "ls-files", "-z", "docs"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    assert not [p for p in tracked if p.endswith(".md") and (ROOT / p).read_bytes() in demo]


def test_the_build_makes_listings_feeds_and_sources_and_the_index(demo_project: Path) -> None:
    root = demo_project
    site = build_site(root)
    articles = len(list((root / "docs" / "articles").glob("*.md")))
    for page in ("index.html", "digest/index.html", "digest/2024-10-30/index.html",
                 "topics/chips/index.html", "archive/2024-10/index.html", "sources/index.html",
                 "feed.xml", "feed.json", "topics/chips.xml", "topics/chips.json"):
        assert (site / page).is_file(), page
    assert "No update has run yet." in (site / "sources" / "index.html").read_text(encoding="utf-8")
    assert indexed_pages(site) == articles
    assert sorted(p.name for p in (root / "docs").iterdir()) == ["about.md", "articles"]


def test_the_sources_page_shows_the_last_runs_report(demo_project: Path) -> None:
    root = demo_project
    report = {"started": "2026-11-29T01:00:00+00:00", "finished": "2026-11-29T01:02:00+00:00",
              "ok_sources": 1, "failed_sources": 0, "requests": 3,
              "sources": [{"name": "tmtpost-en", "status": "ok", "http": {"200": 3},
                           "counts": {"new": 2}, "errors": [], "warnings": []}]}
    (root / ".scraper").mkdir()
    (root / ".scraper" / "report.json").write_text(json.dumps(report), encoding="utf-8")
    site = build_site(root)
    page = (site / "sources" / "index.html").read_text(encoding="utf-8")
    assert "tmtpost-en" in page and "healthy" in page  # the readers' page
    log = (site / "sources-log" / "index.html").read_text(encoding="utf-8")
    assert "<table>" in log and "200 ×3" in log  # the operator's run log


@pytest.mark.parametrize("where", ["article", "hand-written"])
def test_a_link_to_a_missing_anchor_fails_the_strict_build(demo_project: Path, where: str) -> None:
    root = demo_project
    page = root / (ARTICLE if where == "article" else "docs/about.md")
    page.write_text(page.read_text(encoding="utf-8") + "\n[see](#no-such-anchor)\n", encoding="utf-8")
    done = mkdocs(root, "build", "--strict")
    assert done.returncode != 0
    assert "no-such-anchor" in done.stderr and page.name in done.stderr


def test_an_article_with_invalid_front_matter_is_named_and_fails_the_strict_build(demo_project: Path) -> None:
    root = demo_project
    page = root / ARTICLE
    page.write_text(page.read_text(encoding="utf-8").replace(
        "date: 2024-10-30 00:00:00+08:00", "date: 2024-13-45"), encoding="utf-8")
    done = mkdocs(root, "build", "--strict")
    assert done.returncode != 0
    assert "WARNING -  docs/articles/tmtpost-7286540.md: front matter: key 'date'" in done.stderr


def test_a_leftover_generated_file_in_docs_is_reported(demo_project: Path) -> None:
    root = demo_project
    (root / "docs" / "index.md").write_text("---\ntitle: Old\n---\n\n# Old home\n", encoding="utf-8")
    done = mkdocs(root, "build", "--strict")
    assert done.returncode != 0 and "docs/index.md is made by the build now" in done.stderr


def test_a_dirty_build_keeps_every_article_in_the_search_index(demo_project: Path) -> None:
    root = demo_project
    site = build_site(root)
    articles = len(list((root / "docs" / "articles").glob("*.md")))
    assert indexed_pages(site) == articles
    untouched = site / "articles" / "tmtpost-7421567" / "index.html"
    before = untouched.stat().st_mtime_ns
    time.sleep(0.01)  # a later modification time than the built page: MkDocs rebuilds it
    edited = root / ARTICLE
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA line added by an editor.\n",
                      encoding="utf-8")
    done = mkdocs(root, "build", "--dirty", "--no-strict")  # MkDocs warns about any dirty build
    assert done.returncode == 0, done.stderr
    assert untouched.stat().st_mtime_ns == before  # skipped by MkDocs, yet indexed again:
    assert f"Search index: {articles} articles; parts indexed now: 1, from the cache: 0" in done.stderr
    assert indexed_pages(site) == articles


def test_the_site_builds_under_properdocs(demo_project: Path) -> None:
    root = demo_project
    site = build_site(root, program="properdocs")
    assert (site / "articles" / "tmtpost-7286540" / "index.html").is_file()
    assert (site / "topics" / "chips" / "index.html").is_file()
    assert indexed_pages(site) == len(list((root / "docs" / "articles").glob("*.md")))


@pytest.fixture
def served(demo_project: Path) -> Iterator[tuple[Path, str]]:
    root = demo_project
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve",
                             "-a", f"127.0.0.1:{port}"], cwd=root, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # `mkdocs serve` serves under site_url's path
    path = urlsplit(yaml_load((root / "mkdocs.yml").read_text(encoding="utf-8").split(  # !ENV
        "\ntheme:")[0])["site_url"]).path.rstrip("/")
    try:
        yield root, f"http://127.0.0.1:{port}{path}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def fetch_until(url: str, wanted: str, seconds: float = 120) -> str:
    """The page once it contains `wanted` (a rebuild takes a moment); the last one otherwise."""
    deadline, text = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as reply:
                text = reply.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError):
            text = ""
        if wanted in text:
            break
        time.sleep(0.5)
    return text


def test_serve_shows_an_edited_front_matter_in_the_listings(served: tuple[Path, str]) -> None:
    root, base = served
    assert "Chinese Chip Equipment Makers" in fetch_until(base + "/topics/chips/", "Chip Equipment")
    page = root / ARTICLE
    page.write_text(page.read_text(encoding="utf-8").replace(
        "title: Chinese Chip Equipment Makers Win More Domestic Orders as Export Curbs Tighten",
        "title: Etching Tool Makers Gain Ground"), encoding="utf-8")
    assert "Etching Tool Makers Gain Ground" in fetch_until(base + "/topics/chips/", "Etching Tool")
    assert "Etching Tool Makers Gain Ground" in fetch_until(base + "/digest/2024-10-30/", "Etching Tool")


def test_serve_keeps_the_pages_a_build_cached(demo_project: Path) -> None:
    """`serve` renders for its own address; `build`'s cached pages outlive it."""
    root = demo_project
    build_site(root)
    cache = root / ".cache" / "plugin" / "scraper" / "pages"
    built = set(cache.glob("*/*.html.gz"))
    # the articles and the listing pages (days, topics, months, companies)
    assert len(built) > len(list((root / "docs" / "articles").glob("*.md")))
    indexes = set(cache.glob("sources-*.json"))
    assert len(indexes) == 1
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                            cwd=root, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        path = urlsplit(yaml_load((root / "mkdocs.yml").read_text(encoding="utf-8").split(
            "\ntheme:")[0])["site_url"]).path.rstrip("/")
        listing = f"http://127.0.0.1:{port}{path}/topics/chips/"
        assert "Chip Equipment" in fetch_until(listing, "Chip Equipment")
    finally:
        proc.terminate()
        _, log = proc.communicate(timeout=30)
    assert "Article pages:" in log and "unused cache entries deleted" in log
    assert built <= set(cache.glob("*/*.html.gz"))
    assert indexes < set(cache.glob("sources-*.json"))  # serve's own, beside the build's


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def test_a_nightly_run_with_nothing_new_changes_no_tracked_file(demo_project: Path,
                                                                fake_site: FakeSite) -> None:
    site = fake_site
    root = demo_project
    shutil.copy(ROOT / ".gitignore", root / ".gitignore")
    (root / "scraper.yml").write_text(yaml.safe_dump({
        "user_agent": "TestDigest/0.1 (+https://example.org/contact)", "docs": "docs",
        "state_dir": ".scraper", "min_delay": 0, "max_delay": 0, "retries": 0,
        "allow_hosts": ["127.0.0.1"],
        "sources": [{"name": "en", "type": "listing", "url": site.url("/listing-1.html"),
                     "link_pattern": r"^/post/\d+$", "pages": 2},
                    {"name": "zh", "type": "feed", "url": site.url("/rss.xml")}]}))
    git(root, "init", "-q")
    first = CliRunner().invoke(main, ["update", "--config", str(root / "scraper.yml")])
    assert first.exit_code == 0, first.output
    build_site(root)
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "night 1")
    assert {p.split("/")[1] for p in git(root, "ls-files", "docs").split()} == {"about.md", "articles"}
    second = CliRunner().invoke(main, ["update", "--config", str(root / "scraper.yml")])
    assert second.exit_code == 0 and "unchanged" in second.output
    build_site(root)
    assert git(root, "status", "--porcelain") == ""
