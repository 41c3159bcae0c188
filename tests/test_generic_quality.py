"""The extraction benchmark's scorer (benchmarks/generic_quality.py), and our figure on it.

The scorer is checked on tiny texts worked out by hand; the figure on the shared
extraction-dev corpus, which CI has beside the clone (a missing corpus fails there).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.generic_quality import (
    TARGET,
    CorpusRun,
    Score,
    overall,
    page_scores,
    run_corpus,
    shingle_counts,
    shingles,
    subsets,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "extraction-dev"


# --- the scoring rule ---

def test_shingles_are_runs_of_four_word_tokens_counted_with_multiplicity() -> None:
    assert shingles("one two, three-four five") == Counter(
        {("one", "two", "three", "four"): 1, ("two", "three", "four", "five"): 1})
    assert shingles("x y z w x y z w")[("x", "y", "z", "w")] == 2


def test_tokens_are_unicode_word_runs() -> None:
    assert shingles("naïve café—co-op") == Counter({("naïve", "café", "co", "op"): 1})


@pytest.mark.parametrize(("text", "expected"), [
    ("just three words", Counter({("just", "three", "words"): 1})),
    ("", Counter({(): 1})),
    ("!!! ...", Counter({(): 1})),
])
def test_a_text_of_fewer_than_four_tokens_is_one_shingle(
        text: str, expected: Counter[tuple[str, ...]]) -> None:
    assert shingles(text) == expected


def test_page_counts_are_divided_by_their_sum() -> None:
    # truth: abcd, bcde; extracted: abcd, bcdx -> one of each
    assert shingle_counts("a b c d x", "a b c d e") == pytest.approx((1 / 3, 1 / 3, 1 / 3))
    assert shingle_counts("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)


def test_an_empty_extraction_scores_zero_precision_and_recall() -> None:
    assert page_scores("", "a real article of several words") == (0.0, 0.0)


def test_two_empty_texts_agree_fully() -> None:
    assert page_scores("", "") == (1.0, 1.0)


def test_precision_and_recall_are_averaged_over_pages_then_combined() -> None:
    shorter = ("a b c d", "a b c d e")  # P 1, R 1/2
    longer = ("a b c d e", "a b c d")   # P 1/2, R 1
    score = overall([shorter, longer])
    assert score == Score(0.75, 0.75)
    # the harmonic mean of the averages, not the average of per-page F1 (2/3 each)
    assert score.f1 == pytest.approx(0.75)


def test_every_page_weighs_the_same_whatever_its_length() -> None:
    long_perfect = (" ".join(f"w{i}" for i in range(400)),) * 2
    half_wrong = ("a b c d e", "a b c d")
    assert overall([long_perfect, half_wrong]).precision == pytest.approx(0.75)


# --- our figure on the shared corpus ---

@pytest.fixture(scope="module")
def corpus_run() -> CorpusRun:
    if not (CORPUS / "ground-truth.json").is_file():
        message = f"the extraction benchmark corpus is missing: {CORPUS}"
        if os.environ.get("CI") or os.environ.get("SCRAPER_NO_SKIP"):
            pytest.fail(message)
        pytest.skip(message)
    return run_corpus(CORPUS)


def test_ours_beats_trafilatura_by_the_target_on_pages_in_languages_we_publish(
        corpus_run: CorpusRun) -> None:
    published = subsets(corpus_run.pages)["en+zh"]
    ours, theirs = corpus_run.score("scraper", published), corpus_run.score("trafilatura", published)
    assert ours.f1 >= theirs.f1 + TARGET, (ours, theirs)


def test_ours_beats_trafilatura_by_the_target_on_all_pages(corpus_run: CorpusRun) -> None:
    # `scraper extract` reads pages in any language (only import and update refuse them).
    everything = subsets(corpus_run.pages)["all"]
    ours, theirs = corpus_run.score("scraper", everything), corpus_run.score("trafilatura", everything)
    assert ours.f1 >= theirs.f1 + TARGET, (ours, theirs)


def test_we_find_an_article_on_every_page_in_a_language_we_publish(corpus_run: CorpusRun) -> None:
    published = subsets(corpus_run.pages)["en+zh"]
    refused = {corpus_run.pages[i].page_id: corpus_run.notes["scraper"][i] for i in published
               if corpus_run.notes["scraper"][i]}
    assert refused == {}
