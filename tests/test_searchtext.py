"""What Pagefind indexes: Chinese as overlapping pairs that any substring can be found by,
text the reader gets back unchanged, and only the body of an article page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import cmarkgfm
from hypothesis import given
from hypothesis import strategies as st

from scraper.models import Article, Block
from scraper.searchtext import INDEX_LANGUAGE, decode, encode, record
from scraper.tag import load_rules
from scraper.write.render import front_matter, render_page

HAN = "数据安全整改比亚迪蔚来汽车电动车的了"
text_strategy = st.text(alphabet=st.sampled_from(list(HAN) + list("ab AI-，。()\n5")), max_size=60)


def indexed_words(encoded: str) -> list[str]:
    """The words Pagefind keeps from each whitespace-separated word: letters and digits only."""
    return ["".join(ch for ch in w if ch.isalnum()).lower() for w in encoded.split()]


def pairs(s: str) -> list[str]:
    return [s[i:i + 2] for i in range(len(s) - 1)]


def contains_run(words: list[str], run: list[str]) -> bool:
    return any(words[i:i + len(run)] == run for i in range(len(words) - len(run) + 1))


@given(text_strategy)
def test_decoding_gives_back_the_text_with_its_spaces_collapsed(text: str) -> None:
    assert decode(encode(text)) == " ".join(text.split())


@given(text_strategy, st.data())
def test_every_chinese_substring_is_a_phrase_of_consecutive_pairs(text: str, data: st.DataObject) -> None:
    words = indexed_words(encode(text))
    runs = re.findall(f"[{HAN}]+", text)
    if not runs:
        return
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 1))
    sub = run[start:data.draw(st.integers(start + 1, len(run)))]
    if len(sub) >= 2:
        assert contains_run(words, pairs(sub)), (text, sub)
    else:  # a single character starts a word: Pagefind's prefix match finds it
        assert any(w.startswith(sub) for w in words), (text, sub)


def test_the_strings_of_the_issue_are_found_where_a_segmenter_cut_them() -> None:
    words = indexed_words(encode("数据安全整改，比亚迪推出电动车。蔚来汽车"))
    for query in ("数据安全", "比亚迪", "电动车", "蔚来", "据安全", "安全整"):
        assert contains_run(words, pairs(query)), query
    assert not contains_run(words, pairs("整改比亚"))  # punctuation ends a run


def test_english_is_left_as_words() -> None:
    assert encode("NIO said  on Tuesday") == "NIO said on Tuesday"
    assert indexed_words(encode("BYD的Model Y")) == ["byd", "的", "model", "y"]


def article(summary: str | None) -> Article:
    return Article(
        source="test", url="https://www.tmtpost.com/1.html", site="tmtpost", site_name="钛媒体",
        language="zh", title="比亚迪发布电动车", summary=summary, authors=("林晓",),
        published=datetime(2025, 1, 3, 0, 15, tzinfo=UTC),
        blocks=(Block("paragraph", "比亚迪周二宣布数据安全整改。", "比亚迪周二宣布数据安全整改。"),),
        credits=("视觉中国",), tags=("evs",),
    )


def content_html(page_markdown: str) -> str:
    """The page's content as the build renders it (cmark, see scraper.mkdocs.pagehtml)."""
    return str(cmarkgfm.markdown_to_html(page_markdown.split("---\n", 2)[2]))


def test_a_record_holds_the_body_and_summary_not_the_title_byline_or_credits() -> None:
    rules = load_rules()
    item = article("钛媒体快讯摘要")
    meta = front_matter(item, rules)
    rec = record("/articles/x/", content_html(render_page(item, rules, meta)), meta)
    body = decode(rec["content"].replace("\n", " "))
    assert "比亚迪周二宣布数据安全整改。" in body and "钛媒体快讯摘要" in body
    assert "林晓" not in body and "视觉中国" not in body and "Source" not in body
    assert decode(rec["meta"]["title"]) == "比亚迪发布电动车"
    assert rec["meta"]["date"] == "202501030815"  # Beijing time
    assert rec["sort"]["date"] == "t202501030815"  # text: Pagefind sorts numbers as 32-bit floats
    assert rec["filters"] == {"source": ["钛媒体"], "topic": ["evs|EVs"]}
    assert rec["language"] == INDEX_LANGUAGE


def test_without_a_summary_the_byline_is_still_left_out() -> None:
    rules = load_rules()
    item = article(None)
    meta = front_matter(item, rules)
    rec = record("/articles/x/", content_html(render_page(item, rules, meta)), meta)
    assert decode(rec["content"]) == "比亚迪周二宣布数据安全整改。"


def test_an_unknown_date_still_sorts() -> None:
    rec = record("/a/", "<h1>t</h1><p>by</p><p>text</p>", {"title": "t", "date": None})
    assert rec["sort"] == {"date": "t000000000000"}
    day = record("/a/", "<h1>t</h1><p>by</p><p>text</p>", {"title": "t", "date": date(2025, 2, 1)})
    assert day["sort"] == {"date": "t202502010000"}
    naive = datetime(2025, 2, 1, 9, 30)  # YAML without a zone: the site's (Beijing) time
    assert record("/a/", "<p>x</p>", {"date": naive})["sort"] == {"date": "t202502010930"}
