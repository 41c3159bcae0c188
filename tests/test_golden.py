"""Golden Markdown: each fixture page rendered exactly as `scraper import` writes it.

Regenerate with `pytest tests/test_golden.py --update-golden` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scraper.fetch.files import read_page
from scraper.sites.dispatch import extract_article
from scraper.tag import TopicRules
from scraper.write.render import render_page
from tests.conftest import FIXTURES, GOLDEN


def pages() -> list[Path]:
    return sorted(p for site in ("tmtpost", "generic") for p in (FIXTURES / site).iterdir()
                  if not p.name.endswith(".expect.yml"))


@pytest.mark.parametrize("page", pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_page_renders_as_golden_markdown(page: Path, rules: TopicRules, update_golden: bool) -> None:
    name = page.name.split(".")[0]
    expect_file = page.parent / f"{name}.expect.yml"
    url = yaml.safe_load(expect_file.read_text(encoding="utf-8")).get("url")
    rendered = render_page(rules.tag(extract_article(read_page(page, url))), rules)
    golden = GOLDEN / page.parent.name / f"{name}.md"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden}: run pytest --update-golden"
    assert rendered == golden.read_text(encoding="utf-8")
