"""The search box as a reader uses it, in headless Chromium (Debian's), in English and Chinese.

The site is built from pages written here (our own sentences) in TMTPost's two layouts, so
each count is known: 14 English articles say "battery" (8 of them about electric cars),
13 Chinese ones say 数据安全 (inside 数据安全整改, where a segmenter cuts differently), one of
each says a word no other does. In CI (SCRAPER_NO_SKIP=1) a missing browser fails.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from scraper.pipeline import import_pages
from scraper.tag import load_rules
from tests import test_browser
from tests.conftest import build_site, site_root, with_part_size
from tests.test_browser import SCREENSHOTS, QuietHandler

browser, page = test_browser.browser, test_browser.page  # the same Chromium fixtures

EN_BATTERY, EN_BATTERY_EVS, ZH_DATA = 14, 8, 13
SAME_DAY = ["11:40", "21:10", "09:05", "16:44"]
PART_SIZE = 8  # the index in five parts: the browser merges them
FIRST = date(2025, 3, 1)


EN_FILLER = ["The company held a briefing for investors in the afternoon and took questions for an hour.",
             "Its shares closed slightly higher, and the board did not change its outlook for the year.",
             "A spokesperson declined to comment further on the plans beyond the written statement."]
ZH_FILLER = ["公司当天下午召开了投资者说明会，管理层回答了一个小时的提问。",
             "公司股价收盘小幅上涨，董事会没有调整全年的业绩预期。",
             "公司发言人表示，除书面声明外暂不作进一步评论。"]


def english_page(n: int, title: str, paragraphs: list[str]) -> str:
    day = FIRST + timedelta(days=n)
    body = "".join(f"<p>{p}</p>" for p in paragraphs + EN_FILLER)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} - TMTPost</title>
<link rel="canonical" href="https://en.tmtpost.com/post/{7000 + n}"></head><body><main><article>
<div class="byline"><span>Heather Zou</span><a href="/author">Heather Zou</a>
<span> ・ {day:%b}. {day.day}, {day.year}</span></div><h1>{title}</h1>{body}</article></main></body></html>"""


def chinese_page(n: int, title: str, paragraphs: list[str], at: str | None = None) -> str:
    day = FIRST + timedelta(days=n)
    at = at or f"{8 + n % 10:02d}:{(7 * n) % 60:02d}"
    body = "".join(f"<p>{p}</p>" for p in paragraphs + ZH_FILLER)
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}-钛媒体官方网站</title></head><body><h1>{title}</h1>
<div class="info"><span class="author">林晓</span>
<span class="_time newTime">· {day.isoformat()} {at}</span></div>
<div class="post_content" id="paragraph">{body}</div></body></html>"""


def pages() -> list[tuple[str, str, str]]:
    """[(file name, URL, HTML)]"""
    out = []
    for n in range(EN_BATTERY):
        ev = n < EN_BATTERY_EVS
        words = (["The electric vehicle maker said its electric cars will use the new battery pack.",
                  "EV sales rose in the quarter as the electric vehicle market grew."] if ev else
                 ["The phone maker said the new battery lasts two days.",
                  "Analysts expect the handset to sell well in spring."])
        out.append((f"en-{n}.html", f"https://en.tmtpost.com/post/{7000 + n}",
                    english_page(n, f"Company {n} reports quarterly results", words)))
    out.append(("en-unique.html", "https://en.tmtpost.com/post/7100",
                english_page(30, "A lone story", ["The zeppelin flew over the harbour at noon.",
                                                  "Nobody else wrote about it that week."])))
    for n in range(ZH_DATA):
        words = ["监管部门要求企业完成数据安全整改，黑客攻击导致用户数据泄露，公司表示已经修复漏洞。",
                 "分析人士认为，这次事件将推动行业加强防护。"]
        if n < 4:
            words.append("蔚来汽车和比亚迪都推出了新款电动车。")
        out.append((f"zh-{n}.html", f"https://www.tmtpost.com/{8000 + n}.html",
                    chinese_page(n + 40, f"第{n}家公司发布季度公告", words)))
    out.append(("zh-unique.html", "https://www.tmtpost.com/8100.html",
                chinese_page(60, "飞艇新闻", ["一艘飞艇在中午飞过港口。", "当周没有其他报道。"])))
    for k, at in enumerate(SAME_DAY):  # one day, four times: newest first must tell them apart
        out.append((f"zh-day-{k}.html", f"https://www.tmtpost.com/{8200 + k}.html",
                    chinese_page(90, f"潜艇消息第{k}条", ["一艘潜艇当天靠港补给。", "船员轮换休整。"], at)))
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = site_root(tmp_path_factory.mktemp("search"))
    folder = root / "pages"
    folder.mkdir()
    found = []
    for name, url, html in pages():
        (folder / name).write_text(html, encoding="utf-8")
        found.append((folder / name, url))
    counts = import_pages(found, root / "docs", load_rules())
    assert counts.by_status.get("new") == len(found), counts.by_status
    with_part_size(root, PART_SIZE)
    site = build_site(root)
    assert len(json.loads((site / "pagefind" / "parts.json").read_text(encoding="utf-8"))["parts"]) == 5
    return site


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def search(page: Any, base_url: str, query: str) -> str:
    """Types the query; returns the count line once results (or their absence) show."""
    page.goto(base_url + "/")
    box = page.locator("#digest-search-input")
    box.click()
    box.fill(query)
    return wait_for_count(page)


def wait_for_count(page: Any) -> str:
    """The count line, once it and the first results (if any) show."""
    page.wait_for_function(
        """() => { const meta = document.getElementById('digest-search-meta').textContent;
                   return /^No matching/.test(meta) || (/matching article/.test(meta)
                          && document.querySelector('.md-search-result__item') !== null); }""",
        timeout=15_000)
    return str(page.locator("#digest-search-meta").inner_text())


def items(page: Any) -> Any:
    return page.locator("#digest-search-results .md-search-result__item")


@pytest.mark.parametrize(("query", "count"), [
    ("battery", f"{EN_BATTERY} matching articles"),
    ("数据安全", f"{ZH_DATA} matching articles"),
    ("batteries", f"{EN_BATTERY} matching articles"),  # English is indexed as English: stems
    ("zeppelin", "1 matching article"),
    ("飞艇", "1 matching article"),
])
def test_the_count_is_the_true_number_of_matching_articles(page: Any, base_url: str, query: str,
                                                           count: str) -> None:
    assert search(page, base_url, query) == count


@pytest.mark.parametrize(("query", "total"), [("battery", EN_BATTERY), ("数据安全", ZH_DATA)])
def test_more_results_come_with_the_button_and_with_scrolling(browser: Any, base_url: str, query: str,
                                                               total: int) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 500})  # the button out of view
    page = context.new_page()
    search(page, base_url, query)
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length >= 10")
    page.wait_for_timeout(300)  # nothing more arrives unasked
    assert items(page).count() == 10
    assert page.locator("#digest-search-more").is_visible()
    # A click of the page's own: Playwright's would first scroll it into view, which loads too.
    page.locator("#digest-search-more").evaluate("button => button.click()")
    page.wait_for_function(f"() => document.querySelectorAll('.md-search-result__item').length === {total}")
    assert page.locator("#digest-search-more").is_hidden()
    search(page, base_url, query)  # again, now scrolling to the end of the list
    page.wait_for_function("() => document.querySelectorAll('.md-search-result__item').length >= 10")
    page.locator("#digest-search-more").scroll_into_view_if_needed()
    page.wait_for_function(f"() => document.querySelectorAll('.md-search-result__item').length === {total}")
    context.close()


@pytest.mark.parametrize(("query", "source", "time", "topic"), [
    ("electric", "TMTPost", False, "EVs"),
    ("数据安全", "TMTPost", True, "Data Security"),
])
def test_a_result_shows_date_source_topics_and_an_excerpt_from_the_body(
        page: Any, base_url: str, query: str, source: str, time: bool, topic: str) -> None:
    search(page, base_url, query)
    first = items(page).first
    byline = first.locator(".digest-search__byline").inner_text()
    date_pattern = r"\d{1,2} [A-Z][a-z]{2} 2025" + (r", \d\d:\d\d Beijing time" if time else "")
    assert re.match(date_pattern, byline), byline
    assert f"· {source}" in byline
    assert topic in first.locator(".digest-search__chip").all_inner_texts()
    excerpt = first.locator("p").inner_text()
    title = first.locator("h1").inner_text()
    assert query in excerpt and title not in excerpt
    assert "林晓" not in excerpt and "Heather" not in excerpt  # not the byline
    assert query in first.locator("p mark").all_inner_texts()


@pytest.mark.parametrize("query", ["蔚来", "电动车", "比亚迪"])
def test_a_chinese_query_is_highlighted_whole(page: Any, base_url: str, query: str) -> None:
    assert search(page, base_url, query) == "4 matching articles"
    marks = items(page).first.locator("p mark").all_inner_texts()
    assert marks and set(marks) == {query}


@pytest.mark.parametrize(("query", "topic", "label", "expected"), [
    ("battery", "evs", "EVs", EN_BATTERY_EVS),
    ("数据安全", "data-security", "Data Security", ZH_DATA),
])
def test_topic_filter_and_newest_first_are_kept_in_the_url(page: Any, base_url: str, query: str,
                                                          topic: str, label: str, expected: int) -> None:
    search(page, base_url, query)
    page.locator(".digest-search__topics").click()  # the topic filter opens with its counts
    page.locator(f".digest-search__filter[data-topic='{topic}']").click()
    page.wait_for_function(f"() => document.getElementById('digest-search-meta').textContent"
                           f" === '{expected} matching articles'")
    page.locator(".digest-search__sort").select_option("newest")
    page.wait_for_timeout(500)
    params = parse_qs(urlparse(page.url).query)
    assert params == {"q": [query], "topic": [topic], "sort": ["newest"]}
    shared = page.url
    page.goto("about:blank")
    page.goto(shared)  # a shared link shows the same search
    assert wait_for_count(page) == f"{expected} matching articles"
    page.wait_for_function(  # all of them, by pressing "more" or by scrolling it into view
        f"""() => {{ const more = document.getElementById('digest-search-more');
                     if (!more.hidden) more.click();
                     const shown = document.querySelectorAll('.md-search-result__item').length;
                     return shown === {expected}; }}""")
    button = page.locator(f".digest-search__filter[data-topic='{topic}']")
    assert button.get_attribute("aria-pressed") == "true"
    assert all(label in item.locator(".digest-search__chip").all_inner_texts() for item in items(page).all())
    shown = page.locator(".digest-search__byline time").all_inner_texts()
    dates = [d.replace(" Beijing time", "") for d in shown]
    parsed = [date.fromisoformat(_iso(d)) for d in dates]
    assert parsed == sorted(parsed, reverse=True) and len(set(parsed)) > 1


@pytest.mark.parametrize(("query", "topic", "label", "expected"), [
    ("battery", "evs", "EVs", EN_BATTERY_EVS),
    ("数据安全", "data-security", "Data Security", ZH_DATA),
])
def test_the_topic_index_downloads_only_when_the_reader_opens_the_topic_filter(
        page: Any, base_url: str, query: str, topic: str, label: str, expected: int) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    search(page, base_url, query)
    page.wait_for_load_state("networkidle")
    assert any(u.endswith(".pf_index") for u in fetched)
    assert not any(u.endswith(".pf_filter") for u in fetched), "the first query loaded the filters"
    assert page.locator(".digest-search__filter[data-topic]").count() == 0
    toggle = page.locator(".digest-search__topics")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    button = page.locator(f".digest-search__filter[data-topic='{topic}']")
    assert button.inner_text() == f"{label} ({expected})"
    assert toggle.get_attribute("aria-expanded") == "true"
    assert any(u.endswith(".pf_filter") for u in fetched)


def _iso(shown: str) -> str:
    day, month, year = shown.split(",")[0].split()
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{year}-{months.index(month) + 1:02d}-{int(day):02d}"


@pytest.mark.parametrize("query", ["battery", "数据安全"])
def test_arrows_move_through_results_and_enter_opens_one(page: Any, base_url: str, query: str) -> None:
    search(page, base_url, query)
    links = page.locator("#digest-search-results a.md-search-result__link")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.href") == links.nth(1).evaluate("a => a.href")
    page.keyboard.press("ArrowUp")
    target = links.nth(0).evaluate("a => a.href")
    assert page.evaluate("() => document.activeElement.href") == target
    page.keyboard.press("Enter")
    page.wait_for_url(target)


@pytest.mark.parametrize("query", ["battery", "数据安全"])
def test_tab_out_of_the_box_closes_the_overlay_and_esc_clears(page: Any, base_url: str, query: str) -> None:
    search(page, base_url, query)
    assert page.evaluate("() => document.getElementById('__search').checked")
    page.keyboard.press("Escape")
    assert page.locator("#digest-search-input").input_value() == ""
    assert items(page).count() == 0 and "q=" not in page.url
    page.locator("#digest-search-input").fill(query)
    wait_for_count(page)
    for _ in range(40):  # through the results and controls, out of the search dialog
        page.keyboard.press("Tab")
        inside = "() => document.querySelector('.digest-search').contains(document.activeElement)"
        if not page.evaluate(inside):
            break
    page.wait_for_function("() => !document.getElementById('__search').checked")
    page.locator(".md-search__overlay").wait_for(state="hidden")  # after the theme's fade


@pytest.mark.parametrize("width", [400, 1280])
def test_without_javascript_the_header_offers_the_topic_and_month_listings(browser: Any, base_url: str,
                                                                           width: int) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base_url + "/")
    links = page.locator(".digest-search-nojs a")
    assert all(link.is_visible() for link in links.all())
    hrefs = [str(a.get_attribute("href")) for a in links.all()]
    assert [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs] == ["topics", "archive"]
    links.first.click()
    page.wait_for_url(re.compile(r"/topics/$"))
    page.go_back()
    links.last.click()
    page.wait_for_url(re.compile(r"/archive/$"))
    context.close()
    scripted = browser.new_context(viewport={"width": width, "height": 800})
    tab = scripted.new_page()
    tab.goto(base_url + "/")
    assert tab.locator(".digest-search-nojs").is_hidden()
    scripted.close()


@pytest.mark.parametrize(("query", "name"), [("battery", "search-en.png"), ("数据安全", "search-zh.png")])
def test_screenshots_of_a_results_list_are_saved(page: Any, base_url: str, query: str, name: str) -> None:
    search(page, base_url, query)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))
    assert (SCREENSHOTS / name).stat().st_size > 10_000


def test_newest_first_orders_the_articles_of_one_day_by_their_time(page: Any, base_url: str) -> None:
    # Pagefind sorts a numeric key as a 32-bit float, which holds 202504010905 and
    # 202504012110 as one number: the four would come in any order.
    page.goto(base_url + "/?q=%E6%BD%9C%E8%89%87&sort=newest")  # 潜艇
    assert wait_for_count(page) == "4 matching articles"
    shown = page.locator(".digest-search__byline time").all_inner_texts()
    times = [t.split(", ")[1].replace(" Beijing time", "") for t in shown]
    assert times == sorted(SAME_DAY, reverse=True)
