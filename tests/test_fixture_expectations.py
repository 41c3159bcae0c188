"""Each fixture page against its hand-written expectations (NAME.expect.yml beside it)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scraper.errors import ScraperError
from scraper.fetch.files import read_page
from scraper.sites.dispatch import extract_article
from scraper.write.render import body_text, render_record
from tests.conftest import FIXTURES


def cases(site: str) -> list[tuple[Path, Path]]:
    out = []
    for expect in sorted((FIXTURES / site).glob("*.expect.yml")):
        name = expect.name.removesuffix(".expect.yml")
        pages = [p for p in expect.parent.iterdir()
                 if p.name.startswith(name + ".") and not p.name.endswith(".expect.yml")]
        assert len(pages) == 1, f"{expect}: expected one page beside it, found {pages}"
        out.append((pages[0], expect))
    return out


def _check(page: Path, expect_file: Path) -> None:
    expect = yaml.safe_load(expect_file.read_text(encoding="utf-8"))
    try:
        article = extract_article(read_page(page, expect.get("url")))
    except ScraperError as exc:
        pytest.fail(f"{page.name}: {exc}")
    record = render_record(article)
    paragraphs = body_text(article).split("\n\n")
    if "site" in expect:
        assert record["site"] == expect["site"]
    assert record["language"] == expect["language"]
    assert record["title"] == expect["title"]
    if "summary" in expect:
        assert record["summary"] == expect["summary"]
    if "authors" in expect:
        assert record["authors"] == expect["authors"]
    if "published" in expect:
        wanted = expect["published"]
        wanted = wanted.isoformat() if hasattr(wanted, "isoformat") else wanted
        assert record["published"] == (str(wanted) if wanted else None)
    assert record["credits"] == expect.get("credits", [])
    assert paragraphs[0].startswith(expect["first_paragraph_starts"]), paragraphs[0][:120]
    assert paragraphs[-1].endswith(expect["last_paragraph_ends"]), paragraphs[-1][-120:]
    if "paragraph_count" in expect:
        assert len(paragraphs) == expect["paragraph_count"]
    everything = " ".join(str(v) for k, v in record.items() if k not in ("source", "url", "credits"))
    for chrome in expect.get("must_not_contain", []):
        assert chrome not in everything, f"chrome left in: {chrome!r}"
    for content in expect.get("must_contain", []):
        assert content in record["text"], f"content lost: {content!r}"


@pytest.mark.parametrize(("page", "expect"), cases("tmtpost"), ids=lambda p: p.name)
def test_tmtpost_page_matches_expectations(page: Path, expect: Path) -> None:
    _check(page, expect)


@pytest.mark.parametrize(("page", "expect"), cases("generic"), ids=lambda p: p.name)
def test_generic_page_matches_expectations(page: Path, expect: Path) -> None:
    _check(page, expect)
