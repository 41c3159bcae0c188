"""Feeds, the search index and Pagefind's fragments: the fields readers render as HTML or follow."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from typing import Any

from scraper.checksite.allowlist import AllowList
from scraper.checksite.findings import Finding
from scraper.checksite.markup import fragment_findings, local
from scraper.checksite.urls import SITE, is_data, is_remote, resolve, runs_script

# The keys whose strings are HTML: JSON Feed's content_html (its title and summary are plain
# text by the spec), and the title and text of Material's search index, which its search page
# renders as HTML. And the keys whose strings are followed as URLs.
FEED_HTML_KEYS = frozenset({"content_html"})
SEARCH_INDEX_HTML_KEYS = frozenset({"title", "text"})
URL_KEYS = {"url", "external_url", "image", "banner_image", "avatar", "icon", "favicon",
            "home_page_url", "feed_url", "next_url", "location", "href", "src", "id"}
# RSS and Atom: elements whose text is HTML, and elements and attributes that are URLs.
XML_HTML = {"description", "title", "encoded", "summary", "content", "subtitle", "rights"}
XML_URLS = {"link", "comments", "docs", "guid", "url", "uri", "icon", "logo"}
XML_URL_ATTRS = {"url", "href", "src", "uri"}
PAGEFIND_PREFIX = b"pagefind_dcd"


def url_finding(value: str, where: str) -> Finding | None:
    if runs_script(value) or is_data(value):
        return Finding(where, "feed-url", f"a script URL: {value[:60]!r}")
    if resolve(value, SITE) is None and value.strip():
        return Finding(where, "feed-url", f"not a URL: {value[:60]!r}")
    return None


def is_remote_url(value: str) -> bool:
    url = resolve(value, SITE)
    return url is not None and is_remote(url)


def html_findings(text: str, where: str, field: str, allowed: AllowList) -> list[Finding]:
    inner = fragment_findings(text, where, allowed)
    if not inner:
        return []
    kinds = ", ".join(sorted({f.kind for f in inner}))
    return [Finding(where, "feed-html", f"live markup in {field} ({kinds}): {text[:60]!r}")]


def check_json_value(value: Any, where: str, allowed: AllowList,
                     html_keys: frozenset[str] = FEED_HTML_KEYS, key: str = "") -> Iterator[Finding]:
    """Every string under a URL or HTML key, at any depth."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from check_json_value(v, f"{where} {k}", allowed, html_keys, str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from check_json_value(v, f"{where}[{i}]", allowed, html_keys, key)
    elif isinstance(value, str):
        if key in URL_KEYS and (finding := url_finding(value, where)):
            yield finding
        if key in html_keys:
            yield from html_findings(value, where, key, allowed)


def check_json(data: bytes, rel: str, allowed: AllowList) -> list[Finding]:
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return [Finding(rel, "unreadable", f"not UTF-8 JSON: {str(exc)[:80]}")]
    findings: list[Finding] = []
    if isinstance(doc, dict) and _is_feed(doc):
        items = doc.get("items")
        if not isinstance(items, list):
            findings.append(Finding(rel, "unreadable", "a JSON Feed whose items are not a list"))
        else:
            findings += [Finding(f"{rel} items[{i}]", "unreadable", "a feed item that is not an object")
                         for i, item in enumerate(items) if not isinstance(item, dict)]
    search_index = isinstance(doc, dict) and "docs" in doc
    findings += check_json_value(doc, rel, allowed,
                                 SEARCH_INDEX_HTML_KEYS if search_index else FEED_HTML_KEYS)
    return findings


def _is_feed(doc: dict[str, Any]) -> bool:
    return "jsonfeed.org" in str(doc.get("version", "")) or "items" in doc


def check_pagefind_fragment(data: bytes, rel: str, allowed: AllowList, page_text: Any) -> list[Finding]:
    """A Pagefind fragment: gzip of "pagefind_dcd" and the page's JSON (content, url, meta).

    Pagefind keeps a page's text as it reads: an article that shows "<script>" as text has it
    raw in `content`, and our search page (digest-search.js) shows it as text again. Markup in
    `content` or `meta` is live only for a renderer that reads it as HTML (Pagefind's own UI
    does, in excerpts), so it is a finding when the page itself does not show it as text:
    then it was not Pagefind that put it there. `page_text(url)` is that page's visible text.
    """
    try:
        raw = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        return [Finding(rel, "unreadable", f"not a gzip Pagefind fragment: {exc}")]
    if not raw.startswith(PAGEFIND_PREFIX):
        return [Finding(rel, "unreadable", "not a Pagefind fragment (no pagefind_dcd prefix)")]
    try:
        doc = json.loads(raw[len(PAGEFIND_PREFIX):].decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return [Finding(rel, "unreadable", f"not UTF-8 JSON: {str(exc)[:80]}")]
    if not isinstance(doc, dict):
        return [Finding(rel, "unreadable", "a Pagefind fragment that is not an object")]
    findings = [f for f in check_json_value(doc, rel, allowed) if f.kind == "feed-url"]
    url = doc.get("url")
    meta: dict[str, Any] = doc["meta"] if isinstance(doc.get("meta"), dict) else {}
    texts = {"content": doc.get("content"), **{f"meta {k}": v for k, v in meta.items()}}
    for field, text in texts.items():
        if not isinstance(text, str) or field == "meta image":
            continue
        text = text.replace("\u200b", "")  # Pagefind's word breaks in Chinese
        if html_findings(text, rel, field, allowed) and not _shown_as_text(text, page_text(url)):
            findings += html_findings(text, rel, f"{field} (not text of the page)", allowed)
    image = meta.get("image")
    if isinstance(image, str) and is_remote_url(image):
        findings.append(Finding(f"{rel} meta image", "remote-resource",
                                f"a result image from another host: {image[:60]!r}"))
    return findings


_MARKUP = re.compile(r"<[A-Za-z/!?][^<>]*>?")


def _shown_as_text(text: str, page: str | None) -> bool:
    """Every piece of markup in `text` is in the page's visible text too."""
    if page is None:
        return False
    shown = "".join(page.split())
    return all("".join(m.split()) in shown for m in _MARKUP.findall(text))


def check_feed_xml(root: Any, rel: str, allowed: AllowList) -> Iterator[Finding]:
    """RSS and Atom fields readers render as HTML, and the URLs they follow."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = local(el.tag)
        text = el.text or ""
        if tag in XML_HTML and text.strip():
            yield from html_findings(text, rel, f"<{tag}>", allowed)
        if tag in XML_URLS and text.strip() and (bad := url_finding(text.strip(), f"{rel} <{tag}>")):
            yield bad
        for name, value in el.attrib.items():
            where = f"{rel} <{tag} {local(name)}=>"
            if local(name) in XML_URL_ATTRS and (bad := url_finding(value, where)):
                yield bad
