"""The shared real TMTPost page, end to end: every field of the extract contract."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scraper.cli import main
from tests.conftest import EXAMPLE, FIXTURES

RELATED = [
    "China's Data+AI sector About to Take off: Tencent Cloud Executive",
    "EU Said to Consider Lower Tariffs to Secure Swift Trade Deal with U.S. amid Internal Division",
    "Xiaomi Enters SUV Market with YU7 Launch, Targeting Tesla with Bold Pricing and High-Tech Features",
]


def extract(*args: str) -> dict:
    result = CliRunner().invoke(main, ["extract", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_example_text_dump_gives_every_field_right() -> None:
    record = extract(str(EXAMPLE))
    assert record["site"] == "tmtpost"
    assert record["language"] == "en"
    assert record["url"] is None
    assert record["title"] == "Chinese New Energy Car Maker NIO Responds to Data Leak Blackmail"
    assert record["summary"] == "NIO confirmed that user data was leaked."
    assert record["authors"] == ["HeatherZou"]
    assert record["published"] == "2022-12-21"
    assert record["credits"] == ["Image Source : China Visual"]
    paragraphs = record["text"].split("\n\n")
    assert len(paragraphs) == 9
    assert paragraphs[0].startswith("BEIJING, December 20 (TMTPOST) —— Chinese new energy car brand NIO")
    assert paragraphs[-1].endswith("harm the personal and property safety of users.")
    assert record["tags"] == ["data-security", "evs"]
    evs = {e["term"]: e["count"] for e in record["tag_evidence"]["evs"]}
    assert evs["NIO"] >= 4 and evs["new energy car"] >= 1
    assert set(record["tag_evidence"]) == {"data-security", "evs"}


def test_example_has_no_chrome_anywhere() -> None:
    record = extract(str(EXAMPLE))
    everything = json.dumps(record, ensure_ascii=False)
    for chrome in ["LIKE 0", "Related Posts", "Subscribe To Our News", "HeatherZouHeatherZou",
                   *RELATED]:
        assert chrome not in everything
    assert "Image Source" not in record["text"] and "Image Source" not in record["body"]


def test_example_text_has_no_markdown_but_body_escapes_it() -> None:
    record = extract(str(EXAMPLE))
    assert "\\(" not in record["text"] and "&amp;" not in record["text"]
    assert "Digital Safety & Security" in record["text"]
    assert "Digital Safety &amp; Security" in record["body"]


def test_text_dump_and_html_version_give_the_same_article() -> None:
    from_text = extract(str(EXAMPLE))
    html = FIXTURES / "tmtpost" / "nio-data-leak.html"
    from_html = extract(str(html))
    for key in ("site", "language", "title", "summary", "authors", "published", "body", "text",
                "credits", "tags", "tag_evidence"):
        assert from_html[key] == from_text[key], key


def test_url_picks_adapter_and_becomes_source_link(tmp_path: Path) -> None:
    url = "https://en.tmtpost.com/post/6353999"
    record = extract(str(EXAMPLE), "--url", url)
    assert record["url"] == url
    result = CliRunner().invoke(main, ["extract", str(EXAMPLE), "--url", url, "--format", "markdown"])
    assert f"Source: [TMTPost, 21 Dec 2022]({url})" in result.stdout
