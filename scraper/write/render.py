"""Article → output: the Markdown page (front matter + body) and the JSON record."""

from __future__ import annotations

from typing import Any

import yaml

from scraper.dates import as_datetime, iso
from scraper.mdtext import escape_block, escape_inline, link, squash
from scraper.models import Article, Block
from scraper.pagelabels import label, labelled, lang_tag, when_text
from scraper.tag import TopicRules

TOPICS_DIR = "topics"
SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's, ten times faster
EVIDENCE_SHOWN = 5  # the page shows the strongest terms; front matter keeps them all


def block_markdown(block: Block) -> str:
    """One block as Markdown that renders as its text and its kind, nothing more.

    Every kind escapes its own text; a quote renders each block it holds by that block's kind
    (see `_quote_markdown`), so no text reaches the page raw, however deep it sits.
    """
    if block.kind == "heading":
        return "#" * min(max(block.level, 2), 4) + " " + block.md
    if block.kind == "list":
        marker = "1." if block.level == 1 else "-"
        return "\n".join(f"{marker} {item}" for item in block.items)
    if block.kind == "quote":
        return _quote_markdown(block)
    if block.kind == "code":
        fence = "`" * max(3, _longest_backticks(block.text) + 1)
        return f"{fence}text\n{block.text}\n{fence}"
    return block.md


def _quote_markdown(block: Block) -> str:
    """A quote's blocks, each line marked quoted; a code block inside ends the quote and
    stands between its two halves, at the top level.

    Code has no form inside a quote that both renderers read as code: Python-Markdown finds
    fences only at the top level (a fence inside a quote becomes an inline code span, which a
    blank line in the code breaks, turning the rest into Markdown), and an indented code block
    right after a list is read as the list item's own text, Markdown again.
    """
    parts: list[str] = []
    quoted: list[str] = []
    for in_quote, md in _quote_parts(block):
        if in_quote:
            quoted.append(md)
            continue
        if quoted:
            parts.append(_mark_quoted("\n\n".join(quoted)))
            quoted = []
        parts.append(md)
    if quoted:
        parts.append(_mark_quoted("\n\n".join(quoted)))
    return "\n\n".join(parts)


def _quote_parts(block: Block) -> list[tuple[bool, str]]:
    """(inside the quote?, Markdown) for each block of a quote, nested quotes flattened."""
    if not block.children:  # a quote made from text alone
        return [(True, block.md)]
    parts: list[tuple[bool, str]] = []
    for child in block.children:
        if child.kind == "code":
            parts.append((False, block_markdown(child)))
        elif child.kind == "quote":
            parts += [(True, _mark_quoted(md)) if in_quote else (False, md)
                      for in_quote, md in _quote_parts(child)]
        else:
            parts.append((True, block_markdown(child)))
    return parts


def _mark_quoted(md: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in md.split("\n"))


def _longest_backticks(text: str) -> int:
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return longest


def body_markdown(article: Article) -> str:
    return "\n\n".join(block_markdown(b) for b in article.blocks)


def body_text(article: Article) -> str:
    return "\n\n".join(b.text for b in article.blocks)


def display_title(article: Article) -> str:
    """The title, or for a copy that lost it, the opening words of the text."""
    if article.title:
        return article.title
    first = article.blocks[0].text if article.blocks else article.source
    return first if len(first) <= 80 else first[:77].rsplit(" ", 1)[0] + "…"


def evidence_lines(article: Article, rules: TopicRules, prefix: str = "") -> list[str]:
    """One list item per topic: its label, linked to its page, and its strongest terms."""
    lines = []
    for topic in article.tags:
        shown = article.evidence.get(topic, ())[:EVIDENCE_SHOWN]
        terms = ", ".join(f"{escape_inline(e.term)} ×{e.count}" for e in shown)
        label_md = escape_inline(rules.label(topic))
        lines.append(f"- [{label_md}]({prefix}{TOPICS_DIR}/{topic}.md): {terms}")
    return lines


def evidence_record(article: Article) -> dict[str, list[dict[str, Any]]]:
    return {t: [{"term": e.term, "count": e.count} for e in ev] for t, ev in article.evidence.items()}


def front_matter(article: Article, rules: TopicRules) -> dict[str, Any]:
    """Fields as readers see them: one line each (YAML would fold other line breaks anyway)."""
    return {
        "title": squash(display_title(article)),
        "date": as_datetime(article.published) if article.published else None,
        "published": iso(article.published),
        "id": article.key,
        "site": article.site,
        "site_name": squash(article.site_name),
        "url": article.url,
        "language": article.language,
        "authors": [squash(a) for a in article.authors],
        "summary": squash(article.summary) if article.summary else None,
        "topics": list(article.tags),
        "topic_labels": [rules.label(t) for t in article.tags],
        # {topic: {term: count}}: half the YAML nodes of the JSON record's form, which every
        # build parses again for every article.
        "evidence": {t: {e.term: e.count for e in ev} for t, ev in article.evidence.items()},
        "credits": [squash(c) for c in article.credits],
        **({"aliases": list(article.aliases)} if article.aliases else {}),
        **({"source_updated": article.source_updated} if article.source_updated else {}),
    }


def render_page(article: Article, rules: TopicRules, meta: dict[str, Any] | None = None) -> str:
    """The Markdown page `import` writes: front matter, lead, byline, body, source, topics.

    `meta` is the article's front matter when the caller has already made it.
    """
    header = yaml.dump(meta or front_matter(article, rules), Dumper=SAFE_DUMPER,
                       allow_unicode=True, sort_keys=False, width=1000)
    # Our own escaped heading: without one, the theme prints the raw front-matter title.
    parts = [f"# {escape_block(display_title(article))}"]
    if article.summary:
        parts.append(f"*{escape_block(article.summary)}*")
    byline = [", ".join(article.authors)] if article.authors else []
    lang = lang_tag(article.language, article.title + body_text(article)[:2000])
    when = when_text(article.published, lang)
    byline += [when, article.site_name]
    parts.append(escape_block(" · ".join(byline)))
    parts.append(body_markdown(article))
    # No image credits: the page shows no images (figures keep only their captions); the
    # credits stay in the front matter and go out with the feeds.
    source = escape_inline(f"{article.site_name}, {when}")
    parts.append("---")
    parts.append(labelled(lang, "source", link(source, article.url)))
    if article.tags:
        parts.append(f"## {label(lang, 'why')}\n\n"
                     + "\n".join(evidence_lines(article, rules, prefix="../")))
    return f"---\n{header}---\n\n" + "\n\n".join(parts) + "\n"


def render_record(article: Article) -> dict[str, Any]:
    """The JSON record of `scraper extract` (field names are a contract: keep them)."""
    return {
        "source": article.source,
        "url": article.url,
        "site": article.site,
        "language": article.language,
        "title": article.title or None,
        "summary": article.summary,
        "authors": list(article.authors),
        "published": iso(article.published),
        "body": body_markdown(article),
        "text": body_text(article),
        "credits": list(article.credits),
        "tags": list(article.tags),
        "tag_evidence": evidence_record(article),
    }
