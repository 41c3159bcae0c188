"""The Sources pages, from the run report of the latest `scraper update` (under state_dir):

- sources.md, for readers: per source its language, what it covers (its articles' main
  topics), when it last worked, how many articles it gave, and its health as a word with a
  colour mark. A list, not a table: it fits a 390 px phone;
- sources-log.md, the operator's run log (HTTP codes, counts, errors): not in the
  navigation, linked from the readers' page. It is rendered by Python-Markdown, whose
  `tables` extension draws the log's table (cmark has no tables).
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scraper.errors import ConfigError
from scraper.mdtext import escape_inline
from scraper.mkdocs.entries import Entry
from scraper.report import read_report, render_report
from scraper.tag import TopicRules

log = logging.getLogger("mkdocs.plugins.scraper")

SOURCES_PAGE = "sources.md"
RUN_LOG = "sources-log.md"
HEALTH = {"ok": "healthy", "partial": "degraded", "failed": "failing"}
LANGUAGES = {"en": "English", "zh": "Chinese"}


def _host(url: str | None) -> str:
    return urlsplit(url or "").netloc.lower()


def _source_line(src: dict[str, Any], finished: str, mine: list[Entry], rules: TopicRules) -> str:
    name = escape_inline(str(src.get("name")))
    word = HEALTH.get(str(src.get("status")), "unknown")
    host = _host(src.get("url"))
    n = len(mine)
    languages = Counter(LANGUAGES.get(e.language or "", e.language or "") for e in mine)
    topics = Counter(t for e in mine for t in e.topics)
    # The word links to the run log; digest.css colours it by the health in its query.
    parts = [f"**[{word}]({RUN_LOG}?health={word})**",
             ", ".join(x for x, _ in languages.most_common()) or "language not known",
             "covers " + (", ".join(escape_inline(rules.label(t)) for t, _ in topics.most_common(3))
                          or "no tagged articles yet"),
             f"last success {finished[:10]}" if src.get("status") in ("ok", "partial")
             else "no success in the last run",
             f"{n} article" + ("" if n == 1 else "s")]
    where = f" ({escape_inline(host)})" if host else ""
    return f"- **{name}**{where}  \n  " + " · ".join(parts)


def _articles_by_source(sources: list[dict[str, Any]], entries: list[Entry]) -> list[
        tuple[dict[str, Any], list[Entry]]]:
    """A web source's articles are those from its host; a folder's, those no web source claims."""
    hosts = {_host(s.get("url")) for s in sources} - {""}
    out = []
    for src in sources:
        host = _host(src.get("url"))
        out.append((src, [e for e in entries if (_host(e.url) == host if host
                                                  else _host(e.url) not in hosts)]))
    return out


class SourcesPage:
    """Makes sources.md and the run log from the run report; says so when no run has happened."""

    def __init__(self, report: Path, rules: TopicRules | None = None) -> None:
        self.report = report
        self.rules = rules

    def pages(self, entries: list[Entry] | None = None) -> dict[str, str]:
        head = "---\ntitle: Sources\n---\n\n# Sources\n\n"
        log_head = "---\ntitle: Run log\n---\n\n"
        if not self.report.exists():
            return {SOURCES_PAGE: head + "No update has run yet.\n",
                    RUN_LOG: log_head + "# Run log\n\nNo update has run yet.\n"}
        try:
            report = read_report(self.report)
        except ConfigError as exc:
            log.warning("Sources page: %s", exc)
            return {SOURCES_PAGE: head + "The last run's report cannot be read.\n",
                    RUN_LOG: log_head + "# Run log\n\nThe last run's report cannot be read.\n"}
        finished = str(report.get("finished") or report.get("started") or "")
        lines = [_source_line(src, finished, mine, self.rules)
                 for src, mine in _articles_by_source(report["sources"], entries or [])
                 ] if self.rules is not None else []
        body = ("Where the articles come from, and how each source fared in the last update "
                f"({escape_inline(finished[:16].replace('T', ' '))} UTC).\n\n" + "\n".join(lines)
                + "\n\nThe details of the run are in the [run log](sources-log.md).\n")
        return {SOURCES_PAGE: head + body,
                RUN_LOG: log_head + render_report(report, heading="# Run log")}
