"""Where pages are written: safe stable names, no overwrites, idempotent re-import."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scraper.frontmatter import read_meta
from scraper.models import Article, Block
from scraper.render import render_page
from scraper.store import slug_for, write_article
from scraper.tag import TopicRules


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

    from scraper.store import ArchiveIndex, scan_archive

    index = ArchiveIndex(scan_archive(tmp_path))
    first = replace(make("BYD cuts prices", article_id="1"), published=date(2024, 3, 1))
    second = replace(make("BYD cuts prices", article_id="2", body="Other text."),
                     published=date(2024, 3, 1))
    p1, s1 = write_article(tmp_path, first, render_page(first, rules), index)
    p2, s2 = write_article(tmp_path, second, render_page(second, rules), index)
    assert p1 != p2 and (s1, s2) == ("new", "new")
    assert "Body text." in p1.read_text() and "Other text." in p2.read_text()
