"""HTML, XHTML and SVG, parsed as a browser parses them, element by element: what runs or loads.

HTML goes through html5lib with scripting on, as Chromium parses it: `<noscript>` content is
raw text there (so a `</noscript>` inside an attribute ends it), a `<script>` after `</html>`
lands in the body, and `<meta charset="utf-16">` means UTF-8.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import html5lib
from lxml import etree

from scraper.checksite.allowlist import AllowList
from scraper.checksite.findings import Finding
from scraper.checksite.styles import css_problems
from scraper.checksite.urls import SITE, is_data, is_remote, resolve, runs_script, site_path

FRAMES = {"iframe", "frame", "frameset", "object", "embed", "applet", "portal", "fencedframe"}
ANIMATIONS = {"animate", "set", "animatetransform", "animatemotion", "discard"}
URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "cite",
             "longdesc", "manifest", "ping", "codebase", "archive", "icon", "lowsrc", "dynsrc",
             "srcset", "imagesrcset", "to", "from", "values", "by"}
# Loaded as the page loads: an image from another host tracks the reader (the pixel of issue 11).
LOADS = {("img", "src"), ("img", "srcset"), ("source", "src"), ("source", "srcset"),
         ("video", "poster"), ("video", "src"), ("audio", "src"), ("track", "src"),
         ("input", "src"), ("image", "href"), ("use", "href"), ("feimage", "href"),
         ("body", "background"), ("table", "background"), ("td", "background")}
SAFE_DATA_IMAGE = ("data:image/png", "data:image/gif", "data:image/jpeg", "data:image/jpg",
                   "data:image/webp", "data:image/avif")
JS_TYPES = {"", "module", "text/javascript", "application/javascript", "text/ecmascript",
            "application/ecmascript", "application/x-javascript", "text/jscript",
            "text/livescript", "text/x-javascript", "text/x-ecmascript"}
DATA_TYPES = {"application/json", "application/ld+json"}
LOADING_RELS = {"stylesheet", "import", "preload", "modulepreload", "prefetch", "prerender",
                "manifest", "serviceworker", "preconnect", "dns-prefetch"}
XHTML_NS = "http://www.w3.org/1999/xhtml"
LIVE_NAMESPACES = {XHTML_NS, "http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML"}


@dataclass
class Context:
    """Where elements are: the file (relative to the site), its URL, and what may run there."""

    where: str
    base: str  # the document's URL
    root: str  # the site's root URL
    allowed: AllowList
    site: Path | None  # None for a fragment (a feed field): nothing of the theme belongs there

    def script_file_ok(self, url: str | None) -> bool:
        path = site_path(url, self.root) if url else None
        if path is None or self.site is None:
            return False
        file = self.site / path
        try:
            return file.is_file() and self.allowed.allows_asset(path, file.read_bytes())
        except OSError:
            return False


def local(name: Any) -> str:
    return str(name).rsplit("}", 1)[-1].lower()


def check_tree(root: Any, ctx: Context, namespaced_only: bool = False) -> Iterator[Finding]:
    """Findings of every element under `root` (an ElementTree or lxml element).

    `namespaced_only`: an XML document, where only XHTML, SVG and MathML elements are live.
    """
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if namespaced_only and el.tag.rsplit("}", 1)[0].lstrip("{") not in LIVE_NAMESPACES:
            continue
        yield from check_element(el, ctx)


def check_element(el: Any, ctx: Context) -> Iterator[Finding]:
    tag = local(el.tag)
    attrs = {local(k): v or "" for k, v in el.attrib.items()}
    where = ctx.where
    if tag in FRAMES:
        yield Finding(where, "frame", f"<{tag}> element")
    if tag == "base":
        yield Finding(where, "base", "<base> element")
    if tag == "meta":
        yield from _meta(attrs, where)
    if tag == "script":
        yield from _script(el, attrs, ctx)
    if tag == "style":
        for problem in css_problems(el.text or "", ctx.base, ctx.allowed.allows_remote):
            yield Finding(where, "css-code", f"<style> with {problem}")
    if tag == "link":
        yield from _link(attrs, ctx)
    if tag in ANIMATIONS:
        target = attrs.get("attributename", "").strip().lower()
        if local(target.replace(":", "}")) == "href" or target.startswith("on"):
            yield Finding(where, "svg-animation", f"<{tag} attributeName={target!r}>")
    for name, value in attrs.items():
        if name.startswith("on"):
            yield Finding(where, "event-handler", f"event handler {name}= on <{tag}>")
        elif name in ("action", "formaction") and value.strip():
            yield Finding(where, "form-action", f"{name}={value[:40]!r} on <{tag}>")
        elif name == "style":
            for problem in css_problems(value, ctx.base, ctx.allowed.allows_remote, declarations=True):
                yield Finding(where, "css-code", f"style= with {problem} on <{tag}>")
        elif runs_script(value) or (name in URL_ATTRS and _bad_data(tag, value)):
            yield Finding(where, "script-url", f"{name}={value[:40]!r} on <{tag}>")
        elif (tag, name) in LOADS and any(_remote(u, ctx.base) for u in _urls(name, value)):
            yield Finding(where, "remote-stylesheet" if tag == "link" else "remote-resource",
                          f"<{tag} {name}={value[:60]!r}> loads from another host")


def _urls(name: str, value: str) -> list[str]:
    if name.endswith("srcset"):
        return [c.strip().split(" ")[0] for c in value.split(",") if c.strip()]
    return [value]


def _remote(value: str, base: str) -> bool:
    url = resolve(value, base)
    return url is not None and is_remote(url)


def _bad_data(tag: str, value: str) -> bool:
    if not is_data(value):
        return False
    cleaned = value.strip().lower()
    return not (tag in ("img", "source") and cleaned.startswith(SAFE_DATA_IMAGE))


def _meta(attrs: dict[str, str], where: str) -> Iterator[Finding]:
    equiv = attrs.get("http-equiv", "").strip().lower()
    if equiv == "refresh":
        content = attrs.get("content", "")[:60]
        yield Finding(where, "meta-refresh", f"<meta http-equiv=refresh content={content!r}>")
    charset = attrs.get("charset", "")
    if equiv == "content-type" and "charset=" in attrs.get("content", "").lower():
        charset = attrs["content"].lower().split("charset=", 1)[1]
    if charset and charset.strip().strip("'\"").lower() not in ("utf-8", "utf8"):
        yield Finding(where, "charset", f"<meta> declares the encoding {charset.strip()[:20]!r}")


def _script(el: Any, attrs: dict[str, str], ctx: Context) -> Iterator[Finding]:
    kind = attrs.get("type", "").strip().lower()
    if kind in DATA_TYPES:
        return
    if kind.split(";")[0].strip() not in JS_TYPES and kind not in ("importmap", "speculationrules"):
        yield Finding(ctx.where, "script-type", f"<script type={kind!r}>")
        return
    src = attrs.get("src") if "src" in attrs else attrs.get("href")  # SVG scripts use href
    if src is not None:
        if not ctx.script_file_ok(resolve(src, ctx.base)):
            yield Finding(ctx.where, "script-src",
                          f"<script src={src[:60]!r}> from outside the theme's own files")
    elif not ctx.site or not ctx.allowed.allows_inline_script(el.text or ""):
        yield Finding(ctx.where, "inline-script",
                      f"inline <script> not from the theme: {(el.text or '').strip()[:60]!r}")


def _link(attrs: dict[str, str], ctx: Context) -> Iterator[Finding]:
    rels = set(attrs.get("rel", "").lower().split())
    href = attrs.get("href", "")
    url = resolve(href, ctx.base) if href else None
    if not rels & LOADING_RELS or url is None or runs_script(href):
        return
    as_script = "modulepreload" in rels or attrs.get("as", "").strip().lower() in ("script", "worker")
    if as_script and not ctx.script_file_ok(url):
        yield Finding(ctx.where, "script-src", f"<link rel={attrs['rel']!r} href={href[:60]!r}>")
    elif is_remote(url) and not ctx.allowed.allows_remote(url):
        yield Finding(ctx.where, "remote-stylesheet",
                      f"<link rel={attrs['rel']!r} href={href[:60]!r}> from another host")


# --- parsing -----------------------------------------------------------------------------

def parse_html(data: bytes | str) -> ET.Element:
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    return parser.parse(data, scripting=True)  # type: ignore[no-any-return]


def parse_fragment(text: str) -> ET.Element:
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    return parser.parseFragment(text, container="div", scripting=True)  # type: ignore[no-any-return]


def fragment_findings(text: str, where: str, allowed: AllowList) -> list[Finding]:
    """Findings in a piece of HTML that a feed reader or the search page would render."""
    if "<" not in text and not runs_script(text):
        return []  # no element can come of it
    ctx = Context(where, SITE, SITE, allowed, None)
    return list(check_tree(parse_fragment(text), ctx))


def parse_xml(data: bytes) -> Any:
    """An XML document, without its DTD, entities or network (lxml): None if not well-formed."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None


def xml_stylesheets(root: Any, where: str) -> Iterator[Finding]:
    node = root.getprevious()
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            yield Finding(where, "xml-stylesheet", f"<?xml-stylesheet {str(node.text)[:60]}?>")
        node = node.getprevious()
