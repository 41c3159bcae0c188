"""The archive as the build reads it: each article page once, its entry and the companies its
text names from that one read, and a bad page left out with one warning naming it."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import pytest
from mkdocs.structure.files import File, Files

from scraper.companies import load_companies
from scraper.frontmatter import ArticleMeta, read_article
from scraper.mkdocs.archive import Archive
from scraper.mkdocs.companypages import CompanyPages

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

    def counting(path: Path) -> tuple[ArticleMeta, str]:
        reads[path] += 1
        return read_article(path)

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
