"""The plugin's options (`plugins: - scraper: {...}` in mkdocs.yml), as a checked schema."""

from __future__ import annotations

from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config, ValidationError


class PositiveInt(c.Type[int]):
    """A whole number of at least 1. Not a bool either (YAML's `true` is an int to Python)."""

    def __init__(self, default: int) -> None:
        super().__init__(int, default=default)

    def run_validation(self, value: object) -> Any:
        if isinstance(value, bool) or (isinstance(value, int) and value < 1):
            raise ValidationError(f"Expected a whole number of at least 1, not {value!r}")
        return super().run_validation(value)


class ScraperConfig(Config):  # type: ignore[no-untyped-call]
    """Paths are relative to the folder of mkdocs.yml."""

    topics = c.Optional(c.File(exists=True))
    """Topic rules (labels, order); default: ./topics.yml beside mkdocs.yml, else built-in."""

    companies = c.Optional(c.File(exists=True))
    """Companies with a page each (ids, names); default: ./companies.yml beside mkdocs.yml,
    else the built-in list (scraper/companies.yml)."""

    report = c.Type(str, default=".scraper/report.json")
    """The last `scraper update` report, shown on the Sources page when it exists."""

    search = c.Type(bool, default=True)
    """Write the Pagefind index of the articles into site/pagefind/."""

    search_part_size = PositiveInt(default=2000)
    """Articles per part of the search index (see scraper/mkdocs/searchparts.py). Smaller
    parts hold the build to less memory (Pagefind holds about 0.5 MB per article of a part
    while it writes it), larger ones make each search lighter (every part adds its own index
    chunk to a query). Measured at 10,000 / 50,000 articles: 2,000 gave a 1.58 GB build and a
    1,370 KB first query with results after 1.00 s at 50,000; 1,500 gave 1.32 GB, but 1,949 KB
    and 1.39 s (benchmarks/results/)."""

    cache_dir = c.Type(str, default=".cache/plugin/scraper")
    """Where the parts of the search index (search/) and the rendered article pages (pages/)
    are kept from one build to the next: keep it between nightly runs, and a part or a page
    that did not change is not made again."""

    cache_pages = c.Type(bool, default=True)
    """Keep rendered article pages in cache_dir/pages (see scraper/mkdocs/pagecache.py)."""

    pagefind = c.Type(dict, default={})
    """Options for Pagefind's index (its service's NewIndex config), e.g. force_language."""

    cmark = c.Type(bool, default=True)
    """Render articles and generated pages with cmark instead of Python-Markdown (same HTML)."""
