"""The archive as the build reads it: each article page once, its entry and the companies its
text names from that one read, and a bad page left out with one warning naming it."""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from pathlib import Path

import pytest
from mkdocs.structure.files import File, Files

from scraper.companies import Companies, load_companies
from scraper.frontmatter import ArticleMeta, parse_article, read_page
from scraper.mkdocs.archive import Archive
from scraper.mkdocs.companypages import CompanyPages
from scraper.mkdocs.entries import Entry
from scraper.mkdocs.entrycache import EntryCache, entries_salt

PAGE = """---
id: "tmtpost:{n}"
title: "{title}"
date: 2024-10-30 09:00:00+08:00
summary: "{summary}"
evidence:
  evs: {{BYD: 3}}
---

# {title}

{body}
"""


def write(docs: Path, n: int, title: str, body: str, summary: str = "A dek.") -> str:
    (docs / "articles").mkdir(parents=True, exist_ok=True)
    uri = f"articles/a-{n}.md"
    (docs / uri).write_text(PAGE.format(n=n, title=title, summary=summary, body=body), encoding="utf-8")
    return uri


def files_of(docs: Path, uris: list[str]) -> Files:
    return Files([File(u, str(docs), str(docs.parent / "site"), True) for u in [*uris, "about.md"]])


def test_each_article_is_read_once_for_its_entry_and_the_companies_it_names(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    uris = [write(docs, 1, "Chips", "SMIC and 华为 expand."),
            write(docs, 2, "NIO cuts prices", "Nothing else.", summary="Also Xiaomi."),
            write(docs, 3, "Weather", "No company here, only in the front matter's evidence.")]
    reads: Counter[Path] = Counter()

    def counting(path: Path) -> bytes:
        reads[path] += 1
        return read_page(path)

    entries = Archive(load_companies(), read=counting).entries(files_of(docs, uris), str(docs))
    assert reads == Counter({docs / u: 1 for u in uris})  # and about.md is not an article
    assert [(e.path, e.title) for e in entries] == [
        ("articles/a-1.md", "Chips"), ("articles/a-2.md", "NIO cuts prices"), ("articles/a-3.md", "Weather")]
    assert CompanyPages.mentions(entries) == {"articles/a-1.md": ("huawei", "smic"),
                                              "articles/a-2.md": ("nio", "xiaomi")}


def test_a_page_that_cannot_be_read_is_left_out_with_one_warning_naming_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    docs = tmp_path / "docs"
    good = write(docs, 1, "NIO", "Text.")
    bad = write(docs, 2, "Broken", "Text.")
    page = docs / bad
    page.write_bytes(page.read_bytes().replace(b"Text.", b"Te\xffxt."))  # not UTF-8, in the body
    with caplog.at_level(logging.WARNING, logger="mkdocs.plugins.scraper"):
        entries = Archive(load_companies()).entries(files_of(docs, [good, bad]), str(docs))
    assert [e.path for e in entries] == [good]
    at = page.read_bytes().index(b"\xff")
    assert [r.getMessage() for r in caplog.records] == [f"docs/articles/a-2.md: not UTF-8 text (byte {at})"]


class Counted:
    """parse_article, counting the pages it parses."""

    def __init__(self) -> None:
        self.parsed: Counter[str] = Counter()

    def __call__(self, data: bytes, path: Path) -> tuple[ArticleMeta, str]:
        self.parsed[path.name] += 1
        return parse_article(data, path)


def cached_entries(docs: Path, uris: list[str], cache_file: Path) -> tuple[list[Entry], Counter[str]]:
    companies = load_companies()
    cache = EntryCache(cache_file)
    cache.load(entries_salt(companies))
    parse = Counted()
    return Archive(companies, cache=cache, parse=parse).entries(files_of(docs, uris), str(docs)), parse.parsed


def test_a_page_whose_bytes_the_cache_knows_is_not_parsed_again_even_with_a_new_file_time(
        tmp_path: Path) -> None:
    docs, cache_file = tmp_path / "docs", tmp_path / "cache" / "entries.json"
    uris = [write(docs, 1, "Chips", "SMIC and 华为 expand."), write(docs, 2, "NIO", "Text.")]
    first, parsed = cached_entries(docs, uris, cache_file)
    assert parsed == Counter({"a-1.md": 1, "a-2.md": 1})
    for uri in uris:  # a fresh checkout: every file gets a new time, the bytes stay
        os.utime(docs / uri, (1, 1))
    again, parsed = cached_entries(docs, uris, cache_file)
    assert parsed == Counter() and again == first
    assert again[0].companies == ("huawei", "smic")


def test_a_changed_page_is_parsed_again_and_a_deleted_one_leaves_the_cache(tmp_path: Path) -> None:
    docs, cache_file = tmp_path / "docs", tmp_path / "entries.json"
    uris = [write(docs, 1, "Chips", "Text."), write(docs, 2, "NIO", "Text.")]
    cached_entries(docs, uris, cache_file)
    write(docs, 1, "Chips, edited", "Text.")
    entries, parsed = cached_entries(docs, uris[:1], cache_file)
    assert parsed == Counter({"a-1.md": 1}) and [e.title for e in entries] == ["Chips, edited"]
    assert len(json.loads(cache_file.read_text(encoding="utf-8"))["entries"]) == 1


@pytest.mark.parametrize("damage", [
    "not json", "[]", '{"salt": "other", "entries": {}}',
    # right salt, rows of the wrong shape: a title that is a number, a time without its zone
    "ROWS"])
def test_a_damaged_or_foreign_cache_makes_the_pages_be_read_again(tmp_path: Path, damage: str) -> None:
    docs, cache_file = tmp_path / "docs", tmp_path / "entries.json"
    uris = [write(docs, 1, "Chips", "Text."), write(docs, 2, "NIO", "Text.")]
    first, _ = cached_entries(docs, uris, cache_file)
    if damage == "ROWS":
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        rows = list(data["entries"].values())
        rows[0][0] = 7
        rows[1][1] = "2024-10-30T09:00:00"
        damage = json.dumps(data)
    cache_file.write_text(damage, encoding="utf-8")
    again, parsed = cached_entries(docs, uris, cache_file)
    assert parsed == Counter({"a-1.md": 1, "a-2.md": 1}) and again == first


def test_a_change_to_the_company_list_reads_every_page_again() -> None:
    companies = load_companies()
    fewer = Companies(companies.companies[1:])
    assert entries_salt(fewer) != entries_salt(companies)
