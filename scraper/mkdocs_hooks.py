"""MkDocs hooks (see `hooks:` in mkdocs.yml).

- The theme prints a page's title (and description, author) unescaped in <title>, the header
  and the search index, and article titles come from pages we do not control: escape them
  once, here, for every page (see scraper.mdtext.escape_printed_meta).
- Pages the scraper wrote skip Python-Markdown: cmark renders them (see scraper.pagehtml).
- The theme's chrome is rendered once per folder for pages outside the navigation (see
  scraper.themecache).
- Pagefind indexes article pages while the build runs (see scraper.searchindex), with the
  options under `extra: pagefind:`; the index lands in site/pagefind/.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from scraper.errors import FrontMatterError
from scraper.frontmatter import parse_front_matter
from scraper.mdtext import escape_printed_meta
from scraper.pagehtml import is_article, is_generated, page_html
from scraper.searchindex import SearchIndex, SearchIndexError
from scraper.themecache import ThemeCache, shared_chrome_key

log = logging.getLogger("mkdocs.plugins.scraper")
_search: SearchIndex | None = None
_theme = ThemeCache()


@contextmanager
def _search_failure_stops_the_build() -> Iterator[None]:
    try:
        yield
    except (OSError, SearchIndexError) as exc:
        raise PluginError(f"Search index: {exc}") from exc


def on_pre_build(config: Any) -> None:
    global _search
    options = config.extra.get("pagefind")
    if isinstance(options, dict):
        with _search_failure_stops_the_build():
            _search = SearchIndex(options)


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Called once every page is read and converted, before any is put into the theme."""
    global _theme
    if _search is not None:
        # Every article's HTML is with Pagefind by now: it writes the index while the theme
        # renders the pages, instead of after (15 s at 10,000 articles).
        _search.start_writing(Path(config.site_dir) / "pagefind")
    _theme = ThemeCache()  # a fresh cache for each build
    env.globals["chrome"] = _theme.chrome
    # Templates do not change during a build (`mkdocs serve` makes a new environment for each
    # one): no need to stat every partial again for each of 10,000 pages.
    env.auto_reload = False
    return env


def on_page_context(context: dict[str, Any], page: Any, config: Any, nav: Any) -> dict[str, Any]:
    context["chrome_key"] = shared_chrome_key(page, nav)
    return context


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if is_article(page.file.src_uri):
        try:
            source = f"{Path(config.docs_dir).name}/{page.file.src_uri}"
            parse_front_matter(page.file.content_string, source)
        except FrontMatterError as exc:  # a warning, so that `mkdocs build --strict` fails
            log.warning("%s", exc)
    if isinstance(page.meta, dict):
        escape_printed_meta(page.meta)
    if is_generated(page.file.src_uri, markdown):
        rendered = page_html(markdown, page.file, files)

        # MkDocs calls page.render(config, files) right after this hook. For a generated page
        # it only installs the cmark HTML: building a Python-Markdown instance per page (its
        # extensions, its parser) was 7% of the build even with nothing left to convert.
        def render(config: Any, files: Any) -> None:
            page.content, page.toc, page.present_anchor_ids = rendered
        page.render = render
    return markdown


def on_page_content(content: str, page: Any, config: Any, files: Any) -> str:
    if _search is not None and is_article(page.file.src_uri) and page.meta.get("id"):
        # The article alone, as a record: the theme's chrome would only cost Pagefind time.
        with _search_failure_stops_the_build():
            _search.add("/" + page.url, content, page.meta)
    return content


def on_post_build(config: Any) -> None:
    global _search
    log.debug("Theme chrome: %d blocks reused", _theme.reused)
    search, _search = _search, None
    if search is None:
        return
    with _search_failure_stops_the_build():
        search.finish()
    log.info("Search index: %d article pages in %s", search.pages, Path(config.site_dir) / "pagefind")


def on_build_error(error: Exception) -> None:
    global _search
    search, _search = _search, None
    if search is not None:
        search.close()
