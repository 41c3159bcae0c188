"""Would a small trained model beat the topic rules? Cross-validated on the dev corpus.

A linear model (logistic regression on TF-IDF character n-grams, one per topic) is trained
on some blocks of consecutive story ids and scored on the block it never saw; the rules are
scored on the same blocks. Never a figure on training data. Needs scikit-learn, which is
not a dependency of the project (the rules won, see README):

    pip install scikit-learn
    python -m benchmarks.tag_model_cv [--corpus DIR] [--folds 5]
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.tag_eval import CORPUS, Story, corpus_stories, folds, score
from scraper.errors import ScraperError
from scraper.sites.dispatch import extract_article
from scraper.tag import load_rules


def as_text(story: Story) -> str:
    try:
        article = extract_article(story.page)
    except ScraperError:
        return ""
    return "\n".join([article.title, *(b.text for b in article.blocks)])


def f1(gold: list[bool], got: list[bool]) -> float:
    tp = sum(g and p for g, p in zip(gold, got, strict=True))
    fp = sum(p and not g for g, p in zip(gold, got, strict=True))
    fn = sum(g and not p for g, p in zip(gold, got, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-not-found]
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-not-found]
    except ImportError:
        raise SystemExit("benchmarks.tag_model_cv needs scikit-learn: pip install scikit-learn") from None
    rules = load_rules()
    topics = [t.id for t in rules.topics]
    blocks = folds(corpus_stories(args.corpus), args.folds)
    texts = {s.id: as_text(s) for block in blocks for s in block}
    gold: dict[str, list[bool]] = {t: [] for t in topics}
    model: dict[str, list[bool]] = {t: [] for t in topics}
    for i, test in enumerate(blocks):
        train = [s for j, block in enumerate(blocks) if j != i for s in block]
        vectors: Any = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                       min_df=2)
        x_train = vectors.fit_transform([texts[s.id] for s in train])
        x_test = vectors.transform([texts[s.id] for s in test])
        for topic in topics:
            fitted = LogisticRegression(C=10, class_weight="balanced", max_iter=2000).fit(
                x_train, [topic in s.labels for s in train])
            model[topic] += [bool(p) for p in fitted.predict(x_test)]
            gold[topic] += [topic in s.labels for s in test]
    ruled = score([s for block in blocks for s in block], rules).table()
    print(f"{args.corpus}: {args.folds} blocks of consecutive ids, each scored by a model trained "
          "on the others")
    print(f"  {'topic':15} {'model F1':>9} {'rules F1':>9}  "
          "(rules: not trained, but written looking at this corpus)")
    for topic in topics:
        print(f"  {topic:15} {f1(gold[topic], model[topic]):9.3f} {ruled[topic]['f1']:9.3f}")


if __name__ == "__main__":
    main()
