"""Property-based tests (Hypothesis) of the escaping, the renderer, the slugs and the parser."""

from __future__ import annotations

import html
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lhtml

from scraper.errors import FrontMatterError, ScraperError
from scraper.frontmatter import http_address, read_meta
from scraper.mdtext import escape_block, squash
from scraper.models import Article, Block, RawPage
from scraper.sites.dispatch import extract_article
from scraper.tag import load_rules
from scraper.write.render import display_title, render_page
from scraper.write.store import slug_for, write_article
from tests.test_render import assert_only_text

RULES = load_rules(Path(__file__).parents[1] / "scraper" / "topics.yml")
# Any text a decoder can produce (no lone surrogates), biased towards Markdown and HTML syntax.
SPECIAL = st.sampled_from(list("<>&\"'`*_{}[]()#+-.!|~:=/\\\n\t ") + ["javascript:", "<script>",
                          "{: onclick=x}", "---", "```", "<!--", "&lt;", "\u202e", "\x00", "蔚来"])
TEXT = st.lists(st.one_of(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8),
                          SPECIAL), max_size=25).map("".join)
ALLOWED_TAGS = {"h1", "h2", "h3", "h4", "p", "em", "strong", "hr", "a", "ul", "ol", "li",
                "blockquote", "pre", "code", "br"}


EXTENSIONS = ["toc", "tables", "fenced_code"]  # what MkDocs always loads, with our mkdocs.yml


def rendered_elements(md: str) -> list[lhtml.HtmlElement]:
    html_out = markdown.markdown(md, extensions=EXTENSIONS) or "<p></p>"
    root = lhtml.fragment_fromstring(html_out, create_parent="section")
    return [el for el in root.iter() if el is not root]


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_an_escaped_paragraph_renders_as_exactly_its_text(text: str) -> None:
    expected = squash(text)
    out = markdown.markdown(escape_block(text), extensions=EXTENSIONS)
    if not expected:
        return
    root = lhtml.fragment_fromstring(out, create_parent="section")
    assert [el.tag for el in root.iter() if el is not root] == ["p"], out
    assert root.text_content() == expected


def article(title: str, summary: str, author: str, body: str, credit: str, url: str) -> Article:
    return Article(source="s", url=url, site="generic", site_name=author or "Web", language="en",
                   title=title, summary=summary or None, authors=(author,) if author else (),
                   published=None, blocks=(Block("paragraph", squash(body) or "x"),),
                   credits=(credit,) if credit else ())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TEXT, TEXT, TEXT, TEXT, TEXT, st.sampled_from(["https://e.org/a", "javascript:alert(1)",
                                                       "data:text/html,x", " http://x", ""]))
def test_a_rendered_page_has_no_live_markup_and_its_front_matter_round_trips(
        tmp_path: Path, title: str, summary: str, author: str, body: str, credit: str,
        url: str) -> None:
    art = article(title, summary, author, body, credit, url)
    page = render_page(art, RULES)
    for el in rendered_elements(page.split("\n---\n", 1)[1]):
        assert el.tag in ALLOWED_TAGS, el.tag
        assert not [a for a in el.attrib if a.startswith("on")]
        href = el.get("href", "")
        assert not href or href.startswith(("https://", "http://", "../topics/")), href
    # The store never keeps an address that is not http(s), nor a page without a title.
    refused = ("key 'title'" if not squash(display_title(art)) else
               "key 'url'" if art.url and http_address(art.url) is None else None)
    if refused:
        before = sorted(tmp_path.rglob("*"))  # Hypothesis reuses tmp_path between examples
        with pytest.raises(FrontMatterError, match=refused):
            write_article(tmp_path, art, page)
        assert sorted(tmp_path.rglob("*")) == before
        return
    path, _ = write_article(tmp_path, art, page)
    meta = read_meta(path)
    assert meta.title == (squash(art.title) or meta.title)
    assert meta.summary == (squash(art.summary) or None if art.summary else None)
    assert meta.authors == tuple(squash(a) for a in art.authors if squash(a))
    assert meta.credits == tuple(squash(c) for c in art.credits if squash(c))
    assert path.parent == tmp_path / "articles"


@given(TEXT, st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT), TEXT)
def test_slugs_are_always_safe(title: str, article_id: str | None, url: str | None, site: str) -> None:
    art = Article(source="s", url=url, site=site, site_name="x", language="en", title=title,
                  summary=None, authors=(), published=None, blocks=(), article_id=article_id)
    slug = slug_for(art)
    assert 0 < len(slug) <= 80 and slug == slug.strip("-")
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in slug) and slug == slug.lower()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000), st.booleans())
def test_any_bytes_give_an_article_or_a_clear_error(data: bytes, text_dump: bool) -> None:
    try:
        art = extract_article(RawPage("fuzz", data, is_text_dump=text_dump))
    except ScraperError as exc:
        assert str(exc)
        return
    assert art.blocks


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<b>", "</i>", "<script>x</script>", "<ul><li>", "</li>",
    "<h1>", "</h2>", "<table><tr><td>", "<figure><img alt='Image Source : X'>", "<br>",
    "BEIJING, May 3 (TMTPOST) —— ", "Related Posts", "LIKE 0", "text words. ", "摘要：测试。",
    "<a href='javascript:x'>", "</a>", "&amp;", "&#0;", "<blockquote>", "<pre>"]), max_size=60))
def test_broken_html_never_crashes_the_parser(parts: list[str]) -> None:
    data = ("<html><body>" + "".join(parts)).encode()
    try:
        art = extract_article(RawPage("fuzz", data))
    except ScraperError:
        return
    text = " ".join(b.text for b in art.blocks)
    assert "<script" not in " ".join(b.md for b in art.blocks) and "x</script>" not in text


# Text as a page shows it: no control or format characters (the parser and squash drop
# those on purpose, so the text would differ), with Markdown and HTML syntax.
VISIBLE = st.lists(st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc", "Cf"]), max_size=8),
    SPECIAL.filter(lambda s: s not in ("\x00", "\u202e")), st.just("\n")), max_size=12).map("".join)


def _escaped(text: str) -> str:
    return html.escape(text, quote=False)


BLOCKS = st.recursive(
    st.one_of(VISIBLE.map(_escaped), VISIBLE.map(lambda t: f"<pre>{_escaped(t)}</pre>"),
              VISIBLE.map(lambda t: f"<h1>{_escaped(t)}</h1>"),
              st.lists(VISIBLE, min_size=1, max_size=3).map(lambda ts: "<br>".join(map(_escaped, ts))),
              VISIBLE.map(lambda t: f"<figure><img src=a.png alt=''><figcaption>{_escaped(t)}"
                                    "</figcaption></figure>")),
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(lambda bs: "<blockquote>" + "".join(
            f"<p>{b}</p>" if "<" not in b[:1] else b for b in bs) + "</blockquote>"),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda bs: "<ul>" + "".join(f"<li>{b}</li>" for b in bs) + "</ul>"),
        inner.map(lambda b: f"<table><tr><td>{b}</td></tr></table>")),
    max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, min_size=1, max_size=4).map("".join))
def test_nested_blocks_of_any_text_render_as_that_text_only(body: str) -> None:
    for renderer in ("python-markdown", "cmark-unsafe"):
        assert_only_text(body, renderer)
