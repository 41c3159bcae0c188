"""Escaping text into Markdown that renders as the same text and nothing more."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlsplit

# Markdown's backslash-escapable characters; the backslash comes first, so that escaping it
# does not double the backslashes put before the others.
_SPECIALS = "\\`*_{}[]()#+!|"
_NEEDS_ESCAPE = re.compile(f"[{re.escape('&<>' + _SPECIALS)}]")
_LINE_START = re.compile(r"^(\s*)(?:([-=~])|(\d+)([.)]))")
# Not backslash-escapable in Python-Markdown: an entity cannot underline a heading ("===") or
# open a code fence ("~~~", which in CommonMark interrupts a paragraph).
_AS_ENTITY = {"=": "&#61;", "~": "&#126;"}
# Control characters, and the bidirectional overrides that make text display as other text
# ("evil\u202etxt.exe"); zero-width spaces and joiners stay (Chinese and emoji use them).
_INVISIBLE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),
                            *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF])
# The same characters as a regex: searching is much faster than translating (a dictionary
# look-up per character), and most text has none of them.
_HAS_INVISIBLE = re.compile("[" + "".join(re.escape(chr(c)) for c in _INVISIBLE) + "]")


def squash(text: str) -> str:
    """Collapse whitespace runs to one space and drop control and bidi-override characters."""
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


def escape_inline(text: str) -> str:
    """Escape text so Python-Markdown shows it literally: no markup, no raw HTML."""
    if not _NEEDS_ESCAPE.search(text):  # most runs of text: one scan and done
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # One replace per special present: far faster than a regex substitution per match.
    for char in _SPECIALS:
        if char in text:
            text = text.replace(char, "\\" + char)
    return text


def protect_line_start(md: str) -> str:
    """Escape what only matters at the start of a line: list markers, setext underlines and
    tilde fences."""
    if not _LINE_START.match(md):  # the usual case; the pattern can only match at the start
        return md

    def fix(m: re.Match[str]) -> str:
        if m.group(2) in _AS_ENTITY:
            return f"{m.group(1)}{_AS_ENTITY[m.group(2)]}"
        if m.group(2):
            return f"{m.group(1)}\\{m.group(2)}"
        return f"{m.group(1)}{m.group(3)}\\{m.group(4)}"

    return _LINE_START.sub(fix, md, count=1)


def escape_block(text: str) -> str:
    """Escape a whole paragraph, including markers that only matter at a line start."""
    return protect_line_start(escape_inline(squash(text)))


def safe_url(url: str | None) -> str | None:
    """An http(s) URL made safe inside Markdown link parentheses, or None."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe="/:?#[]@!$&'*+,;=%~.-_")


def link(text_md: str, url: str | None) -> str:
    """A Markdown link, or just the text when the URL is not http(s)."""
    target = safe_url(url)
    if not target or not text_md:
        return text_md
    return f"[{text_md}]({target})"


# Front-matter keys that Material prints into every page's HTML as they are (its templates do
# not escape): the title in <title>, the header, the navigation and the search results; the
# description and author in <meta content="...">.
PRINTED_META = ("title", "description", "author")


def plain_text(value: Any) -> str:
    """Any YAML value as one line of text: lists and mappings joined, dates in ISO form."""
    if isinstance(value, str):
        return squash(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return squash(", ".join(f"{plain_text(k)}: {plain_text(v)}" for k, v in value.items()))
    if isinstance(value, list | tuple | set):
        return squash(", ".join(plain_text(v) for v in value))
    return "" if value is None else squash(str(value))


def escape_printed_meta(meta: dict[str, Any]) -> None:
    """Make the front-matter values the theme prints safe to print: HTML-escaped plain text.

    A hand-edited value may be a list or a mapping (`title: ["<img onerror=...>"]`), which the
    theme prints as Python's repr of it, unescaped. An empty one is dropped, so that MkDocs
    falls back to the page's heading.
    """
    for key in PRINTED_META:
        if key in meta:
            text = plain_text(meta[key])
            if text:
                meta[key] = html.escape(text, quote=True)
            else:
                del meta[key]
