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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scraper.config import read_user_yaml
from scraper.errors import ConfigError
from scraper.models import Article, Evidence

DEFAULT_RULES = Path(__file__).with_name("topics.yml")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(f"{_CJK.pattern}+")
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

    @property
    def fixed(self) -> tuple[str, ...]:
        """The words a token must equal, lower-cased: all but a wildcard's last."""
        return tuple(w.lower() for w in (self.words[:-1] if self.wildcard else self.words))

    def matches(self, as_written: tuple[str, ...], lowered: tuple[str, ...]) -> bool:
        """Whether the phrase is the first tokens of a window (see Matcher._window)."""
        n = len(self.words)
        if n > len(lowered):
            return False
        tokens = as_written if self.case_sensitive else lowered
        if not self.wildcard:
            return tokens[:n] == self.words
        return tokens[:n - 1] == self.words[:-1] and tokens[n - 1].startswith(self.words[-1])


# Folds a text, encoded as ASCII with one "?" per other character, to lower-case letters
# and digits with a space for everything else: byte i stands for character i, and the
# tokens are the runs of non-spaces, which C-level bytes methods and regexes find fast.
_FOLD = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32
              for c in range(256))
_FOLDED_TOKEN = re.compile(rb"[a-z0-9]+")


class Text:
    """A text prepared once for every topic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = text.encode("ascii", "replace").translate(_FOLD)
        self.token_count = len(self.folded.split())
        self.cjk_chars = sum(map(len, _CJK_RUN.findall(text)))
        self.has_cjk = self.cjk_chars > 0


_END = "\0"  # a trie key made of this and a regex: an entry ends here, then that regex


def _trie_regex(entries: Iterable[tuple[str, str]]) -> str:
    """A regex matching where any entry starts: its text (a space stands for any run of
    spaces), then its end, a regex ("" for anything, or a lookahead such as a word end).

    The alternatives form a trie: the regex engine does not build one itself, and trying
    hundreds of alternatives one by one at every position would be slow. No entries: a
    regex that never matches.
    """
    trie: dict[str, Any] = {}
    for text, end in entries:
        node = trie
        for char in text:
            node = node.setdefault(char, {})
        node[_END + end] = {}

    def branch(node: dict[str, Any]) -> str:
        alternatives = [key[1:] if key.startswith(_END) else
                        (" +" if key == " " else re.escape(key)) + branch(rest)
                        for key, rest in sorted(node.items())]
        return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"

    return branch(trie) if trie else "(?!)"


class Matcher:
    """Finds every topic's terms in a text in one pass.

    Latin terms match as whole-word token sequences, CJK terms anywhere. Within a topic,
    overlapping matches resolve leftmost-longest, so "gas leak" (an exclusion) hides the
    "leak" inside it and "data leak" is not also counted as "leak". Built for speed: one
    regex over the folded text finds the few tokens that can start a term, and only there
    do dictionary look-ups of the following words find the phrases; no per-term regexes.
    """

    def __init__(self, topics: list[tuple[Term, ...]]) -> None:
        self.topics = len(topics)
        # Phrases by their fixed words; per first word, the numbers of fixed words to look
        # up and how many tokens the longest phrase spans.
        self.by_fixed: dict[tuple[str, ...], list[_Phrase]] = {}
        self.fixed_lengths: dict[str, set[int]] = {}
        self.longest: dict[str, int] = {}
        self.prefix: dict[str, list[_Phrase]] = {}  # single-word wildcards by first 3 letters
        self.short_prefix: list[_Phrase] = []
        self.cjk_by_first: dict[str, list[tuple[int, int, str]]] = {}  # by first character
        for t, terms in enumerate(topics):
            for i, term in enumerate(terms):
                if term.is_cjk:
                    self.cjk_by_first.setdefault(term.label[0], []).append((t, i, term.label))
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
                    continue
                self.by_fixed.setdefault(phrase.fixed, []).append(phrase)
                self.fixed_lengths.setdefault(key, set()).add(len(phrase.fixed))
                self.longest[key] = max(self.longest.get(key, 1), len(words))
        # Word sequences that begin a longer phrase: only after these is the next token read.
        self.continued = {tuple(w.lower() for w in p.words[:k])
                          for ps in self.by_fixed.values() for p in ps for k in range(1, len(p.words))}
        self.starts = self._starts_pattern()
        cjk_terms = [word for terms in self.cjk_by_first.values() for _, _, word in terms]
        self.cjk_start = re.compile(_trie_regex((word, "") for word in cjk_terms))

    def _starts_pattern(self) -> re.Pattern[bytes]:
        """Matches the space before a token where a Latin phrase may start, in " " + folded.

        The space stands for "at a token start" and lets the regex engine skip from space
        to space; the phrase is only looked ahead at, as other phrases may start inside it.
        """
        phrases = [*(p for ps in self.by_fixed.values() for p in ps),
                   *(p for ps in self.prefix.values() for p in ps), *self.short_prefix]
        # Matched against the folded text: lower case, and what stands between the words
        # folded to spaces (the matcher checks both against the text as written).
        starts = _trie_regex((" ".join(p.words).lower(), "" if p.wildcard else "(?![a-z0-9])")
                             for p in phrases)
        return re.compile(f" (?={starts})".encode("ascii"))

    def _window(self, text: Text, start: int) -> tuple[list[tuple[int, int]], tuple[str, ...]]:
        """The spans and lower-cased forms of the token at `start` and of the tokens after
        it as far as a phrase may still match (the words so far begin a longer phrase).

        It stops early at a gap no phrase may span, or at the end of the text.
        """
        folded = text.folded
        end = folded.find(b" ", start)
        if end == -1:
            end = len(folded)
        spans = [(start, end)]
        lowered: tuple[str, ...] = (folded[start:end].decode("ascii"),)  # tokens are ASCII
        while lowered in self.continued:
            token = _FOLDED_TOKEN.search(folded, end)
            if token is None or not _GAP.fullmatch(text.text, end, token.start()):
                break
            start, end = token.span()
            spans.append((start, end))
            lowered += (folded[start:end].decode("ascii"),)
        return spans, lowered

    def _phrases_at(self, text: Text, start: int) -> list[tuple[_Phrase, int]]:
        """The phrases that match at the token starting at `start`, with where they end."""
        spans, lowered = self._window(text, start)
        first = lowered[0]
        phrases = [*self.prefix.get(first[:3], ()), *self.short_prefix]
        for length in self.fixed_lengths.get(first, ()):
            if length <= len(lowered):
                phrases += self.by_fixed.get(lowered[:length], ())
        found = []
        as_written: tuple[str, ...] = ()
        for phrase in phrases:
            n = len(phrase.words)
            if n > len(lowered):
                continue
            # A phrase found under its lower-cased words matches unless case or a
            # wildcard ending is still to be checked.
            if phrase.case_sensitive or phrase.wildcard:
                if phrase.case_sensitive and not as_written:
                    as_written = tuple(text.text[s:e] for s, e in spans)
                if not phrase.matches(as_written, lowered):
                    continue
            found.append((phrase, spans[n - 1][1]))
        return found

    def _cjk_matches(self, text: str) -> list[tuple[int, int, int, int]]:
        """(topic, term, start, end) of every match of a CJK term; a term's own matches do
        not overlap, as str.find from the end of the last one would find them.

        One regex (a trie of all the terms) jumps from one place where a term starts to
        the next; only there are the terms with that first character compared.
        """
        matches = []
        free_from: dict[tuple[int, int], int] = {}  # per term, where its last match ended
        where = self.cjk_start.search(text)
        while where is not None:
            at = where.start()
            for topic, index, word in self.cjk_by_first[text[at]]:
                if text.startswith(word, at) and at >= free_from.get((topic, index), 0):
                    matches.append((topic, index, at, at + len(word)))
                    free_from[topic, index] = at + len(word)
            where = self.cjk_start.search(text, at + 1)
        return matches

    def find(self, text: Text) -> list[list[int]]:
        """Per topic, the indices of its terms matched in `text`, one per match."""
        found: list[list[tuple[int, int, int]]] = [[] for _ in range(self.topics)]
        # A match at index i of " " + folded is a token starting at index i of the text.
        for start in [m.start() for m in self.starts.finditer(b" " + text.folded)]:
            for phrase, end in self._phrases_at(text, start):
                found[phrase.topic].append((start, -end, phrase.term))
        if text.has_cjk:
            for topic, index, at, end in self._cjk_matches(text.text):
                found[topic].append((at, -end, index))
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
        words = body_text.token_count + body_text.cjk_chars // 2
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
