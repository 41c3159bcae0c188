"""Escaping text into Markdown that renders as the same text and nothing more."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+!|~])")
_LINE_START = re.compile(r"^(\s*)([-=>]|\d+[.)])")
_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse every run of whitespace (newlines, tabs, no-break spaces) to one space."""
    return _WS.sub(" ", text).strip()


def escape_inline(text: str) -> str:
    """Escape text so Python-Markdown shows it literally: no markup, no raw HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIALS.sub(r"\\\1", text)


def escape_block(text: str) -> str:
    """Escape a whole paragraph, including markers that only matter at a line start."""
    escaped = escape_inline(squash(text))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


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
