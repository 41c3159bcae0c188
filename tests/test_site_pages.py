"""Generated pages: daily digests with merged stories, paginated listings, RSS and JSON Feed."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import feedparser
from hypothesis import given
from hypothesis import strategies as st

from scraper.dates import BEIJING
from scraper.mkdocs.digests import similar, stories
from scraper.mkdocs.entries import PAGE_SIZE, Entry
from scraper.mkdocs.listings import build_listings
from scraper.mkdocs.sitefeeds import all_feeds
from scraper.tag import TopicRules

SITE = "https://example.org/digest/"


def entry(n: int, title: str, topics: tuple[str, ...] = (), when: datetime | None = None,
          site: str = "TMTPost", summary: str | None = None, timed: bool = True) -> Entry:
    return Entry(path=f"articles/a-{n}.md", title=title, topics=topics, site_name=site,
                 when=when or datetime(2022, 12, 21, 9, 0, tzinfo=BEIJING), summary=summary,
                 url=f"https://news.example/{n}", timed=timed)


def test_near_identical_reports_merge_into_one_story() -> None:
    a = entry(1, "NIO confirms user data leak after blackmail by hackers")
    b = entry(2, "NIO Confirms User Data Leak After Blackmail by Hackers", site="Mirror",
              when=datetime(2022, 12, 21, 11, 0, tzinfo=BEIJING))
    c = entry(3, "BYD opens a plant in Hungary")
    d = entry(4, "蔚来确认用户数据泄露 遭黑客勒索")
    e = entry(5, "蔚来确认用户数据泄露，遭黑客勒索", site="镜像")
    found = stories([a, b, c, d, e])
    assert [(s.lead.path, [o.path for o in s.others]) for s in found] == [
        ("articles/a-1.md", ["articles/a-2.md"]), ("articles/a-3.md", []),
        ("articles/a-4.md", ["articles/a-5.md"])]


def test_reports_merge_from_three_fifths_of_their_words_shared() -> None:
    lead = entry(1, "alpha beta gamma delta")
    same = entry(2, "alpha beta gamma epsilon", when=datetime(2022, 12, 21, 10, 0, tzinfo=BEIJING))
    other = entry(3, "alpha beta zeta eta", when=datetime(2022, 12, 21, 11, 0, tzinfo=BEIJING))
    found = stories([other, same, lead])
    assert [(s.lead.path, [o.path for o in s.others]) for s in found] == [
        ("articles/a-1.md", ["articles/a-2.md"]), ("articles/a-3.md", [])]


@given(st.frozensets(st.sampled_from("abcdefghij")), st.frozensets(st.sampled_from("abcdefghij")))
def test_similar_is_the_jaccard_index(a: frozenset[str], b: frozenset[str]) -> None:
    assert similar(a, b) == (len(a & b) / len(a | b) if a and b else 0.0)


def test_a_digest_lists_a_story_once_under_its_first_topic_with_all_its_chips(
        rules: TopicRules) -> None:
    nio = entry(1, "NIO data leak", ("data-security", "evs"), summary="User data was leaked.")
    copy = entry(2, "NIO Data Leak", ("data-security", "evs"), site="Mirror")
    other = entry(3, "Film box office", (), when=datetime(2022, 12, 21, 23, 30, tzinfo=BEIJING))
    pages = build_listings([nio, copy, other], rules, "Digest")
    day = pages["digest/2022-12-21.md"]
    assert day.count("[NIO data leak](../articles/a-1.md)") == 1
    assert "## EVs" not in day  # no story has EVs first but NIO's, listed under Data Security
    assert day.index("## Data Security") < day.index("a-1.md")
    assert "[Data Security](../topics/data-security.md) [EVs](../topics/evs.md)" in day
    assert "2 stories from 3 articles" in day
    assert "Also reported by: [Mirror](../articles/a-2.md)" in day
    assert "## Other news" in day and "Film box office" in day
    assert "[TMTPost](https://news.example/1)" in day  # the source link


def test_days_are_beijing_days(rules: TopicRules) -> None:
    late_utc = datetime(2022, 12, 20, 17, 30, tzinfo=BEIJING) + timedelta(hours=8)  # 01:30 next day
    pages = build_listings([entry(1, "x", when=late_utc.astimezone(BEIJING))], rules, "D")
    assert "digest/2022-12-21.md" in pages


def test_the_front_page_streams_the_last_3_days_or_60_stories_whichever_is_more(
        rules: TopicRules) -> None:
    quiet = [entry(n, f"Quiet q{n}a q{n}b q{n}c", ("evs",),
                   when=datetime(2024, 1, n, 8, tzinfo=BEIJING)) for n in range(1, 21)]
    home = build_listings(quiet, rules, "Digest")["index.md"]
    assert "## 20 Jan 2024" in home and "## 1 Jan 2024" in home  # 20 stories: every day
    busy = [entry(100 * d + n, f"Busy d{d}n{n}a d{d}n{n}b d{d}n{n}c", ("chips",),
                  when=datetime(2024, 2, d, 8, n, tzinfo=BEIJING))
            for d in range(1, 6) for n in range(30)]
    home = build_listings(busy, rules, "Digest")["index.md"]
    assert [h for h in home.splitlines() if h.startswith("## ")] == [
        "## 5 Feb 2024", "## 4 Feb 2024", "## 3 Feb 2024"]  # 90 stories in 3 days: enough
    assert "**5 Feb 2024** (Beijing time): 30 stories from 30 articles." in home
    assert "[Chips (150)](topics/chips.md)" in home and "[all daily digests](digest/index.md)" in home
    # newest first within the day, each story once
    assert home.index("d5n29a") < home.index("d5n28a")
    assert home.count("[Busy d5n3a d5n3b d5n3c]") == 1


def test_no_listing_page_lists_the_whole_archive(rules: TopicRules) -> None:
    many = [entry(n, f"Story {n}", ("evs",), when=datetime(2024, 1, 1, tzinfo=BEIJING)
                  + timedelta(hours=n)) for n in range(PAGE_SIZE * 2 + 5)]
    pages = build_listings(many, rules, "Digest")
    assert {"topics/evs.md", "topics/evs-1.md", "topics/evs-2.md"} <= set(pages)
    assert "topics/evs-3.md" not in pages
    assert all(p.count("](../articles/") <= PAGE_SIZE for k, p in pages.items()
               if k.endswith(".md") and not k.startswith("digest/"))
    # the newest first on the topic's page; the older pages counted from the oldest
    assert "[older →](evs-2.md)" in pages["topics/evs.md"]
    second = pages["topics/evs-2.md"]
    assert "[← newer](evs.md)" in second and "[older →](evs-1.md)" in second
    assert "[← newer](evs-2.md)" in pages["topics/evs-1.md"] and "older →" not in pages["topics/evs-1.md"]
    assert pages["topics/evs-2.md"].count("](../articles/") == 5
    assert "Story 0]" in pages["topics/evs-1.md"] and f"Story {PAGE_SIZE * 2 + 4}]" in pages["topics/evs.md"]
    for path in ("topics/evs.md", "topics/evs-1.md", "topics/evs-2.md"):  # at the bottom too
        last = pages[path].rstrip().splitlines()[-1]
        assert "newer]" in last or "older →]" in last, path


def test_a_night_of_news_changes_the_newest_listing_pages_only(rules: TopicRules) -> None:
    def archive(n: int) -> list[Entry]:
        return [entry(i, f"Story {i}", ("evs",), when=datetime(2024, 1, 1, tzinfo=BEIJING)
                      + timedelta(hours=i)) for i in range(n)]

    def evs_pages(n: int) -> dict[str, str]:
        return {k: v for k, v in build_listings(archive(n), rules, "Digest").items()
                if k.startswith("topics/evs")}

    before = evs_pages(PAGE_SIZE * 5 + 30)
    after = evs_pages(PAGE_SIZE * 5 + 80)  # fifty more: one more page is not full yet
    assert set(after) == set(before)
    assert {k for k in after if after[k] != before[k]} == {"topics/evs.md", "topics/evs-5.md"}
    grown = evs_pages(PAGE_SIZE * 5 + 130)  # a page filled up, and a new one began
    assert {k for k in grown if grown.get(k) != before.get(k)} == {
        "topics/evs.md", "topics/evs-5.md", "topics/evs-6.md"}


def test_rss_and_json_feed_carry_correct_dates_and_zones(rules: TopicRules) -> None:
    nio = entry(1, "NIO <data> leak & blackmail", ("data-security", "evs"),
                when=datetime(2022, 12, 21, 0, 0, tzinfo=BEIJING), summary="Leaked <b>data</b>")
    pages = all_feeds([nio], rules, "Digest", SITE)
    for path in ("feed.xml", "topics/evs.xml", "topics/data-security.xml"):
        parsed = feedparser.parse(pages[path].encode())
        assert not parsed.bozo, path
        item = parsed.entries[0]
        # a title with markup characters goes HTML-escaped: readers that render titles as HTML
        # show the text, never a tag
        assert item.title == "NIO &lt;data&gt; leak &amp; blackmail"
        assert item.link == "https://example.org/digest/articles/a-1/"
        assert datetime(*item.published_parsed[:6]) == datetime(2022, 12, 20, 16, 0)  # UTC
    assert feedparser.parse(pages["topics/chips.xml"].encode()).entries == []
    plain = all_feeds([entry(2, "BYD & NIO sales", ("evs",))], rules, "Digest", SITE)
    assert feedparser.parse(plain["feed.xml"].encode()).entries[0].title == "BYD & NIO sales"
    feed = json.loads(pages["topics/evs.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    item = feed["items"][0]
    assert item["date_published"] == "2022-12-21T00:00:00+08:00"
    assert item["external_url"] == "https://news.example/1" and item["tags"] == ["Data Security", "EVs"]
