"""Precision, recall and F1 of the topic tagger on the labelled article sets.

Each labelled article is laid out as a TMTPost text dump (byline, title, dek, credit, body,
and its sidebar headlines as the "Related Posts" footer) and goes through the whole
pipeline, so chrome removal is measured together with the tagger.

    python -m benchmarks.tag_eval [tests/fixtures/topics/labelled.yml ...] [--errors]
"""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from scraper.models import RawPage
from scraper.sites.dispatch import extract_article
from scraper.tag import TopicRules, load_rules

SETS = [Path("tests/fixtures/topics/labelled.yml"), Path("tests/fixtures/topics/holdout.yml")]


def as_text_dump(item: dict[str, Any]) -> str:
    lines = ["Reporter Desk ・ Mar. 3, 2024", item["title"]]
    if item.get("summary"):
        lines.append(item["summary"])
    lines += ["Image Source : Visual China Group", ""]
    lines += [p.strip() for p in str(item["body"]).split("\n\n") if p.strip()]
    if item.get("sidebar"):
        lines += ["LIKE 0", "Related Posts"]
        for headline in item["sidebar"]:
            lines += [headline, headline]
        lines.append("  • Subscribe To Our News")
    return "\n".join(lines)


def predict(item: dict[str, Any], rules: TopicRules) -> set[str]:
    page = RawPage(source=item["id"], content=as_text_dump(item).encode("utf-8"), is_text_dump=True,
                   url=f"https://en.tmtpost.com/post/{7000000 + zlib.crc32(item['id'].encode()) % 999999}")
    return set(rules.tag(extract_article(page)).tags)


def evaluate(items: Iterable[dict[str, Any]], rules: TopicRules) -> tuple[dict[str, dict[str, float]],
                                                                        list[str]]:
    counts = {t.id: {"tp": 0, "fp": 0, "fn": 0} for t in rules.topics}
    mistakes = []
    for item in items:
        want, got = set(item.get("topics") or []), predict(item, rules)
        for topic, c in counts.items():
            if topic in got and topic in want:
                c["tp"] += 1
            elif topic in got:
                c["fp"] += 1
                mistakes.append(f"{item['id']}: extra {topic} ({item.get('note', '')})")
            elif topic in want:
                c["fn"] += 1
                mistakes.append(f"{item['id']}: missed {topic} ({item.get('note', '')})")
    scores = {}
    for topic, c in counts.items():
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        scores[topic] = {"precision": p, "recall": r, "f1": f1, "support": c["tp"] + c["fn"]}
    return scores, mistakes


def main(argv: list[str]) -> None:
    show_errors = "--errors" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or SETS
    rules = load_rules()
    for path in paths:
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        scores, mistakes = evaluate(items, rules)
        print(f"{path} ({len(items)} articles)")
        print(f"  {'topic':15} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
        for topic, s in scores.items():
            print(f"  {topic:15} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:6.3f} "
                  f"{s['support']:8.0f}")
        if show_errors:
            for m in mistakes:
                print("   ", m)


if __name__ == "__main__":
    main(sys.argv[1:])
