"""`scraper check-site`: the built site carries no live code that the theme did not put there.

Every file a static host serves as a document is read as a browser (or a feed reader, or
the search page) reads it: HTML with an HTML5 parser, XHTML, SVG and XML as XML, feeds and
Pagefind's fragments field by field, stylesheets token by token. Code is allowed only when it
is the theme's or Pagefind's own, by path and content hash (see allowlist.py); everything else
that runs or loads is a finding, named by its class (findings.KINDS).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from scraper.checksite.allowlist import AllowList, installed_allow_list, sha256
from scraper.checksite.feeds import check_feed_xml, check_json, check_pagefind_fragment
from scraper.checksite.findings import KINDS, Finding
from scraper.checksite.markup import (
    Context,
    check_tree,
    parse_html,
    parse_xml,
    xml_stylesheets,
)
from scraper.checksite.styles import css_problems
from scraper.checksite.urls import SITE, resolve, site_path
from scraper.errors import SiteCheckError

__all__ = ["KINDS", "Finding", "SiteReport", "check_file", "check_site"]

HTML_SUFFIXES = {".html", ".htm"}
XML_SUFFIXES = {".xhtml", ".svg", ".xml", ".rss", ".atom", ".xsl", ".xslt"}
CODE_SUFFIXES = {".js", ".mjs", ".cjs", ".wasm", ".pagefind"}
_LOC = re.compile(rb"<loc>\s*https?://[^/<\s]+(/[^<\s]*)")


class SiteReport(NamedTuple):
    findings: list[Finding]
    documents: int  # HTML pages, feeds and other documents read


def check_site(site: Path, overrides: Path | None = None,
               allowed: AllowList | None = None) -> SiteReport:
    """Check every file under `site`; `overrides` is the project's theme folder (custom_dir)."""
    if not site.is_dir():
        raise SiteCheckError(f"{site}: not a folder")
    files = sorted(p for p in site.rglob("*") if p.is_file() or p.is_symlink())
    if not any(p.suffix.lower() in HTML_SUFFIXES for p in files):
        raise SiteCheckError(f"{site}: no HTML pages to check (an empty folder, or not a built site?)")
    allowed = allowed or installed_allow_list(
        overrides, pagefind=any("pagefind" in p.name for p in files))
    root = site_root_url(site)
    findings: list[Finding] = []
    documents = 0
    for path in files:
        rel = path.relative_to(site).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            findings.append(Finding(rel, "unreadable", f"cannot be read: {exc.strerror or exc}"))
            continue
        found = check_file(rel, data, root, site, allowed)
        if found is not None:
            documents += 1
            findings += found
    return SiteReport(list(dict.fromkeys(findings)), documents)


def site_root_url(site: Path) -> str:
    """The URL of the site's root on a stand-in origin, with the base path it is served under
    (MkDocs writes site_url into the sitemap): site-absolute links ("/digest/assets/...") of
    404.html then point into the site."""
    try:
        match = _LOC.search((site / "sitemap.xml").read_bytes()[:4096])
    except OSError:
        match = None
    path = match.group(1).decode("utf-8", "replace") if match else "/"
    return SITE.rstrip("/") + "/" + path.strip("/") + ("/" if path.strip("/") else "")


def check_file(rel: str, data: bytes, root: str, site: Path,
               allowed: AllowList) -> list[Finding] | None:
    """The findings of one file, or None for a file no browser runs (images, fonts, maps)."""
    suffix = Path(rel).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return list(_html_document(rel, data, root, site, allowed))
    if suffix in XML_SUFFIXES:
        return list(_xml_document(rel, data, root, site, allowed))
    if suffix == ".json":
        return check_json(data, rel, allowed)
    if suffix == ".pf_fragment":
        return check_pagefind_fragment(data, rel, allowed, lambda url: page_text(site, url))
    if suffix in CODE_SUFFIXES:
        if allowed.allows_asset(rel, data):
            return []
        how = "differs from the installed" if allowed.asset_path(rel) in allowed.assets else "is none of the"
        return [Finding(rel, "script-file", f"a script file that {how} theme's or Pagefind's "
                        f"files (sha256 {sha256(data)[:16]})")]
    if suffix == ".css":
        if allowed.allows_asset(rel, data):
            return []
        text = data.decode("utf-8", "replace")
        return [Finding(rel, "css-code", f"stylesheet with {p}")
                for p in css_problems(text, root + rel, allowed.allows_remote)]
    return None


def page_text(site: Path, url: Any) -> str | None:
    """The visible text of the site's page at `url`, a path from the site's root (Pagefind
    keeps them so and adds the base path when it searches)."""
    if not isinstance(url, str):
        return None
    absolute = resolve(url, SITE)
    path = site_path(absolute, SITE) if absolute else None
    if path is None:
        return None
    file = site / path / "index.html" if path.endswith("/") or not path else site / path
    try:
        tree = parse_html(file.read_bytes())
    except OSError:
        return None
    for el in tree.iter():
        if el.tag in ("script", "style", "noscript", "template"):
            el.text = None  # not shown (keeping the text after it, its tail)
            for child in list(el):
                el.remove(child)
    return " ".join("".join(tree.itertext()).replace("\u200b", "").split())


def _html_document(rel: str, data: bytes, root: str, site: Path,
                   allowed: AllowList) -> Iterator[Finding]:
    ctx = Context(rel, root + rel, root, allowed, site)
    try:
        # As static hosts serve .html ("charset=utf-8"), a browser reads it as UTF-8 whatever
        # it declares (and a declaration of another encoding is a finding of its own).
        tree = parse_html(data.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError:
        yield Finding(rel, "charset", "not UTF-8 text (a UTF-16 byte-order mark, or binary data)")
        tree = parse_html(data)  # as a browser sniffs it from the bytes
    yield from check_tree(tree, ctx)


def _xml_document(rel: str, data: bytes, root: str, site: Path,
                  allowed: AllowList) -> Iterator[Finding]:
    ctx = Context(rel, root + rel, root, allowed, site)
    tree = parse_xml(data)
    if tree is None:
        yield Finding(rel, "unreadable", "not well-formed XML")
        # A lenient reader (a feed reader, an HTML parser) still reads what it can.
        yield from check_tree(parse_html(data), ctx)
        return
    yield from xml_stylesheets(tree, rel)
    # XHTML, SVG and MathML elements are live wherever they sit in an XML document.
    yield from check_tree(tree, ctx, namespaced_only=not rel.endswith((".xhtml", ".svg")))
    yield from check_feed_xml(tree, rel, allowed)
