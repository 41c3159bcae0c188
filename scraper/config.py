"""The user's config file for `scraper update`: sources and politeness settings.

Every mistake is reported with the file and the key, e.g.
`scraper.yml: sources[1] (tmtpost-zh): key 'url': 'ftp://x' is not an http(s) URL`.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scraper.errors import ConfigError
from scraper.urls import is_http
from scraper.yamlload import UniqueKeyLoader, short

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


@dataclass(frozen=True)
class Number:
    """One numeric setting: its default and the range that makes sense."""

    default: float | None
    minimum: float
    maximum: float
    integer: bool = False

    def read(self, raw: dict[str, Any], key: str, path: Path, where: str = "") -> Any:
        value: Any = raw.get(key, self.default)
        if value is None and self.default is None:
            return None
        kind = "a whole number" if self.integer else "a number"
        ok = isinstance(value, int) if self.integer else isinstance(value, int | float)
        if (isinstance(value, bool) or not ok or not math.isfinite(value)
                or not self.minimum <= value <= self.maximum):
            raise ConfigError(f"{_where(path, f'{where}key {key!r}')}: {short(value)} is "
                              f"not {kind} from {self.minimum:g} to {self.maximum:g}")
        return value


# Every numeric key, with what makes sense: a mistake stops the run before any request.
NUMBERS = {
    "max_articles": Number(200, 1, 100_000, integer=True),
    "max_bytes": Number(5 * 1024 * 1024, 1024, 1024 ** 3, integer=True),
    "min_delay": Number(1.0, 0, 3600),
    "max_delay": Number(30.0, 0, 24 * 3600),
    "retries": Number(3, 0, 20, integer=True),
    "backoff": Number(1.0, 0, 3600),
    "deadline": Number(None, 1, 7 * 24 * 3600),  # seconds for the whole run; none by default
}
TIMEOUT = {"connect": Number(10, 0.1, 600), "read": Number(30, 0.1, 3600)}
SOURCE_NUMBERS = {"pages": Number(1, 1, 1000, integer=True),
                  "max_articles": Number(None, 1, 100_000, integer=True)}
PATHS = ("docs", "state_dir", "report", "topics")
TOP_KEYS = {"user_agent", "timeout", "allow_hosts", "sources", *NUMBERS, *PATHS}
SOURCE_KEYS = {"name", "type", "url", "path", "link_pattern", *SOURCE_NUMBERS}


def _unknown(raw: dict[str, Any], allowed: set[str], path: Path, where: str) -> None:
    if unknown := set(raw) - allowed:
        names = ", ".join(sorted(repr(k) for k in unknown))
        raise ConfigError(f"{_where(path, where)}unknown key(s) {names}; known: "
                          f"{', '.join(sorted(allowed))}")


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
        raise ConfigError(f"{_where(path, where)}: key 'type': {short(kind)} is not one of "
                          f"{', '.join(SOURCE_TYPES)}")
    _unknown(raw, SOURCE_KEYS, path, f"{where}: ")
    limit = SOURCE_NUMBERS["max_articles"].read(raw, "max_articles", path, f"{where}: ")
    if kind == "files":
        folder = raw.get("path")
        if not isinstance(folder, str) or not folder:
            raise ConfigError(f"{_where(path, where)}: key 'path': a folder of saved pages is needed")
        folder_path = (path.parent / folder) if not Path(folder).is_absolute() else Path(folder)
        return Source(name, kind, path=folder_path, max_articles=limit)
    url = raw.get("url")
    if not isinstance(url, str) or not is_http(url):
        raise ConfigError(f"{_where(path, where)}: key 'url': {short(url)} is not an http(s) URL")
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
    pages = SOURCE_NUMBERS["pages"].read(raw, "pages", path, f"{where}: ") if kind == "listing" else 1
    return Source(name, kind, url=url, link_pattern=pattern, pages=pages, max_articles=limit)


def _path(data: dict[str, Any], key: str, default: str, path: Path, folder: bool) -> Path:
    """A path setting, relative to the config file; a file where a folder must be, or the
    other way round, is refused now rather than after a whole run."""
    value = data.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{_where(path, f'key {key!r}')}: must be a path")
    out = path.parent / value if not Path(value).is_absolute() else Path(value)
    for p in (out, *out.parents):
        if not os.path.lexists(p):
            continue
        if p == out and not folder and p.is_dir():
            raise ConfigError(f"{_where(path, f'key {key!r}')}: {out} is a folder, not a file")
        if (p != out or folder) and not p.is_dir():
            raise ConfigError(f"{_where(path, f'key {key!r}')}: {p} is a file, not a folder")
        break
    return out


def checked_user_agent(agent: Any, where: str) -> str:
    if not isinstance(agent, str) or not re.search(r"https?://|@", agent):
        raise ConfigError(f"{where}: give an honest User-Agent with a contact URL or address, "
                          "e.g. 'ChinaTechDigest/0.1 (+https://example.org)'")
    return agent


def parse_config(data: Any, path: Path) -> Settings:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping with 'user_agent' and 'sources'")
    _unknown(data, TOP_KEYS, path, "")
    agent = checked_user_agent(data.get("user_agent"), _where(path, "key user_agent"))
    timeout = data.get("timeout", {})
    if not isinstance(timeout, dict):
        raise ConfigError(f"{_where(path, 'key timeout')}: use {{connect: seconds, read: seconds}}")
    _unknown(timeout, set(TIMEOUT), path, "key 'timeout': ")
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
    numbers = {key: number.read(data, key, path) for key, number in NUMBERS.items()}
    if numbers["max_delay"] < numbers["min_delay"]:
        where = _where(path, "key 'max_delay'")
        raise ConfigError(f"{where}: {numbers['max_delay']!r} is less than min_delay "
                          f"({numbers['min_delay']!r})")
    state = data.get("state_dir", ".scraper")
    return Settings(
        user_agent=agent, docs=_path(data, "docs", "docs", path, folder=True),
        state_dir=_path(data, "state_dir", ".scraper", path, folder=True),
        report=_path(data, "report", f"{state}/report.json", path, folder=False),
        connect_timeout=TIMEOUT["connect"].read(timeout, "connect", path, "timeout: "),
        read_timeout=TIMEOUT["read"].read(timeout, "read", path, "timeout: "),
        allow_hosts=tuple(h.lower() for h in hosts),
        topics=_path(data, "topics", "topics.yml", path, folder=False) if "topics" in data else None,
        sources=tuple(sources),
        **numbers,
    )


def read_user_yaml(path: Path, what: str) -> Any:
    """A YAML file the user edits; every way it can be wrong is a ConfigError naming it."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeyLoader)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such {what}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc


def load_config(path: str | Path) -> Settings:
    p = Path(path)
    return parse_config(read_user_yaml(p, "config file"), p)
