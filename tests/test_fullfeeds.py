"""Full-text feeds: the article body as sanitised HTML with credits and source; no invented
midnight for a date-only article; no title repeated as content."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import feedparser
from mkdocs.structure.files import File, Files

from scraper.dates import BEIJING
from scraper.frontmatter import read_meta
from scraper.mkdocs.entries import Entry
from scraper.mkdocs.feedbodies import FeedBodies
from scraper.mkdocs.sitefeeds import all_feeds
from scraper.models import Article, Block
from scraper.tag import TopicRules
from scraper.write.render import render_page

SITE = "https://example.org/digest/"


def write(docs: Path, rules: TopicRules, ident: str, published: date | datetime,
          summary: str | None, text: str, credits: tuple[str, ...] = ()) -> None:
    article = Article(source="s", url=f"https://news.example/{ident}", site="tmtpost",
                      site_name="TMTPost", language="en", title=f"Story {ident} about BYD",
                      summary=summary, authors=("A",), published=published,
                      blocks=(Block("paragraph", text, text),), credits=credits,
                      article_id=ident, tags=("evs",))
    (docs / "articles").mkdir(parents=True, exist_ok=True)
    (docs / "articles" / f"a-{ident}.md").write_text(render_page(article, rules), encoding="utf-8")


def feeds(tmp_path: Path, rules: TopicRules) -> dict[str, str]:
    docs = tmp_path / "docs"
    files = Files([File(f"articles/{p.name}", str(docs), str(tmp_path / "site"), True)
                   for p in sorted((docs / "articles").glob("*.md"))])
    entries = [Entry.from_front_matter(f.src_uri, read_meta(Path(f.abs_src_path or ""))) for f in files]
    bodies = FeedBodies()
    bodies.use(files)
    return all_feeds(entries, rules, "Digest", SITE, bodies.html)


def test_items_carry_the_body_as_sanitised_html_with_credits_and_source(
        tmp_path: Path, rules: TopicRules) -> None:
    write(tmp_path / "docs", rules, "1", datetime(2024, 5, 1, 9, 30, tzinfo=BEIJING),
          "The dek.", "BYD sold <script>alert(1)</script> more cars [x](javascript:alert(2)).",
          credits=("Image Source: Visual China",))
    out = feeds(tmp_path, rules)
    item = json.loads(out["feed.json"])["items"][0]
    body = item["content_html"]
    assert body.startswith("<p>BYD sold") and "Story 1 about BYD" not in body  # no title, dek, byline
    assert "<script" not in body and "javascript:" not in body
    assert "<p>Image Source: Visual China</p>" in body
    assert ('<p>Source: <a href="https://news.example/1">TMTPost, 1 May 2024, 09:30 Beijing time</a></p>'
            in body)
    assert item["summary"] == "The dek." and item["date_published"] == "2024-05-01T09:30:00+08:00"
    rss = feedparser.parse(out["feed.xml"].encode()).entries[0]
    assert rss.content[0].value == body and rss.summary == "The dek."


def test_a_date_only_article_has_no_invented_midnight(tmp_path: Path, rules: TopicRules) -> None:
    write(tmp_path / "docs", rules, "2", date(2024, 5, 2), "Dek.", "Text.")
    out = feeds(tmp_path, rules)
    assert "<pubDate>" not in out["feed.xml"] and "00:00" not in out["feed.xml"]
    assert "<dc:date>2024-05-02</dc:date>" in out["feed.xml"]
    assert not feedparser.parse(out["feed.xml"].encode()).bozo
    item = json.loads(out["feed.json"])["items"][0]
    assert "date_published" not in item and item["_digest"]["date_only"] == "2024-05-02"
    assert "TMTPost, 2 May 2024</a>" in item["content_html"]


def test_an_article_without_a_dek_does_not_repeat_its_title(tmp_path: Path, rules: TopicRules) -> None:
    write(tmp_path / "docs", rules, "3", datetime(2024, 5, 3, 8, tzinfo=BEIJING), None, "Only text.")
    out = feeds(tmp_path, rules)
    item = json.loads(out["feed.json"])["items"][0]
    assert "summary" not in item and item["content_html"].startswith("<p>Only text.</p>")
    assert "Story 3 about BYD" not in item["content_html"]
    meta = read_meta(tmp_path / "docs/articles/a-3.md")
    bare = all_feeds([Entry.from_front_matter("articles/a-3.md", meta)],
                     rules, "Digest", SITE)  # no bodies at hand: still no title as content
    assert json.loads(bare["feed.json"])["items"][0]["content_text"] == ""
