"""The user's config file for `scraper update`: sources and politeness settings.

Every mistake is reported with the file and the key, e.g.
`scraper.yml: sources[1] (tmtpost-zh): key 'url': 'ftp://x' is not an http(s) URL`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scraper.errors import ConfigError
from scraper.urls import is_http

SOURCE_TYPES = ("feed", "listing", "files")


@dataclass(frozen=True)
class Source:
    name: str
    type: str
    url: str | None = None  # feed and listing
    path: Path | None = None  # files
    link_pattern: re.Pattern[str] | None = None  # listing: which links are articles
    pages: int = 1  # listing: how many listing pages to follow (rel=next)
    max_articles: int | None = None


@dataclass(frozen=True)
class Settings:
    user_agent: str
    docs: Path = Path("docs")
    state_dir: Path = Path(".scraper")
    report: Path = Path(".scraper/report.json")
    max_articles: int = 200  # per run, over all sources
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_bytes: int = 5 * 1024 * 1024
    min_delay: float = 1.0  # seconds between requests to one host (at least its Crawl-delay)
    max_delay: float = 30.0  # a Crawl-delay above this is capped
    retries: int = 3
    backoff: float = 1.0
    allow_hosts: tuple[str, ...] = ()  # private/loopback hosts the run may contact (tests)
    topics: Path | None = None
    sources: tuple[Source, ...] = field(default_factory=tuple)
    deadline: float | None = None  # seconds the whole run may take (`scraper update --deadline`)


def _where(path: Path, key: str) -> str:
    return f"{path}: {key}"


def _number(raw: dict[str, Any], key: str, default: float, path: Path, minimum: float = 0,
            integer: bool = False) -> Any:
    value = raw.get(key, default)
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or value < minimum:
        kind = "a whole number" if integer else "a number"
        raise ConfigError(f"{_where(path, f'key {key!r}')}: {value!r} is not {kind} >= {minimum}")
    return value


def _source(raw: Any, i: int, path: Path, names: set[str]) -> Source:
    where = f"sources[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{_where(path, where)}: must be a mapping with name and type")
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,60}", name):
        raise ConfigError(f"{_where(path, where)}: key 'name': give a short name (letters, digits, -_.)")
    where = f"{where} ({name})"
    if name in names:
        raise ConfigError(f"{_where(path, where)}: key 'name': used by two sources")
    kind = raw.get("type")
    if kind not in SOURCE_TYPES:
        raise ConfigError(f"{_where(path, where)}: key 'type': {kind!r} is not one of "
                          f"{', '.join(SOURCE_TYPES)}")
    allowed = {"name", "type", "url", "path", "link_pattern", "pages", "max_articles"}
    if unknown := set(raw) - allowed:
        raise ConfigError(f"{_where(path, where)}: unknown key(s) {', '.join(sorted(unknown))}")
    limit = raw.get("max_articles")
    if limit is not None:
        limit = _number(raw, "max_articles", 0, path, 1, integer=True)
    if kind == "files":
        folder = raw.get("path")
        if not isinstance(folder, str) or not folder:
            raise ConfigError(f"{_where(path, where)}: key 'path': a folder of saved pages is needed")
        folder_path = (path.parent / folder) if not Path(folder).is_absolute() else Path(folder)
        return Source(name, kind, path=folder_path, max_articles=limit)
    url = raw.get("url")
    if not isinstance(url, str) or not is_http(url):
        raise ConfigError(f"{_where(path, where)}: key 'url': {url!r} is not an http(s) URL")
    pattern = None
    if kind == "listing":
        text = raw.get("link_pattern")
        if not isinstance(text, str) or not text:
            raise ConfigError(f"{_where(path, where)}: key 'link_pattern': a regular expression "
                              "matching article links is needed")
        try:
            pattern = re.compile(text)
        except re.error as exc:
            raise ConfigError(f"{_where(path, where)}: key 'link_pattern': {exc}") from exc
    pages = _number(raw, "pages", 1, path, 1, integer=True) if kind == "listing" else 1
    return Source(name, kind, url=url, link_pattern=pattern, pages=pages, max_articles=limit)


def checked_user_agent(agent: Any, where: str) -> str:
    if not isinstance(agent, str) or not re.search(r"https?://|@", agent):
        raise ConfigError(f"{where}: give an honest User-Agent with a contact URL or address, "
                          "e.g. 'ChinaTechDigest/0.1 (+https://example.org)'")
    return agent


def parse_config(data: Any, path: Path) -> Settings:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping with 'user_agent' and 'sources'")
    allowed = {"user_agent", "docs", "state_dir", "report", "max_articles", "timeout", "max_bytes",
               "min_delay", "max_delay", "retries", "backoff", "allow_hosts", "topics", "sources",
               "deadline"}
    if unknown := set(data) - allowed:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    agent = checked_user_agent(data.get("user_agent"), _where(path, "key user_agent"))
    timeout = data.get("timeout", {"connect": 10, "read": 30})
    if not isinstance(timeout, dict):
        raise ConfigError(f"{_where(path, 'key timeout')}: use {{connect: seconds, read: seconds}}")
    hosts = data.get("allow_hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise ConfigError(f"{_where(path, 'key allow_hosts')}: must be a list of host names")
    raw_sources = data.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{_where(path, 'key sources')}: list at least one source")
    sources: list[Source] = []
    for i, raw in enumerate(raw_sources):
        source = _source(raw, i, path, {s.name for s in sources})
        sources.append(source)
    base = path.parent

    def rel(key: str, default: str) -> Path:
        value = data.get(key, default)
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{_where(path, f'key {key!r}')}: must be a path")
        return base / value if not Path(value).is_absolute() else Path(value)

    state = rel("state_dir", ".scraper")
    return Settings(
        user_agent=agent, docs=rel("docs", "docs"), state_dir=state,
        report=rel("report", str(Path(data.get("state_dir", ".scraper")) / "report.json")),
        max_articles=_number(data, "max_articles", 200, path, 1, integer=True),
        connect_timeout=_number(timeout, "connect", 10, path, 0.1),
        read_timeout=_number(timeout, "read", 30, path, 0.1),
        max_bytes=_number(data, "max_bytes", 5 * 1024 * 1024, path, 1024, integer=True),
        min_delay=_number(data, "min_delay", 1.0, path, 0),
        max_delay=_number(data, "max_delay", 30.0, path, 0),
        retries=_number(data, "retries", 3, path, 0, integer=True),
        backoff=_number(data, "backoff", 1.0, path, 0),
        allow_hosts=tuple(h.lower() for h in hosts),
        topics=rel("topics", "topics.yml") if "topics" in data else None,
        sources=tuple(sources),
        deadline=None if data.get("deadline") is None else _number(data, "deadline", 0, path, 1),
    )


def read_user_yaml(path: Path, what: str) -> Any:
    """A YAML file the user edits; every way it can be wrong is a ConfigError naming it."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such {what}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def load_config(path: str | Path) -> Settings:
    p = Path(path)
    return parse_config(read_user_yaml(p, "config file"), p)
