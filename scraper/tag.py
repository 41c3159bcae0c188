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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scraper.config import read_user_yaml
from scraper.errors import ConfigError
from scraper.models import Article, Evidence

DEFAULT_RULES = Path(__file__).with_name("topics.yml")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")


_TOKEN = re.compile(r"[A-Za-z0-9]+")
_GAP = re.compile(r"[\s\-']*")  # what may stand between the words of a phrase


@dataclass(frozen=True)
class Term:
    text: str  # as written in the rules, shown as evidence without its `*`
    weight: float
    exclude: bool = False

    @property
    def label(self) -> str:
        return self.text.rstrip("*")

    @property
    def is_cjk(self) -> bool:
        return bool(_CJK.search(self.label))

    @property
    def case_sensitive(self) -> bool:
        word = self.label
        return any(c.isupper() for c in word[1:]) or (word.isupper() and len(word) > 1)

    @property
    def words(self) -> tuple[str, ...]:
        words = tuple(_TOKEN.findall(self.label))
        return words if self.case_sensitive else tuple(w.lower() for w in words)


@dataclass(frozen=True)
class _Phrase:
    """A Latin term compiled for the token matcher."""

    topic: int  # index into TopicRules.topics
    term: int  # index into that topic's terms
    words: tuple[str, ...]
    wildcard: bool
    case_sensitive: bool


class Text:
    """A text tokenised once for every topic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = [(m.start(), m.end(), m.group(), m.group().lower())
                       for m in _TOKEN.finditer(text)]
        self.has_cjk = bool(_CJK.search(text))


class Matcher:
    """Finds every topic's terms in a text in one pass.

    Latin terms match as whole-word token sequences, CJK terms anywhere. Within a topic,
    overlapping matches resolve leftmost-longest, so "gas leak" (an exclusion) hides the
    "leak" inside it and "data leak" is not also counted as "leak". Built for speed: one
    tokenisation per text and dictionary look-ups, no per-term regular expressions.
    """

    def __init__(self, topics: list[tuple[Term, ...]]) -> None:
        self.topics = len(topics)
        self.exact: dict[str, list[_Phrase]] = {}
        self.prefix: dict[str, list[_Phrase]] = {}  # single-word wildcards by first 3 letters
        self.short_prefix: list[_Phrase] = []
        self.cjk: list[tuple[int, int, str]] = []
        for t, terms in enumerate(topics):
            for i, term in enumerate(terms):
                if term.is_cjk:
                    self.cjk.append((t, i, term.label))
                    continue
                words = term.words
                if not words:
                    continue
                phrase = _Phrase(t, i, words, term.text.endswith("*"), term.case_sensitive)
                key = words[0].lower()
                if phrase.wildcard and len(words) == 1:
                    if len(key) >= 3:
                        self.prefix.setdefault(key[:3], []).append(phrase)
                    else:
                        self.short_prefix.append(phrase)
                else:
                    self.exact.setdefault(key, []).append(phrase)

    @staticmethod
    def _phrase_end(phrase: _Phrase, text: Text, i: int) -> int | None:
        n = len(phrase.words)
        if i + n > len(text.tokens):
            return None
        for k, word in enumerate(phrase.words):
            start, end, token, low = text.tokens[i + k]
            if not phrase.case_sensitive:
                token = low
            if not (token == word or (k == n - 1 and phrase.wildcard and token.startswith(word))):
                return None
            if k and not _GAP.fullmatch(text.text, text.tokens[i + k - 1][1], start):
                return None
        return text.tokens[i + n - 1][1]

    def find(self, text: Text) -> list[list[int]]:
        """Per topic, the indices of its terms matched in `text`, one per match."""
        found: list[list[tuple[int, int, int]]] = [[] for _ in range(self.topics)]
        for i, (start, _, _, low) in enumerate(text.tokens):
            for group in (self.exact.get(low), self.prefix.get(low[:3]), self.short_prefix):
                if not group:
                    continue
                for phrase in group:
                    end = self._phrase_end(phrase, text, i)
                    if end is not None:
                        found[phrase.topic].append((start, -end, phrase.term))
        if text.has_cjk:
            for topic, index, word in self.cjk:
                at = text.text.find(word)
                while at != -1:
                    found[topic].append((at, -(at + len(word)), index))
                    at = text.text.find(word, at + len(word))
        return [_leftmost_longest(matches) for matches in found]


def _leftmost_longest(matches: list[tuple[int, int, int]]) -> list[int]:
    matches.sort()
    out, covered = [], -1
    for start, neg_end, index in matches:
        if start >= covered:
            out.append(index)
            covered = -neg_end
    return out


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    threshold: float
    terms: tuple[Term, ...]

    def score(self, head: list[int], body: list[int], title_weight: float
              ) -> tuple[float, Counter[str]]:
        """Weighted count of the matched terms (head counts `title_weight` times)."""
        counts: Counter[str] = Counter()
        total = 0.0
        for found, factor in ((head, title_weight), (body, 1.0)):
            for index in found:
                term = self.terms[index]
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
    long_article_words: int = 400  # beyond this, body-only evidence must grow with length
    matcher: Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", Matcher([t.terms for t in self.topics]))

    def label(self, topic_id: str) -> str:
        return next((t.label for t in self.topics if t.id == topic_id), topic_id)

    @staticmethod
    def _named(topic: Topic, head: list[int]) -> bool:
        return any(not topic.terms[i].exclude for i in head)

    def tag(self, article: Article) -> Article:
        """The article with the topics whose score reaches their threshold, and the evidence."""
        head = self.matcher.find(Text(f"{article.title}\n{article.summary or ''}"))
        body_text = Text("\n".join(b.text for b in article.blocks))
        body = self.matcher.find(body_text)
        # An incidental mention recurs more in a long article: when neither title nor summary
        # names the topic, a long article needs proportionally more evidence.
        words = len(body_text.tokens) + len(_CJK.findall(body_text.text)) // 2
        stretch = max(1.0, words / self.long_article_words) if self.long_article_words else 1.0
        tags: list[str] = []
        evidence: dict[str, tuple[Evidence, ...]] = {}
        for i, topic in enumerate(self.topics):
            score, counts = topic.score(head[i], body[i], self.title_weight)
            needed = topic.threshold * (1.0 if self._named(topic, head[i]) else stretch)
            if score >= needed and counts:
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
            term = Term(text.strip(), float(weight), exclude)
            if not term.is_cjk and not term.words:
                raise _fail(source, where, f"term {text!r} has no letters or digits to match")
            out.append(term)
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
    return Topic(topic_id, label.strip(), float(threshold), tuple(terms))


def parse_rules(data: Any, source: str) -> TopicRules:
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise _fail(source, "top level", "must be a mapping with a 'topics' list")
    weight = data.get("title_weight", 3)
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise _fail(source, "key 'title_weight'", f"{weight!r} is not a positive number")
    long_words = data.get("long_article_words", 400)
    if isinstance(long_words, bool) or not isinstance(long_words, int) or long_words < 0:
        raise _fail(source, "key 'long_article_words'", f"{long_words!r} is not a whole number >= 0")
    seen: set[str] = set()
    topics = []
    for i, raw in enumerate(data["topics"]):
        topic = _topic(raw, i, source, seen)
        seen.add(topic.id)
        topics.append(topic)
    return TopicRules(tuple(topics), float(weight), source, long_words)


def load_rules(path: str | Path | None = None) -> TopicRules:
    """Rules from `path`, else ./topics.yml if present, else the packaged defaults."""
    if path is None:
        path = Path("topics.yml") if Path("topics.yml").is_file() else DEFAULT_RULES
    path = Path(path)
    return parse_rules(read_user_yaml(path, "topic rules file"), str(path))
