"""What the renderer writes renders as the same text: no live markup from scraped input."""

from __future__ import annotations

import html
from datetime import date

import cmarkgfm
import markdown
import pytest
from lxml import html as lhtml

from scraper.mdtext import escape_printed_meta
from scraper.models import Article, Block, RawPage
from scraper.read.parse import parse_page, walk_blocks
from scraper.tag import TopicRules
from scraper.write.render import body_markdown, render_page

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "{: onclick=\"alert(1)\" }",
    "# not a heading",
    "- not a list",
    "1. not a list",
    "<div markdown=1>*x*</div>",
    "&lt;script&gt;",
]


def html_of(article: Article, rules: TopicRules) -> str:
    page = render_page(article, rules)
    body = page.split("\n---\n", 1)[1]
    return markdown.markdown(body, extensions=["toc"])


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_in_any_field_stays_text(text: str, rules: TopicRules) -> None:
    art = Article(source="s", url="javascript:alert(1)", site="generic", site_name=text,
                  language="en", title=text, summary=text, authors=(text,), published=None,
                  blocks=(Block("paragraph", text, ""),), credits=(f"Image Source: {text}",))
    root = lhtml.fragment_fromstring(html_of(art, rules), create_parent="section")
    tags = {el.tag for el in root.iter() if el is not root}
    assert tags <= {"h1", "p", "em", "hr"}, tags
    for el in root.iter():
        assert not [a for a in el.attrib if a.startswith("on")]
        assert not el.get("href", "").startswith(("javascript", "data"))


def test_links_keep_only_http_urls(rules: TopicRules) -> None:
    root = lhtml.fromstring('<div><p>See <a href="javascript:alert(1)">this</a> and '
                            '<a href="https://example.com/a b">that</a>.</p></div>')
    blocks = tuple(walk_blocks(root))
    art = Article(source="s", url=None, site="generic", site_name="Web", language="en",
                  title="T", summary=None, authors=(), published=None, blocks=blocks)
    html = html_of(art, rules)
    assert "javascript" not in html
    assert 'href="https://example.com/a%20b"' in html


# --- Scraped text nested in blocks: HTML → Article → Markdown → HTML, by both renderers ---

EXTENSIONS = ["toc", "tables", "fenced_code"]  # what MkDocs loads with our mkdocs.yml
# Text that is Markdown or HTML once it sits at the start of a line (or anywhere).
PAYLOAD = [
    "![pixel](https://evil.example/t.png)",
    "# Fake heading",
    "[phish](https://evil.example/login)",
    "<img src=x onerror=alert(1)>",
    "[js](javascript:alert(1)) and <https://evil.example/auto>",
    "<script>alert(1)</script>",
    "- item",
    "1. item",
    "> quote",
    "~~~",
    "```",
    "| a | b |",
    "| --- | --- |",
    '{: onclick="alert(1)" }',
    "===",
    "***",
    "&amp; &lt;b&gt; `tick`",
    "    indented code",
    "[ref]: https://evil.example/ref",
]


def _payload(separator: str) -> str:
    return separator.join(html.escape(line) for line in PAYLOAD)


# What scraped HTML may hold inside a container; each shows the payload as text.
CONTENTS = {
    "pre": f"<pre>{_payload(chr(10))}</pre>",
    "heading": f"<h1>{_payload('<br>')}</h1>",
    "list": f"<ul><li>{_payload('<br>')}</li><li>{_payload(' ')}</li></ul>",
    "quote": f"<blockquote><p>{_payload('<br>')}</p><pre>{_payload(chr(10))}</pre></blockquote>",
    "text-lines": _payload("<br>"),
    "text": _payload("\n"),
}
CONTAINERS = {
    "quote": "<blockquote><p>He said:</p>{}<p>End of quote.</p></blockquote>",
    "list-item": "<ul><li>First {}</li><li>Last item</li></ul>",
    "figure-caption": '<figure><img src="a.png" alt=""><figcaption>{}</figcaption></figure>',
    "table-cell": "<table><tr><td>Cell {}</td><td>next</td></tr></table>",
}
# Each source element and the elements it may become (headings start at h2: h1 is the title).
BECOMES = {"blockquote": {"blockquote", "p"}, "p": {"p"}, "pre": {"pre", "code", "p"},
           "h1": {"h2", "p"}, "ul": {"ul", "li", "p"}, "li": {"li", "p"}, "br": {"br"},
           "figure": {"p"}, "figcaption": {"p"}, "img": set(), "table": {"p"}, "tr": set(),
           "td": {"p"}, "tbody": set()}


def to_html(md: str, renderer: str) -> str:
    if renderer == "python-markdown":
        return markdown.markdown(md, extensions=EXTENSIONS)
    # Unsafe mode: raw HTML and javascript: links pass, so only our escaping stands between.
    return cmarkgfm.markdown_to_html(md, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE)


def article_of(body_html: str) -> Article:
    doc = parse_page(RawPage("s", f"<html><body>{body_html}</body></html>".encode()))
    return Article(source="s", url=None, site="generic", site_name="Web", language="en",
                   title="T", summary=None, authors=(), published=None, blocks=doc.blocks)


def assert_only_text(body_html: str, renderer: str) -> None:
    """Every element of the output stands for an element of the source; the text is all there."""
    source = lhtml.fragment_fromstring(body_html, create_parent="div")
    allowed = {"p"}.union(*(BECOMES[el.tag] for el in source.iter() if el is not source))
    out_html = to_html(body_markdown(article_of(body_html)), renderer)
    out = lhtml.fragment_fromstring(f"<section>{out_html}</section>")
    for el in out.iter():
        if el is out:
            continue
        assert el.tag in allowed, (el.tag, out_html)
        attrs = dict(el.attrib)
        if el.tag == "code":
            assert attrs.pop("class", "language-text") == "language-text"  # the fence's own
        if el.tag in ("h2", "h3", "h4"):
            attrs.pop("id", None)  # the toc extension's anchor
        assert not attrs, (el.tag, attrs, out_html)
    # The same text, in the same order (Markdown may change only the whitespace between words,
    # and a table row's cells are joined by " | ").
    def squashed(text: str) -> str:
        return "".join(text.split()).replace("|", "")
    assert squashed(out.text_content()) == squashed(source.text_content()), out_html


@pytest.mark.parametrize("renderer", ["python-markdown", "cmark-unsafe"])
@pytest.mark.parametrize("content", CONTENTS)
@pytest.mark.parametrize("container", CONTAINERS)
def test_text_nested_in_any_block_stays_text(container: str, content: str, renderer: str) -> None:
    assert_only_text(CONTAINERS[container].format(CONTENTS[content]), renderer)


@pytest.mark.parametrize("renderer", ["python-markdown", "cmark-unsafe"])
def test_a_quoted_code_block_is_code_not_markdown(renderer: str) -> None:
    """The case of issue 11: the quote put the code's raw text into the page."""
    body = ("<blockquote><p>He said:</p><pre>![pixel](https://evil.example/t.png)\n# Fake heading\n"
            "[phish](https://evil.example/login)</pre></blockquote>")
    out = lhtml.fragment_fromstring(to_html(body_markdown(article_of(body)), renderer),
                                    create_parent="section")
    assert not out.xpath("//img|//h1|//a")
    assert "[phish](https://evil.example/login)" in out.xpath("string(//pre)")
    assert out.xpath("string(//blockquote)").strip() == "He said:"


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_code_deep_in_quotes_is_code_in_both_renderers(depth: int) -> None:
    code = "a\n\n![x](https://evil.example/t.png)\n\n<b>b</b>"
    body = "<blockquote><p>q</p>" * depth + f"<pre>{html.escape(code)}</pre><ul><li>i</li></ul>"
    body += "</blockquote>" * depth
    for renderer in ("python-markdown", "cmark-unsafe"):
        assert_only_text(body, renderer)


@pytest.mark.parametrize(("value", "shown"), [
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    (["<b>a</b>", 1], "&lt;b&gt;a&lt;/b&gt;, 1"),
    ({"a": "<script>", "b": ["x\ny"]}, "a: &lt;script&gt;, b: x y"),
    (date(2025, 1, 2), "2025-01-02"),
    ('"quoted" \u202e', "&quot;quoted&quot;"),
    (None, None),
    ([], None),
    ("  ", None),
])
def test_printed_front_matter_becomes_escaped_plain_text(value: object, shown: str | None) -> None:
    meta = {"title": value, "description": value, "summary": value}
    escape_printed_meta(meta)
    assert meta.get("title") == shown and meta.get("description") == shown
    assert meta["summary"] == value  # not printed by the theme: left as it is
