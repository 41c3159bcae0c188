"""Articles and generated pages skip Python-Markdown (cmark renders them): same HTML, same
table of contents, same link rewriting and link and anchor checks as MkDocs gives other pages."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import File, Files, get_files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents

from scraper.mkdocs.pagehtml import CmarkPages, page_html
from tests.conftest import ROOT, build_site, demo_docs_with_golden_articles, site_root


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, demo_articles: Path) -> tuple[Any, Files]:
    """The demo archive plus every golden article page, with the plugin's generated pages."""
    root = tmp_path_factory.mktemp("project")
    demo_docs_with_golden_articles(root / "docs", demo_articles)
    config = load_config(str(ROOT / "mkdocs.yml"), docs_dir=str(root / "docs"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    return config, files


def cmark_pages(config: Any, files: Files) -> list[Page]:
    """Every page the plugin renders with cmark, read as MkDocs reads it."""
    plugin = config.plugins["scraper"]
    pages = []
    for file in files.documentation_pages():
        page = Page(None, file, config)
        page.read_source(config)
        if plugin.cmark.handles(page):
            pages.append(page)
    return pages


def normal(html: str) -> str:
    """Whitespace between tags, a continuation line's indent after <br>, and whether a quote
    mark in text is an entity, do not show."""
    html = re.sub(r"<br />\s+", "<br />", html.replace("&quot;", '"'))
    return re.sub(r">\s+<", "><", html).strip()


def toc_tree(toc: TableOfContents) -> list[Any]:
    return [(item.title, item.id, item.level, toc_tree(item.children)) for item in toc]  # type: ignore


def test_cmark_renders_every_generated_page_as_python_markdown_does(project: tuple[Any, Files]) -> None:
    config, files = project
    pages = cmark_pages(config, files)
    kinds = {p.file.src_uri.split("/")[0] for p in pages}
    assert {"articles", "digest", "topics", "archive", "index.md", "sources.md"} <= kinds
    assert "about.md" not in kinds  # hand-written: Python-Markdown
    assert sum(p.file.src_uri.startswith("articles/golden-") for p in pages) >= 20
    for page in pages:
        assert page.markdown is not None
        ours = page_html(page.markdown, page.file, files)
        page.render(config, files)  # Python-Markdown with MkDocs' own link rewriting
        assert page.content is not None
        assert normal(ours.content) == normal(page.content), page.file.src_uri
        assert toc_tree(ours.toc) == toc_tree(page.toc), page.file.src_uri
        assert ours.anchors == page.present_anchor_ids, page.file.src_uri
        assert ours.links_to_anchors == (page.links_to_anchors or {}), page.file.src_uri


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


def test_a_link_to_a_missing_anchor_in_a_cmark_page_is_reported_like_in_any_page(
        project: tuple[Any, Files], caplog: pytest.LogCaptureFixture) -> None:
    config, files = project
    article = files.get_file_from_path("articles/tmtpost-7286540.md")
    generated = files.get_file_from_path("topics/index.md")
    assert article is not None and generated is not None
    renderer = CmarkPages(enabled=True)
    renderer.ours = {"topics/index.md"}
    for file, link in ((article, "#no-such-anchor"), (generated, "../articles/tmtpost-7286540.md#nope")):
        page = Page(None, file, config)
        page.read_source(config)
        markdown = page.markdown + f"\n\n[a link]({link})\n"
        assert renderer.take(markdown, page, files) == ""  # MkDocs renders nothing
        page.markdown = ""
        page.render(config, files)
        page.content = renderer.install(page.content or "", page)
        assert f'href="{link.replace(".md", "/")}"' in page.content or link.startswith("#")
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        for file in (article, generated):
            assert file.page is not None
            file.page.validate_anchor_links(files=files, log_level=logging.WARNING)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("articles/tmtpost-7286540.md" in w and "#no-such-anchor" in w for w in warnings)
    assert any("topics/index.md" in w and "#nope" in w for w in warnings)


def test_cmark_gives_the_site_python_markdown_gives_on_every_page(tmp_path: Path,
                                                                  demo_articles: Path) -> None:
    """The whole site built with cmark and with `cmark: false` (the plain path)."""
    root = site_root(tmp_path)
    demo_docs_with_golden_articles(root / "docs", demo_articles)
    built = {}
    for cmark in (True, False):
        config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
        (root / "mkdocs.yml").write_text(config.replace(
            "  - scraper:\n", f"  - scraper:\n      cmark: {str(cmark).lower()}\n      search: false\n"),
            encoding="utf-8")
        site = build_site(root)
        # Only the indent of a continuation line after <br /> differs (cmark drops it; HTML
        # shows neither).
        built[cmark] = {str(p.relative_to(site)): re.sub(rb"<br />\n +", b"<br />\n", p.read_bytes())
                        for p in site.rglob("*.html")}
    assert built[True].keys() == built[False].keys() and len(built[True]) > 40
    for path in sorted(built[False]):
        assert built[True][path] == built[False][path], path
