"""Finding many terms in a text at once: whole-word Latin phrases and Chinese strings.

A term written with a capital letter after its first character ("EV", "NIO", "XPeng")
matches case-sensitively; other terms ignore case. A trailing `*` matches any word ending
("hacker*": hackers). Chinese terms match anywhere, Latin ones whole words only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(f"{CJK.pattern}+")


_TOKEN = re.compile(r"[A-Za-z0-9]+")
_GAP = re.compile(r"[\s\-'\u2019]*")  # what may stand between the words of a phrase


# A match: where it starts and ends in the text (character offsets), and the index of its
# term in the group. A plain tuple: a named one costs a Python-level call per match.
Match = tuple[int, int, int]


@dataclass(frozen=True)
class Term:
    text: str  # as written in the rules, shown as evidence without its `*`
    weight: float
    role: str = "for"  # "for" the topic, "against" it (subtracted), or "exclude" (hides only)
    near: tuple[str, ...] = ()  # counts only in a sentence with a word of one of these contexts
    not_near: tuple[str, ...] = ()  # never counts in a sentence with a word of these contexts

    @cached_property
    def exclude(self) -> bool:
        return self.role == "exclude"

    @cached_property
    def label(self) -> str:
        return self.text.rstrip("*")

    @cached_property
    def is_cjk(self) -> bool:
        return bool(CJK.search(self.label))

    @cached_property
    def case_sensitive(self) -> bool:
        word = self.label
        return any(c.isupper() for c in word[1:]) or (word.isupper() and len(word) > 1)

    @cached_property
    def words(self) -> tuple[str, ...]:
        words = tuple(_TOKEN.findall(self.label))
        return words if self.case_sensitive else tuple(w.lower() for w in words)


@dataclass(frozen=True)
class _Phrase:
    """A Latin term compiled for the token matcher."""

    topic: int  # index of the group of terms
    term: int  # index into that group
    words: tuple[str, ...]
    wildcard: bool
    case_sensitive: bool

    @property
    def fixed(self) -> tuple[str, ...]:
        """The words a token must equal, lower-cased: all but a wildcard's last."""
        return tuple(w.lower() for w in (self.words[:-1] if self.wildcard else self.words))

    def matches(self, tokens: tuple[str, ...]) -> bool:
        """Whether the phrase is the first of `tokens` (as written when it is case-sensitive,
        else lower-cased), which are at least as many as its words."""
        n = len(self.words)
        if not self.wildcard:
            return tokens[:n] == self.words
        return tokens[:n - 1] == self.words[:-1] and tokens[n - 1].startswith(self.words[-1])


# At a window of tokens, per phrase that may match there: its group, its index in that
# group, how many tokens it spans, and the phrase when its case is still to be checked.
_Hit = tuple[int, int, int, _Phrase | None]
_MAX_WINDOWS = 50_000  # windows whose hits are kept; beyond that the memo starts again


# Folds a text, encoded as ASCII with one "?" per other character, to lower-case letters
# and digits with a space for everything else: byte i stands for character i, and the
# tokens are the runs of non-spaces, which C-level bytes methods and regexes find fast.
_FOLD = bytes(c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32
              for c in range(256))
_FOLDED_TOKEN = re.compile(rb"[a-z0-9]+")


# Where a sentence may end: a full stop (that ends one only before a space, a quote or the
# end), Chinese sentence marks, a line end. A plain character class is several times faster
# than a regex with the lookahead in it.
_SENTENCE_MARK = re.compile(r"[.!?;。！？；\n]")
_ENDS_ALWAYS = "。！？；\n"
_AFTER_FULL_STOP = "\"'”’)"


class Text:
    """A text prepared once for every group of terms.

    Only what every search needs is worked out up front: a sentence searched for context
    words needs no word count.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = text.encode("ascii", "replace").translate(_FOLD)
        self.has_cjk = not text.isascii() and CJK.search(text) is not None

    @property
    def token_count(self) -> int:
        return len(self.folded.split())

    @property
    def cjk_chars(self) -> int:
        return sum(map(len, CJK_RUN.findall(self.text))) if self.has_cjk else 0

    def _ends_sentence(self, mark: re.Match[str]) -> bool:
        if mark.group() in _ENDS_ALWAYS:
            return True
        end, text = mark.end(), self.text
        return end == len(text) or text[end].isspace() or text[end] in _AFTER_FULL_STOP

    def sentence(self, at: int) -> tuple[int, int]:
        """Where the sentence that holds the character at `at` starts and ends: after the
        last sentence end at or before `at`, and at the first one after it.

        Searched outwards from `at`, not by listing every sentence end of the text: a text
        is asked about one or two sentences (those of the few terms with contexts).
        """
        text = self.text
        end = next((m.end() for m in _SENTENCE_MARK.finditer(text, at) if self._ends_sentence(m)),
                   len(text))
        stop, reach = at, _LOOK_BACK
        while stop > 0:
            start = max(0, stop - reach)
            ends = [m.end() for m in _SENTENCE_MARK.finditer(text, start, stop) if self._ends_sentence(m)]
            if ends:
                return ends[-1], end
            stop, reach = start, reach * 4
        return 0, end


_LOOK_BACK = 160  # characters first searched back for the end of the sentence before


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

    Latin terms match as whole-word token sequences, CJK terms anywhere. Within a group,
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
        self.continued = {tuple(w.lower().encode("ascii") for w in p.words[:k])
                          for ps in self.by_fixed.values() for p in ps for k in range(1, len(p.words))}
        self.starts = self._starts_pattern()
        cjk_terms = [word for terms in self.cjk_by_first.values() for _, _, word in terms]
        self.cjk_start = re.compile(_trie_regex((word, "") for word in cjk_terms))
        # The hits at a window depend on its lower-cased tokens only (all but the case of
        # case-sensitive phrases): worked out once per window, not at every match.
        self.hits: dict[tuple[bytes, ...], tuple[_Hit, ...]] = {}

    def _starts_pattern(self) -> re.Pattern[bytes]:
        """Matches the space before a token where a Latin phrase may start, and that token
        (group 1), in " " + folded.

        The space stands for "at a token start" and lets the regex engine skip from space
        to space; the rest of the phrase is only looked ahead at, as other phrases may
        start inside it (no phrase starts inside a token, so taking the token is safe).
        """
        phrases = [*(p for ps in self.by_fixed.values() for p in ps),
                   *(p for ps in self.prefix.values() for p in ps), *self.short_prefix]
        # Matched against the folded text: lower case, and what stands between the words
        # folded to spaces (the matcher checks both against the text as written).
        starts = _trie_regex((" ".join(p.words).lower(), "" if p.wildcard else "(?![a-z0-9])")
                             for p in phrases)
        return re.compile(f" (?={starts})([a-z0-9]+)".encode("ascii"))

    def _hits(self, window: tuple[bytes, ...]) -> tuple[_Hit, ...]:
        """The phrases that may match at a window of lower-cased tokens (see `find`)."""
        lowered = tuple(token.decode("ascii") for token in window)  # tokens are ASCII
        first = lowered[0]
        phrases = [*self.prefix.get(first[:3], ()), *self.short_prefix]
        for length in self.fixed_lengths.get(first, ()):
            if length <= len(lowered):
                phrases += self.by_fixed.get(lowered[:length], ())
        hits: list[_Hit] = []
        for phrase in phrases:
            n = len(phrase.words)
            if n > len(lowered):
                continue
            # A phrase found under its lower-cased words matches unless case or a
            # wildcard ending is still to be checked; only case needs the text as written.
            if phrase.case_sensitive:
                hits.append((phrase.topic, phrase.term, n, phrase))
            elif not phrase.wildcard or phrase.matches(lowered):
                hits.append((phrase.topic, phrase.term, n, None))
        if len(self.hits) >= _MAX_WINDOWS:
            self.hits.clear()
        self.hits[window] = found = tuple(hits)
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

    def find(self, text: Text) -> list[list[Match]]:
        """Per group of terms, its matches in `text`, in text order."""
        found: list[list[tuple[int, int, int]]] = [[] for _ in range(self.topics)]
        folded, written = text.folded, text.text
        continued, memo = self.continued, self.hits
        # A token at index i of " " + folded is a token at index i - 1 of the text.
        for start in self.starts.finditer(b" " + folded):
            end = start.end() - 1
            spans = [(start.start(1) - 1, end)]
            window: tuple[bytes, ...] = (start.group(1),)
            # The tokens after it, as far as a phrase may still match (the words so far
            # begin a longer phrase), up to a gap no phrase may span.
            while window in continued:
                token = _FOLDED_TOKEN.search(folded, end)
                if token is None or not _GAP.fullmatch(written, end, token.start()):
                    break
                end = token.end()
                spans.append((token.start(), end))
                window += (token.group(),)
            hits = memo.get(window)
            if hits is None:
                hits = self._hits(window)
            at = spans[0][0]
            as_written: tuple[str, ...] = ()
            for topic, term, n, phrase in hits:
                if phrase is not None:
                    if not as_written:
                        as_written = tuple(written[s:e] for s, e in spans)
                    if not phrase.matches(as_written):
                        continue
                found[topic].append((at, -spans[n - 1][1], term))
        if text.has_cjk:
            for topic, index, at, end in self._cjk_matches(written):
                found[topic].append((at, -end, index))
        return [_leftmost_longest(matches) for matches in found]


def _leftmost_longest(matches: list[tuple[int, int, int]]) -> list[Match]:
    matches.sort()
    out, covered = [], -1
    for start, neg_end, index in matches:
        if start >= covered:
            out.append((start, -neg_end, index))
            covered = -neg_end
    return out
