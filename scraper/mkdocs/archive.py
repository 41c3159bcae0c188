"""The articles as the build finds them: each page's front matter, read and checked once."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.structure.files import Files

from scraper.errors import FrontMatterError
from scraper.frontmatter import read_meta
from scraper.mkdocs.entries import Entry

log = logging.getLogger("mkdocs.plugins.scraper")

ARTICLES = "articles/"


def is_article(src_uri: str) -> bool:
    return src_uri.startswith(ARTICLES) and src_uri.endswith(".md")


class Archive:
    """Reads every article page's front matter into the entries listings are made of; a page
    whose front matter is invalid is left out with a warning naming it (so --strict fails)."""

    def entries(self, files: Files, docs_dir: str) -> list[Entry]:
        found = []
        for file in files:
            if not is_article(file.src_uri) or file.abs_src_path is None:
                continue
            try:
                meta = read_meta(Path(file.abs_src_path))
            except FrontMatterError as exc:  # named as the user knows it: docs/articles/x.md
                label = f"{Path(docs_dir).name}/{file.src_uri}"
                log.warning("%s", str(exc).replace(file.abs_src_path, label, 1))
                continue
            found.append(Entry.from_front_matter(file.src_uri, meta))
        return found
