"""Articles and generated pages to HTML with cmark instead of Python-Markdown.

At 10,000 articles Python-Markdown was half of `mkdocs build`. Our pages use a small subset
of Markdown (paragraphs, headings, lists, quotes, fences, links, escapes) that CommonMark
renders the same way, and cmark (C) does it about fifty times faster. Its default safe mode
also drops raw HTML and javascript: links: a second fence behind our own escaping.
Hand-written pages go through Python-Markdown and its extensions.

The shortcut uses documented events only and is checked against the plain path on every
page (tests/test_pagehtml.py builds the site both ways): `on_page_markdown` hands MkDocs an
empty document for a page cmark renders, and `on_page_content` puts cmark's HTML in its
place, with the contents and anchors MkDocs' own render would have recorded, so MkDocs
validates links and anchors in these pages as in any other.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
from typing import Any, NamedTuple
from urllib.parse import unquote

import cmarkgfm
from markdown.extensions.toc import slugify, unique
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents, get_toc

log = logging.getLogger("mkdocs.plugins.scraper")  # under "mkdocs": --strict counts warnings

_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
# Relative links and self-links (no scheme, not site-absolute), as MkDocs rewrites them.
_RELATIVE = re.compile(r'(href|src)="(?![A-Za-z][A-Za-z0-9+.-]*:|/)([^"?#]*)([?#][^"]*)?"')
_TAG = re.compile(r"<[^>]+>")
_TEXT = re.compile(r">[^<]+<")  # text between two tags

AnchorLinks = dict[File, dict[str, str]]  # as Page.links_to_anchors: {target: {anchor: link}}


class PageHtml(NamedTuple):
    content: str
    toc: TableOfContents
    anchors: set[str]  # heading ids other pages may link to
    links_to_anchors: AnchorLinks
    lookups: dict[str, bool]  # each docs path its links name: found among the files or not


def page_html(markdown: str, page_file: File, files: Files) -> PageHtml:
    """The page's HTML, with links to docs files turned into site URLs, and its contents."""
    links: AnchorLinks = {}
    lookups: dict[str, bool] = {}
    body = cmarkgfm.markdown_to_html(markdown).rstrip("\n")  # as Python-Markdown ends
    if "&quot;" in body:  # cmark writes quote marks in text as entities, Python-Markdown not
        body = _TEXT.sub(lambda m: m.group(0).replace("&quot;", '"'), body)
    body = _RELATIVE.sub(lambda m: _site_href(m, page_file, files, links, lookups), body)
    tokens: list[dict[str, Any]] = []
    used: set[str] = set()

    def anchor(m: re.Match[str]) -> str:
        level, inner = int(m.group(1)), m.group(2)
        name = html.unescape(_TAG.sub("", inner))
        ident = unique(slugify(name, "-"), used)  # "_1" for Chinese, as the toc extension
        tokens.append({"level": level, "id": ident, "name": html.escape(name, quote=False),
                       "children": []})
        return f'<h{level} id="{ident}">{inner}</h{level}>'

    body = _HEADING.sub(anchor, body)
    return PageHtml(body, get_toc(_nested(tokens)), used, links, lookups)  # type: ignore[arg-type]


def _site_href(m: re.Match[str], page_file: File, files: Files, links: AnchorLinks,
               lookups: dict[str, bool]) -> str:
    attr, link, rest = m.group(1), m.group(2), m.group(3) or ""
    anchor = html.unescape(rest[1:]) if rest.startswith("#") else ""
    if not link:  # a link within the page
        if anchor:
            links.setdefault(page_file, {}).setdefault(anchor, html.unescape(rest))
        return m.group(0)
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page_file.src_uri),
                                             unquote(html.unescape(link))))
    target = files.src_uris.get(path)  # normpath made it posix: no PurePath per link
    lookups[path] = target is not None
    if target is None:
        if link.endswith(".md"):
            log.warning("Doc file '%s' contains a link '%s', but the target '%s' is not found "
                        "among documentation files.", page_file.src_uri, link, path)
        return m.group(0)
    if anchor:
        links.setdefault(target, {}).setdefault(anchor, html.unescape(link + rest))
    return f'{attr}="{html.escape(target.url_relative_to(page_file))}{rest}"'


def _nested(tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flat headings in order → the tree Python-Markdown's toc extension makes (h3 under h2)."""
    roots: list[dict[str, Any]] = []
    stack: list[dict[str, Any]] = []
    for token in tokens:
        while stack and stack[-1]["level"] >= token["level"]:
            stack.pop()
        (stack[-1]["children"] if stack else roots).append(token)
        stack.append(token)
    return roots


class CmarkPages:
    """Renders the pages we write (articles, generated pages) with cmark, not Python-Markdown."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.ours: set[str] = set()  # src_uris of generated pages
        self._rendered: dict[str, PageHtml] = {}
        # What the links of the page being installed looked up (None: not rendered by cmark),
        # read by the page cache in the same on_page_content.
        self.lookups: dict[str, bool] | None = None

    def handles(self, page: Page) -> bool:
        # A page without a title in its front matter would get it from its first heading,
        # which only Python-Markdown's render records: it takes the plain path.
        if not self.enabled or not isinstance(page.meta.get("title"), str):
            return False
        return page.file.src_uri.startswith("articles/") or page.file.src_uri in self.ours

    def take(self, markdown: str, page: Page, files: Files) -> str:
        """on_page_markdown: render with cmark; MkDocs then renders an empty document."""
        if not self.handles(page):
            return markdown
        self._rendered[page.file.src_uri] = page_html(markdown, page.file, files)
        return ""

    def install(self, content: str, page: Page) -> str:
        """on_page_content: cmark's HTML, contents and anchors in place of the empty render."""
        rendered = self._rendered.pop(page.file.src_uri, None)
        if rendered is None:
            self.lookups = None
            return content
        self.lookups = rendered.lookups
        page.toc = rendered.toc
        page.present_anchor_ids = rendered.anchors
        page.links_to_anchors = rendered.links_to_anchors
        return rendered.content
