"""Reading input feeds and listing pages: charsets, missing links, entity tricks, bad addresses."""

from __future__ import annotations

import re

import pytest

from scraper.errors import ParseError
from scraper.fetch.discover import feed_links, listing_links

BASE = "http://127.0.0.1:8000/rss.xml"
RSS = "application/rss+xml"


def rss(*items: str, head: str = '<?xml version="1.0"?>') -> str:
    return (f'{head}<rss version="2.0"><channel><title>t</title><link>http://127.0.0.1:8000/</link>'
            + "".join(f"<item>{i}</item>" for i in items) + "</channel></rss>")


def test_the_http_charset_decodes_a_gbk_feed() -> None:
    feed = rss("<title>钛媒体：芯片出口新规</title><link>http://127.0.0.1:8000/1.html</link>")
    found = feed_links(feed.encode("gbk"), BASE, {"Content-Type": f"{RSS}; charset=GBK"})
    assert [link.title for link in found.links] == ["钛媒体：芯片出口新规"]
    assert found.warnings == []


@pytest.mark.parametrize("name", ["Content-Type", "content-type", "CONTENT-TYPE"])
def test_a_well_formed_feed_reads_without_warnings_whatever_the_header_case(name: str) -> None:
    found = feed_links(rss("<title>a</title><link>http://127.0.0.1:8000/1</link>").encode(), BASE,
                       {name: RSS})
    assert found.warnings == [] and len(found.links) == 1


def test_a_feed_without_a_content_type_is_read_without_warnings() -> None:
    found = feed_links(rss("<link>http://127.0.0.1:8000/1</link>").encode(), BASE, {})
    assert found.warnings == [] and len(found.links) == 1


@pytest.mark.parametrize("feed", [
    rss(),
    '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>',
])
def test_a_well_formed_feed_with_no_items_is_not_a_failure(feed: str) -> None:
    found = feed_links(feed.encode(), BASE, {"Content-Type": RSS})
    assert found.links == [] and found.warnings == [] and found.unusable == []


@pytest.mark.parametrize("content", [b"", b"<html><body><p>a page</p></body></html>",
                                     b"\x00\x01 not a feed at all"])
def test_what_is_no_feed_is_a_parse_error(content: bytes) -> None:
    with pytest.raises(ParseError, match="not a readable feed"):
        feed_links(content, BASE, {"Content-Type": "text/html"})


@pytest.mark.parametrize(("item", "why"), [
    ("<title>no link</title>", "no http(s) link"),
    ("<title>empty</title><link></link>", "no http(s) link"),
    ("<title>blank</title><link>   </link>", "no http(s) link"),
    ('<title>g</title><guid isPermaLink="false">http://127.0.0.1:8000/g</guid>', "no http(s) link"),
    ("<title>g</title><guid>urn:uuid:1234</guid>", "unusable link"),
    ("<link>javascript:alert(1)</link>", "unusable link"),
    ("<link>http://127.0.0.1:99999/post/1</link>", "unusable link"),
    ("<link>http://[::1/post/1</link>", "unusable link"),
    ("<link>http://[x/</link>", "unusable link"),
    ("<link>http://127.0.0.1:abc/post/1</link>", "unusable link"),
    ("<link>http://user:pw@127.0.0.1/post/1</link>", "unusable link"),
    ("<link>data:text/html,hi</link>", "unusable link"),
    ("<link>http://exa mple.com/</link>", "unusable link"),
    ("<link>http://xn--zz/</link>", "unusable link"),
    ("<link>http://example.com/" + "a" * 3000 + "</link>", "unusable link"),
    (f"<link>{BASE}</link>", "the feed itself"),
    ("<link>rss.xml#item</link>", "the feed itself"),
])
def test_an_item_without_a_usable_link_is_listed_not_joined_to_the_feed(item: str, why: str) -> None:
    good = "<title>good</title><link>http://127.0.0.1:8000/post/2</link>"
    found = feed_links(rss(item, good).encode(), BASE, {"Content-Type": RSS})
    assert [link.url for link in found.links] == ["http://127.0.0.1:8000/post/2"]
    assert BASE not in [link.url for link in found.links]
    assert len(found.unusable) == 1 and why in found.unusable[0][1]


def test_a_guid_that_is_a_permalink_is_the_link() -> None:
    found = feed_links(rss("<guid>http://127.0.0.1:8000/g</guid>").encode(), BASE, {"Content-Type": RSS})
    assert [link.url for link in found.links] == ["http://127.0.0.1:8000/g"]


def test_a_relative_link_with_dot_segments_resolves_against_the_feed() -> None:
    found = feed_links(rss("<link>../a/../post/3?utm_source=x</link>").encode(),
                       "http://127.0.0.1:8000/feeds/rss.xml", {"Content-Type": RSS})
    assert [link.url for link in found.links] == ["http://127.0.0.1:8000/post/3"]


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "lol">'
                  + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                            for i in range(9))
                  + ']>' + rss("<title>&j;</title><link>http://127.0.0.1:8000/1</link>", head=""))


@pytest.mark.parametrize(("content", "headers"), [
    (BILLION_LAUGHS.encode(), {"Content-Type": RSS}),
    # 70 KB of padding pushed the declaration past the old 64 KB look
    (('<?xml version="1.0"?>' + "<!--" + "x" * 70_000 + "-->" + BILLION_LAUGHS[21:]).encode(),
     {"Content-Type": RSS}),
    ((" " * 70_000 + BILLION_LAUGHS).encode(), {}),
    (BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="utf-16"?>', 1).encode("utf-16"), {}),
    (BILLION_LAUGHS.encode("utf-16-le"), {}),  # no byte-order mark
    (BILLION_LAUGHS.encode("utf-16-be"), {"Content-Type": RSS}),
    (BILLION_LAUGHS.encode("utf-32"), {}),
    (BILLION_LAUGHS.encode("gbk"), {"Content-Type": f"{RSS}; charset=gbk"}),
    (BILLION_LAUGHS.encode("utf-16"), {"Content-Type": f"{RSS}; charset=utf-16"}),
], ids=["billion laughs", "70 KB comment padding", "70 KB space padding", "UTF-16 with BOM",
        "UTF-16-LE without BOM", "UTF-16-BE without BOM", "UTF-32", "GBK", "UTF-16 by header"])
def test_a_feed_declaring_entities_is_refused(content: bytes, headers: dict[str, str]) -> None:
    with pytest.raises(ParseError, match="entities"):
        feed_links(content, BASE, headers)


def test_an_ebcdic_feed_with_entities_never_expands_them() -> None:
    try:
        found = feed_links(BILLION_LAUGHS.encode("cp037"), BASE, {})
    except ParseError:
        return
    assert all("lol" not in (link.title or "") for link in found.links)


def test_a_listing_keeps_its_good_links_and_warns_about_broken_ones() -> None:
    page = ('<html><body><a href="/post/1">one</a><a href="http://127.0.0.1:99999/post/2">x</a>'
            '<a href="http://[::1/post/3">y</a><a href="javascript:void(0)">js</a>'
            '<a href="mailto:a@b.c">mail</a><a href="#top">top</a><a href="/post/4">four</a>'
            '<a rel="next" href="http://[x/">next</a></body></html>')
    found = listing_links(page.encode(), "http://127.0.0.1:8000/list", re.compile(r"^/post/\d+$"))
    assert [link.url for link in found.links] == ["http://127.0.0.1:8000/post/1",
                                                  "http://127.0.0.1:8000/post/4"]
    assert found.next_url is None
    assert len(found.warnings) == 3 and all("unusable link" in w for w in found.warnings)


def test_an_xhtml_listing_page_is_read() -> None:
    page = ('<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
            '<body><a href="/post/1">一</a></body></html>')
    found = listing_links(page.encode(), "http://127.0.0.1:8000/list", re.compile(r"^/post/\d+$"))
    assert [link.title for link in found.links] == ["一"]
