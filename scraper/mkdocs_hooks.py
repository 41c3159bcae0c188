"""MkDocs hooks (see `hooks:` in mkdocs.yml).

- The theme prints a page's title unescaped in <title>, the header and the search index, and
  article titles come from pages we do not control: escape them once, here, for every page.
- Pages the scraper wrote skip Python-Markdown: cmark renders them (see scraper.pagehtml).
"""

from __future__ import annotations

import html
from typing import Any

from scraper.pagehtml import is_generated, page_html

_generated: dict[str, str] = {}  # src_uri → Markdown, between the two hooks below


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    title = page.meta.get("title") if isinstance(page.meta, dict) else None
    if isinstance(title, str):
        page.meta["title"] = html.escape(title, quote=True)
    if is_generated(page.file.src_uri, markdown):
        _generated[page.file.src_uri] = markdown
        return ""  # nothing left for Python-Markdown to do
    return markdown


def on_page_content(content: str, page: Any, config: Any, files: Any) -> str:
    markdown = _generated.pop(page.file.src_uri, None)
    if markdown is None:
        return content
    rendered = page_html(markdown, page.file, files)
    page.toc, page.present_anchor_ids = rendered.toc, rendered.anchors
    return rendered.content
