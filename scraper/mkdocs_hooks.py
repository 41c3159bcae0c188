"""MkDocs hooks (see `hooks:` in mkdocs.yml).

The theme prints a page's title unescaped in <title>, the header and the search index, and
article titles come from pages we do not control: escape them once, here, for every page.
"""

from __future__ import annotations

import html
from typing import Any


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    title = page.meta.get("title") if isinstance(page.meta, dict) else None
    if isinstance(title, str):
        page.meta["title"] = html.escape(title, quote=True)
    return markdown
