"""Parse a RawPage into a Document: page metadata plus the content as a list of blocks.

HTML and text dumps end up in the same shape, so site rules are written once, on blocks.
"""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from scraper.errors import ParseError
from scraper.mdtext import escape_block, escape_inline, link, protect_line_start, squash
from scraper.models import Block, Document, PageMeta, RawPage
from scraper.read.decode import decode_page
from scraper.urls import parse_url

# Never content: dropped with everything inside them.
DROP_TAGS = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "canvas", "form", "button", "input", "select", "textarea", "nav", "head", "video", "audio",
}
BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "ul", "ol", "li",
    "blockquote", "figure", "figcaption", "pre", "table", "tr", "td", "th", "tbody", "thead",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "dl", "dt", "dd", "address", "center", "body",
    "html", "details", "summary",
}
# Inside an inline element, these make it a block (e.g. <a><div>..</div></a>).
BREAKS_INLINE = frozenset({*BLOCK_TAGS, "img", "br"})
_LIST_PARTS = frozenset({"li", "ul", "ol"})
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
INLINE_MARK = {"strong": "**", "b": "**", "em": "*", "i": "*"}


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _css(el: etree._Element) -> str:
    return f"{el.get('class') or ''} #{el.get('id') or ''}".strip()


class _Inline:
    """Collects a run of inline content as plain text and as escaped Markdown."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.md: list[str] = []

    def add_text(self, s: str | None) -> None:
        if s:
            self.text.append(s)
            self.md.append(escape_inline(s))

    def add_element(self, el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "img":
            return
        inner = _Inline()
        inner.add_text(el.text)
        for child in el:
            if isinstance(child.tag, str) and child.tag not in DROP_TAGS:
                inner.add_element(child)
            inner.add_text(child.tail)
        text = "".join(inner.text)
        md = "".join(inner.md)
        self.text.append(text)
        if tag == "a" and squash(text):
            md = link(md.strip(), el.get("href"))
        elif tag in INLINE_MARK and md.strip() and squash(text):
            md = f"{INLINE_MARK[tag]}{md.strip()}{INLINE_MARK[tag]}"
        self.md.append(md)

    def flush(self, el: etree._Element | None = None) -> list[Block]:
        """The run's paragraphs (with the class and id of `el`), leaving the run empty."""
        if not self.text:  # most calls: nothing since the last block
            return []
        text, md = "".join(self.text), "".join(self.md)
        self.text, self.md = [], []
        if text.isspace():  # the whitespace between two blocks
            return []
        css = _css(el) if el is not None else ""
        blocks = []
        # <br> splits a run into lines, as a browser's text rendering shows them
        for t, m in zip(text.split("\n\x00"), md.split("\n\x00"), strict=False):
            if line := squash(t):
                # Markdown the same as the text (nothing escaped or marked up) squashes the same.
                md = protect_line_start(line) if m == t else _tidy_md(m)
                blocks.append(Block("paragraph", line, md, css=css))
        return blocks


def _tidy_md(md: str) -> str:
    """Squash an inline run's Markdown and escape a list or heading marker at its start."""
    return protect_line_start(squash(md))


def _list_items(el: etree._Element) -> list[tuple[str, str]]:
    """A list's items in reading order, nested lists flattened into it (Markdown items of
    ours are one line each): text after a nested list goes on as an item of its own."""
    items: list[tuple[str, str]] = []
    run = _Inline()

    def end_item() -> None:
        nonlocal run
        text, md = squash("".join(run.text)), _tidy_md("".join(run.md))
        if text:
            items.append((text, md))
        run = _Inline()

    def visit(node: etree._Element) -> None:
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _LIST_PARTS:
                end_item()
                run.add_text(child.text)
                visit(child)
                end_item()
            elif tag and tag not in DROP_TAGS:
                if any(d.tag in _LIST_PARTS for d in child.iterdescendants()):
                    run.add_text(child.text)  # e.g. a list in a quote in an item
                    visit(child)
                else:
                    run.add_element(child)
            run.add_text(child.tail)

    visit(el)
    end_item()
    return items


def _figure(el: etree._Element) -> Block | None:
    caption = el.find(".//figcaption")
    cap = squash(_text(caption)) if caption is not None else ""
    img = el.find(".//img")
    alt = squash(img.get("alt") or "") if img is not None else ""
    if not cap and not alt:
        return None
    return Block("figure", cap, escape_block(cap) if cap else "", alt=alt, css=_css(el))


def _table_row(tr: etree._Element) -> Block | None:
    """A row of plain cells as one paragraph, cells joined by " | "; None for a layout row.

    Cells as paragraphs of their own lose the row they belong to, and a row's equal
    neighbouring cells ("1", "1") read as one block printed twice.
    """
    cells = [c for c in tr if c.tag in ("td", "th")]
    if any(d.tag in BLOCK_TAGS for c in cells for d in c.iterdescendants()):
        return None  # a table used for layout: its cells hold paragraphs of their own
    texts, mds = [], []
    for cell in cells:
        run = _Inline()
        run.add_element(cell)
        if text := squash("".join(run.text)):
            texts.append(text)
            mds.append(_tidy_md("".join(run.md)))
    if not texts:
        return None
    return Block("paragraph", " | ".join(texts), " \\| ".join(mds), css=_css(tr))


def walk_blocks(root: etree._Element, container: bool = False) -> list[Block]:
    """The blocks of an element tree in reading order (`container`: root's own kind ignored)."""
    blocks: list[Block] = []
    run = _Inline()

    def visit(el: etree._Element) -> None:
        nonlocal run
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in DROP_TAGS:
            return
        if tag == "br":
            run.text.append("\n\x00")
            run.md.append("\n\x00")
            return
        if tag == "img":
            alt = squash(el.get("alt") or "")
            if alt:
                blocks.extend(run.flush())
                blocks.append(Block("figure", "", "", alt=alt, css=_css(el)))
            return
        if tag not in BLOCK_TAGS:
            # (comments and processing instructions have a non-string tag: never in the set;
            # a loop in Python beats iter(*tags), which builds a 37-tag matcher per call)
            if any(c.tag in BREAKS_INLINE for c in el.iterdescendants()):
                # inline element wrapping blocks (e.g. <a><div>..</div></a>): treat as a block
                run.add_text(el.text)
                for child in el:
                    visit(child)
                    run.add_text(child.tail)
            else:
                run.add_element(el)
            return
        blocks.extend(run.flush())
        if container and el is root:
            tag = "div"
        if tag in HEADINGS:
            text = squash(_text(el))
            if text:
                inner = _Inline()
                inner.add_element(el)
                blocks.append(Block("heading", text, _tidy_md("".join(inner.md)),
                                    level=HEADINGS[tag], css=_css(el)))
            return
        if tag in ("ul", "ol"):
            items = _list_items(el)
            if items:
                blocks.append(Block("list", "\n".join(t for t, _ in items), "",
                                    level=1 if tag == "ol" else 0,
                                    items=tuple(m for _, m in items), css=_css(el)))
            return
        if tag == "tr" and (row := _table_row(el)) is not None:
            blocks.append(row)
            return
        if tag == "figure":
            fig = _figure(el)
            if fig:
                blocks.append(fig)
            return
        if tag == "pre":
            code = _text(el).strip("\n")
            if code.strip():
                blocks.append(Block("code", code, css=_css(el)))
            return
        if tag == "blockquote":
            quoted = tuple(b for b in walk_blocks(el, container=True) if b.text)
            if quoted:
                blocks.append(Block("quote", "\n".join(b.text for b in quoted), children=quoted,
                                    css=_css(el)))
            return
        run.add_text(el.text)
        for child in el:
            visit(child)
            run.add_text(child.tail)
        blocks.extend(run.flush(el))

    visit(root)
    blocks.extend(run.flush())
    return blocks


# The keys _meta reads. A <meta> under another name can change nothing (pages carry
# dozens), so its content is not even squashed.
_META_KEYS = frozenset({"title", "og:title", "og:description", "description", "canonical", "og:url",
                        "keywords", "article:published_time", "time", "author"})


def _canonical(found: dict[str, str], base: str | None, warnings: list[str]) -> str | None:
    """The first usable of <link rel=canonical> and og:url; an unusable one is a warning."""
    for key in ("canonical", "og:url"):
        if key in found:
            checked = parse_url(found[key], base)
            if checked.url:
                return checked.url
            warnings.append(f"the page's {key} link {found[key][:200]!r} is unusable "
                            f"({checked.problem}): ignored")
    return None


def _meta(doc: etree._Element, base: str | None, warnings: list[str]) -> PageMeta:
    """The head's title and meta tags (and the first <time datetime>), in one pass."""
    found: dict[str, str] = {}

    def keep(key: str, value: str | None) -> None:
        if key not in found and value and (text := squash(value)):
            found[key] = text

    for el in doc.iter("title", "meta", "link", "time"):
        tag = el.tag
        if tag == "title":
            keep("title", el.text)
        elif tag == "meta":
            name = (el.get("name") or el.get("property") or "").lower()
            if name in _META_KEYS:
                keep(name, el.get("content"))
        elif tag == "link" and "canonical" in (el.get("rel") or "").lower().split():
            keep("canonical", el.get("href"))
        elif tag == "time":
            keep("time", el.get("datetime"))
    keywords = found.get("keywords", "")
    return PageMeta(
        title=found.get("title") or found.get("og:title"),
        description=found.get("og:description") or found.get("description"),
        canonical=_canonical(found, base, warnings),
        keywords=tuple(k.strip() for k in re.split(r"[,，]", keywords) if k.strip()),
        published=found.get("article:published_time") or found.get("time"),
        author=found.get("author"),
        language=squash(doc.get("lang") or "") or None,
    )


# lxml refuses a str that still declares an encoding: the text is decoded already.
XML_DECLARATION = re.compile(r"^\s*<\?xml\b[^>]*>")


# lxml.html's own parser (with the same options) gives every element Python touches a class
# chosen by a lookup written in Python, about 40 calls a page, for methods the article path
# does not use: its one use, text_content(), is `text_content` below.
PLAIN_PARSER = etree.HTMLParser()
HTML_PARSER = lxml.html.HTMLParser()  # lxml.html's options and classes, its own error log
# libxml2 stops building a page nested deeper than 256 elements, silently: the rest of the
# page is lost. Such a page is read again into a tree no deeper than MAX_DEPTH (our walkers
# recurse once a level): what lies deeper is laid out flat, in document order.
MAX_DEPTH = 100
text_content = etree.XPath("string()")  # lxml.html's text_content() is this very XPath


def _cut_off_by_depth(parser: etree.HTMLParser) -> bool:
    last = parser.error_log.last_error
    return last is not None and last.type_name == "ERR_RESOURCE_LIMIT"


class _FlatBelow:
    """A parser target (no depth limit applies to one) that builds the tree, keeping at
    most one element open below MAX_DEPTH: a deeper start closes it first, so the text of
    every element stays in it, and in the order read."""

    def __init__(self, parser: etree.HTMLParser) -> None:
        self.builder = etree.TreeBuilder(parser=parser)
        self.depth = 0
        self.deep: str | None = None  # the element open below MAX_DEPTH

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.depth >= MAX_DEPTH:
            if self.deep is not None:
                self.builder.end(self.deep)
            self.deep = tag
        self.builder.start(tag, attrib)
        self.depth += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        if self.depth < MAX_DEPTH:
            self.builder.end(tag)
        elif self.deep is not None:
            self.builder.end(self.deep)
            self.deep = None

    def data(self, data: str) -> None:
        self.builder.data(data)

    def comment(self, text: str) -> None:
        self.builder.comment(text)

    def close(self) -> etree._Element:
        return self.builder.close()


def _parse_flat_below(html: str, parser: etree.HTMLParser) -> etree._Element:
    target = _FlatBelow(parser)
    root: etree._Element = etree.fromstring(html, etree.HTMLParser(target=target))
    return root


def parse_html(html: str, parser: etree.HTMLParser | None = None) -> etree._Element:
    """A tolerant parse: broken nesting, stray bytes, XHTML's XML declaration and nesting
    thousands deep never raise nor lose text.

    `parser`: PLAIN_PARSER for plain lxml elements, else lxml.html's (HtmlElement).
    """
    html = XML_DECLARATION.sub("", html.replace("\x00", ""), count=1)
    if not html.strip():
        raise ParseError("the page is empty")
    parser = parser or HTML_PARSER
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
        if _cut_off_by_depth(parser):
            root = _parse_flat_below(html, parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError(f"not parseable as HTML: {exc}") from exc
    return root


def text_blocks(text: str) -> list[Block]:
    """A text dump: every non-empty line is one paragraph, as the browser showed it.

    Lines end at newlines only: U+2028, NEL and form feeds inside a line stay in it.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [Block("paragraph", line, escape_block(line)) for raw in lines if (line := squash(raw))]


BINARY_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b",
                b"RIFF", b"\x00\x00\x01\x00", b"7z\xbc\xaf", b"Rar!")
CONTROL_BYTES = bytes(range(0, 9)) + bytes(range(14, 32)) + b"\x7f"


def looks_binary(content: bytes) -> bool:
    """Images, archives and random bytes: many control bytes, or a known file signature."""
    head = content[:4096]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text with its byte-order mark
        return False
    if head.startswith(BINARY_MAGIC):
        return True
    controls = len(head) - len(head.translate(None, CONTROL_BYTES))  # one C pass, not 28
    return bool(head) and controls / len(head) > 0.05


def parse_page(page: RawPage) -> Document:
    if looks_binary(page.content):
        raise ParseError("the page is binary data (an image, an archive or noise), not text or HTML")
    text = decode_page(page.content, page.content_type)
    warnings: list[str] = []
    checked = parse_url(page.url)
    if page.url is not None and checked.url is None:
        warnings.append(f"the page's address {page.url[:200]!r} is unusable ({checked.problem}): "
                        "stored without one")
    if page.is_text_dump:
        blocks = text_blocks(text)
        if not blocks:
            raise ParseError("the page is empty")
        return Document(source=page.source, url=checked.url, blocks=tuple(blocks),
                        warnings=tuple(warnings))
    root = parse_html(text, PLAIN_PARSER)
    meta = _meta(root, checked.url, warnings)
    return Document(source=page.source, url=checked.url, meta=meta, tree=root, walk=walk_blocks,
                    warnings=tuple(warnings))
