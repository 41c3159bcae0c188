"""The one reader of our own front matter: what it accepts, and the one line it gives otherwise."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scraper.dates import BEIJING
from scraper.errors import FrontMatterError
from scraper.frontmatter import (
    MAX_FRONT_MATTER,
    ArticleMeta,
    parse_front_matter,
    read_article,
    read_meta,
    validate_meta,
)
from scraper.models import Article, Block, Evidence
from scraper.tag import TopicRules
from scraper.write.render import front_matter, render_page

SOURCE = "docs/articles/tmtpost-7012345.md"
GOOD = """---
title: BYD cuts prices
date: 2025-03-01 09:30:00+08:00
published: '2025-03-01T09:30:00+08:00'
id: tmtpost:7012345
site: tmtpost
site_name: TMTPost
url: https://www.tmtpost.com/7012345.html
language: en
authors:
- Li Wei
summary: Prices fall again.
topics:
- evs
topic_labels:
- EVs
evidence:
  evs:
    BYD: 3
credits: []
---

# BYD cuts prices

Li Wei · 1 Mar 2025 · TMTPost

---

Body after a thematic break.
"""


def article() -> Article:
    return Article(source="s", url="https://www.tmtpost.com/7012345.html", site="tmtpost",
                   site_name="TMTPost", language="en", title="BYD cuts prices", summary="Cheaper.",
                   authors=("Li Wei",), published=datetime(2025, 3, 1, 9, 30, tzinfo=BEIJING),
                   blocks=(Block("paragraph", "Text.", "Text."),), article_id="7012345",
                   tags=("evs",), evidence={"evs": (Evidence("BYD", 3),)},
                   aliases=("https://m.tmtpost.com/7012345",),
                   source_updated=datetime(2025, 3, 2, tzinfo=UTC))


def test_a_good_page_reads_into_typed_fields() -> None:
    meta, body = parse_front_matter(GOOD, SOURCE)
    assert meta == ArticleMeta(
        key="tmtpost:7012345", title="BYD cuts prices", site="tmtpost", site_name="TMTPost",
        date=datetime(2025, 3, 1, 9, 30, tzinfo=BEIJING), published="2025-03-01T09:30:00+08:00",
        url="https://www.tmtpost.com/7012345.html", language="en", authors=("Li Wei",),
        summary="Prices fall again.", topics=("evs",), topic_labels=("EVs",),
        evidence={"evs": {"BYD": 3}})
    # the body starts after the closing line; a later `---` is Markdown, not front matter
    assert body.startswith("\n# BYD cuts prices") and "---\n\nBody after" in body


def test_what_render_writes_reads_back_equal(rules: TopicRules, tmp_path: Path) -> None:
    art = article()
    path = tmp_path / "a.md"
    path.write_text(render_page(art, rules), encoding="utf-8")
    meta, _ = read_article(path)
    assert meta == validate_meta(front_matter(art, rules), "memory") == read_meta(path)
    assert meta.aliases == art.aliases and meta.source_updated == art.source_updated
    assert meta.date is not None and meta.date.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize("edit", [
    lambda t: t.replace("\n", "\r\n"),  # saved on Windows
    lambda t: t.replace("\n", "\r"),  # classic Mac line ends
    lambda t: "\ufeff" + t,  # a byte-order mark
    lambda t: t.replace("---\n\n# BYD", "...\n\n# BYD", 1),  # YAML's document end
    lambda t: t.replace("---\n", "---  \n", 1),  # trailing blanks on the opening line
    lambda t: t.replace("title: BYD cuts prices", "title: '  BYD\n  cuts prices '"),
], ids=["crlf", "cr", "bom", "dots", "blanks", "folded"])
def test_editor_variants_of_a_good_page_are_accepted(edit: Callable[[str], str]) -> None:
    meta, body = parse_front_matter(edit(GOOD), SOURCE)
    assert meta.title == "BYD cuts prices" and meta.key == "tmtpost:7012345"
    assert "Body after a thematic break." in body


@pytest.mark.parametrize(("line", "value"), [
    ("date: 2025-03-01", datetime(2025, 3, 1, tzinfo=BEIJING)),  # a day: midnight in Beijing
    ("date: 2025-03-01 09:30:00", datetime(2025, 3, 1, 9, 30, tzinfo=BEIJING)),  # naive
    ("date: '2025-03-01T01:30:00+00:00'", datetime(2025, 3, 1, 1, 30, tzinfo=UTC)),
    ("date: null", None),
    ("date:", None),
])
def test_dates_become_aware_datetimes(line: str, value: datetime | None) -> None:
    meta, _ = parse_front_matter(GOOD.replace("date: 2025-03-01 09:30:00+08:00", line), SOURCE)
    assert meta.date == value and (value is None or meta.date.tzinfo is not None)  # type: ignore[union-attr]


BAD = [
    # (what, replace this, with this, the problem as the message gives it)
    ("unclosed list", "topics:\n- evs", "topics: [evs", "not valid YAML"),
    ("tab indentation", "authors:\n- Li Wei", "authors:\n\t- Li Wei", "not valid YAML"),
    ("python tag", "title: BYD", "title: !!python/object/apply:os.system ['id'] #", "python/object"),
    ("python name tag", "site: tmtpost", "site: !!python/name:os.system", "python/name"),
    ("month 13", "date: 2025-03-01 09:30:00+08:00", "date: 2025-13-45",
     "key 'date': '2025-13-45' is not a date (month must be in 1..12)"),
    ("30 February", "date: 2025-03-01 09:30:00+08:00", "date: 2025-02-30", "key 'date'"),
    ("year 1 (overflows time zones)", "date: 2025-03-01 09:30:00+08:00",
     "date: 0001-01-01 00:00:00+09:00", "key 'date': year 1 is out of range"),
    ("date as a list", "date: 2025-03-01 09:30:00+08:00", "date: [2025]", "key 'date'"),
    ("date as words", "date: 2025-03-01 09:30:00+08:00", "date: yesterday", "key 'date'"),
    ("published not a date", "published: '2025-03-01T09:30:00+08:00'", "published: soon",
     "key 'published'"),
    ("title list", "title: BYD cuts prices", "title: ['<img src=x onerror=alert(1)>']",
     "key 'title': ['<img src=x onerror=alert(1)>'] is not text"),
    ("title mapping", "title: BYD cuts prices", "title: {a: 1}", "key 'title'"),
    ("title number", "title: BYD cuts prices", "title: 1984", "key 'title': 1984 is not text"),
    ("title blank", "title: BYD cuts prices", "title: '   '", "key 'title': is empty"),
    ("title missing", "title: BYD cuts prices\n", "", "key 'title' is missing"),
    ("id missing", "id: tmtpost:7012345\n", "", "key 'id' is missing"),
    ("id a list", "id: tmtpost:7012345", "id: [1]", "key 'id'"),
    ("site a number", "site: tmtpost", "site: 7", "key 'site'"),
    ("site_name a list", "site_name: TMTPost", "site_name: [a]", "key 'site_name'"),
    ("site_name an empty list", "site_name: TMTPost", "site_name: []", "key 'site_name'"),
    ("site zero", "site: tmtpost", "site: 0", "key 'site'"),
    ("url broken brackets", "url: https://www.tmtpost.com/7012345.html", "url: http://[x/",
     "key 'url': 'http://[x/' is not an http(s) address"),
    ("url port out of range", "url: https://www.tmtpost.com/7012345.html",
     "url: http://127.0.0.1:99999/post/1", "key 'url'"),
    ("url javascript", "url: https://www.tmtpost.com/7012345.html", "url: javascript:alert(1)",
     "not an http(s) address"),
    ("url no host", "url: https://www.tmtpost.com/7012345.html", "url: 'http:///x'", "key 'url'"),
    ("url a number", "url: https://www.tmtpost.com/7012345.html", "url: 5", "key 'url'"),
    ("alias javascript", "credits: []", "credits: []\naliases: ['javascript:x']", "key 'aliases[0]'"),
    ("language markup", "language: en", "language: '\"><script>'", "key 'language'"),
    ("authors a string", "authors:\n- Li Wei", "authors: Li Wei", "key 'authors'"),
    ("author a mapping", "authors:\n- Li Wei", "authors:\n- {a: b}", "key 'authors[0]'"),
    ("summary a list", "summary: Prices fall again.", "summary: [x]", "key 'summary'"),
    ("topic path", "topics:\n- evs", "topics:\n- ../../etc", "key 'topics[0]'"),
    ("topic number", "topics:\n- evs", "topics:\n- 1", "key 'topics[0]'"),
    ("topic_labels a mapping", "topic_labels:\n- EVs", "topic_labels: {a: b}", "key 'topic_labels'"),
    ("evidence a list", "evidence:\n  evs:\n    BYD: 3", "evidence: [1]", "key 'evidence'"),
    ("evidence count bool", "BYD: 3", "BYD: true", "key 'evidence.evs'"),
    ("evidence count text", "BYD: 3", "BYD: many", "key 'evidence.evs'"),
    ("evidence bad topic", "evidence:\n  evs:", "evidence:\n  ../x:", "key 'evidence'"),
    ("credits a string", "credits: []", "credits: me", "key 'credits'"),
    ("source_updated words", "credits: []", "credits: []\nsource_updated: later",
     "key 'source_updated'"),
    ("template key", "site: tmtpost", "site: tmtpost\ntemplate: redirect.html",
     "key 'template' is not allowed in an article"),
    ("location key", "site: tmtpost", "site: tmtpost\nlocation: javascript:alert(1)",
     "key 'location' is not allowed in an article"),
    ("location null", "site: tmtpost", "site: tmtpost\nlocation:", "key 'location'"),
    ("duplicate key", "site: tmtpost", "site: tmtpost\nsite: other", "duplicate key 'site'"),
    ("anchor and alias", "site: tmtpost", "site: &s tmtpost\nsite_name2: *s",
     "anchors and aliases"),
    ("merge key", "site: tmtpost", "base: &b {site: x}\n<<: *b", "anchors and aliases"),
    ("billion laughs", "site: tmtpost",
     "site: tmtpost\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]", "anchors and aliases"),
    ("bad base64", "site: tmtpost", "site: tmtpost\nx: !!binary 'zz!'", "not valid YAML"),
    ("deep nesting", "site: tmtpost", "site: tmtpost\nx: " + "[" * 5000 + "]" * 5000,
     "not valid YAML"),
    ("not a mapping", "title: BYD cuts prices", "- a list item", "not valid YAML"),
    # without its closing line the YAML runs on into the page's text, up to the next `---`
    ("no closing line", "credits: []\n---\n", "credits: []\n", "not valid YAML"),
    ("no closing line nor break", "credits: []\n---\n", "credits: []\n", "not valid YAML"),
]


@pytest.mark.parametrize(("what", "old", "new", "problem"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_page_is_one_line_naming_the_file_and_key(what: str, old: str, new: str,
                                                        problem: str) -> None:
    assert old in GOOD
    with pytest.raises(FrontMatterError) as caught:
        parse_front_matter(GOOD.replace(old, new, 1), SOURCE)
    message = str(caught.value)
    assert message.startswith(f"{SOURCE}: front matter: ") and "\n" not in message
    assert problem in message and len(message) < 300


@pytest.mark.parametrize(("text", "problem"), [
    ("# Just Markdown\n", "missing (the page must start with a '---' line)"),
    ("", "missing"),
    ("---\n---\nbody\n", "is empty"),
    ("---\n- a\n- b\n---\nbody\n", "must be a mapping"),
    ("---\ntitle: x\nid: a\nsite: s\n---", "the closing '---' line needs a line break"),  # as MkDocs
    ("---\ntitle: " + "x" * (MAX_FRONT_MATTER + 10) + "\nid: a\nsite: s\n---\n", "within 256 KiB"),
])
def test_missing_empty_and_oversized_front_matter(text: str, problem: str) -> None:
    with pytest.raises(FrontMatterError, match=f"^{re.escape(SOURCE)}: front matter: .*"
                       + re.escape(problem)):
        parse_front_matter(text, SOURCE)


def test_read_meta_stops_at_the_front_matter_of_a_huge_page(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(GOOD.encode() + b"x" * (8 * MAX_FRONT_MATTER))
    assert read_meta(path).key == "tmtpost:7012345"
    huge = tmp_path / "b.md"
    huge.write_bytes(b"---\ntitle: " + b"x" * (10 * 1024 * 1024))  # 10 MB and never closed
    with pytest.raises(FrontMatterError, match="within 256 KiB"):
        read_meta(huge)


@pytest.mark.parametrize(("name", "make", "problem"), [
    ("latin1.md", lambda p: p.write_bytes(GOOD.replace("Li Wei", "Lì Wéi").encode("latin-1")),
     "not UTF-8 text"),
    ("utf16.md", lambda p: p.write_bytes(GOOD.encode("utf-16")), "not UTF-8 text"),
    ("garbage.md", lambda p: p.write_bytes(bytes(range(256)) * 4), "not UTF-8 text"),
    ("nul.md", lambda p: p.write_bytes(b"\x00" * 100), "front matter: missing"),
    ("dir.md", lambda p: p.mkdir(), "not a regular file"),
    ("link.md", lambda p: p.symlink_to(p.parent / "target.md"), "symbolic link"),
    ("fifo.md", lambda p: os.mkfifo(p), "not a regular file"),
    ("missing.md", lambda p: None, "cannot read"),
])
def test_files_that_are_not_utf8_pages_are_refused_by_name(tmp_path: Path, name: str,
                                                           make: object, problem: str) -> None:
    (tmp_path / "target.md").write_text(GOOD, encoding="utf-8")
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    for read in (read_meta, read_article):
        with pytest.raises(FrontMatterError, match=problem) as caught:
            read(path)  # type: ignore[operator]
        assert str(caught.value).startswith(f"{path}: ")


def test_the_record_is_frozen_and_hashable() -> None:
    meta, _ = parse_front_matter(GOOD, SOURCE)
    with pytest.raises(AttributeError):
        meta.title = "x"  # type: ignore[misc]
    assert hash(meta) == hash(replace(meta)) and meta == replace(meta)
