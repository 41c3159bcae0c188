"""The MkDocs plugin that builds the site from the articles (`plugins: [scraper]`).

Only `docs/articles/*.md` is on disk. Home, daily digests, topic and month listings, the
sources page, the site feeds and the Pagefind search index are made at build time.
See `plugin.py` for the events used and the managers they call.
"""
