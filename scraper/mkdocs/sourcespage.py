"""The Sources page: each source's health after the latest `scraper update`, from its report."""

from __future__ import annotations

import logging
from pathlib import Path

from scraper.errors import ConfigError
from scraper.report import read_report, render_report

log = logging.getLogger("mkdocs.plugins.scraper")

SOURCES_PAGE = "sources.md"


class SourcesPage:
    """Makes sources.md from the run report under state_dir; says so when no run has happened."""

    def __init__(self, report: Path) -> None:
        self.report = report

    def pages(self) -> dict[str, str]:
        head = "---\ntitle: Sources\n---\n\n"
        if not self.report.exists():
            return {SOURCES_PAGE: head + "# Sources\n\nNo update has run yet.\n"}
        try:
            report = read_report(self.report)
        except ConfigError as exc:
            log.warning("Sources page: %s", exc)
            return {SOURCES_PAGE: head + "# Sources\n\nThe last run's report cannot be read.\n"}
        return {SOURCES_PAGE: head + render_report(report, heading="# Sources")}
