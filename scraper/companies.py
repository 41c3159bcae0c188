"""The companies dictionary users edit (companies.yml) and which companies an article names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scraper.config import read_user_yaml
from scraper.errors import ConfigError
from scraper.read.clean import CJK

DEFAULT_COMPANIES = Path(__file__).with_name("companies.yml")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    names: tuple[str, ...]


def _name_pattern(name: str) -> str:
    """A name as one alternative of the dictionary's pattern; any run of spaces may part its words.

    Latin names are words: "NIO" in "union" or "BYDs" is not a mention. The check of the
    character before comes after the name's first character (a lookbehind over both), so every
    alternative starts with a literal: `re` then skips at C speed over the characters no name
    starts with, where a leading lookbehind made it try every alternative at every position
    (1.4 ms an article; the same matches, tests/test_companies.py compares them)."""
    first, rest = re.escape(name[0]), re.escape(name[1:]).replace(r"\ ", r"\s+")
    if CJK.search(name):
        return first + rest
    return rf"{first}(?<![A-Za-z0-9]{first}){rest}(?![A-Za-z0-9])"


class Companies:
    """The dictionary, with one pattern that finds every name in a text at once."""

    def __init__(self, companies: list[Company]) -> None:
        self.companies = companies
        self.by_id = {c.id: c for c in companies}
        self._owner: dict[str, str] = {}
        parts = []
        for company in companies:
            for name in sorted(company.names, key=len, reverse=True):
                self._owner[name] = company.id
                parts.append(_name_pattern(name))
        self._pattern = re.compile("|".join(parts)) if parts else None

    def mentioned(self, text: str) -> tuple[str, ...]:
        """Ids of the companies the text names, in the dictionary's order."""
        if self._pattern is None:
            return ()
        found = {self._owner[re.sub(r"\s+", " ", m.group(0))] for m in self._pattern.finditer(text)}
        return tuple(c.id for c in self.companies if c.id in found)


def parse_companies(data: Any, source: str) -> Companies:
    if not isinstance(data, dict) or not isinstance(data.get("companies"), list):
        raise ConfigError(f"{source}: must have a list `companies:`")
    seen: set[str] = set()
    out = []
    for n, item in enumerate(data["companies"], 1):
        where = f"{source}: company {n}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: must be a mapping with id, name and names")
        ident, name, names = item.get("id"), item.get("name"), item.get("names")
        if not isinstance(ident, str) or not _ID.match(ident):
            raise ConfigError(f"{where}: id {ident!r} must be lower-case letters, digits and '-'")
        if ident in seen:
            raise ConfigError(f"{where}: id {ident!r} is used twice")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{where} ({ident}): `name` must be a non-empty string")
        if names is None:
            names = [name]
        if not isinstance(names, list) or not all(isinstance(x, str) and x.strip() for x in names):
            raise ConfigError(f"{where} ({ident}): `names` must be a list of non-empty strings")
        seen.add(ident)
        out.append(Company(ident, name.strip(), tuple(dict.fromkeys(x.strip() for x in names))))
    return Companies(out)


def load_companies(path: str | Path | None = None) -> Companies:
    path = Path(path) if path is not None else DEFAULT_COMPANIES
    return parse_companies(read_user_yaml(path, "companies file"), str(path))
