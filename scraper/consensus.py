"""Keep the blocks of one extraction that a second extractor also found.

Every extractor keeps some chrome of its own (a newsletter box, a list of related
headlines, the page's own address), and seldom the same chrome as another one. A block
that no second opinion contains is dropped; a second opinion that found nothing has no say.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from scraper.models import Block

_WORD = re.compile(r"\w+")
SHINGLE = 3  # words: enough to tell a sentence apart, few enough to match a short line
COVERED = 0.5  # share of a block's shingles another text must hold for the block to count as found
MIN_KEPT = 0.5  # a vote that would keep less of the text than this has compared different parts


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _shingles(words: Sequence[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


class Opinion:
    """Another extractor's text of the same page, ready for lookups."""

    def __init__(self, text: str) -> None:
        words = _words(text)
        self.empty = not words
        self._shingles = _shingles(words)
        self._joined = f" {' '.join(words)} "

    def contains(self, text: str) -> bool:
        """Most of `text`'s word runs are in the opinion (a line of few words: all of it)."""
        words = _words(text)
        if len(words) < SHINGLE:
            return f" {' '.join(words)} " in self._joined
        own = _shingles(words)
        return len(own & self._shingles) >= COVERED * len(own)


def keep_agreed(blocks: Sequence[Block], opinions: Sequence[Opinion]) -> list[Block]:
    """The blocks that at least one opinion contains, in their order.

    All blocks are kept when no opinion found text, or when the vote would drop most of
    the text (the opinions then picked another part of the page, not less chrome).
    """
    voters = [o for o in opinions if not o.empty]
    if not voters:
        return list(blocks)
    kept = [b for b in blocks if any(o.contains(b.text) for o in voters)]
    if sum(len(b.text) for b in kept) < MIN_KEPT * sum(len(b.text) for b in blocks):
        return list(blocks)
    return kept
