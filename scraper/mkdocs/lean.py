"""What the built site does not ship, and the 404 page that works wherever the site is served.

- Material copies its own search (lunr and its languages, the search worker) and source maps
  with its theme files; our search is Pagefind's, so these are never fetched (about 1 MB).
  They are dropped from the build's files in `on_files`, before MkDocs copies them.
- Pagefind writes its ready-made UI bundles beside the index; our search box
  (digest-search.js) loads only pagefind.js, its worker, the WebAssembly and the index.
  They are deleted from each part of the index once Pagefind has written it.
- MkDocs gives the 404 page absolute URLs (`/digest/...`, from site_url), because it is
  served at any missing address. On a fork served under another path they all break. The
  page gets URLs relative to the site root instead, resolved against a `<base>` that a
  script of the theme (overrides/main.html, block site_meta) computes from the address the
  page is served at: the site root lies as many folders deep as site_url's path
  (`root_depth`).
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
BASE_SCRIPT = "document.write('<base href=\"'"  # the start of main.html's 404 script


def drop_unused_theme_files(files: Files) -> int:
    unused = [f for f in files if UNUSED_THEME_FILES.search(f.src_uri)]
    for file in unused:
        files.remove(file)
    return len(unused)


def drop_unused_pagefind_files(index_dir: Path) -> None:
    """From a folder Pagefind wrote (a part of the index)."""
    for name in UNUSED_PAGEFIND_FILES:
        (index_dir / name).unlink(missing_ok=True)


def root_path(site_url: str | None) -> str:
    path = urlsplit(site_url or "").path or "/"
    return path if path.endswith("/") else path + "/"


def root_depth(site_url: str | None) -> int:
    """How many folders deep the site root is: 1 for https://example.org/digest/."""
    return root_path(site_url).count("/") - 1


def relative_404(page: str, site_url: str | None) -> str:
    """The 404 page's root-absolute URLs made relative to the site root, when the page sets
    its <base> (our theme's script); other pages are left as they are."""
    root = root_path(site_url)
    if root == "/" or BASE_SCRIPT not in page:
        return page  # at the host's root absolute URLs are right for every copy
    page = re.sub(rf'(href|src)="{re.escape(root)}', r'\1="', page)
    return page.replace(f'"base": "{root}"', '"base": "."')


def fix_404(site_dir: Path, site_url: str | None) -> None:
    target = site_dir / "404.html"
    if target.is_file():
        target.write_text(relative_404(target.read_text(encoding="utf-8"), site_url),
                          encoding="utf-8")
