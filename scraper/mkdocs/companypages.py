"""A page and feeds per company in the companies dictionary (scraper/companies.yml, or the
user's own), listing the articles that name it, newest first (the archive finds the names as
it reads each page, archive.py). Pure: entries in, {path: text} out."""

from __future__ import annotations

from collections import defaultdict

from scraper.companies import Companies
from scraper.mdtext import escape_inline
from scraper.mkdocs.entries import Entry, add_pages, count, listing_lines, newest_first, page, paginate
from scraper.mkdocs.sitefeeds import Bodies, json_feed, rss
from scraper.tag import TopicRules

Mentions = dict[str, tuple[str, ...]]  # article path -> company ids


class CompanyPages:
    def __init__(self, companies: Companies, rules: TopicRules, site_title: str,
                 site_url: str, directory_urls: bool = True) -> None:
        self.directory_urls = directory_urls
        self.companies = companies
        self.rules = rules
        self.site_title = site_title
        self.site_url = site_url

    @staticmethod
    def mentions(entries: list[Entry]) -> Mentions:
        """The companies each article names in its title, dek or text (found as the archive
        read it)."""
        return {e.path: e.companies for e in entries if e.companies}

    def pages(self, entries: list[Entry], mentions: Mentions, bodies: Bodies,
              lines: dict[str, str] | None = None) -> dict[str, str]:
        """`lines`: entries.listing_lines (made when None)."""
        if lines is None:
            lines = listing_lines(entries, self.rules)
        by_company: dict[str, list[Entry]] = defaultdict(list)
        for e in newest_first(entries):
            for ident in mentions.get(e.path, ()):
                by_company[ident].append(e)
        out: dict[str, str] = {"companies/index.md": ""}  # first: no company's page takes its place
        index = []
        for c in self.companies.companies:
            chosen = by_company[c.id]
            names = " · ".join(escape_inline(n) for n in c.names)
            intro = (f"Articles naming {names}, newest first. "
                     f"Feeds: [RSS]({c.id}.xml) · [JSON Feed]({c.id}.json)")
            if not add_pages(out, paginate(f"companies/{c.id}", c.name, [lines[e.path] for e in chosen],
                                           intro=intro), f"company {c.id!r} (the companies file)"):
                continue
            others = [n for n in c.names if n != c.name]
            aka = f" ({escape_inline(', '.join(others))})" if others else ""
            index.append(f"- [{escape_inline(c.name)}]({c.id}.md){aka} — "
                         f"{count(len(by_company[c.id]))}")
            title = f"{self.site_title}: {c.name}"
            out[f"companies/{c.id}.xml"] = rss(chosen, title, self.site_url,
                                               f"companies/{c.id}.xml", self.rules, bodies,
                                               self.directory_urls)
            out[f"companies/{c.id}.json"] = json_feed(chosen, title, self.site_url,
                                                      f"companies/{c.id}.json", self.rules, bodies,
                                                      self.directory_urls)
        out["companies/index.md"] = page("Companies", index or ["No companies in the dictionary."],
            "Articles by the companies they name. The list is the file companies.yml: add a company "
            "and its names, English and Chinese, and it gets a page at the next build.")
        return out
