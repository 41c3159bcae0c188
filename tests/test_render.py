"""What the renderer writes renders as the same text: no live markup from scraped input."""

from __future__ import annotations

import markdown
import pytest
from lxml import html as lhtml

from scraper.models import Article, Block
from scraper.parse import walk_blocks
from scraper.render import render_page
from scraper.tag import TopicRules

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
