"""TMTPost (钛媒体): the English edition and the Chinese site, HTML pages and text dumps.

Every rule here was observed on real pages; see shared/TMTPOST.md. The rules work on
blocks, so a text dump and the HTML page of one article give the same article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from scraper.dates import BEIJING, parse_any, parse_english_date, parse_numeric_date
from scraper.errors import ParseError
from scraper.mdtext import squash
from scraper.models import Article, Block, Document
from scraper.read import clean
from scraper.read.parse import text_content, walk_blocks
from scraper.sites import register
from scraper.sites.base import SiteAdapter
from scraper.urls import host_of, parse_url

# "HeatherZouHeatherZou ・ Dec. 21, 2022" (U+30FB; some copies use U+00B7 or a bullet)
BYLINE = re.compile(r"^(?P<name>.{2,80}?)\s*[・·•]\s*(?P<date>[A-Z][a-z]{2,4}\.?\s+\d{1,2},\s+\d{4})$")
DATELINE = re.compile(
    r"^[A-Z][A-Z .'-]{1,40},\s+[A-Z][a-z]+\.?\s+\d{1,2}\s+\((?:TMTPOST|TMTPost|TMTpost)\)\s*[—–-]")
ASIANFIN = re.compile(r"^AsianFin\s+-{1,2}\s+")
ABSTRACT = re.compile(r"^摘要\s*[:：]\s*")
STANDALONE_DATE = re.compile(
    r"^[·•\s]*(?:[A-Z][a-z]{2,4}\.?\s+\d{1,2},\s+\d{4}"
    r"|\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?)$")
# The footer starts at the like counter, "Related Posts" or the subscribe prompt.
FOOTER = re.compile(
    r"^(?:LIKE\s*\d*|Related Posts|•?\s*Subscribe To Our News|相关文章|相關文章|相关阅读|"
    r"登录后才能评论|评论|全部评论|\d+\s*条评论|本文系作者.*|更多精彩内容.*)$", re.I)
CHROME = re.compile(rf"^(?:{clean.VERSION_LINK}|（中文版）|\(中文版\)|.*二维码.*|.*钛媒体APP.*下载.*)$", re.I)
DEK_HINT = re.compile(r"dek|sub|summary|excerpt|desc|abstract|lead|intro", re.I)
TITLE_SUFFIX = re.compile(r"\s*(?:[-|_–—]\s*(?:TMTPost|TMTPOST|钛媒体)[^-|_]*|-钛媒体官方网站)$")
ID_IN_PATH = re.compile(r"/(?:post/|news/)?(\d{5,9})(?:\.html?)?/?$")
HEADER_SPAN = 12  # the byline, title, dek and credits are all within the first blocks


@cache
def _compiled(xpath: str) -> etree.XPath:
    return etree.XPath(xpath)


def _select(tree: Any, xpath: str) -> Any:
    """`tree.xpath(xpath)`, the expression parsed once per process rather than per page."""
    return _compiled(xpath)(tree)


def _byline(text: str) -> re.Match[str] | None:
    """BYLINE.match, skipped when none of the separators it needs is in the text: its lazy
    name part makes every failing match try up to 80 lengths."""
    if "・" not in text and "·" not in text and "•" not in text:
        return None
    return BYLINE.match(text)


def _is_site_chrome(text: str) -> bool:
    """CHROME.match, skipped for lines with none of its words (its .* alternatives would
    cost a scan with backtracking per line)."""
    return ("ersion" in text or "中文版" in text or "二维码" in text or "钛媒体APP" in text
            ) and bool(CHROME.match(text))


def _undouble(name: str) -> str:
    """"HeatherZouHeatherZou" → "HeatherZou": avatar text and link print the name twice."""
    name = squash(name)
    half, odd = divmod(len(name), 2)
    if not odd and name[:half] == name[half:]:
        return name[:half].strip()
    if odd and name[:half] == name[half + 1:] and name[half] == " ":
        return name[:half].strip()
    return name


def _is_anchor(block: Block) -> bool:
    """The first block of the article proper: a credit, a dateline or an AsianFin opening."""
    return bool(clean.credit_of(block.text) or clean.credit_of(block.alt)
                or DATELINE.match(block.text) or ASIANFIN.match(block.text))


def _more_precise(shown: date | datetime | None,
                  meta: date | datetime | None) -> date | datetime | None:
    """The page's own date, or the head's timestamp where it names the same day with a time."""
    if shown is None:
        return meta
    same_day = isinstance(meta, datetime) and meta.astimezone(BEIJING).date() == shown
    if same_day and not isinstance(shown, datetime):
        return meta
    return shown


def _cut_footer(blocks: Sequence[Block]) -> list[Block]:
    for i, block in enumerate(blocks):
        if block.kind != "list" and FOOTER.match(block.text):
            return list(blocks[:i])
    return list(blocks)


@register
class TMTPost(SiteAdapter):
    name = "tmtpost"
    display_name = "TMTPost"
    domains = ("tmtpost.com",)

    def recognises(self, doc: Document) -> bool:
        canonical = host_of(doc.meta.canonical)
        if canonical == "tmtpost.com" or canonical.endswith(".tmtpost.com"):
            return True
        head = [b.text for b in doc.blocks[:HEADER_SPAN * 2]]
        if any(DATELINE.match(t) or ASIANFIN.match(t) for t in head):
            return True
        if (doc.meta.title or "").endswith("钛媒体官方网站"):
            return True
        if not any(_byline(t) for t in head):
            return False
        # The doubled byline plus the site's footer, or its "Image Source : X" credit spacing
        texts = {b.text for b in doc.blocks}
        footer = {"Related Posts", "• Subscribe To Our News", "Subscribe To Our News"}
        return bool(texts & footer) or any(t.startswith("Image Source : ") for t in head)

    def article_id(self, url: str | None) -> str | None:
        checked = parse_url(url).url
        if not checked:
            return None
        path = urlsplit(checked).path
        if "/nictation/" in path or "/column/" in path:
            return None
        m = ID_IN_PATH.search(path)
        return m.group(1) if m else None

    def extract(self, doc: Document) -> Article:
        english_edition = host_of(doc.url) == "en.tmtpost.com"
        if doc.tree is not None and not english_edition and (found := self._www_layout(doc)):
            return found
        return self._from_blocks(doc, self._content_blocks(doc))

    # --- the English edition and text dumps: rules on the block sequence ---

    def _content_blocks(self, doc: Document) -> list[Block]:
        if doc.tree is None:
            return list(doc.blocks)
        for xpath in ("//article", "//main", "//*[@id='content']"):
            found = _select(doc.tree, xpath)
            if found:
                return walk_blocks(max(found, key=lambda e: len(text_content(e))))
        return list(doc.blocks)

    def _from_blocks(self, doc: Document, blocks: list[Block]) -> Article:
        blocks = _cut_footer(blocks)
        start = next((i for i, b in enumerate(blocks[:HEADER_SPAN]) if _byline(b.text)), None)
        if start is None:
            # no byline: the header starts at the first heading (HTML) or line (text)
            start = next((i for i, b in enumerate(blocks[:HEADER_SPAN]) if b.kind == "heading"
                          and b.level == 1), 0)
        blocks = blocks[start:]
        anchor = next((i for i, b in enumerate(blocks[:HEADER_SPAN]) if _is_anchor(b)), None)

        authors: list[str] = []
        published: date | datetime | None = None
        summary: str | None = None
        header: list[Block] = []
        end = anchor if anchor is not None else min(len(blocks), 4)
        for block in blocks[:end]:
            if (m := _byline(block.text)) and not header and not authors:
                authors.append(_undouble(m.group("name")))
                published = parse_english_date(m.group("date"))
            elif STANDALONE_DATE.match(block.text):
                published = published or parse_any(block.text.strip("·• "))
            elif m := ABSTRACT.match(block.text):
                summary = block.text[m.end():].strip() or None
            elif _is_site_chrome(block.text) or block.kind == "figure" and not block.text:
                continue
            else:
                header.append(block)
        title_block = header[0] if header else None
        rest = header[1:]
        if anchor is None:
            # Without an anchor only a marked-up dek is safe to split from the body.
            dek = rest[0] if rest and (rest[0].kind == "heading" or DEK_HINT.search(rest[0].css)) else None
            body = ([b for b in rest if b is not dek]) + blocks[end:]
        else:
            dek = rest[0] if rest else None
            body = rest[1:] + blocks[end:]
        if dek is not None and summary is None:
            summary = dek.text
        if title_block is not None and title_block.kind == "paragraph" and len(title_block.text) > 250:
            body.insert(0, title_block)  # a mirror that starts with the body has no title line
            title_block = None

        body, credits = clean.split_credits(body)
        body = [b for b in clean.drop_chrome(body) if not _is_site_chrome(b.text)
                and not ABSTRACT.match(b.text)]
        title = title_block.text if title_block else self._meta_title(doc)
        published = _more_precise(published, parse_any(doc.meta.published))
        return self._article(doc, title, summary, authors, published, body, credits)

    def _meta_title(self, doc: Document) -> str | None:
        title = doc.meta.title
        return TITLE_SUFFIX.sub("", title).strip() or None if title else None

    # --- the Chinese site (www.tmtpost.com): known selectors, then the same rules ---

    def _www_layout(self, doc: Document) -> Article | None:
        tree = doc.tree
        body_root = None
        for xpath in ("//article//div[contains(concat(' ', @class, ' '), ' inner ')]",
                      "//*[contains(concat(' ', @class, ' '), ' post_content ')]",
                      "//*[@id='paragraph']"):
            found = _select(tree, xpath)
            if found:
                body_root = found[0]
                break
        if body_root is None:
            return None

        def first_text(*xpaths: str) -> str | None:
            for xp in xpaths:
                for el in _select(tree, xp):
                    text = squash(el if isinstance(el, str) else text_content(el))
                    if text:
                        return text
            return None

        title = first_text("//article/h1", "//h1") or self._meta_title(doc)
        when = first_text("//article//div[contains(@class,'post-info')]//span[contains(@class,'time')]",
                          "//*[contains(@class,'_time')]", "//*[contains(@class,'time')]")
        published = parse_numeric_date(when or "") or parse_any(doc.meta.published)
        abstract = first_text("//article//p[contains(@class,'post-abstract')]",
                              "//*[contains(@class,'post-abstract')]", "//*[contains(@class,'abstract')]")
        summary = ABSTRACT.sub("", abstract).strip() if abstract else None
        author = first_text(
            "//article//div[contains(@class,'post-info')]//a",
            "//*[contains(@class,'author')]//a", "//*[contains(@class,'author-name')]",
            "//*[contains(@class,'author')]")
        blocks = _cut_footer(walk_blocks(body_root))
        blocks = [b for b in blocks if not (b.kind == "paragraph" and ABSTRACT.match(b.text))]
        blocks = clean.drop_repeated_title(blocks, title)
        body, credits = clean.split_credits(blocks)
        body = [b for b in clean.drop_chrome(body) if not _is_site_chrome(b.text)]
        authors = [_undouble(author)] if author and len(author) <= 40 else []
        return self._article(doc, title, summary or None, authors, published, body, credits)

    def _article(self, doc: Document, title: str | None, summary: str | None,
                 authors: list[str], published: date | datetime | None,
                 body: list[Block], credits: list[str]) -> Article:
        body = clean.drop_adjacent_duplicates(
            b for b in clean.strip_version_links(body) if b.text or b.items)
        if not body:
            raise ParseError("no article text found on the TMTPost page")
        url = doc.url or doc.meta.canonical
        text = " ".join(b.text for b in body[:20])
        language = clean.detect_language(f"{title or ''} {text}")
        return Article(
            source=doc.source, url=url, site=self.name, site_name=self.display_name,
            language=language, title=title or "", summary=summary,
            authors=tuple(a for a in authors if a), published=published, blocks=tuple(body),
            credits=tuple(credits), article_id=self.article_id(url),
        )
