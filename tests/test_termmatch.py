"""The term matcher against a plain reference: one regex per term tried at every token start.

The matcher is built for speed (a start regex over a folded copy of the text, hits kept per
window of tokens, a sentence searched outwards from a term); the reference says what it must
find, written the slow, obvious way, and generated texts and terms check that the two agree.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper import termmatch
from scraper.termmatch import _SENTENCE_MARK, Matcher, Term, Text

_ALNUM = "A-Za-z0-9"
_GAP = r"[\s\-'\u2019]+"  # between the words of a phrase (the tokens on both sides are whole)


def _word_regex(word: str, case_sensitive: bool) -> str:
    if case_sensitive:
        return re.escape(word)
    return "".join(f"[{c}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _term_regex(term: Term) -> re.Pattern[str]:
    """A Latin term: its words as whole ASCII tokens (case ignored for ASCII letters only
    unless it is case-sensitive), a wildcard's last word as the start of one."""
    words = [_word_regex(w, term.case_sensitive) for w in term.words]
    wildcard = term.text.endswith("*")
    end = f"[{_ALNUM}]*" if wildcard else f"(?![{_ALNUM}])"
    return re.compile(f"(?<![{_ALNUM}]){_GAP.join(words)}{end}")


def reference_find(groups: list[tuple[Term, ...]], text: str) -> list[list[tuple[int, int, int]]]:
    token_starts = [m.start() for m in re.finditer(f"[{_ALNUM}]+", text)]
    out = []
    for terms in groups:
        found = []
        for index, term in enumerate(terms):
            if term.is_cjk:  # anywhere, a term's own matches not overlapping
                at = text.find(term.label)
                while at != -1:
                    found.append((at, at + len(term.label), index))
                    at = text.find(term.label, at + len(term.label))
                continue
            pattern = _term_regex(term)
            for at in token_starts:
                if match := pattern.match(text, at):
                    found.append((at, match.end(), index))
        # leftmost-longest: a match starting inside one kept is dropped
        found.sort(key=lambda m: (m[0], -m[1], m[2]))
        kept: list[tuple[int, int, int]] = []
        for match in found:
            if not kept or match[0] >= kept[-1][1]:
                kept.append(match)
        out.append(kept)
    return out


def reference_sentence(text: str, at: int) -> tuple[int, int]:
    """Every sentence end listed, then the two around `at` (what Text.sentence replaced)."""
    ends = [m.end() for m in _SENTENCE_MARK.finditer(text)
            if m.group() in "。！？；\n" or m.end() == len(text) or text[m.end()].isspace()
            or text[m.end()] in "\"'”’)"]
    before = [e for e in ends if e <= at]
    after = [e for e in ends if e > at]
    return (before[-1] if before else 0), (after[0] if after else len(text))


WORDS = ["data", "leak", "leaks", "leaked", "Data", "DATA", "ai", "AI", "Ai", "nio", "NIO", "ev",
         "EV", "evs", "e", "hack", "hacker", "hackers", "gas", "model", "models", "x", "ray",
         "数据", "泄露", "数据泄露", "泄", "A股", "股", "中中", "中"]
SEPARATORS = [" ", "  ", "-", "--", "'", "\u2019", "\n", ".", ". ", ", ", "!", "é", "\u212a",
              "\u017f", "\u3000", "。", "；", "\t", "(", ")", "\"", ""]
TEXTS = st.lists(st.sampled_from(WORDS + SEPARATORS), max_size=40).map("".join)
TERM_TEXTS = st.builds(lambda words, gap, star: gap.join(words) + ("*" if star else ""),
                       st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
                       st.sampled_from([" ", "-", "'"]), st.booleans())
GROUPS = st.lists(st.lists(TERM_TEXTS, min_size=1, max_size=6).map(
    lambda texts: tuple(Term(t, 1.0) for t in dict.fromkeys(texts))), min_size=1, max_size=3)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_the_matcher_finds_what_the_reference_finds(data: st.DataObject) -> None:
    groups = data.draw(GROUPS)
    # Texts made also of the terms themselves, so long phrases and their near misses occur.
    labels = [term.label for terms in groups for term in terms]
    pieces = WORDS + SEPARATORS + labels + [label + "s" for label in labels]
    texts = data.draw(st.lists(st.lists(st.sampled_from(pieces), max_size=40).map("".join),
                               min_size=1, max_size=3))
    matcher = Matcher(groups)
    for text in [*texts, *texts]:  # the second time with the hits of its windows kept
        assert matcher.find(Text(text)) == reference_find(groups, text), text


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from([1, 2, 5, 160]))
def test_a_sentence_is_found_as_when_every_end_was_listed(text: str, look_back: int) -> None:
    prepared = Text(text)
    saved, termmatch._LOOK_BACK = termmatch._LOOK_BACK, look_back  # search back in short steps too
    try:
        for at in range(len(text)):
            assert prepared.sentence(at) == reference_sentence(text, at), (text, at)
    finally:
        termmatch._LOOK_BACK = saved


def test_a_sentence_is_found_far_back_in_a_long_one() -> None:
    text = "First one. " + "word " * 2000 + "data. Next"
    at = text.index("data")
    assert Text(text).sentence(at) == reference_sentence(text, at) == (10, at + 5)


def test_the_counts_a_long_article_is_measured_by() -> None:
    text = Text("Data leak at 数据泄露 firm")
    assert (text.token_count, text.cjk_chars, text.has_cjk) == (4, 4, True)
    assert (Text("plain ascii").cjk_chars, Text("plain ascii").has_cjk) == (0, False)
