"""Article pages as the theme rendered them, kept from one build to the next.

Rendering Material's template is most of what an article page costs a build (about 5 ms of
Jinja a page). A night adds fifty articles to an archive of tens of thousands whose pages
come out the same: their HTML is kept in the cache, under a key made of everything the
template reads of the page (its address, title, meta, table of contents and content, which
holds the "Related" and same-day links the plugin adds) and of everything else that shapes
it (`salt`: mkdocs.yml with the resolved site_url and extra, the theme's override files, the
versions of MkDocs and Material, this package's code).

A page found in the cache is rendered with a template that prints its cached HTML (MkDocs'
per-page `template` meta key, and a template the plugin adds to the theme's environment in
on_env); MkDocs writes it as any other page. Links and anchors are still validated: that
happens on the page's content, before the template. The cached HTML is read when the page is
rendered (on_page_context), not when its content is made: MkDocs makes every page's content
before it renders the first, and 50,000 cached pages would be in memory at once.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, DictLoader, Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from scraper.mkdocs.codedigest import files_digest, package_digest

log = logging.getLogger("mkdocs.plugins.scraper")

TEMPLATE = "scraper/cached-page.html"
CONTEXT_KEY = "scraper_cached_page"


def salt(config: MkDocsConfig) -> str:
    h = hashlib.sha256()
    h.update(Path(config.config_file_path).read_bytes())
    # The resolved values too: !ENV, and settings a base file gives through INHERIT.
    h.update(json.dumps([config.site_url, config.site_name, config.extra, config.copyright,
                         config.repo_url, config.edit_uri, dict(config.theme), config.nav,
                         config.extra_css, config.extra_javascript, config.markdown_extensions,
                         config.mdx_configs, metadata.version("mkdocs"),
                         metadata.version("mkdocs-material")], default=str, sort_keys=True).encode())
    if config.theme.custom_dir:
        files_digest(h, Path(config.theme.custom_dir))
    h.update(package_digest().encode())
    return h.hexdigest()


def _toc(items: list[AnchorLink]) -> list[Any]:
    return [[i.title, i.url, i.level, _toc(i.children)] for i in items]


class PageCache:
    """`folder`/ab/abcdef….html.gz, one file per rendered page."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.salt = ""
        self._keys: dict[str, str] = {}  # page url -> key, for pages rendered in this build
        self._cached: dict[str, str] = {}  # page url -> key, for pages from the cache
        self.used: set[str] = set()
        self.hits = 0
        self.write_failed = False

    def start(self, config: MkDocsConfig) -> None:
        self.salt = salt(config)
        self._keys = {}
        self._cached = {}
        self.write_failed = False
        self.used = set()
        self.hits = 0

    @staticmethod
    def with_template(env: Environment) -> Environment:
        """The theme's environment, with the template that prints a cached page."""
        loaders: list[BaseLoader] = [DictLoader({TEMPLATE: "{{ " + CONTEXT_KEY + " }}"})]
        if env.loader is not None:
            loaders.append(env.loader)
        env.loader = ChoiceLoader(loaders)
        return env

    def key(self, page: Page, content: str) -> str:
        h = hashlib.sha256(self.salt.encode())
        h.update(json.dumps([page.url, page.file.src_uri, page.title, page.canonical_url, page.edit_url,
                             page.meta, _toc(list(page.toc))], default=str, sort_keys=True).encode())
        h.update(content.encode())
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.html.gz"

    def _read(self, key: str) -> str:
        return gzip.decompress(self._path(key).read_bytes()).decode("utf-8")

    def take(self, page: Page, content: str) -> bool:
        """True when the cache has the page: it gets the template that prints it. Otherwise
        the page's output is kept when it is rendered (`keep`)."""
        key = self.key(page, content)
        self.used.add(key)
        try:
            self._read(key)  # whole and readable now; read again when the page is rendered
        except (OSError, EOFError, UnicodeDecodeError):  # not cached, or a damaged file
            self._keys[page.url] = key
            return False
        page.meta["template"] = TEMPLATE
        self._cached[page.url] = key
        self.hits += 1
        return True

    def context(self, page: Page, context: Any) -> Any:
        """The template's context, with the page's cached HTML when it comes from the cache."""
        key = self._cached.pop(page.url, None)
        if key is not None:
            try:
                context[CONTEXT_KEY] = self._read(key)
            except (OSError, EOFError, UnicodeDecodeError) as exc:  # gone since on_page_content
                raise PluginError(f"{page.file.src_uri}: its cached page {self._path(key)} became "
                                  f"unreadable during the build ({exc}); build again") from exc
        return context

    def keep(self, page: Page, output: str) -> None:
        key = self._keys.pop(page.url, None)
        if key is None:
            return
        path = self._path(key)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(gzip.compress(output.encode("utf-8"), compresslevel=5))
            os.replace(tmp, path)  # whole or not at all: a reader never sees half a page
        except OSError as exc:  # the cache only saves time: the build goes on without it
            if not self.write_failed:  # info, not a warning: --strict would fail the build for it
                log.info("Page cache: cannot write into %s (%s); pages are not cached",
                            self.folder, exc.strerror or exc)
            self.write_failed = True
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def prune(self) -> int:
        """Delete the pages this build did not use (changed or deleted articles)."""
        gone = 0
        if not self.folder.is_dir():
            return gone
        for path in self.folder.glob("*/*"):
            if path.name.split(".", 1)[0] not in self.used:
                path.unlink(missing_ok=True)
                gone += 1
        return gone
