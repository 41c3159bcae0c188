"""What an article page gets at build time besides its text: its language tag (the page's
lang, Chinese labels and dates) and its description for search engines and link previews."""

from __future__ import annotations

import html

from mkdocs.structure.pages import Page

from scraper.mkdocs.archive import is_article
from scraper.pagelabels import lang_tag


class ArticlePages:
    """Sets page.meta.lang (read by overrides/partials/language.html) and page.meta.description
    (Material's <meta name="description">; main.html's Open Graph and Twitter card tags)."""

    def prepare(self, markdown: str, page: Page) -> str:
        if not is_article(page.file.src_uri):
            return markdown
        meta = page.meta
        title = meta.get("title") if isinstance(meta.get("title"), str) else ""  # escaped
        language = meta.get("language") if isinstance(meta.get("language"), str) else None
        meta["lang"] = lang_tag(language, f"{title}{markdown[:2000]}")
        summary = meta.get("summary")
        if isinstance(summary, str) and summary and not meta.get("description"):
            # Escaped: Material prints it into an attribute, and MkDocs' Jinja does not escape.
            meta["description"] = html.escape(summary, quote=True)
        return markdown
