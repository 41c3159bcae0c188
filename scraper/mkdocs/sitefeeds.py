"""The site's own feeds (not the input feeds `scraper update` reads): RSS 2.0 and JSON Feed 1.1
for the whole site and for each topic. Pure: entries (and their bodies) in, text out.

Full text: an item carries the article's body as sanitised HTML (feedbodies.py) with its
credits and source; its dek, if it has one, is the summary (never the title again). A
date-only article gets no invented midnight: RSS gives its day as dc:date (W3C-DTF allows a
bare day) instead of pubDate, JSON Feed as the extension `_digest.date_only`."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from email.utils import format_datetime

from mkdocs.structure.files import File

from scraper.frontmatter import http_address
from scraper.mkdocs.entries import Entry, newest_first
from scraper.tag import TopicRules

Bodies = Callable[[Entry], str | None]  # an article's sanitised HTML, if it can be read


def _no_bodies(entry: Entry) -> str | None:
    return None

FEED_SIZE = 50
# Characters XML 1.0 forbids in any form (ElementTree writes them as they are): a control
# character in an article's text made the whole feed unreadable to every reader.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text_title(title: str) -> str:
    """Some readers render RSS titles as HTML: a title with markup characters goes escaped."""
    return html.escape(title, quote=False) if "<" in title or ">" in title else title


def doc_url(site_url: str, path: str, directory_urls: bool = True) -> str:
    """A docs page's address on our site, as MkDocs makes it (`File.url`, by use_directory_urls
    in mkdocs.yml): articles/x.md is articles/x/ or articles/x.html, an index.md its folder's."""
    return site_url.rstrip("/") + "/" + File(path, None, "", directory_urls).url


def rss(entries: list[Entry], title: str, site_url: str, self_path: str,
        rules: TopicRules, bodies: Bodies = _no_bodies, directory_urls: bool = True) -> str:
    channel_root = ET.Element("rss", {"version": "2.0", "xmlns:atom": "http://www.w3.org/2005/Atom",
                                      "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
                                      "xmlns:dc": "http://purl.org/dc/elements/1.1/"})
    channel = ET.SubElement(channel_root, "channel")
    ET.SubElement(channel, "title").text = title
    ET.SubElement(channel, "link").text = site_url
    ET.SubElement(channel, "description").text = f"{title}: Chinese tech news, tagged by topic."
    ET.SubElement(channel, "atom:link", {"href": site_url.rstrip("/") + "/" + self_path,
                                         "rel": "self", "type": "application/rss+xml"})
    items = [e for e in newest_first(entries) if e.when][:FEED_SIZE]
    timed = [e.when for e in items if e.when and e.timed]
    if timed:  # a date-only article has no time to give
        ET.SubElement(channel, "lastBuildDate").text = format_datetime(max(timed))
    for e in items:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = _text_title(e.title)
        ET.SubElement(item, "link").text = doc_url(site_url, e.path, directory_urls)
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = doc_url(site_url, e.path, directory_urls)
        if e.when and e.timed:
            ET.SubElement(item, "pubDate").text = format_datetime(e.when)
        elif e.day:
            ET.SubElement(item, "dc:date").text = e.day.isoformat()
        if e.summary:  # readers render descriptions as HTML: give them escaped text
            ET.SubElement(item, "description").text = html.escape(e.summary)
        if body := bodies(e):
            ET.SubElement(item, "content:encoded").text = body
        for t in e.topics:
            ET.SubElement(item, "category").text = rules.label(t)
        if source := http_address(e.url):
            ET.SubElement(item, "source", {"url": source}).text = e.site_name or source
    text = ET.tostring(channel_root, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + _NOT_XML.sub("", text) + "\n"


def json_feed(entries: list[Entry], title: str, site_url: str, self_path: str,
              rules: TopicRules, bodies: Bodies = _no_bodies, directory_urls: bool = True) -> str:
    items = []
    for e in [e for e in newest_first(entries) if e.when][:FEED_SIZE]:
        address = doc_url(site_url, e.path, directory_urls)
        item: dict[str, object] = {"id": address, "url": address,
                                   "title": e.title, "tags": [rules.label(t) for t in e.topics]}
        if e.when and e.timed:
            item["date_published"] = e.when.isoformat()
        elif e.day:
            item["_digest"] = {"about": doc_url(site_url, "about.md", directory_urls),
                               "date_only": e.day.isoformat()}
        if source := http_address(e.url):
            item["external_url"] = source
        if e.summary:
            item["summary"] = e.summary
        body = bodies(e)
        if body:
            item["content_html"] = body
        else:  # JSON Feed needs a content: the dek, or nothing but the link
            item["content_text"] = e.summary or ""
        if e.authors:
            item["authors"] = [{"name": a} for a in e.authors]
        if e.language:
            item["language"] = e.language
        items.append(item)
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": site_url,
            "feed_url": site_url.rstrip("/") + "/" + self_path, "items": items}
    return json.dumps(feed, ensure_ascii=False, indent=1) + "\n"


def all_feeds(entries: list[Entry], rules: TopicRules, site_title: str,
              site_url: str, bodies: Bodies = _no_bodies, directory_urls: bool = True) -> dict[str, str]:
    out = {"feed.xml": rss(entries, site_title, site_url, "feed.xml", rules, bodies, directory_urls),
           "feed.json": json_feed(entries, site_title, site_url, "feed.json", rules, bodies,
                                  directory_urls)}
    for topic in rules.topics:
        chosen = [e for e in entries if topic.id in e.topics]
        title = f"{site_title}: {topic.label}"
        out[f"topics/{topic.id}.xml"] = rss(chosen, title, site_url, f"topics/{topic.id}.xml", rules,
                                            bodies, directory_urls)
        out[f"topics/{topic.id}.json"] = json_feed(chosen, title, site_url, f"topics/{topic.id}.json",
                                                   rules, bodies, directory_urls)
    return out


class SiteFeeds:
    """Makes the site's own feeds (RSS 2.0 and JSON Feed, for the site and each topic)."""

    def __init__(self, rules: TopicRules, site_title: str, site_url: str,
                 directory_urls: bool = True) -> None:
        self.rules = rules
        self.site_title = site_title
        self.site_url = site_url if site_url.endswith("/") else site_url + "/"
        self.directory_urls = directory_urls

    def files(self, entries: list[Entry], bodies: Bodies = _no_bodies) -> dict[str, str]:
        return all_feeds(entries, self.rules, self.site_title, self.site_url, bodies, self.directory_urls)
