"""`plugins: [scraper]`: builds the site from the article pages; only routes events.

Events (all documented MkDocs 1.6 plugin events):

- on_startup: remembers whether this is `mkdocs serve` or a dirty build.
- on_config: reads the topic rules and makes the managers.
- on_pre_build: resets the search index's state (a `serve` rebuild starts afresh) and reads
  what the page cache's keys depend on (pagecache.py).
- on_files: reads every article page once (its front matter, and the companies its text
  names), cuts the articles into the search index's parts and looks them up in the cache,
  adds the generated pages and feeds (home, digests, topics, months, companies, sources, RSS
  and JSON Feed) with `File.generated`, drops the theme files our site never fetches
  (Material's own search, source maps), and gives the pages whose source the page cache's
  index knows an empty source (pagesources.py).
- on_page_markdown: escapes the page title; gives an article page its language and description
  (articlepages.py); renders our pages with cmark (see pagehtml.py).
- on_page_content: first installs cmark's HTML and spools each article of a search part
  the cache lacks; last, gives a page its cached HTML when the cache has it, or puts its
  fresh HTML in a temporary file until its template (contentspool.py).
- on_env: adds the template that prints a cached page; spools the articles a dirty build
  skipped; Pagefind indexes the parts, one at a time, while the theme renders the pages.
- on_page_context / on_post_page: the Digests (Topics, Archive) tab is the current one on a
  digest (topic, month) page (navtabs.py); a freshly rendered article page goes to the cache.
- on_post_build: waits for the index and copies its parts into site/pagefind/, deletes the
  cached pages this build did not use, makes the 404 page's URLs relative (lean.py);
  on_build_error: stops Pagefind.
- on_serve: also watches the topic rules and the run report, which change generated pages.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from jinja2 import Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.utils.templates import TemplateContext

from scraper.companies import Companies, load_companies
from scraper.errors import ScraperError
from scraper.mkdocs.archive import Archive
from scraper.mkdocs.articlepages import ArticlePages
from scraper.mkdocs.checks import PageTitles
from scraper.mkdocs.companypages import CompanyPages
from scraper.mkdocs.config import ScraperConfig
from scraper.mkdocs.contentspool import ContentSpool
from scraper.mkdocs.digests import stories_by_day
from scraper.mkdocs.entries import Entry, listing_lines
from scraper.mkdocs.entrycache import EntryCache, entries_salt
from scraper.mkdocs.feedbodies import FeedBodies
from scraper.mkdocs.generated import GeneratedFiles
from scraper.mkdocs.lean import drop_unused_theme_files, fix_404, root_depth
from scraper.mkdocs.listings import Listings
from scraper.mkdocs.navtabs import SectionTabs
from scraper.mkdocs.pagecache import PageCache
from scraper.mkdocs.pagehtml import CmarkPages
from scraper.mkdocs.search import SiteSearch
from scraper.mkdocs.sitefeeds import SiteFeeds
from scraper.mkdocs.sourcespage import RUN_LOG, SourcesPage
from scraper.tag import DEFAULT_RULES, TopicRules, load_rules

log = logging.getLogger("mkdocs.plugins.scraper")


class ScraperPlugin(BasePlugin[ScraperConfig]):  # type: ignore[no-untyped-call]
    """Pages made at build time, cmark for our pages, and the Pagefind index."""

    def __init__(self) -> None:
        super().__init__()
        self.is_serve = False
        self.is_dirty = False
        self.root_depth = 0
        self.spool = ContentSpool()
        self._spooled = False  # the page being rendered had its content spooled
        # on_build_error also runs when on_config refused the configuration
        self.search: SiteSearch | None = None

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.is_serve = command == "serve"
        self.is_dirty = dirty

    def on_config(self, config: MkDocsConfig) -> None:
        base = Path(config.config_file_path).parent
        self.root_depth = root_depth(config.site_url)  # read by main.html on the 404 page
        self.rules_file = self._rules_file(base)
        self.companies_file = self._companies_file(base)
        self.report = base / self.config.report
        try:
            rules: TopicRules = load_rules(self.rules_file)
            companies: Companies = load_companies(self.companies_file)
        except ScraperError as exc:
            raise PluginError(str(exc)) from exc
        cache = base / self.config.cache_dir
        self.entry_cache = EntryCache(cache / "entries.json")
        self.archive = Archive(companies, cache=self.entry_cache)
        self.generated = GeneratedFiles()
        self.listings = Listings(rules, config.site_name)
        self.feeds = SiteFeeds(rules, config.site_name, config.site_url or "http://127.0.0.1:8000/",
                               config.use_directory_urls)
        self.sources = SourcesPage(self.report, rules)
        self.feed_bodies = FeedBodies()
        self.company_pages = CompanyPages(companies, rules, config.site_name, self.feeds.site_url,
                                          config.use_directory_urls)
        self.titles = PageTitles()
        self.article_pages = ArticlePages()
        self.tabs = SectionTabs()
        self.cmark = CmarkPages(self.config.cmark)
        self.search = (SiteSearch(self.config.pagefind, self.config.search_part_size, cache / "search")
                       if self.config.search else None)
        self.page_cache = PageCache(cache / "pages") if self.config.cache_pages else None

    def _rules_file(self, base: Path) -> Path:
        if self.config.topics:
            return Path(self.config.topics)
        beside = base / "topics.yml"
        return beside if beside.is_file() else DEFAULT_RULES

    def _companies_file(self, base: Path) -> Path | None:
        if self.config.companies:
            return Path(self.config.companies)
        beside = base / "companies.yml"
        return beside if beside.is_file() else None

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self.spool.start()
        self.entry_cache.load(entries_salt(self.archive.companies))
        if self.page_cache is not None:
            self.page_cache.start(config)
        if self.search is not None:
            self.search.start()

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        entries = self.archive.entries(files, config.docs_dir)
        for file in self.archive.left_out:  # named by the archive; MkDocs must not read them
            files.remove(file)
        if self.search is not None:
            self.search.plan(files, entries, self.archive.digests)
        mentions = self.company_pages.mentions(entries)
        day_stories = stories_by_day(entries)
        self.article_pages.update(entries, mentions, {
            c.id: c.name for c in self.company_pages.companies.companies}, day_stories)
        self.feed_bodies.use(files)
        bodies = self.feed_bodies.html
        lines = listing_lines(entries, self.listings.rules)
        made = {**self.listings.pages(entries, day_stories, lines), **self.feeds.files(entries, bodies),
                **self.sources.pages(entries), **self.company_pages.pages(entries, mentions, bodies, lines)}
        # The run log's table needs Python-Markdown's tables extension: cmark has no tables.
        self.cmark.ours = {uri for uri in made if uri.endswith(".md") and uri != RUN_LOG}
        files = self.generated.add(files, config, made)
        drop_unused_theme_files(files)
        if self.page_cache is not None:  # (a page not rendered by cmark is never given an empty source)
            # Articles of the search parts to index now keep their text: Pagefind needs it.
            unindexed = self.search.unindexed_urls() if self.search is not None else set()
            keep = {f.src_uri for f in files.documentation_pages() if "/" + f.url in unindexed}
            self.page_cache.use_sources(files, self._fingerprints(entries, made), keep)
        return files

    def _fingerprints(self, entries: list[Entry], made: dict[str, str]) -> dict[str, str]:
        """What shapes each article and listing page, besides the page cache's salt."""
        found = {uri: hashlib.sha256(made[uri].encode()).hexdigest() for uri in self.cmark.ours}
        for entry in entries:
            found[entry.path] = self.archive.digests[entry.path] + self.article_pages.fingerprint(entry)
        return found

    @event_priority(-100)  # last: other plugins see the Markdown before cmark takes it
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig,
                         files: Files) -> str:
        if self.page_cache is not None and self.page_cache.from_source(page):
            self.page_cache.source_meta(page)
            return ""
        self.titles.sanitise(page)
        markdown = self.article_pages.prepare(markdown, page)
        return self.cmark.take(markdown, page, files)

    @event_priority(100)  # first: other plugins see cmark's HTML
    def _on_page_content_cmark(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.page_cache is not None and self.page_cache.from_source(page):
            return self.page_cache.source_content(page, files)
        html = self.cmark.install(html, page)
        if self.search is not None:
            self.search.add(page, html)
        return html

    @event_priority(-100)  # last: the content as every plugin left it decides the cached page
    def _on_page_content_cached(self, html: str, *, page: Page, config: MkDocsConfig,
                                files: Files) -> str:
        if (self.page_cache is None or not self.page_cache.cacheable(page)
                or self.page_cache.from_source(page)):
            return html
        if self.page_cache.take(page, html, self.cmark.lookups):
            # Its template prints the cached page: the content is not needed again, and MkDocs
            # keeps every page's content until the build ends (1 GB at 50,000 articles).
            return ""
        return self.spool.hold(page, html)  # until its template (contentspool.py)

    on_page_content = CombinedEvent(_on_page_content_cmark, _on_page_content_cached)

    def on_page_context(self, context: TemplateContext, *, page: Page, config: MkDocsConfig,
                        nav: Navigation) -> TemplateContext:
        self.tabs.mark(page, nav)
        self._spooled = self.spool.give_back(page)
        if self.page_cache is not None:
            context = self.page_cache.context(page, context)
        return context

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        self.tabs.unmark()
        if self.page_cache is not None and self.page_cache.cacheable(page):
            self.page_cache.keep(page, output)
        if self._spooled:
            page.content = ""  # written: MkDocs would keep it until the build ends
        return output

    def on_env(self, env: Environment, *, config: MkDocsConfig, files: Files) -> Environment:
        if self.page_cache is not None:
            env = self.page_cache.with_template(env)
        if self.search is not None:
            self.search.add_unrendered(files)
            # Every article is spooled now: Pagefind indexes the parts while the theme renders.
            self.search.start_writing()
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.spool.close()
        if self.search is not None:
            self.search.finish(config.site_dir)
        if self.page_cache is not None:
            # A dirty build renders some pages only: the others' cached HTML stays. `serve`
            # builds for its own address (site_url is in the key): `build`'s pages stay too.
            cache = self.page_cache
            gone = cache.finish(whole=not (self.is_dirty or self.is_serve))
            log.info("Article pages: %d from the cache, %d rendered (%d unused cache entries deleted); "
                     "listing pages: %d from the cache, %d rendered; %d pages from their source's "
                     "record, unread", cache.hits[True], cache.rendered[True], gone, cache.hits[False],
                     cache.rendered[False], len(cache.from_sources))
        fix_404(Path(config.site_dir), config.site_url)

    def on_build_error(self, *, error: Exception) -> None:
        self.spool.close()
        if self.search is not None:
            self.search.close()

    def on_serve(self, server: LiveReloadServer, *, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        server.watch(str(self.rules_file))
        if self.companies_file is not None:
            server.watch(str(self.companies_file))
        if self.report.is_file():
            server.watch(str(self.report))
        return server
