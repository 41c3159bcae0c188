"""The one reader of our own article front matter: YAML in, a typed, validated record out.

Import, update and the site build all read article pages through here, so a hand edit
that one of them would refuse is refused by all of them, with the same one-line message:
`docs/articles/x.md: front matter: key 'date': '2025-13-45' is not a date (month must be in 1..12)`.

Only YAML's safe types are built, and never an alias: a page written by `scraper.write.render`
has none, and a billion-laughs bomb is refused before anything walks it.
"""

from __future__ import annotations

import codecs
import errno
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from scraper.dates import BEIJING
from scraper.errors import FrontMatterError
from scraper.mdtext import squash
from scraper.yamlload import UniqueKeyLoader, short

__all__ = ["MAX_FRONT_MATTER", "REFUSED_KEYS", "ArticleMeta", "FrontMatterError", "UnreadablePage",
           "http_address", "parse_article", "parse_front_matter", "read_article", "read_page", "read_meta",
           "validate_meta"]

MAX_FRONT_MATTER = 256 * 1024  # characters; ours are a few KB, evidence included
# Where MkDocs (mkdocs.utils.meta.get_data) finds front matter; we must agree with it, or a
# page we accept would show its YAML as text.
_BLOCK = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
_EMPTY = re.compile(r"^-{3}[ \t]*\n(?:\.{3}|-{3})[ \t]*(?:\n|$)")
_TOPIC_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")  # as topic rules allow (scraper.tag)
_TOPIC_WHAT = "a topic id (lower-case letters, digits and '-')"
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$")
# Keys the theme acts on that no article may set: a page template of the editor's choice,
# and Material's redirect.html, which prints `location` into a script.
_REFUSED = {"template": "chooses the page's theme template", "location": "is printed into a script"}
REFUSED_KEYS = tuple(_REFUSED)
_EARLIEST, _LATEST = 1900, 9998  # keeps every time-zone conversion of a date in range
_CLOSED_AT_END = re.compile(r"\n(?:\.{3}|-{3})[ \t]*$")


class UnreadablePage(FrontMatterError):
    """The file cannot be read as a page at all (a link, a FIFO, not UTF-8): the site build
    leaves it out entirely, as MkDocs would fail on it (or block, or follow the link)."""


@dataclass(frozen=True)
class ArticleMeta:
    """What an article page's front matter says, checked and typed (see scraper.write.render)."""

    key: str  # `id:` in the page: "tmtpost:6353999", "url:https://…" or "title:…|date"
    title: str
    site: str = ""  # the adapter's name, e.g. "tmtpost"
    site_name: str = ""
    date: datetime | None = None  # time-zone aware; a bare day is midnight in Beijing
    published: str | None = None  # ISO date or time, as precise as the source was
    url: str | None = None  # http(s) only
    language: str | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None
    topics: tuple[str, ...] = ()
    topic_labels: tuple[str, ...] = ()
    evidence: Mapping[str, Mapping[str, int]] = field(default_factory=dict, hash=False)
    credits: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # other http(s) addresses of the same article
    source_updated: datetime | None = None  # time-zone aware


class _Loader(UniqueKeyLoader):
    """No aliases either, and timestamps checked per key, later."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.constructor.ConstructorError(
                None, None, "anchors and aliases (*name) are not allowed", node.start_mark)
        return super().construct_object(node, deep)


class _Timestamp(str):
    """A YAML timestamp kept as text, so that a bad one is reported with its key."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp",
                        lambda loader, node: _Timestamp(loader.construct_scalar(node)))
_TIMESTAMPS = yaml.constructor.SafeConstructor()


def _fail(source: str, problem: str) -> FrontMatterError:
    return FrontMatterError(f"{source}: front matter: {problem}")


def _load(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark else ""
        raise _fail(source, f"not valid YAML: {exc.problem or exc.context}{where}") from exc
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as exc:
        raise _fail(source, f"not valid YAML: {exc}") from exc


def _one_line(value: Any, key: str, source: str, empty_ok: bool = True) -> str:
    if not isinstance(value, str):
        raise _fail(source, f"key {key!r}: {short(value)} is not text")
    # As scraper.write.render writes it: control characters (a NUL or a BEL, which make a
    # feed's XML invalid) and bidi overrides (text shown as other text) go, hand edits too.
    text = squash(value)
    if not text and not empty_ok:
        raise _fail(source, f"key {key!r}: is empty")
    return text


def _optional_text(value: Any, key: str, source: str) -> str | None:
    return None if value is None else (_one_line(value, key, source) or None)


def _texts(value: Any, key: str, source: str,
           pattern: re.Pattern[str] | None = None, what: str = "") -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _fail(source, f"key {key!r}: {short(value)} is not a list")
    out = []
    for i, item in enumerate(value):
        text = _one_line(item, f"{key}[{i}]", source)
        if not text:  # an empty name or credit says nothing; not worth refusing the page
            continue
        if pattern is not None and not pattern.match(text):
            raise _fail(source, f"key '{key}[{i}]': {short(item)} is not {what}")
        out.append(text)
    return tuple(out)


def _when(value: Any, key: str, source: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, _Timestamp):
        try:
            value = _TIMESTAMPS.construct_yaml_timestamp(
                yaml.ScalarNode("tag:yaml.org,2002:timestamp", str(value)))
        except (ValueError, OverflowError) as exc:
            raise _fail(source, f"key {key!r}: {short(str(value))} is not a date ({exc})") from exc
    elif isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise _fail(source, f"key {key!r}: {short(value)} is not an ISO date") from exc
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise _fail(source, f"key {key!r}: {short(value)} is not a date")
    if not _EARLIEST <= value.year <= _LATEST:
        raise _fail(source, f"key {key!r}: year {value.year} is out of range")
    return value if value.tzinfo is not None else value.replace(tzinfo=BEIJING)


def _published(value: Any, source: str) -> str | None:
    if isinstance(value, date | _Timestamp):  # written unquoted by hand
        when = _when(value, "published", source)
        return when.isoformat() if when else None
    text = _optional_text(value, "published", source)
    if text is not None:
        _when(text, "published", source)
    return text


def http_address(text: str | None) -> str | None:
    """`text` if it is an address we store or publish (http or https, with a host and a valid
    port). Every address was parsed at the border (`urls.parse_url`) before it was written;
    this cheaper check runs on every read of every page, and in the feeds, as a hand edit
    may have put anything there (a javascript: address would run in the feed reader)."""
    if not text:
        return None
    try:
        parts = urlsplit(text)  # raises on broken brackets
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        parts.port  # noqa: B018 -- raises on a port out of range
    except ValueError:
        return None
    return text


def _address(value: Any, key: str, source: str) -> str:
    text = _one_line(value, key, source, empty_ok=False)
    if http_address(text) is None:
        raise _fail(source, f"key {key!r}: {short(value)} is not an http(s) address "
                    "with a host and a valid port")
    return text


def _evidence(value: Any, source: str) -> dict[str, dict[str, int]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(source, f"key 'evidence': {short(value)} is not a mapping")
    out: dict[str, dict[str, int]] = {}
    for topic, terms in value.items():
        if not isinstance(topic, str) or not _TOPIC_ID.match(topic):
            raise _fail(source, f"key 'evidence': {short(topic)} is not {_TOPIC_WHAT}")
        if not isinstance(terms, dict) or not all(type(t) is str for t in terms) or not all(
                type(n) is int and n > 0 for n in terms.values()):
            raise _fail(source, f"key 'evidence.{topic}': give {{term: count}} with whole counts > 0")
        out[topic] = dict(terms)
    return out


def validate_meta(data: Any, source: str) -> ArticleMeta:
    """Check a front-matter mapping (as YAML or `scraper.write.render.front_matter` gives it)."""
    if not isinstance(data, Mapping):
        raise _fail(source, "must be a mapping of keys to values")
    for key, why in _REFUSED.items():
        if key in data:
            raise _fail(source, f"key {key!r} is not allowed in an article (it {why})")
    for key in ("id", "title"):
        if data.get(key) is None:
            raise _fail(source, f"key {key!r} is missing or empty")
    url = data.get("url")
    language = _optional_text(data.get("language"), "language", source)
    if language is not None and not _LANGUAGE.match(language):
        raise _fail(source, f"key 'language': {short(language)} is not a language tag")
    return ArticleMeta(
        key=_one_line(data["id"], "id", source, empty_ok=False),
        title=_one_line(data["title"], "title", source, empty_ok=False),
        site=_optional_text(data.get("site"), "site", source) or "",
        site_name=_optional_text(data.get("site_name"), "site_name", source) or "",
        date=_when(data.get("date"), "date", source),
        published=_published(data.get("published"), source),
        url=_address(url, "url", source) if url not in (None, "") else None,
        language=language,
        authors=_texts(data.get("authors"), "authors", source),
        summary=_optional_text(data.get("summary"), "summary", source),
        topics=_texts(data.get("topics"), "topics", source, _TOPIC_ID, _TOPIC_WHAT),
        topic_labels=_texts(data.get("topic_labels"), "topic_labels", source),
        evidence=_evidence(data.get("evidence"), source),
        credits=_texts(data.get("credits"), "credits", source),
        aliases=tuple(_address(a, f"aliases[{i}]", source)
                      for i, a in enumerate(_texts(data.get("aliases"), "aliases", source))),
        source_updated=_when(data.get("source_updated"), "source_updated", source),
    )


def _split(text: str, source: str, complete: bool = True) -> tuple[str, str]:
    """(the YAML, the body); `complete` is False when `text` is only the file's start."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.startswith("---"):
        raise _fail(source, "missing (the page must start with a '---' line)")
    found = _BLOCK.match(text[: MAX_FRONT_MATTER + 16])
    if found is None and _EMPTY.match(text):
        raise _fail(source, "is empty")
    if found is None:
        if len(text) > MAX_FRONT_MATTER or not complete:
            raise _fail(source, f"no closing '---' line within {MAX_FRONT_MATTER // 1024} KiB")
        if _CLOSED_AT_END.search(text):  # MkDocs too needs the line break to see the block
            raise _fail(source, "the closing '---' line needs a line break after it")
        raise _fail(source, "no closing '---' line")
    return found.group(1), text[found.end():]


def parse_front_matter(text: str, source: str) -> tuple[ArticleMeta, str]:
    """(the checked front matter, the Markdown after it); FrontMatterError names `source`."""
    block, body = _split(text, source)
    return validate_meta(_load(block, source), source), body


def _open_regular(path: Path) -> Any:
    """The file for reading, never through a symbolic link, never blocking on a FIFO."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadablePage(f"{path}: is a symbolic link, which is not followed") from exc
        raise UnreadablePage(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnreadablePage(f"{path}: not a regular file")
    return os.fdopen(fd, "rb")


def _decode(data: bytes, path: Path, final: bool) -> str:
    try:
        return codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=final)
    except UnicodeDecodeError as exc:
        raise UnreadablePage(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def read_page(path: Path) -> bytes:
    """A page's bytes, never through a symbolic link, never blocking on a FIFO."""
    try:
        with _open_regular(path) as fh:
            data: bytes = fh.read()
    except OSError as exc:
        raise UnreadablePage(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return data


def parse_article(data: bytes, path: Path) -> tuple[ArticleMeta, str]:
    """A page's bytes (`read_page`) as its checked front matter and its Markdown body."""
    return parse_front_matter(_decode(data, path, final=True), str(path))


def read_article(path: Path) -> tuple[ArticleMeta, str]:
    """A whole article page: its checked front matter and its Markdown body."""
    return parse_article(read_page(path), path)


def read_meta(path: Path) -> ArticleMeta:
    """Only the front matter of a page: reads no further than its limit, not the body."""
    limit = MAX_FRONT_MATTER * 4 + 64  # UTF-8 takes at most four bytes a character
    try:
        with _open_regular(path) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise FrontMatterError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    complete = len(data) <= limit
    block, _ = _split(_decode(data[:limit], path, final=complete), str(path), complete)
    return validate_meta(_load(block, str(path)), str(path))
