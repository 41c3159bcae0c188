"""Each article's entry kept from one build to the next, under the digest of its page's bytes.

Reading an article's front matter is YAML (PyYAML's pure-Python parser: about 0.6 ms a page,
30 s of every build at 50,000 articles), and a night changes fifty pages of the archive. The
key is the page's content, not its file time: a fresh checkout (the nightly workflow) gives
every file a new time and the same bytes. `salt` holds what else shapes an entry (the company
list, this package's code); a different salt starts an empty cache.

The file is ours (cache_dir, like the rendered pages the build prints as they are): an entry
that does not have the shape we write is read from its page again, never trusted half.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from scraper.companies import Companies
from scraper.mkdocs.cachefile import load_json, replace_file
from scraper.mkdocs.codedigest import package_digest
from scraper.mkdocs.entries import Entry

log = logging.getLogger("mkdocs.plugins.scraper")


def _as_row(entry: Entry) -> list[Any]:
    return [entry.title, entry.when.isoformat() if entry.when else None, entry.site_name,
            list(entry.topics), entry.summary, entry.url, list(entry.authors), entry.language,
            entry.timed, list(entry.companies)]


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("not a list of texts")
    return tuple(value)


def _text(value: Any, optional: bool = True) -> Any:
    if not (isinstance(value, str) or (optional and value is None)):
        raise ValueError("not a text")
    return value


def _from_row(path: str, row: Any) -> Entry:
    if not isinstance(row, list) or len(row) != 10:
        raise ValueError("not an entry")
    title, when, site_name, topics, summary, url, authors, language, timed, companies = row
    stamp = datetime.fromisoformat(_text(when)) if when is not None else None
    if stamp is not None and stamp.tzinfo is None:
        raise ValueError("a time without its zone")
    if not isinstance(timed, bool):
        raise ValueError("not a flag")
    entry = Entry(path=path, title=_text(title, optional=False), when=stamp,
                  site_name=_text(site_name, optional=False), topics=_texts(topics),
                  summary=_text(summary), url=_text(url), authors=_texts(authors),
                  language=_text(language), timed=timed, companies=_texts(companies))
    # Every page places an article on its Beijing day: a time at the ends of the calendar has
    # none (OverflowError), and front matter never gives one (its years stop short of them).
    _ = entry.day
    return entry


class EntryCache:
    """`path`: {"salt": …, "entries": {digest: row}}, rewritten whole when a build changed it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.salt = ""
        self._stored: dict[str, Any] = {}
        self._used: dict[str, list[Any]] = {}

    def load(self, salt: str) -> None:
        self.salt = salt
        self._used = {}
        data = load_json(self.path)  # None when there is none yet, or damaged: every page is read
        stored = data.get("entries") if isinstance(data, dict) and data.get("salt") == salt else None
        self._stored = stored if isinstance(stored, dict) else {}

    def get(self, digest: str, path: str) -> Entry | None:
        row = self._stored.get(digest)
        if row is None:
            return None
        try:
            entry = _from_row(path, row)
        except (ValueError, TypeError, OverflowError):
            return None
        self._used[digest] = row
        return entry

    def put(self, digest: str, entry: Entry) -> None:
        self._used[digest] = _as_row(entry)

    def save(self) -> None:
        """Keep the entries of this build's pages (a deleted page's entry goes)."""
        if self._used == self._stored:
            return
        try:
            replace_file(self.path, json.dumps({"salt": self.salt, "entries": self._used},
                                               ensure_ascii=False).encode("utf-8"))
        except OSError as exc:  # only saves time; info, not a warning: --strict would fail for it
            log.info("Article entries: cannot write %s (%s); every page is read again next build",
                     self.path, exc.strerror or exc)
        self._stored = self._used


def entries_salt(companies: Companies) -> str:
    """What shapes an entry besides its page: the company names, and the code that reads it."""
    h = hashlib.sha256(package_digest().encode())
    h.update(json.dumps([[c.id, c.name, list(c.names)] for c in companies.companies]).encode())
    return h.hexdigest()
