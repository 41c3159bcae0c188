"""What every site adapter provides."""

from __future__ import annotations

from typing import ClassVar

from scraper.models import Article, Document


class SiteAdapter:
    """Turns a parsed Document of one site into an untagged Article.

    `extract` raises ParseError when the page holds no article and SkipArticle when it
    must not be ingested (a bot challenge, a listing page).
    """

    name: ClassVar[str]
    display_name: ClassVar[str]
    domains: ClassVar[tuple[str, ...]] = ()
    fallback: ClassVar[bool] = False  # the generic extractor is tried last

    def recognises(self, doc: Document) -> bool:
        """True when the page's content shows it is from this site (no URL known)."""
        return False

    def article_id(self, url: str | None) -> str | None:
        return None

    def extract(self, doc: Document) -> Article:
        raise NotImplementedError
