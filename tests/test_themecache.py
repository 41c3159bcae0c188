"""Theme chrome rendered once per folder must give the very pages the theme gives per page."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from scraper.themecache import DISABLE
from tests.conftest import demo_docs_with_golden_articles, site_root

WITH_HEADINGS = """---
title: Battery makers split on sodium
id: test:headings
---

# Battery makers split on sodium

## Costs

Cheaper cells.

### In China

Plants are full.
"""

HIDDEN = """---
title: A page that hides its navigation
id: test:hidden
hide: [navigation]
---

# A page that hides its navigation

Text.
"""


def built(root: Path, monkeypatch: pytest.MonkeyPatch, cache: bool) -> dict[str, bytes]:
    if cache:
        monkeypatch.delenv(DISABLE, raising=False)
    else:
        monkeypatch.setenv(DISABLE, "1")
    shutil.rmtree(root / "site", ignore_errors=True)
    build(load_config(config_file=str(root / "mkdocs.yml")))
    return {str(p.relative_to(root / "site")): p.read_bytes()
            for p in (root / "site").rglob("*.html")}


def test_cached_chrome_gives_the_same_html_as_the_theme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    root = site_root(tmp_path)
    demo_docs_with_golden_articles(root / "docs")
    (root / "docs" / "articles" / "with-headings.md").write_text(WITH_HEADINGS)
    (root / "docs" / "articles" / "hidden.md").write_text(HIDDEN)
    with caplog.at_level(logging.DEBUG, logger="mkdocs.plugins.scraper"):
        cached = built(root, monkeypatch, cache=True)
    reused = [r.getMessage() for r in caplog.records if "blocks reused" in r.getMessage()]
    assert reused and int(reused[-1].split()[2]) >= 5 * 20  # five blocks, 20+ articles
    plain = built(root, monkeypatch, cache=False)
    assert cached.keys() == plain.keys() and len(cached) > 40
    for path in sorted(plain):
        assert cached[path] == plain[path], path
    headings = plain["articles/with-headings/index.html"].decode()
    assert 'href="#in-china"' in headings  # its own sidebar, not a shared one
