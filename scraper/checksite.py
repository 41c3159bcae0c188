"""`scraper check-site`: the built site carries no live code that the theme did not put there.

Findings: executable scripts other than the theme's own (its inline scripts, compared after
normalising their relative base paths, and files under assets/), event-handler attributes,
javascript:/vbscript:/data: URLs, frames, objects, embeds, <base> and meta refreshes, in
every HTML page, in the search index, and in the feeds' HTML fields.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import lxml.html
from lxml import etree

# The theme's inline scripts differ per page only in the site's base path.
_BASE = re.compile(r'new URL\("[^"]*",location\)|"base":\s*"[^"]*"')
THEME_ASSET = re.compile(r"^(?![a-z][a-z0-9+.-]*:|//)(?:[^?#:]*/)?assets/javascripts/[\w./-]+$", re.I)
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background",
             "srcset", "cite", "longdesc", "manifest", "ping"}
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
_BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|data):", re.I)
SAFE_DATA = re.compile(r"^data:image/(?:png|gif|jpe?g|webp|avif);", re.I)
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20]")  # browsers drop these: "java\tscript:" runs


def bad_scheme(value: str) -> bool:
    """A URL that runs code or carries a document, as a browser would read it."""
    return bool(_BAD_SCHEME.match(_IGNORED_IN_URLS.sub("", value)))
EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module", "text/ecmascript"}


def _fingerprint(code: str) -> str:
    return hashlib.sha256(_BASE.sub("BASE", code.strip()).encode("utf-8")).hexdigest()


def theme_scripts(site: Path) -> set[str]:
    """Fingerprints of the inline scripts on the theme's own 404 page (no scraped text there)."""
    page = site / "404.html"
    if not page.exists():
        return set()
    root = lxml.html.parse(str(page)).getroot()
    return {_fingerprint(s.text or "") for s in root.iter("script") if not s.get("src")}


def _check_tree(root: etree._Element, where: str, allowed: set[str] | None,
                site_assets: bool) -> Iterator[str]:
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag in FORBIDDEN_TAGS:
            yield f"{where}: <{tag}> element"
        if tag == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            yield f"{where}: <meta http-equiv=refresh>"
        if tag == "script":
            kind = (el.get("type") or "").strip().lower()
            src = el.get("src")
            if kind not in EXECUTABLE_TYPES:
                if kind != "application/json":  # data, not code
                    yield f"{where}: <script type={kind!r}>"
            elif src:
                if not (site_assets and THEME_ASSET.match(src)):
                    yield f"{where}: <script src={src!r}> from outside the theme's assets"
            elif allowed is None or _fingerprint(el.text or "") not in allowed:
                yield f"{where}: inline <script> not from the theme: {(el.text or '').strip()[:60]!r}"
        for name, value in el.attrib.items():
            low = name.lower()
            if low.startswith("on"):
                yield f"{where}: event handler {name}= on <{tag}>"
            elif (low in URL_ATTRS and bad_scheme(value or "") and not (
                    tag in ("img", "source") and SAFE_DATA.match(_IGNORED_IN_URLS.sub("", value)))):
                yield f"{where}: {name}={value[:40]!r} on <{tag}>"


def _fragment(text: str) -> etree._Element:
    return lxml.html.fragment_fromstring(text or "<span></span>", create_parent="div")


def check_page(path: Path, site: Path, allowed: set[str]) -> list[str]:
    rel = str(path.relative_to(site))
    try:
        root = lxml.html.parse(str(path)).getroot()
    except (etree.ParserError, ValueError, OSError) as exc:
        return [f"{rel}: unreadable HTML: {exc}"]
    if root is None:
        return []
    return list(_check_tree(root, rel, allowed, site_assets=True))


def check_search_index(path: Path, site: Path) -> list[str]:
    rel = str(path.relative_to(site))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{rel}: unreadable search index: {exc}"]
    findings = []
    for doc in data.get("docs", []):
        for field in ("title", "text"):
            where = f"{rel} [{doc.get('location', '?')} {field}]"
            findings += list(_check_tree(_fragment(str(doc.get(field, ""))), where, None, False))
    return findings


def check_feed(path: Path, site: Path) -> list[str]:
    """Feed fields that readers render as HTML must not carry live markup, once unescaped."""
    rel = str(path.relative_to(site))
    texts: list[tuple[str, str]] = []
    if path.suffix == ".json":
        try:
            feed = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return [f"{rel}: unreadable JSON Feed: {exc}"]
        for item in feed.get("items", []) if isinstance(feed, dict) else []:
            texts += [(k, str(item.get(k, ""))) for k in ("content_html",) if item.get(k)]
            texts += [(k, str(item.get(k))) for k in ("url", "external_url")
                      if bad_scheme(str(item.get(k) or ""))]
    else:
        try:
            tree = ET.parse(path)
        except (ET.ParseError, OSError) as exc:
            return [f"{rel}: unreadable feed: {exc}"]
        for el in tree.iter():
            if el.tag in ("description", "title", "{http://purl.org/rss/1.0/modules/content/}encoded"):
                texts.append((el.tag, el.text or ""))  # as a reader's HTML renderer gets it
            if el.tag == "link" and bad_scheme(el.text or ""):
                texts.append(("link", el.text or ""))
    findings = []
    for tag, text in texts:
        if tag in ("link", "url", "external_url"):
            findings.append(f"{rel}: {tag} with a script URL: {text[:60]!r}")
            continue
        problems = list(_check_tree(_fragment(text), f"{rel} <{tag}>", None, False))
        if problems or bad_scheme(text):
            findings.append(f"{rel}: live markup in <{tag}>: {text[:60]!r}")
    return findings


def check_site(site: Path) -> list[str]:
    allowed = theme_scripts(site)
    findings: list[str] = []
    for path in sorted(site.rglob("*.html")):
        findings += check_page(path, site, allowed)
    for index in sorted(site.rglob("search_index.json")):
        findings += check_search_index(index, site)
    for feed in sorted(list(site.rglob("*.xml")) + list(site.rglob("*.json"))):
        if feed.name.startswith("sitemap") or feed.name == "search_index.json":
            continue
        if feed.suffix == ".json" and '"jsonfeed.org' not in feed.read_text(encoding="utf-8")[:300]:
            continue
        findings += check_feed(feed, site)
    return findings
