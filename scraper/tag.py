"""Topic tagging: weighted term matching with sentence contexts, pure and deterministic.

Rules live in a YAML file users edit (see README, "Topic rules"); scraper/termmatch.py says
how a term matches. A topic's score adds up its terms' weights, a match in the title or
summary counting `title_weight` times and one in the lede (the first paragraphs)
`lede_weight` times; its "against" terms (the subject is something else: a gas leak, a
lithium price) subtract the same way. A term may count only in a sentence that also holds a
word of a named context ("leak" near "data"), or never in one ("leak" near "exam").
Exclusions are phrases whose matches hide the terms inside them ("gas leak" hides "leak").
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
from scraper.termmatch import CJK_RUN, Match, Matcher, Term, Text
from scraper.yamlload import short

DEFAULT_RULES = Path(__file__).with_name("topics.yml")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
TERM_KEYS = {"weight", "near", "not_near"}
MIN_LEDE_PARAGRAPH = 12  # words: a shorter first paragraph (dateline, byline) is not the lede


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    threshold: float
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class TopicScore:
    topic: str
    score: float
    needed: float
    counts: Counter[str]  # per term that counted, how often; "-term" for those against

    @property
    def tagged(self) -> bool:
        return self.score >= self.needed and any(not t.startswith("-") for t in self.counts)

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        """The terms that counted, most frequent first."""
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(Evidence(t, n) for t, n in ranked)


@dataclass
class _Section:
    """One part of the article as the matcher found it, and what a match there weighs."""

    text: Text
    found: list[list[Match]]
    weight: float  # of a match before `lede_end`; a match after it weighs 1
    lede_end: int = -1  # body only: where the lede ends; -1: the whole text weighs `weight`
    contexts: dict[int, frozenset[str]] = field(default_factory=dict)  # by sentence start


@dataclass(frozen=True)
class TopicRules:
    topics: tuple[Topic, ...]
    title_weight: float = 3.0
    source: str = "<rules>"
    long_article_words: int = 400  # beyond this, body-only evidence must grow with length
    lede_weight: float = 1.0
    lede_words: int = 0  # the lede: the first paragraphs, at least this many words in all
    body_only_factor: float = 1.0  # threshold × this when only the body names the topic
    contexts: tuple[tuple[str, tuple[Term, ...]], ...] = ()
    matcher: Matcher = field(init=False, repr=False, compare=False)

    context_matcher: Matcher = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "matcher", Matcher([t.terms for t in self.topics]))
        # Contexts are looked for only in the sentences of the few terms that need them.
        object.__setattr__(self, "context_matcher",
                           Matcher([terms for _, terms in self.contexts]))

    def label(self, topic_id: str) -> str:
        return next((t.label for t in self.topics if t.id == topic_id), topic_id)

    def _contexts_at(self, section: _Section, at: int) -> frozenset[str]:
        """The contexts with a word in the sentence that holds `at`. Only the sentences of
        the few matches that need it are searched, not the whole text."""
        start, end = section.text.sentence(at)
        known = section.contexts.get(start)
        if known is None:
            found = self.context_matcher.find(Text(section.text.text[start:end]))
            known = frozenset(name for (name, _), matches in zip(self.contexts, found, strict=True)
                              if matches)
            section.contexts[start] = known
        return known

    def _counts(self, term: Term, section: _Section, at: int) -> bool:
        """Whether a match of `term` at `at` counts, given the contexts of its sentence."""
        present = self._contexts_at(section, at)
        if any(c in present for c in term.not_near):
            return False
        return not term.near or any(c in present for c in term.near)

    def _lede_end(self, article: Article) -> int:
        """Where the lede ends in the body text: with the first paragraph of some length (a
        dateline or byline line does not end it), cut after lede_words words if it is longer.
        A Chinese character counts half a word."""
        start, words = 0, 0.0
        for block in article.blocks:
            size = len(block.text.split()) + sum(map(len, CJK_RUN.findall(block.text))) / 2
            if words + size >= self.lede_words:
                share = (self.lede_words - words) / size if size else 1.0
                return start + round(len(block.text) * share)
            words += size
            start += len(block.text) + 1
            if size >= MIN_LEDE_PARAGRAPH:
                break
        return start

    def weigh(self, article: Article) -> list[TopicScore]:
        """Every topic's score, the score it needs, and the terms that counted."""
        head_text = Text(f"{article.title}\n{article.summary or ''}")
        body_text = Text("\n".join(b.text for b in article.blocks))
        sections = [_Section(head_text, self.matcher.find(head_text), self.title_weight),
                    _Section(body_text, self.matcher.find(body_text), self.lede_weight,
                             self._lede_end(article) if self.lede_words else 0)]
        # An incidental mention recurs more in a long article: when neither title, summary
        # nor lede names the topic, a long article needs proportionally more evidence.
        words = body_text.token_count + body_text.cjk_chars // 2
        stretch = max(1.0, words / self.long_article_words) if self.long_article_words else 1.0
        out = []
        for i, topic in enumerate(self.topics):
            counts: Counter[str] = Counter()
            score, named = 0.0, False
            terms = topic.terms
            for section in sections:
                lede_end = section.lede_end
                for start, _, index in section.found[i]:
                    term = terms[index]
                    role = term.role
                    if role == "exclude" or ((term.near or term.not_near)
                                             and not self._counts(term, section, start)):
                        continue
                    in_head = lede_end < 0 or start < lede_end
                    weight = term.weight * (section.weight if in_head else 1.0)
                    if role == "against":
                        score -= weight
                        counts["-" + term.label] += 1
                        continue
                    score += weight
                    counts[term.label] += 1
                    named = named or in_head
            needed = topic.threshold * (1.0 if named else max(stretch, self.body_only_factor))
            out.append(TopicScore(topic.id, score, needed, counts))
        return out

    def tag(self, article: Article) -> Article:
        """The article with the topics whose score reaches their threshold, and the evidence."""
        tagged = [s for s in self.weigh(article) if s.tagged]
        evidence = {s.topic: tuple(e for e in s.evidence if not e.term.startswith("-"))
                    for s in tagged}
        return replace(article, tags=tuple(s.topic for s in tagged), evidence=evidence)


def _fail(source: str, where: str, problem: str) -> ConfigError:
    return ConfigError(f"{source}: {where}: {problem}")


def _names(raw: Any, source: str, where: str, contexts: set[str]) -> tuple[str, ...]:
    names = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else None
    if names is None or not all(isinstance(n, str) for n in names):
        raise _fail(source, where, "must name a context or list contexts")
    unknown = [n for n in names if n not in contexts]
    if unknown:
        raise _fail(source, where, f"names no context defined under 'contexts': {', '.join(unknown)}")
    return tuple(names)


def _terms(raw: Any, source: str, where: str, role: str,
           contexts: set[str] | None = None) -> list[Term]:
    """Terms come as {en: [...], zh: [...]} or a plain list; an item is "term", {term: weight}
    or {term: {weight: w, near: context(s), not_near: context(s)}}."""
    if raw is None:
        return []
    groups = raw.values() if isinstance(raw, dict) else [raw]
    out: list[Term] = []
    for group in groups:
        if not isinstance(group, list):
            raise _fail(source, where, "must be a list of terms (or lists under en: and zh:)")
        for item in group:
            if isinstance(item, dict) and len(item) == 1:
                (text, spec), = item.items()
            else:
                text, spec = item, 1
            if not isinstance(text, str) or not text.strip("* "):
                raise _fail(source, where, f"term {short(item)} is not a non-empty string")
            near: tuple[str, ...] = ()
            not_near: tuple[str, ...] = ()
            weight = spec
            if isinstance(spec, dict):
                if contexts is None or set(spec) - TERM_KEYS:
                    raise _fail(source, where, f"term {text!r}: use a weight, or keys "
                                f"{', '.join(sorted(TERM_KEYS))}" if contexts is not None
                                else f"term {text!r}: give a weight only")
                weight = spec.get("weight", 1)
                near = _names(spec["near"], source, f"{where}: term {text!r}: key 'near'",
                              contexts) if "near" in spec else ()
                not_near = _names(spec["not_near"], source, f"{where}: term {text!r}: key 'not_near'",
                                  contexts) if "not_near" in spec else ()
            if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
                raise _fail(source, where, f"term {text!r} has weight {short(weight)}; use a positive number")
            term = Term(text.strip(), float(weight), role, near, not_near)
            if not term.is_cjk and not term.words:
                raise _fail(source, where, f"term {text!r} has no letters or digits to match")
            out.append(term)
    return out


def _topic(raw: Any, index: int, source: str, seen: set[str], contexts: set[str]) -> Topic:
    if not isinstance(raw, dict):
        raise _fail(source, f"topics[{index}]", "must be a mapping with id, label, terms")
    topic_id = raw.get("id")
    where = f"topic {short(topic_id)}" if topic_id else f"topics[{index}]"
    if not isinstance(topic_id, str) or not _ID.match(topic_id):
        raise _fail(source, f"{where}: key 'id'", "must be lower-case letters, digits and '-'")
    if topic_id in seen:
        raise _fail(source, f"{where}: key 'id'", "is used by two topics")
    unknown = set(raw) - {"id", "label", "threshold", "terms", "exclude", "against", "description"}
    if unknown:
        raise _fail(source, where, f"unknown key(s) {', '.join(sorted(unknown))}")
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _fail(source, f"{where}: key 'label'", "must be a non-empty string")
    threshold = raw.get("threshold", 6)
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or threshold <= 0:
        raise _fail(source, f"{where}: key 'threshold'", f"{short(threshold)} is not a positive number")
    terms = _terms(raw.get("terms"), source, f"{where}: key 'terms'", "for", contexts)
    if not terms:
        raise _fail(source, f"{where}: key 'terms'", "lists no terms")
    terms += _terms(raw.get("against"), source, f"{where}: key 'against'", "against", contexts)
    terms += _terms(raw.get("exclude"), source, f"{where}: key 'exclude'", "exclude")
    return Topic(topic_id, label.strip(), float(threshold), tuple(terms))


def _number(data: dict[str, Any], key: str, default: float, source: str, whole: bool = False,
            minimum: float = 0.0) -> float:
    value = data.get(key, default)
    kinds = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or value < minimum or (
            not whole and value <= 0):
        wanted = "a whole number >= 0" if whole else f"a positive number (at least {minimum:g})"
        raise _fail(source, f"key '{key}'", f"{short(value)} is not {wanted}")
    return float(value)


def _contexts(raw: Any, source: str) -> tuple[tuple[str, tuple[Term, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        raise _fail(source, "key 'contexts'", "must map context names to lists of words")
    out = []
    for name, words in raw.items():
        if not isinstance(name, str) or not _ID.match(name):
            raise _fail(source, f"contexts: {name!r}", "a name is lower-case letters, digits and '-'")
        terms = _terms(words, source, f"contexts: {name}", "for")
        if not terms:
            raise _fail(source, f"contexts: {name}", "lists no words")
        out.append((name, tuple(terms)))
    return tuple(out)


def parse_rules(data: Any, source: str) -> TopicRules:
    if not isinstance(data, dict) or not isinstance(data.get("topics"), list):
        raise _fail(source, "top level", "must be a mapping with a 'topics' list")
    contexts = _contexts(data.get("contexts"), source)
    names = {name for name, _ in contexts}
    seen: set[str] = set()
    topics = []
    for i, raw in enumerate(data["topics"]):
        topic = _topic(raw, i, source, seen, names)
        seen.add(topic.id)
        topics.append(topic)
    return TopicRules(
        tuple(topics), _number(data, "title_weight", 3, source), source,
        int(_number(data, "long_article_words", 400, source, whole=True)),
        _number(data, "lede_weight", 1, source), int(_number(data, "lede_words", 0, source, whole=True)),
        _number(data, "body_only_factor", 1, source, minimum=1), contexts)


def load_rules(path: str | Path | None = None) -> TopicRules:
    """Rules from `path`, else ./topics.yml if present, else the packaged defaults."""
    if path is None:
        path = Path("topics.yml") if Path("topics.yml").is_file() else DEFAULT_RULES
    path = Path(path)
    return parse_rules(read_user_yaml(path, "topic rules file"), str(path))
