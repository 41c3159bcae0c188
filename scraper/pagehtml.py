"""The pages the scraper writes, to HTML with cmark instead of Python-Markdown.

At 10,000 articles Python-Markdown's inline processing was half of `mkdocs build`. Our pages
use a small subset of Markdown (paragraphs, headings, lists, quotes, fences, links, escapes)
that CommonMark renders the same way, and cmark (C) does it about fifty times faster. Its
default safe mode also drops raw HTML and javascript: links: a second fence behind our own
escaping. Hand-written pages still go through Python-Markdown and its extensions.
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
from mkdocs.structure.toc import TableOfContents, get_toc

from scraper.entries import GENERATED

log = logging.getLogger("mkdocs.plugins.scraper")  # under "mkdocs": --strict counts warnings

_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
# Relative links (no scheme, not site-absolute, not a bare #anchor), as MkDocs rewrites them.
_RELATIVE = re.compile(r'(href|src)="(?![A-Za-z][A-Za-z0-9+.-]*:|/|#)([^"?#]*)([?#][^"]*)?"')
_TAG = re.compile(r"<[^>]+>")


def is_article(src_uri: str) -> bool:
    return src_uri.startswith("articles/")


def is_generated(src_uri: str, markdown: str) -> bool:
    """Articles, and the listings that carry the generator's marker."""
    return is_article(src_uri) or markdown.lstrip().startswith(GENERATED)


class PageHtml(NamedTuple):
    content: str
    toc: TableOfContents
    anchors: set[str]  # heading ids other pages may link to


def page_html(markdown: str, page_file: File, files: Files) -> PageHtml:
    """The page's HTML, with links to docs files turned into site URLs, and its contents."""
    body = cmarkgfm.markdown_to_html(markdown.replace(GENERATED, "", 1))
    body = _RELATIVE.sub(lambda m: _site_href(m, page_file, files), body)
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
    return PageHtml(body, get_toc(_nested(tokens)), used)  # type: ignore[arg-type]


def _site_href(m: re.Match[str], page_file: File, files: Files) -> str:
    attr, link, rest = m.group(1), m.group(2), m.group(3) or ""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page_file.src_uri),
                                             unquote(html.unescape(link))))
    target = files.src_uris.get(path)  # normpath made it posix: no PurePath per link
    if target is None:
        if link.endswith(".md"):
            log.warning("Doc file '%s' contains a link '%s', but the target '%s' is not found "
                        "among documentation files.", page_file.src_uri, link, path)
        return m.group(0)
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
