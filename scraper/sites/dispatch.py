"""RawPage → untagged Article: parse, refuse bot challenges, pick the site adapter."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import islice

from lxml import etree

from scraper import sites
from scraper.errors import SkipArticle
from scraper.models import Article, Document, RawPage
from scraper.read.parse import parse_page
from scraper.sites.base import SiteAdapter

# Bot-blocking interstitials seen in front of Chinese and international news sites.
CHALLENGE = re.compile(
    r"Just a moment\.\.\.|Attention Required!|cf-challenge|challenge-platform|Checking your browser"
    r"|captcha|Access denied|Verify you are human|安全验证|滑动验证|访问验证|人机验证|请完成验证",
    re.I)


def _has_paragraphs(tree: etree._Element, count: int) -> bool:
    """At least `count` <p> elements in the tree, counted in C and only as far as needed.

    (The same test as `len(tree.xpath("//p[position() <= count]")) >= count`: that takes
    up to `count` from each parent, which reaches `count` exactly when the total does.)
    """
    return sum(1 for _ in islice(tree.iter("p"), count)) >= count


def is_challenge(doc: Document) -> bool:
    """A bot-blocking page: a few lines of text saying so (articles have many paragraphs)."""
    if doc.tree is not None and _has_paragraphs(doc.tree, 8) and not (
            CHALLENGE.search(doc.meta.title or "")):
        return False
    sample = doc.text_sample(3000)
    return len(sample) < 3000 and bool(CHALLENGE.search(f"{doc.meta.title or ''} {sample}"))


def pick_adapter(doc: Document) -> SiteAdapter:
    by_url = sites.for_url(doc.url)
    if by_url is not None:
        return by_url
    return next(a for a in sites.adapters() if a.recognises(doc))


MIN_TEXT = {"en": 200, "zh": 80}  # characters of running text below which a page is no article


# Running text has sentences; a run of headlines or menu links has none.
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*(?:\s|$)|[。！？]")


OTHER_SCRIPT = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0590-\u06ff\u0900-\u0dff\u0e00-\u0eff"
                          r"\u1100-\u11ff\uac00-\ud7af]")
OTHER_SCRIPT_RUN = re.compile(f"{OTHER_SCRIPT.pattern}+")


def in_other_language(sample: str) -> bool:
    """Mostly written in a script other than Latin and Chinese."""
    other = sum(map(len, OTHER_SCRIPT_RUN.findall(sample)))  # a count of the characters
    return bool(other) and other * 2 > len(sample.replace(" ", ""))


OTHER_LANGUAGE = "other"  # the language of an extracted page in a script we do not publish


def check_language(article: Article) -> Article:
    """Mark a page written mostly in a script other than Latin and Chinese as `other`."""
    if in_other_language(" ".join(b.text for b in article.blocks[:20])[:4000]):
        return replace(article, language=OTHER_LANGUAGE)
    return article


def check_published_language(article: Article) -> Article:
    """Only English and Chinese are published: `import` and `update` refuse the rest."""
    if article.language == OTHER_LANGUAGE:
        raise SkipArticle("the page is in a language we do not publish (only English and Chinese)")
    return article


def check_is_article(article: Article) -> Article:
    """Refuse listing, tag and index pages: headlines and links, hardly any running text."""
    prose = sum(len(b.text) for b in article.blocks
                if b.kind in ("paragraph", "quote") and SENTENCE_END.search(b.text))
    if prose < MIN_TEXT.get(article.language, 200):
        raise SkipArticle(f"not an article: only {prose} characters of running text "
                          "(a listing, tag or index page?)")
    return article


def extract_article(page: RawPage, publish: bool = True) -> Article:
    """The page's article; with `publish`, only one we would publish (English or Chinese).

    `scraper extract` reads any language (an extractor should not drop a page for its
    language); `import` and `update` publish only English and Chinese.
    """
    article = _extract_any(page)
    return check_published_language(article) if publish else article


def _extract_any(page: RawPage) -> Article:
    doc = parse_page(page)
    if is_challenge(doc):
        raise SkipArticle("blocked: the page is a bot-challenge page, not an article")
    article = check_is_article(check_language(pick_adapter(doc).extract(doc)))
    # Only an address parse_url accepted may be stored (adapters take doc.url or canonical).
    url = doc.url or doc.meta.canonical
    if article.url == url and article.warnings == doc.warnings:
        return article  # the usual case: a copy (replace walks every field) would change nothing
    return replace(article, url=url, warnings=doc.warnings)
