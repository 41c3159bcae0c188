"""Topic tagging: weighted whole-word term matching, pure and deterministic.

Rules live in a YAML file users edit (see README, "Topic rules"). A term written with a
capital letter after its first character ("EV", "NIO", "XPeng") matches case-sensitively;
other terms ignore case. A trailing `*` matches any word ending ("hacker*": hackers).
Matches in the title or summary count `title_weight` times. Exclusions are phrases whose
matches hide the terms inside them ("gas leak" hides "leak").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from scraper.errors import ConfigError
from scraper.models import Article, Evidence

DEFAULT_RULES = Path(__file__).with_name("topics.yml")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


@dataclass(frozen=True)
class Term:
    text: str  # as written in the rules, shown as evidence without its `*`
    weight: float
    exclude: bool = False

    @property
    def label(self) -> str:
        return self.text.rstrip("*")

    def pattern(self) -> str:
        word = self.text.rstrip("*")
        body = r"[\s\-]+".join(re.escape(part) for part in word.split())
        if self.text.endswith("*"):
            body += r"[A-Za-z0-9']*"
        if not _CJK.search(word[:1]):
            body = r"(?<![A-Za-z0-9])" + body
        if not _CJK.search(word[-1:]):
            body += r"(?![A-Za-z0-9])"
        case_sensitive = any(c.isupper() for c in word[1:]) or (word.isupper() and len(word) > 1)
        return body if case_sensitive else f"(?i:{body})"


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    threshold: float
    terms: tuple[Term, ...]
    regex: re.Pattern[str]

    def score(self, head: str, body: str, title_weight: float) -> tuple[float, Counter[str]]:
        counts: Counter[str] = Counter()
        total = 0.0
        for text, factor in ((head, title_weight), (body, 1.0)):
            for m in self.regex.finditer(text):
                term = self.terms[int(m.lastgroup[1:])]  # type: ignore[index]
                if term.exclude:
                    continue
                counts[term.label] += 1
                total += term.weight * factor
        return total, counts


@dataclass(frozen=True)
class TopicRules:
    topics: tuple[Topic, ...]
    title_weight: float = 3.0
    source: str = "<rules>"

    def label(self, topic_id: str) -> str:
        return next((t.label for t in self.topics if t.id == topic_id), topic_id)

    def tag(self, article: Article) -> Article:
        """The article with the topics whose score reaches their threshold, and the evidence."""
        head = f"{article.title}\n{article.summary or ''}"
        body = "\n".join(b.text for b in article.blocks)
        tags: list[str] = []
        evidence: dict[str, tuple[Evidence, ...]] = {}
        for topic in self.topics:
            score, counts = topic.score(head, body, self.title_weight)
            if score >= topic.threshold and counts:
                tags.append(topic.id)
                ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                evidence[topic.id] = tuple(Evidence(t, n) for t, n in ranked)
        return replace(article, tags=tuple(tags), evidence=evidence)


def _fail(source: str, where: str, problem: str) -> ConfigError:
    return ConfigError(f"{source}: {where}: {problem}")


def _terms(raw: Any, source: str, where: str, exclude: bool) -> list[Term]:
    """Terms come as {en: [...], zh: [...]} or a plain list; an item is "term" or {term: weight}."""
    if raw is None:
        return []
    groups = raw.values() if isinstance(raw, dict) else [raw]
    out: list[Term] = []
    for group in groups:
        if not isinstance(group, list):
            raise _fail(source, where, "must be a list of terms (or lists under en: and zh:)")
        for item in group:
            if isinstance(item, dict) and len(item) == 1:
                (text, weight), = item.items()
            else:
                text, weight = item, 1
            if not isinstance(text, str) or not text.strip("* "):
                raise _fail(source, where, f"term {item!r} is not a non-empty string")
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                raise _fail(source, where, f"term {text!r} has weight {weight!r}; use a positive number")
            out.append(Term(text.strip(), float(weight), exclude))
    return out


def _topic(raw: Any, index: int, source: str, seen: set[str]) -> Topic:
    if not isinstance(raw, dict):
        raise _fail(source, f"topics[{index}]", "must be a mapping with id, label, terms")
    topic_id = raw.get("id")
    where = f"topic {topic_id!r}" if topic_id else f"topics[{index}]"
    if not isinstance(topic_id, str) or not _ID.match(topic_id):
        raise _fail(source, f"{where}: key 'id'", "must be lower-case letters, digits and '-'")
    if topic_id in seen:
        raise _fail(source, f"{where}: key 'id'", "is used by two topics")
    unknown = set(raw) - {"id", "label", "threshold", "terms", "exclude", "description"}
    if unknown:
        raise _fail(source, where, f"unknown key(s) {', '.join(sorted(unknown))}")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _fail(source, f"{where}: key 'label'", "must be a non-empty string")
    threshold = raw.get("threshold", 6)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise _fail(source, f"{where}: key 'threshold'", f"{threshold!r} is not a positive number")
    terms = _terms(raw.get("terms"), source, f"{where}: key 'terms'", exclude=False)
    if not terms:
        raise _fail(source, f"{where}: key 'terms'", "lists no terms")
    terms += _terms(raw.get("exclude"), source, f"{where}: key 'exclude'", exclude=True)
    # Longer phrases first, so "gas leak" is found before "leak" where both start.
    order = sorted(range(len(terms)), key=lambda i: -len(terms[i].text))
    regex = re.compile("|".join(f"(?P<t{i}>{terms[i].pattern()})" for i in order))
    return Topic(topic_id, label.strip(), float(threshold), tuple(terms), regex)


def parse_rules(data: Any, source: str) -> TopicRules:
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise _fail(source, "top level", "must be a mapping with a 'topics' list")
    weight = data.get("title_weight", 3)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise _fail(source, "key 'title_weight'", f"{weight!r} is not a positive number")
    seen: set[str] = set()
    topics = []
    for i, raw in enumerate(data["topics"]):
        topic = _topic(raw, i, source, seen)
        seen.add(topic.id)
        topics.append(topic)
    return TopicRules(tuple(topics), float(weight), source)


def load_rules(path: str | Path | None = None) -> TopicRules:
    """Rules from `path`, else ./topics.yml if present, else the packaged defaults."""
    if path is None:
        path = Path("topics.yml") if Path("topics.yml").is_file() else DEFAULT_RULES
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no such topic rules file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return parse_rules(data, str(path))
