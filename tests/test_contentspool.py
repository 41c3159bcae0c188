"""Page contents wait on disk between their Markdown and their template (contentspool.py)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page

from scraper.mkdocs.contentspool import ContentSpool


def page(tmp_path: Path, name: str) -> Page:
    return Page(None, File(f"articles/{name}.md", str(tmp_path), str(tmp_path / "site"), True), {})


def test_a_held_content_comes_back_whole_for_its_template_and_its_file_goes(tmp_path: Path) -> None:
    spool = ContentSpool()
    spool.start()
    a, b = page(tmp_path, "a"), page(tmp_path, "b")
    html = "<p>比亚迪 cuts prices \u2028 &amp; more</p>\n"
    assert spool.hold(a, html) == "" and spool.hold(b, "<p>b</p>") == ""
    assert not spool.give_back(page(tmp_path, "c"))  # never held
    assert spool.give_back(a) and a.content == html
    assert not spool.give_back(a)  # once
    spool.close()
    assert not spool.give_back(b)


def test_a_temporary_folder_that_cannot_be_written_keeps_contents_in_memory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder\n", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    spool = ContentSpool()
    spool.start()
    with caplog.at_level(logging.INFO, logger="mkdocs.plugins.scraper"):
        assert spool.hold(page(tmp_path, "a"), "<p>a</p>") == "<p>a</p>"
        assert spool.hold(page(tmp_path, "b"), "<p>b</p>") == "<p>b</p>"
    assert len([r for r in caplog.records if "stay in memory" in r.getMessage()]) == 1
