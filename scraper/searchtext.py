"""What Pagefind indexes for an article: its body text, with Chinese spelled as overlapping
character pairs, and the fields the search box shows.

Why pairs. Pagefind segments Chinese text with one library when it indexes (jieba) and the
browser segments the query with another (Intl.Segmenter). Where the two disagree a word is
not found: 数据安全 found 1 article of 199. Here every run of Chinese characters becomes its
overlapping pairs (数据安全 -> 数据 据安 安全), plus its last character alone, so that any
string of two or more characters is a phrase of consecutive pairs and any single character
is the start of a pair: found wherever it occurs. The browser script
(overrides/assets/javascripts/digest-search.js) spells the query the same way, so neither
side relies on a segmenter agreeing with the other.

The pairs are words to Pagefind but not to the reader. Two invisible marks, which Pagefind
drops from the words it indexes (they are neither letters nor digits nor white space), let
the browser put the reader's text back together from an excerpt:
- JOIN before a word: no space before it in the original;
- OVERLAP before a word: no space, and its first character repeats the previous word's last.
`decode` is the Python twin of the script's, for tests.

Every record goes into one Pagefind language ("en"): Pagefind keeps one index per
language and the browser loads one, and a Chinese-language index would segment the query
again. English words, in English and in Chinese articles, are stemmed as English.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from lxml import html as lxml_html

from scraper.dates import BEIJING, as_datetime, parse_iso

INDEX_LANGUAGE = "en"
JOIN = "\u2060"  # WORD JOINER
OVERLAP = "\u2063"  # INVISIBLE SEPARATOR
# Han ideographs (with extension A and the compatibility block); extensions B+ are astral.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_PIECES = re.compile(f"[{_HAN}]+|[^{_HAN}]+")
_IS_HAN = re.compile(f"[{_HAN}]")


def encode(text: str) -> str:
    """The text as Pagefind should index it: Han runs as overlapping pairs (see above)."""
    words: list[str] = []
    for chunk in text.split():
        if not _IS_HAN.search(chunk):
            words.append(chunk)
            continue
        first = True
        for piece in _PIECES.findall(chunk):
            if _IS_HAN.match(piece):
                pairs = [piece[i:i + 2] for i in range(len(piece) - 1)] or [piece]
                words.append(("" if first else JOIN) + pairs[0])
                words.extend(OVERLAP + pair for pair in pairs[1:])
                if len(piece) > 1:  # its last character alone: a one-character query finds it
                    words.append(OVERLAP + piece[-1])
            elif first or any(ch.isalnum() for ch in piece):
                words.append(("" if first else JOIN) + piece)
            else:  # punctuation only: it rides on the word before, as it did in the text
                words[-1] += piece
            first = False
    return " ".join(words)


def decode(encoded: str) -> str:
    """The reader's text back from `encode`'s (or from a run of its words)."""
    out: list[str] = []
    for word in encoded.split(" "):
        if word.startswith(JOIN):
            out.append(word[1:])
        elif word.startswith(OVERLAP):
            out.append(word[2:] if out else word[1:])
        else:
            out.append((" " if out else "") + word)
    return "".join(out)


def _text(element: Any) -> str:
    return str(element.text_content())


def body_blocks(content_html: str, has_summary: bool) -> list[str]:
    """The article's text, block by block: after its title, summary line and byline, before
    the rule that opens the credits, topics and source (the layout of scraper.write.render)."""
    root = lxml_html.fragment_fromstring(content_html, create_parent="div")
    # Elements only: cmark leaves a comment where it dropped an article's raw HTML.
    blocks = [b for b in root if isinstance(b.tag, str)]
    if blocks and blocks[0].tag == "h1":
        blocks = blocks[1:]
    skip = 2 if has_summary else 1  # the summary (the dek: part of the story) and the byline
    summary = [_text(blocks[0])] if has_summary and blocks else []
    blocks = blocks[skip:]
    rules = [i for i, b in enumerate(blocks) if b.tag == "hr"]
    if rules:
        blocks = blocks[:rules[-1]]
    return summary + [_text(b) for b in blocks]


def sort_stamp(value: Any) -> str:
    """YYYYMMDDHHMM in Beijing time: one word to Pagefind (nobody searches for it), and in
    date order when sorted as text. 000000000000 when unknown: Pagefind drops a page without
    a sort key from sorted results."""
    if isinstance(value, str):
        value = parse_iso(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=BEIJING)
        return aware.astimezone(BEIJING).strftime("%Y%m%d%H%M")
    if isinstance(value, date):
        return as_datetime(value).strftime("%Y%m%d%H%M")
    return "0" * 12


def record(url: str, content_html: str, meta: Mapping[str, Any], part: str | None = None) -> dict[str, Any]:
    """The Pagefind record (an AddRecord message's fields) of an article page: `content_html`
    is the page's content as MkDocs rendered it, `meta` its front matter, `part` the part of
    the index it goes in (a filter: newest first, the browser asks part by part)."""
    title = str(meta.get("title") or "")
    blocks = body_blocks(content_html, bool(meta.get("summary")))
    topics = [f"{t}|{label}" for t, label in zip(meta.get("topics") or [], meta.get("topic_labels") or [],
                                                  strict=False)]
    filters: dict[str, list[str]] = {"source": [str(meta.get("site_name") or meta.get("site") or "")]}
    if topics:
        filters["topic"] = topics
    if part is not None:
        filters["part"] = [part]
    stamp = sort_stamp(meta.get("date") or meta.get("published"))
    return {
        "url": url,
        "content": "\n".join(encode(b) for b in blocks),
        "language": INDEX_LANGUAGE,
        # Pagefind searches meta values too: only the title (encoded like the body, so that it
        # is found the same way) and the stamp are meta; source and topics are filters.
        "meta": {"title": encode(title), "date": stamp},
        "filters": filters,
        # Not a number: Pagefind sorts numbers as 32-bit floats, which cannot tell the
        # minutes of a day apart (202501200909 and 202501201644 are the same float); text is
        # compared exactly.
        "sort": {"date": f"t{stamp}"},
    }
