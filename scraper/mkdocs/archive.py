"""The articles as the build finds them: each page read once, its front matter checked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from mkdocs.structure.files import Files

from scraper.companies import Companies
from scraper.errors import FrontMatterError
from scraper.frontmatter import ArticleMeta, read_article
from scraper.mkdocs.entries import Entry

log = logging.getLogger("mkdocs.plugins.scraper")

ARTICLES = "articles/"

ReadArticle = Callable[[Path], tuple[ArticleMeta, str]]  # a page's front matter and its body


def is_article(src_uri: str) -> bool:
    return src_uri.startswith(ARTICLES) and src_uri.endswith(".md")


class Archive:
    """Reads every article page once, into the entry listings are made of: its front matter
    and the companies its text names. A page that cannot be read, or whose front matter is
    invalid, is left out with a warning naming it (so --strict fails)."""

    def __init__(self, companies: Companies, read: ReadArticle = read_article) -> None:
        self.companies = companies
        self.read = read

    def entries(self, files: Files, docs_dir: str) -> list[Entry]:
        found = []
        for file in files:
            if not is_article(file.src_uri) or file.abs_src_path is None:
                continue
            try:
                meta, body = self.read(Path(file.abs_src_path))
            except FrontMatterError as exc:  # named as the user knows it: docs/articles/x.md
                label = f"{Path(docs_dir).name}/{file.src_uri}"
                log.warning("%s", str(exc).replace(file.abs_src_path, label, 1))
                continue
            # The front matter's evidence names companies too; only the page's text counts.
            named = self.companies.mentioned(f"{meta.title}\n{meta.summary or ''}\n{body}")
            found.append(Entry.from_front_matter(file.src_uri, meta, named))
        return found
