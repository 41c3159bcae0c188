"""The search index is written during the build; when Pagefind is missing or dies, the build
stops with a message that says so instead of hanging or publishing a site without search."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import scraper.mkdocs.searchindex as searchindex
from scraper.mkdocs.searchindex import SearchIndex, SearchIndexError

PAGE = "<html><body><main data-pagefind-body><h1>{title}</h1><p>{text}</p></main></body></html>"


def test_pages_added_during_the_build_are_found_in_the_written_index(tmp_path: Path) -> None:
    index = SearchIndex({"force_language": "zh"})
    index.add("/articles/a/", PAGE.format(title="Battery swap", text="NIO opens 数据安全 stations"))
    index.add("/articles/b/", PAGE.format(title="Chips", text="SMIC expands capacity"))
    index.start_writing(tmp_path / "pagefind")
    index.finish()
    assert index.pages == 2
    assert (tmp_path / "pagefind" / "pagefind.js").exists()
    assert len(list((tmp_path / "pagefind" / "fragment").glob("*.pf_fragment"))) == 2


def test_a_missing_pagefind_binary_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(searchindex, "get_executable", lambda: None)
    with pytest.raises(SearchIndexError, match="Pagefind binary is missing"):
        SearchIndex({})


def test_a_service_that_dies_fails_fast_instead_of_hanging(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    dead = tmp_path / "pagefind"
    dead.write_text(f"#!{sys.executable}\nimport sys; sys.stdin.read(1); sys.exit(3)\n")
    dead.chmod(0o755)
    monkeypatch.setattr(searchindex, "get_executable", lambda: dead)
    with pytest.raises(SearchIndexError, match="NewIndex failed: exit code 3"):
        SearchIndex({})


def test_an_unreadable_reply_fails_the_index_instead_of_hanging(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    garbled = tmp_path / "pagefind"
    garbled.write_text(f"#!{sys.executable}\nimport sys, time\nsys.stdin.read(1)\n"
                       "sys.stdout.write('%%%not base64%%%,'); sys.stdout.flush(); time.sleep(30)\n")
    garbled.chmod(0o755)
    monkeypatch.setattr(searchindex, "get_executable", lambda: garbled)
    with pytest.raises(SearchIndexError, match="NewIndex failed"):
        SearchIndex({})


def test_the_index_is_written_in_the_background_and_later_pages_are_refused(tmp_path: Path) -> None:
    index = SearchIndex({"force_language": "zh"})
    index.add("/articles/a/", PAGE.format(title="Battery swap", text="NIO opens stations"))
    index.start_writing(tmp_path / "pagefind")
    with pytest.raises(SearchIndexError, match="/articles/late/ came after"):
        index.add("/articles/late/", PAGE.format(title="Late", text="too late"))
    index.finish()
    assert len(list((tmp_path / "pagefind" / "fragment").glob("*.pf_fragment"))) == 1
