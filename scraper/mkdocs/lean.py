"""What the built site does not ship, and the 404 page that works wherever the site is served.

- Material copies its own search (lunr and its languages, the search worker) and source maps
  with its theme files; our search is Pagefind's, so these are never fetched (about 1 MB).
  They are dropped from the build's files in `on_files`, before MkDocs copies them.
- Pagefind writes its ready-made UI bundles beside the index; our search box
  (digest-search.js) loads only pagefind.js, its worker, the WebAssembly and the index.
  They are deleted in `on_post_build`, after Pagefind has written them.
- MkDocs gives the 404 page absolute URLs (`/digest/...`, from site_url), because it is
  served at any missing address. On a fork served under another path they all break. The
  page gets URLs relative to the site root instead, and a `<base>` the browser computes from
  the address it is served at: the site root lies as many folders deep as site_url's path.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.structure.files import Files

UNUSED_THEME_FILES = re.compile(r"^assets/javascripts/(lunr|workers)/|\.map$")
UNUSED_PAGEFIND_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
                         "pagefind-modular-ui.css", "pagefind-component-ui.js",
                         "pagefind-component-ui.css", "pagefind-highlight.js")
_HEAD = re.compile(r"<head>")


def drop_unused_theme_files(files: Files) -> int:
    unused = [f for f in files if UNUSED_THEME_FILES.search(f.src_uri)]
    for file in unused:
        files.remove(file)
    return len(unused)


def drop_unused_pagefind_files(site_dir: Path) -> None:
    for name in UNUSED_PAGEFIND_FILES:
        (site_dir / "pagefind" / name).unlink(missing_ok=True)


def root_path(site_url: str | None) -> str:
    path = urlsplit(site_url or "").path or "/"
    return path if path.endswith("/") else path + "/"


def relative_404(page: str, site_url: str | None) -> str:
    """The 404 page's root-absolute URLs made relative, resolved by a computed <base>."""
    root = root_path(site_url)
    if root == "/" or "<base href" in page:  # a dirty build may leave last build's page
        return page  # served at the host's root: absolute URLs are right for every copy
    depth = root.count("/") - 1
    quoted = re.escape(root)
    page = re.sub(rf'(href|src)="{quoted}', r'\1="', page)
    page = page.replace(f'"base": "{root}"', '"base": "."')
    base = ("<script>document.write('<base href=\"'+location.pathname.split('/')"
            f".slice(0,{depth + 1}).join('/')+'/\">')</script>")
    return _HEAD.sub(lambda m: m.group(0) + base, page, count=1)


def fix_404(site_dir: Path, site_url: str | None) -> None:
    target = site_dir / "404.html"
    if target.is_file():
        target.write_text(relative_404(target.read_text(encoding="utf-8"), site_url),
                          encoding="utf-8")
