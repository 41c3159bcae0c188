"""Hostile and broken input (tests/fixtures/hostile/manifest.yml): nothing scraped becomes live
code in the built site, escapes docs/, or crashes a run.

Each page is imported alone into a fresh site, which is built with MkDocs (strict) and then
checked: `scraper check-site`, the entry's forbidden strings (by the manifest's rules of what
"live" means), the content it must keep, and safe file names.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path
from typing import Any

import html5lib
import lxml.html
import pytest
import yaml
from mkdocs.commands.build import build
from mkdocs.config import load_config

from scraper.checksite import check_site
from scraper.errors import FetchError, ScraperError
from scraper.fetch.discover import MAX_ITEMS, feed_links
from scraper.fetch.files import read_page
from scraper.frontmatter import read_meta
from scraper.pipeline import import_pages
from scraper.tag import TopicRules
from tests.conftest import FIXTURES, site_root

HOSTILE = FIXTURES / "hostile"
MANIFEST: list[dict[str, Any]] = yaml.safe_load((HOSTILE / "manifest.yml").read_text(encoding="utf-8"))
PAGES = [e for e in MANIFEST if e["kind"] in ("html", "text") and "generate" not in e]
FEEDS = [e for e in MANIFEST if e["kind"] == "feed" and "generate" not in e]
WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                   *(f"lpt{i}" for i in range(10))}


def live(html_text: str, forbidden: str) -> bool:
    """Whether `forbidden` occurs live in the page, by the manifest's rules."""
    low = forbidden.lower()
    if low.startswith("<"):
        return low in html_text.lower()
    root = lxml.html.fromstring(html_text)
    if low.endswith("="):
        return any(name.lower() == low[:-1] for el in root.iter() for name in el.attrib)
    if low.endswith(":"):
        for el in root.iter():
            for value in el.attrib.values():
                if re.sub(r"[\x00-\x20]", "", value).lower().startswith(low):
                    return True
        return False
    return low in html_text.lower()


def visible_text(html_text: str) -> str:
    root = lxml.html.fromstring(html_text)
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    return " ".join(root.text_content().split())


def build_site(root: Path) -> Path:
    """In-process MkDocs build (faster than a process per input), search index included."""
    config = load_config(config_file=str(root / "mkdocs.yml"))
    build(config)
    return root / "site"


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: e["file"])
def test_hostile_page(entry: dict[str, Any], tmp_path: Path, rules: TopicRules) -> None:
    root = site_root(tmp_path)
    docs = root / "docs"
    counts = import_pages([(HOSTILE / entry["file"], None)], docs, rules)
    written = list((docs / "articles").glob("*.md"))
    if entry["expect"] == "error" or (entry["expect"] == "either" and not written):
        assert not written, f"{entry['file']} should have been refused"
        assert counts.errors and counts.errors[0][1].strip(), "a clear error message"
        return
    assert entry["expect"] in ("article", "either")
    assert len(written) == 1, counts.errors
    page = written[0]
    assert page.parent == docs / "articles"
    name = page.stem
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", name) and ".." not in name
    assert name.split("-")[0] not in WINDOWS_DEVICES or "-" in name
    meta = read_meta(page)
    assert meta.title.strip()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", meta.title)

    site = build_site(root)
    assert check_site(site, root / "overrides").findings == []
    article_html = (site / "articles" / name / "index.html").read_text(encoding="utf-8")
    pages = [p for p in site.rglob("*.html") if p.name != "404.html"]
    for forbidden in entry.get("forbidden") or []:
        for p in pages:
            assert not live(p.read_text(encoding="utf-8"), forbidden), (forbidden, str(p))
    if entry.get("must_keep"):
        assert " ".join(str(entry["must_keep"]).split()) in visible_text(article_html)


@pytest.mark.parametrize("entry", FEEDS, ids=lambda e: e["file"])
def test_hostile_feed(entry: dict[str, Any]) -> None:
    data = (HOSTILE / entry["file"]).read_bytes()
    try:
        links = feed_links(data, "https://www.tmtpost.com/rss.xml").links
    except ScraperError as exc:
        assert entry["expect"] in ("either", "error") and str(exc)
        return
    assert len(links) <= MAX_ITEMS
    for link in links:
        assert link.url.startswith(("http://", "https://"))
        assert "root:x:0:0" not in f"{link.title} {link.url}"  # no external entity resolved
        assert link.published is None or 1990 <= link.published.year <= 2200


def test_a_feed_of_10000_items_is_cut_to_the_item_cap() -> None:
    items = "".join(f"<item><title>t{i}</title><link>https://www.tmtpost.com/{7_000_000 + i}.html"
                    f"</link></item>" for i in range(10_000))
    data = f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'
    links = feed_links(data.encode(), "https://www.tmtpost.com/rss.xml").links
    assert len(links) == MAX_ITEMS and links[0].url.endswith("7000000.html")


def test_a_50_mb_page_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    big = tmp_path / "big.html"
    with big.open("wb") as fh:
        fh.write(b"<html><body>")
        chunk = b"<p>" + b"word " * 2000 + b"</p>\n"
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(chunk)
    with pytest.raises(FetchError, match="limit"):
        read_page(big)


def test_a_gzip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="decompressed"):
        read_page(HOSTILE / "bomb.html.gz")
    small = tmp_path / "ok.html.gz"
    small.write_bytes(gzip.compress(b"<html><body><p>fine</p></body></html>"))
    assert b"fine" in read_page(small).content


def test_no_forbidden_string_is_live_in_a_benign_site(tmp_path: Path, rules: TopicRules) -> None:
    """The manifest's rules must not trip on the theme itself (else they test nothing)."""
    root = site_root(tmp_path)
    import_pages([(FIXTURES / "tmtpost" / "en-post-2023.html", None)], root / "docs", rules)
    site = build_site(root)
    pages = [p.read_text(encoding="utf-8") for p in site.rglob("*.html") if p.name != "404.html"]
    for entry in MANIFEST:
        for forbidden in entry.get("forbidden") or []:
            assert not any(live(p, forbidden) for p in pages), (entry.get("file"), forbidden)
    shutil.rmtree(site)


HAND_EDITED_TITLES = {
    "list": '["<img src=x onerror=alert(1)>"]',
    "mapping": '{a: "<script>alert(1)</script>", b: "<img src=x onerror=alert(2)>"}',
    "nested": '[["<svg onload=alert(1)>"], {x: ["<b>y</b>"]}]',
    "number-and-markup": "'1 <img src=x onerror=alert(1)>'",
}


def test_a_hand_edited_title_of_any_yaml_type_is_printed_as_text(tmp_path: Path,
                                                                  rules: TopicRules) -> None:
    """Titles written as lists or mappings skipped the escaping and shipped a live onerror."""
    root = site_root(tmp_path)
    import_pages([(FIXTURES / "tmtpost" / "en-post-2023.html", None)], root / "docs", rules)
    for name, title in HAND_EDITED_TITLES.items():
        (root / "docs" / f"{name}.md").write_text(f"---\ntitle: {title}\ndescription: {title}\n---\n\n"
                                                  "Some text.\n", encoding="utf-8")
    (root / "docs" / "benign.md").write_text("---\ntitle: Benign\n---\n\nSome text.\n", encoding="utf-8")
    site = build_site(root)
    benign = html5lib.parse((site / "benign" / "index.html").read_bytes(), namespaceHTMLElements=False)
    theme_scripts = len(benign.findall(".//script"))
    for name in [*HAND_EDITED_TITLES, "benign"]:
        # Parsed as a browser parses it: a raw "<script>" in the header would swallow the page.
        page = html5lib.parse((site / name / "index.html").read_bytes(), namespaceHTMLElements=False)
        assert not [el.tag for el in page.iter() if any(a.startswith("on") for a in el.attrib)], name
        assert len(page.findall(".//script")) == theme_scripts, name
        assert not page.findall(".//img") and not page.findall(".//svg//svg"), name
        title = page.find(".//title")
        assert title is not None and title.text
        if name != "benign":
            assert "<" in title.text and "alert(" in title.text, title.text  # shown, as text
    assert check_site(site, root / "overrides").findings == []
