"""The typed records that flow through the pipeline, one stage to the next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from scraper.mdtext import escape_block

BlockKind = Literal["heading", "paragraph", "list", "quote", "figure", "code"]


@dataclass(frozen=True)
class RawPage:
    """Bytes of one page as fetched or read, before any parsing."""

    source: str  # where it came from: a file path or the URL fetched
    content: bytes
    url: str | None = None  # the page's original address, if known
    content_type: str | None = None  # e.g. "text/html; charset=gbk" from HTTP headers
    is_text_dump: bool = False  # a plain-text rendering of a page rather than HTML


@dataclass(frozen=True)
class Block:
    """One visual block of a page's main content.

    `text` is plain text; `markdown` the same content with inline Markdown (links,
    emphasis), already escaped. List blocks keep their items in `items`; a quote keeps the
    blocks it holds in `children` (its `text` is theirs, joined), so that each is rendered as
    its own kind, and escaped as such, inside the quote.
    """

    kind: BlockKind
    text: str
    markdown: str = ""
    level: int = 0  # heading level; 1 for ordered lists
    items: tuple[str, ...] = ()  # list items (Markdown)
    alt: str = ""  # figure: the image's alt text
    css: str = ""  # class and id of the element, for site rules
    children: tuple[Block, ...] = ()  # quote: the blocks inside it

    @property
    def md(self) -> str:
        """The block's inline Markdown; plain text is escaped, never passed through raw.

        Only the text of a code block is raw, and it has no `markdown`: rendering it as code
        is the renderer's job (render.block_markdown), which fences it."""
        return self.markdown or escape_block(self.text)


@dataclass(frozen=True)
class PageMeta:
    """What the page's head says about itself."""

    title: str | None = None
    description: str | None = None
    canonical: str | None = None
    keywords: tuple[str, ...] = ()
    published: str | None = None  # raw value from meta/time elements
    author: str | None = None
    language: str | None = None


class Document:
    """A page parsed into blocks: the common input of every site adapter.

    For HTML the blocks of the whole body are worked out on first use only: an adapter
    that knows where the article sits walks just that part of the tree.
    """

    def __init__(self, source: str, url: str | None, blocks: tuple[Block, ...] | None = None,
                 meta: PageMeta | None = None, tree: Any = None,
                 walk: Callable[[Any], list[Block]] | None = None,
                 warnings: tuple[str, ...] = ()) -> None:
        self.source = source
        self.url = url
        self.warnings = warnings  # e.g. an unusable canonical link, dropped
        self.meta = meta or PageMeta()
        self.tree = tree  # the parsed HTML (lxml), for adapters that use selectors
        self._blocks = blocks
        self._walk = walk

    @property
    def blocks(self) -> tuple[Block, ...]:
        if self._blocks is None:
            body = self.tree.find("body") if self.tree is not None else None
            root = body if body is not None else self.tree
            self._blocks = tuple(self._walk(root)) if self._walk and root is not None else ()
        return self._blocks

    def text_sample(self, limit: int = 3000) -> str:
        """The start of the page's visible text, cheaply (no block walk)."""
        if self._blocks is not None or self.tree is None:
            return " ".join(b.text for b in self.blocks)[:limit]
        parts: list[str] = []
        size = 0
        body = self.tree.find("body")
        for text in (body if body is not None else self.tree).itertext():
            parts.append(text)
            size += len(text)
            if size > limit:
                break
        return " ".join(" ".join(parts).split())[:limit]


@dataclass(frozen=True)
class Evidence:
    term: str
    count: int


@dataclass(frozen=True)
class Article:
    """A normalised article. `tags`/`evidence` are filled by the tagger."""

    source: str
    url: str | None
    site: str
    site_name: str
    language: str
    title: str
    summary: str | None
    authors: tuple[str, ...]
    published: datetime | date | None
    blocks: tuple[Block, ...]
    credits: tuple[str, ...] = ()
    article_id: str | None = None  # the site's own id, e.g. a TMTPost post number
    tags: tuple[str, ...] = ()
    evidence: dict[str, tuple[Evidence, ...]] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # other addresses the article was reached by (normal form)
    source_updated: datetime | None = None  # the feed's "updated" stamp when last fetched
    warnings: tuple[str, ...] = ()  # what was dropped on the way (never stored in the page)

    @property
    def key(self) -> str:
        """Identity of the article across runs: same key, same page."""
        if self.article_id:
            return f"{self.site}:{self.article_id}"
        if self.url:
            return f"url:{self.url}"
        stamp = self.published.isoformat() if self.published else ""
        return f"title:{self.title}|{stamp}"
