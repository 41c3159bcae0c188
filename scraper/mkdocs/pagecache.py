"""Article pages as the theme rendered them, kept from one build to the next.

Rendering Material's template is most of what an article page costs a build (about 5 ms of
Jinja a page). A night adds fifty articles to an archive of tens of thousands whose pages
come out the same: their HTML is kept in the cache, under a key made of everything the
template reads of the page (its address, title, meta, table of contents and content, which
holds the "Related" and same-day links the plugin adds) and of everything else that shapes
it (`salt`: mkdocs.yml and every resolved setting, the theme's override files, hooks' code,
the versions of MkDocs, Material and the libraries that print a page, this package's code; and
which pages the navigation names are there, and the sources of those it names without a title,
whose titles every page shows).

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
import stat
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from jinja2 import BaseLoader, ChoiceLoader, DictLoader, Environment
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink

from scraper.errors import FetchError
from scraper.fetch.files import gunzip_capped
from scraper.mkdocs.archive import is_article
from scraper.mkdocs.cachefile import own_folder, read_file, remove, replace_file
from scraper.mkdocs.codedigest import files_digest, package_digest
from scraper.mkdocs.pagesources import SourceIndex, SourceRecord

log = logging.getLogger("mkdocs.plugins.scraper")

TEMPLATE = "scraper/cached-page.html"
# What reading a damaged cached page raises: damaged or cut gzip data is an OSError (_gunzip),
# a page that is not UTF-8 once inflated a UnicodeDecodeError.
UNREADABLE = (OSError, UnicodeDecodeError)
CONTEXT_KEY = "scraper_cached_page"
_MAX_RATIO = 100  # of a cached page's size to its file's


# The cached page file's layout (its key, a newline, the page): a new layout, new keys.
FORMAT = "2"
# What prints a page besides the theme: a new version of any may print it differently.
LIBRARIES = ("mkdocs", "mkdocs-material", "jinja2", "markupsafe", "cmarkgfm", "markdown",
             "pymdown-extensions", "pygments")
# Resolved settings that do not shape a page (paths of this checkout, the serve address: the
# site_url it gives is), or are hashed their own way below.
_NOT_PRINTED = {"config_file_path", "docs_dir", "site_dir", "dev_addr", "plugins", "hooks", "theme",
                "watch", "strict", "remote_branch", "remote_name"}


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def salt(config: MkDocsConfig) -> str:
    h = hashlib.sha256(FORMAT.encode())
    h.update(Path(config.config_file_path).read_bytes())
    # Every resolved value too: !ENV (site_description from the environment), and what a base
    # file gives through INHERIT.
    settings = {key: value for key, value in config.items() if key not in _NOT_PRINTED}
    h.update(json.dumps([settings, dict(config.theme), [_version(n) for n in LIBRARIES]],
                        default=str, sort_keys=True).encode())
    if config.theme.custom_dir:
        files_digest(h, Path(config.theme.custom_dir))
    hooks = config.hooks or ()  # by name, as MkDocs 1.6 loads them (its types say a list)
    for hook in hooks.values() if isinstance(hooks, Mapping) else hooks:  # its code can change any page
        hook_file = getattr(hook, "__file__", None)
        if hook_file:
            h.update(Path(hook_file).read_bytes())
    h.update(package_digest().encode())
    return h.hexdigest()


def _gunzip(data: bytes) -> bytes:
    """A page as keep() compressed it: whole gzip data, and no more than a page would be
    (HTML compresses about 3:1; a file that would fill memory is not a page we wrote)."""
    try:
        return gunzip_capped(data, len(data) * _MAX_RATIO + (1 << 20))
    except FetchError as exc:
        raise OSError(f"not a whole cached page: {exc}") from exc


def _toc(items: list[AnchorLink]) -> list[Any]:
    return [[i.title, i.url, i.level, _toc(i.children)] for i in items]


def nav_paths(nav: Any) -> tuple[set[str], set[str]] | None:
    """The docs paths (and addresses) the navigation names, and those of them it names
    without a title (shown with their page's own title, on every page); None when MkDocs makes
    it from every page: then every page's navigation lists every other page, and none is cached."""
    if nav is None:
        return None
    found: set[str] = set()
    untitled: set[str] = set()
    stack = [nav]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for value in item.values():  # {title: path or section}
                if isinstance(value, str):
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            for value in item:
                if isinstance(value, str):
                    found.add(value)
                    untitled.add(value)
                else:
                    stack.append(value)
        elif isinstance(item, str):
            found.add(item)
            untitled.add(item)
    return found, untitled


def _nav_digest(files: Files, nav: set[str], untitled: set[str]) -> str:
    """What every page's navigation shows of the pages it names: whether each is there (one
    gone is shown as a plain link), and for those without a title, their source (the title)."""
    h = hashlib.sha256()
    for path in sorted(nav):
        file = files.get_file_from_path(path)
        h.update(f"{path}\0{file is not None}\0".encode())
        if file is not None and path in untitled:
            with contextlib.suppress(OSError, UnicodeDecodeError):  # MkDocs says why, if it matters
                h.update(file.content_bytes)
        h.update(b"\0")
    return h.hexdigest()


class PageCache:
    """`folder`/ab/abcdef….html.gz, one file per rendered page, and the index of the pages'
    sources (pagesources.py). Only pages outside the navigation are cached: articles and the
    generated listing pages (a page in the navigation is shown there as the current one)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sources = SourceIndex(folder)
        self.salt = ""
        self.nav: set[str] | None = None
        self._untitled: set[str] = set()  # nav paths whose page gives its title
        self._reset()

    def _reset(self) -> None:
        """The state of one build."""
        self._keys: dict[str, str] = {}  # page url -> key, for pages rendered in this build
        self._cached: dict[str, str] = {}  # page url -> key, for pages from the cache
        self._source_keys: dict[str, str] = {}  # src_uri -> source key, of every cacheable page
        self._unsized: dict[str, SourceRecord] = {}  # page url -> its record, until its page is written
        self._from_source: dict[str, SourceRecord] = {}  # src_uri -> record, of pages given empty
        self.used: set[str] = set()
        self._shards: dict[str, bool] = {}  # "ab" -> the folder pages/ab is a folder, not a link
        self.hits: dict[bool, int] = {True: 0, False: 0}  # by is_article
        self.rendered: dict[bool, int] = {True: 0, False: 0}
        self.write_failed = False

    def start(self, config: MkDocsConfig) -> None:
        self.salt = self._page_salt = salt(config)
        own_folder(self.folder)
        self.sources.load(self.salt)
        paths = nav_paths(config.nav)
        self.nav, self._untitled = paths if paths is not None else (None, set())
        self._reset()

    def cacheable(self, page: Page) -> bool:
        return page.file.src_uri in self._source_keys

    def use_sources(self, files: Files, fingerprints: Mapping[str, str], keep_source: set[str]) -> None:
        """on_files: `fingerprints` (src_uri -> what shapes the page besides the salt) names
        the pages that may be cached. Each whose source the index knows gets an empty source:
        MkDocs reads, renders and checks nothing of it, and its cached page is printed. Pages
        in `keep_source` (src_uris) keep theirs (the search index needs their text)."""
        if self.nav is None:
            return
        nav = _nav_digest(files, self.nav, self._untitled)  # part of every cached page
        self._page_salt = hashlib.sha256(f"{self.salt}\0{nav}".encode()).hexdigest()
        for src_uri, fingerprint in fingerprints.items():
            if src_uri in self.nav:
                continue
            key = self._source_keys[src_uri] = self.sources.key(src_uri, f"{self._page_salt}\0{fingerprint}")
            record = self.sources.find(key)
            file = files.get_file_from_path(src_uri)
            if (record is None or file is None or src_uri in keep_source
                    or not self._still_valid(record, files)):
                continue
            file.content_string = ""
            self._from_source[src_uri] = record

    def _still_valid(self, record: SourceRecord, files: Files) -> bool:
        found = files.src_uris
        if not (all((path in found) == was for path, was in record.lookups.items())
                and all(target in found for target in record.anchor_links)):
            return False
        if not self._shard_is_ours(record.page_key):
            return False
        try:
            info = self._path(record.page_key).lstat()
        except OSError:
            return False
        return stat.S_ISREG(info.st_mode) and info.st_size == record.size

    @property
    def from_sources(self) -> Mapping[str, SourceRecord]:
        return self._from_source

    def from_source(self, page: Page) -> bool:
        return page.file.src_uri in self._from_source

    def source_meta(self, page: Page) -> None:
        """on_page_markdown of a page given an empty source: its title, and the template."""
        page.meta["title"] = self._from_source[page.file.src_uri].title
        page.meta["template"] = TEMPLATE

    def source_content(self, page: Page, files: Files) -> str:
        """on_page_content of a page given an empty source: what MkDocs checks links against."""
        src_uri = page.file.src_uri
        record = self._from_source[src_uri]
        page.present_anchor_ids = set(record.anchors)
        page.links_to_anchors = {files.src_uris[t]: dict(a) for t, a in record.anchor_links.items()}
        self.sources.put(self._source_keys[src_uri], record)
        self._hit(page, record.page_key)
        return ""

    def _hit(self, page: Page, key: str) -> None:
        page.meta["template"] = TEMPLATE
        self._cached[page.url] = key
        self.used.add(key)
        self.hits[is_article(page.file.src_uri)] += 1

    @staticmethod
    def with_template(env: Environment) -> Environment:
        """The theme's environment, with the template that prints a cached page."""
        loaders: list[BaseLoader] = [DictLoader({TEMPLATE: "{{ " + CONTEXT_KEY + " }}"})]
        if env.loader is not None:
            loaders.append(env.loader)
        env.loader = ChoiceLoader(loaders)
        return env

    def key(self, page: Page, content: str) -> str:
        h = hashlib.sha256(self._page_salt.encode())
        h.update(json.dumps([page.url, page.file.src_uri, page.title, page.canonical_url, page.edit_url,
                             page.meta, _toc(list(page.toc))], default=str, sort_keys=True).encode())
        h.update(content.encode())
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.html.gz"

    def _shard_is_ours(self, key: str) -> bool:
        """pages/ab is a folder, not a link out of the cache (once a build for each folder)."""
        shard = key[:2]
        if shard not in self._shards:
            self._shards[shard] = not (self.folder / shard).is_symlink()
        return self._shards[shard]

    def _read(self, key: str) -> tuple[str, int]:
        """The cached page, and the size of its file. Raises one of UNREADABLE."""
        if not self._shard_is_ours(key):
            raise OSError(f"{self.folder / key[:2]} is a symbolic link")
        data = read_file(self._path(key))
        page = _gunzip(data).decode("utf-8")
        # The file says which page it holds: another page's file under this name (copied or
        # renamed by hand) is not this page.
        head, sep, html = page.partition("\n")
        if head != key or not sep:
            raise OSError(f"{self._path(key)} holds another page")
        return html, len(data)

    def take(self, page: Page, content: str, lookups: Mapping[str, bool] | None) -> bool:
        """True when the cache has the page: it gets the template that prints it. Otherwise
        the page's output is kept when it is rendered (`keep`). `lookups`: what its links
        looked up (None: not rendered by cmark, and never given an empty source)."""
        key = self.key(page, content)
        record = self._source_record(page, key, lookups)
        try:
            _, size = self._read(key)  # whole and readable now; read again when the page is rendered
        except UNREADABLE:  # not cached, or a damaged file
            self.used.add(key)
            self._keys[page.url] = key
            self.rendered[is_article(page.file.src_uri)] += 1
            if record is not None:
                self._unsized[page.url] = record  # recorded when its page is written (`keep`)
            return False
        if record is not None:
            self.sources.put(self._source_keys[page.file.src_uri], record._replace(size=size))
        self._hit(page, key)
        return True

    def _source_record(self, page: Page, key: str, lookups: Mapping[str, bool] | None) -> SourceRecord | None:
        if (page.file.src_uri not in self._source_keys or lookups is None or not isinstance(page.title, str)
                or any(path.endswith(".md") and not found for path, found in lookups.items())):
            return None  # a broken link warns on every build: its page is rendered every time
        return SourceRecord(
            key, -1, page.title, sorted(page.present_anchor_ids or ()),
            {target.src_uri: dict(links) for target, links in (page.links_to_anchors or {}).items()},
            dict(lookups))

    def context(self, page: Page, context: Any) -> Any:
        """The template's context, with the page's cached HTML when it comes from the cache."""
        key = self._cached.pop(page.url, None)
        if key is not None:
            try:
                context[CONTEXT_KEY] = self._read(key)[0]
            except UNREADABLE as exc:
                # Gone since on_page_content, or damaged without a change of size (a page given
                # an empty source was checked by size only): deleted, it is rendered next build.
                remove(self._path(key))
                raise PluginError(f"{page.file.src_uri}: its cached page {self._path(key)} is "
                                  f"unreadable ({exc}) and was deleted; build again") from exc
        return context

    def keep(self, page: Page, output: str) -> None:
        key = self._keys.pop(page.url, None)
        if key is None:
            return
        try:
            # The fastest level: a cold build compresses every page (level 5 took 4.5 s of 10,000).
            data = gzip.compress(f"{key}\n{output}".encode(), compresslevel=1)
            if not self._shard_is_ours(key):  # never write through a link: it goes
                remove(self.folder / key[:2])
                self._shards[key[:2]] = True
            replace_file(self._path(key), data)
            record = self._unsized.pop(page.url, None)
            if record is not None:
                self.sources.put(self._source_keys[page.file.src_uri], record._replace(size=len(data)))
        except OSError as exc:  # the cache only saves time: the build goes on without it
            if not self.write_failed:  # info, not a warning: --strict would fail the build for it
                log.info("Page cache: cannot write into %s (%s); pages are not cached",
                            self.folder, exc.strerror or exc)
            self.write_failed = True

    def finish(self, whole: bool) -> int:
        """Save the index of sources; `whole` (a full build): delete the pages this build did
        not use. Returns how many were deleted."""
        if not self.write_failed:
            self.sources.save(whole)
        return self.prune() if whole else 0

    def prune(self) -> int:
        """Delete the pages this build did not use (changed or deleted articles), and whatever
        else is there but the index: what an interrupted build left, a link, a folder."""
        gone = 0
        if self.folder.is_symlink() or not self.folder.is_dir():
            return gone
        for shard in self.folder.iterdir():
            if shard.name.startswith("sources-") and shard.name.endswith(".json"):
                continue
            if shard.is_symlink() or not shard.is_dir():  # never followed out of the cache
                remove(shard)
                continue
            for path in shard.iterdir():
                key, _, rest = path.name.partition(".")
                if key not in self.used or rest != "html.gz" or path.is_symlink() or not path.is_file():
                    remove(path)
                    gone += 1
        return gone
