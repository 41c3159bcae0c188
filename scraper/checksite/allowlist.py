"""The theme's and Pagefind's own code, as the installed packages hold it: the only code a
site may carry.

Nothing is learned from the site being checked (a script in 404.html is no better than one
in an article). Every entry is read from what is installed, when the check runs:

- the theme's files: Material's `templates/assets/` and the project's `overrides/assets/`,
  by path and SHA-256 of the bytes;
- Pagefind's files: what the installed Pagefind writes for a one-page index, by name and
  SHA-256 (they do not depend on the pages, only on Pagefind's version);
- the theme's inline scripts: the text of every <script> in Material's and the project's
  templates. A script without template expressions is allowed by the SHA-256 of its text;
  one with `{{ ... }}` (the site's base path) by its text with each expression standing for
  a relative path, which cannot leave the string it sits in nor make a URL scheme;
- remote stylesheets and preconnects: the https:// addresses in the templates' <link>s, up to
  their first expression (Material's Google Fonts).

A list committed per pinned version would go stale at the first upgrade and fail every
check (or, worse, be refreshed from a site that carries a planted script). Reading the
installed packages stays right across upgrades, because the site is built by the same ones.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from scraper.errors import SiteCheckError
from scraper.mkdocs.searchindex import SearchIndex, SearchIndexError
from scraper.mkdocs.searchparts import PART_FOLDER
from scraper.searchtext import INDEX_LANGUAGE

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
# A base path ("../.."): no quote or bracket to leave the string with, no colon for a scheme,
# no "%" (a javascript: URL is percent-decoded before it runs).
_HOLE = r"[\w./-]*"
_REMOTE_LINK = re.compile(r"<link\b[^>]*\bhref=\"(https://[^\"{]+)", re.I)
# Pagefind's index data (read as data by its own scripts), not code.
_PAGEFIND_DATA = re.compile(r"^(?:pagefind-entry\.json|.*\.pf_(?:meta|index|fragment|filter))$")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class AllowList:
    assets: dict[str, set[str]] = field(default_factory=dict)  # site path → allowed hashes
    script_hashes: set[str] = field(default_factory=set)
    script_patterns: list[re.Pattern[str]] = field(default_factory=list)
    remote_prefixes: set[str] = field(default_factory=set)

    def allows_asset(self, path: str, data: bytes) -> bool:
        return sha256(data) in self.assets.get(self.asset_path(path), ())

    @staticmethod
    def asset_path(path: str) -> str:
        """Where the file is among the installed ones: every part of the search index holds
        Pagefind's files (pagefind/part-0001/pagefind.js is Pagefind's pagefind.js)."""
        return PART_FOLDER.sub("pagefind/", path, count=1)

    def allows_inline_script(self, text: str) -> bool:
        text = text.strip()
        return (sha256(text.encode("utf-8")) in self.script_hashes
                or any(p.fullmatch(text) for p in self.script_patterns))

    def allows_remote(self, url: str) -> bool:
        return any(url.startswith(prefix) for prefix in self.remote_prefixes)

    def add_theme_dir(self, theme: Path) -> None:
        """A theme folder: its assets/ files (as the site serves them) and its templates."""
        for path in sorted(theme.rglob("*")):
            if not path.is_file():
                continue
            rel = path.relative_to(theme).as_posix()
            if rel.startswith("assets/"):
                self.assets.setdefault(rel, set()).add(sha256(path.read_bytes()))
            elif path.suffix == ".html":
                self.add_template(path.read_text(encoding="utf-8"))

    def add_template(self, source: str) -> None:
        for attrs, body in _SCRIPT.findall(source):
            body = body.strip()
            if "src=" in attrs or not body or "{%" in body:
                continue  # a file (allowed by hash) or a script built by template logic (never)
            if "{{" in body:
                parts = _EXPRESSION.split(body)
                if not "".join(parts).strip():
                    continue  # all expression: it could be anything
                self.script_patterns.append(re.compile(_HOLE.join(re.escape(p) for p in parts)))
            else:
                self.script_hashes.add(sha256(body.encode("utf-8")))
        for url in _REMOTE_LINK.findall(source):
            self.remote_prefixes.add(url)

    def add_pagefind(self, runs: int = 2) -> None:
        """The files the installed Pagefind writes next to every index, by their hashes.

        Two runs: under load one run was seen once to give a file that the site's copy (and
        every later run) did not match; the files are the same in every complete run.
        """
        for _ in range(runs):
            self._add_one_pagefind_run()

    def _add_one_pagefind_run(self) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            index = SearchIndex({})
            index.add("/", "<html><body><main data-pagefind-body><p>x</p></main></body></html>")
            # Articles go in as records of INDEX_LANGUAGE: that language's WebAssembly too.
            index.add("/a/", f'<html lang="{INDEX_LANGUAGE}"><body><main data-pagefind-body><p>x</p>'
                             "</main></body></html>")
            index.start_writing(Path(tmp))
            index.finish()
            for path in Path(tmp).rglob("*"):
                if path.is_file() and not _PAGEFIND_DATA.match(path.name):
                    rel = "pagefind/" + path.relative_to(tmp).as_posix()
                    self.assets.setdefault(rel, set()).add(sha256(path.read_bytes()))


def material_templates() -> Path:
    return Path(str(files("material") / "templates"))


def installed_allow_list(overrides: Path | None, pagefind: bool = True) -> AllowList:
    """Material's and Pagefind's own code, plus the project's theme overrides (if any).

    `pagefind`: learn Pagefind's files too (a site without a search index has none to allow).
    """
    allowed = AllowList()
    allowed.add_theme_dir(material_templates())
    if overrides is not None:
        allowed.add_theme_dir(overrides)
    if pagefind:
        try:
            allowed.add_pagefind()
        except (OSError, SearchIndexError) as exc:
            raise SiteCheckError(f"cannot learn Pagefind's own files by running it: {exc}") from exc
    return allowed
