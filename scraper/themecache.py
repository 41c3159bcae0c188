"""Theme chrome rendered once per build instead of once per page.

Material renders its tabs, navigation, footer and script config for every page: a third of
the template time at 10,000 articles. For a page outside the navigation, with no table of
contents and no `hide:` settings, that chrome depends only on the folder the page is in
(its links are relative), so all articles share one rendering, all daily digests another.
`tests/test_site_pages.py` builds a site with and without this cache: the HTML must match.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from typing import Any

DISABLE = "SCRAPER_NO_THEME_CACHE"  # set to build without the cache (to compare)


class ThemeCache:
    """`chrome(block, key, render)` in templates: the block's HTML, rendered once per key."""

    def __init__(self) -> None:
        self._blocks: dict[tuple[str, str], str] = {}
        self.enabled = not os.environ.get(DISABLE)
        self.reused = 0

    def chrome(self, block: str, key: str | None, render: Callable[[], str]) -> str:
        if key is None or not self.enabled:
            return render()
        if (block, key) in self._blocks:
            self.reused += 1
        else:
            self._blocks[(block, key)] = render()
        return self._blocks[(block, key)]


def shared_chrome_key(page: Any, nav: Any) -> str | None:
    """The key of the chrome this page shares with others, or None when it has its own."""
    if page in nav.pages or page.previous_page or page.next_page:
        return None
    if isinstance(page.meta, dict) and page.meta.get("hide"):
        return None
    toc = list(page.toc or ())
    # The theme drops a lone h1 from the sidebar; any other heading would be listed in it.
    if toc and (len(toc) > 1 or toc[0].level != 1 or toc[0].children):
        return None
    url: str = page.url
    return posixpath.dirname(url.rstrip("/"))  # "articles" for articles/x/ and articles/x.html
