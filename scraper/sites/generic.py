"""Pages of sites with no adapter: trafilatura finds the main text, second opinions and our
rules remove chrome."""

from __future__ import annotations

import logging

import lxml.html
import trafilatura
import trafilatura.settings
from lxml import etree
from readability import Document as ReadabilityDocument
from readability.readability import Unparseable
from trafilatura.htmlprocessing import convert_to_html

from scraper.consensus import Opinion, keep_agreed
from scraper.dates import parse_any
from scraper.errors import ParseError
from scraper.models import Article, Block, Document
from scraper.read import clean
from scraper.read.parse import walk_blocks
from scraper.sites import register
from scraper.sites.base import SiteAdapter
from scraper.urls import host_of

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("readability").setLevel(logging.CRITICAL)


def _precise_opinion(html: str, url: str | None) -> Opinion:
    """trafilatura's precision mode: it drops link lists and boxes its default keeps, but
    also the text of some links inside sentences, so it votes rather than supplies text."""
    text = trafilatura.extract(html, url=url, favor_precision=True, fast=True, include_comments=False,
                               include_tables=True, with_metadata=False)
    return Opinion(text or "")


def _readability_opinion(html: str) -> Opinion:
    """readability-lxml's article: another algorithm (scores nodes by text and commas)."""
    try:
        summary = ReadabilityDocument(html).summary(html_partial=True)
        root = lxml.html.fragment_fromstring(summary, create_parent="div")
    except (Unparseable, ValueError, etree.ParserError):
        return Opinion("")  # (control characters, nothing to parse) no say in the vote
    return Opinion(" ".join(root.itertext()))


def _site_name(url: str | None, fallback: str | None) -> str:
    host = host_of(url)
    return fallback or host.removeprefix("www.") or "Web"


@register
class Generic(SiteAdapter):
    name = "generic"
    display_name = "Web"
    fallback = True

    def recognises(self, doc: Document) -> bool:
        return True

    def extract(self, doc: Document) -> Article:
        if doc.tree is None:
            return self._from_text(doc)
        html = etree.tostring(doc.tree, encoding="unicode", method="html")
        found = trafilatura.bare_extraction(
            html, url=doc.url, with_metadata=True, include_comments=False, include_tables=True,
            include_formatting=True, include_links=True, include_images=False,
            # no fallback inside trafilatura: readability is asked below, as a second opinion
            fast=True,
            # htmldate's extensive search calls dateparser, seconds per page in some languages
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
        if not isinstance(found, trafilatura.settings.Document) or found.body is None:
            raise ParseError("no article text found on the page")
        blocks = keep_agreed(walk_blocks(convert_to_html(found.body)),
                             [_precise_opinion(html, doc.url), _readability_opinion(html)])
        title = found.title or doc.meta.title
        published = parse_any(found.date) or parse_any(doc.meta.published)
        authors = [clean.clean_author(a) for a in (found.author or "").split(";") if a.strip()]
        page_credits = [c for b in doc.blocks for c in (clean.credit_of(b.text),
                        clean.credit_of(b.alt)) if c]
        return self._finish(doc, blocks, title, found.description, authors, published,
                            found.sitename, page_credits)

    def _from_text(self, doc: Document) -> Article:
        blocks = list(doc.blocks)
        title = blocks[0].text if len(blocks) > 1 and len(blocks[0].text) < 200 else None
        return self._finish(doc, blocks[1:] if title else blocks, title, None, [], None, None)

    def _finish(self, doc: Document, blocks: list[Block], title: str | None,
                summary: str | None, authors: list[str], published: object,
                sitename: str | None, page_credits: list[str] | None = None) -> Article:
        blocks = [b for b in blocks if not (b.kind == "heading" and b.level == 1)]
        blocks = clean.drop_repeated_title(blocks, title)
        body, credits = clean.split_credits(clean.cut_trailer(blocks))
        credits += [c for c in page_credits or [] if c not in credits]
        body = clean.drop_adjacent_duplicates(clean.strip_version_links(clean.drop_chrome(body)))
        body = [b for b in body if b.text or b.items]
        if not body:
            raise ParseError("no article text found on the page")
        url = doc.url or doc.meta.canonical
        language = clean.detect_language(" ".join([title or ""] + [b.text for b in body[:20]]))
        return Article(
            source=doc.source, url=url, site=self.name,
            site_name=_site_name(url, sitename), language=language, title=title or "",
            summary=summary or None, authors=tuple(authors),
            published=published if published is not None else None,  # type: ignore[arg-type]
            blocks=tuple(body), credits=tuple(credits),
        )
