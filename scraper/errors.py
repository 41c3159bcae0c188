"""Every exception the pipeline raises on purpose, so callers can tell failures apart."""

from __future__ import annotations


class ScraperError(Exception):
    """Base of all expected failures; the CLI prints these as one clean line."""


class FetchError(ScraperError):
    """A page or feed could not be read (missing file, HTTP failure, too large)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, where the server answered


class DeadlineError(FetchError):
    """A request was not started because the run's deadline is too near."""


class ParseError(ScraperError):
    """A page was read but holds no article we can extract."""


class SkipArticle(ScraperError):
    """A page is deliberately not ingested (a bot challenge, a listing, an empty page)."""


class ConfigError(ScraperError):
    """A user file (config, topic rules) has a mistake; the message names file and key."""


class StoreError(ScraperError):
    """An article could not be written where it belongs."""


class FrontMatterError(ScraperError):
    """An article page's front matter is missing, not valid YAML, or has a wrong value.

    The message is one line naming the file and the problem."""


class SiteCheckError(ScraperError):
    """`check-site` could not check a site at all (an empty or missing folder)."""
