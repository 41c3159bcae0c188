"""The pages the scraper writes skip Python-Markdown (cmark renders them): same HTML, same
table of contents, same link rewriting and link checks as MkDocs gives other pages."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files, get_files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from scraper.entries import GENERATED
from scraper.pagehtml import is_generated, page_html
from tests.conftest import ROOT, demo_docs_with_golden_articles


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Files]:
    """The demo archive plus every golden article page, as an MkDocs project."""
    root = tmp_path_factory.mktemp("project")
    demo_docs_with_golden_articles(root / "docs")
    config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(root / "docs"))
    return config, get_files(config)


def generated_pages(config: Any, files: Files) -> list[Page]:
    pages = []
    for file in files.documentation_pages():
        page = Page(None, file, config)
        page.read_source(config)
        assert page.markdown is not None
        if is_generated(file.src_uri, page.markdown):
            pages.append(page)
    return pages


def normal(html: str) -> str:
    """Whitespace between tags, a continuation line's indent after <br>, and whether a quote
    mark in text is an entity, do not show."""
    html = re.sub(r"<br />\s+", "<br />", html.replace(GENERATED, "").replace("&quot;", '"'))
    return re.sub(r">\s+<", "><", html).strip()


def toc_tree(toc: TableOfContents) -> list[Any]:
    return [(item.title, item.id, item.level, toc_tree(item.children)) for item in toc]  # type: ignore


def test_cmark_renders_every_generated_page_as_python_markdown_does(project: tuple[Any, Files]) -> None:
    config, files = project
    pages = generated_pages(config, files)
    kinds = {p.file.src_uri.split("/")[0] for p in pages}
    assert {"articles", "digest", "topics", "archive", "index.md"} <= kinds
    assert sum(p.file.src_uri.startswith("articles/golden-") for p in pages) >= 20
    for page in pages:
        assert page.markdown is not None
        ours = page_html(page.markdown, page.file, files)
        page.render(config, files)  # Python-Markdown with MkDocs' own link rewriting
        assert page.content is not None
        assert normal(ours.content) == normal(page.content), page.file.src_uri
        assert toc_tree(ours.toc) == toc_tree(page.toc), page.file.src_uri
        assert ours.anchors == page.present_anchor_ids, page.file.src_uri


def test_links_to_docs_files_become_site_urls_and_a_missing_page_is_reported(
        project: tuple[Any, Files], caplog: pytest.LogCaptureFixture) -> None:
    config, files = project
    file = File("articles/x.md", config["docs_dir"], config["site_dir"], use_directory_urls=True)
    md = ("See [AI](../topics/ai.md#latest), [the feed](../topics/ai.xml), [gone](../topics/gone.md), "
          "[elsewhere](https://example.com/a.md) and [here](#top).")
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        html = page_html(md, file, files).content
    assert 'href="../../topics/ai/#latest"' in html
    assert 'href="../../topics/ai.xml"' in html
    assert 'href="../topics/gone.md"' in html  # left as written, and reported
    assert 'href="https://example.com/a.md"' in html and 'href="#top"' in html
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "topics/gone.md" in warnings[0]


def test_headings_nest_in_the_table_of_contents_and_ids_stay_unique(project: tuple[Any, Files]) -> None:
    config, files = project
    file = File("articles/x.md", config["docs_dir"], config["site_dir"], use_directory_urls=True)
    rendered = page_html("# Title\n\n## Sales\n\n### In China\n\n## Sales\n\n## 销量", file, files)
    assert toc_tree(rendered.toc) == [("Title", "title", 1, [
        ("Sales", "sales", 2, [("In China", "in-china", 3, [])]),
        ("Sales", "sales_1", 2, []),
        ("销量", "_1", 2, [])])]
    assert '<h2 id="sales_1">Sales</h2>' in rendered.content


def test_raw_html_and_script_links_never_come_out_live(project: tuple[Any, Files]) -> None:
    """Our escaping keeps these out of generated pages; cmark's safe mode is the second fence."""
    config, files = project
    file = File("articles/x.md", config["docs_dir"], config["site_dir"], use_directory_urls=True)
    html = page_html('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)">\n\n'
                     "[click](javascript:alert(1)) ![i](data:text/html,x)", file, files).content
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "data:text/html" not in html


def test_hand_written_pages_keep_python_markdown() -> None:
    assert not is_generated("about.md", "# About\n\n!!! note\n    text")
    assert is_generated("articles/a.md", "# A")
    assert is_generated("digest/2024-01-01.md", f"{GENERATED}\n\n# Digest")
