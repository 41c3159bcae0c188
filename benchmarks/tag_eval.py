"""Precision, recall and F1 of the topic tagger, through the whole pipeline.

Two kinds of labelled set:

- our own YAML sets (tests/fixtures/topics/*.yml): each article is laid out as a TMTPost text
  dump (byline, title, dek, credit, body, sidebar headlines) so chrome removal is measured
  together with the tagger;
- a real corpus folder (--corpus DIR): DIR/labels.tsv (`texts/NNN.txt<TAB>labels<TAB>title
  <TAB>note`) and DIR/texts/NNN.txt (`URL: <address>`, a blank line, the title line, the
  text), read as a saved text page from that address. DIR/RUBRIC.md defines the labels.

`--folds K` also scores K blocks of consecutive story ids on their own: rules are developed
looking at one block's mistakes and judged on the blocks never looked at. Neighbouring ids
often tell the same event, so whole blocks, not interleaved ids, are held out.

    python -m benchmarks.tag_eval [SET.yml ...] [--errors]
    python -m benchmarks.tag_eval --corpus ../shared/corpus/tagging-dev [--folds 2] [--errors]
"""

from __future__ import annotations

import argparse
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scraper.errors import ScraperError
from scraper.models import RawPage
from scraper.sites.dispatch import extract_article
from scraper.tag import TopicRules, load_rules

SETS = [Path("tests/fixtures/topics/labelled.yml"), Path("tests/fixtures/topics/holdout.yml")]
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "tagging-dev"
SLUG_TITLE = "[title from URL]"


@dataclass(frozen=True)
class Story:
    """One labelled story, ready to go through the pipeline."""

    id: str
    title: str  # as listed in the labels, for the report
    labels: frozenset[str]
    note: str
    page: RawPage


@dataclass(frozen=True)
class Mistake:
    story: Story
    got: tuple[str, ...]
    evidence: str  # per topic concerned, the terms the tagger counted

    def line(self) -> str:
        want = ",".join(sorted(self.story.labels)) or "none"
        return (f"{self.story.id}  {self.story.title[:70]}\n"
                f"      expected {want}, got {','.join(self.got) or 'none'}; evidence: "
                f"{self.evidence or '-'}")


@dataclass
class Scores:
    counts: dict[str, dict[str, int]]
    mistakes: dict[str, list[Mistake]]  # per topic: its false positives and misses

    def row(self, topic: str) -> dict[str, float]:
        c = self.counts[topic]
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f1, "support": c["tp"] + c["fn"],
                "fp": c["fp"], "fn": c["fn"]}

    def table(self) -> dict[str, dict[str, float]]:
        return {t: self.row(t) for t in self.counts}


# --- our own YAML sets ------------------------------------------------------------------


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


def yaml_stories(items: Iterable[dict[str, Any]]) -> list[Story]:
    stories = []
    for item in items:
        url = f"https://en.tmtpost.com/post/{7000000 + zlib.crc32(item['id'].encode()) % 999999}"
        page = RawPage(source=item["id"], content=as_text_dump(item).encode("utf-8"),
                       is_text_dump=True, url=url)
        stories.append(Story(item["id"], item["title"], frozenset(item.get("topics") or ()),
                             item.get("note", ""), page))
    return stories


# --- a real corpus folder -------------------------------------------------------------------


def corpus_page(path: Path) -> RawPage:
    """A corpus text as the saved text page it stands for, fetched from its URL line.

    A title line the labeller made up for a page without one stays a title that names no
    topic ("[no title]"); "[title from URL] words" keeps the words, as the address gives them.
    """
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0].startswith("URL:"):
        raise ValueError(f"{path}: the first line is not 'URL: <address>'")
    url = lines[0].removeprefix("URL:").strip()
    rest = lines[1:]
    while rest and not rest[0].strip():
        rest.pop(0)
    if rest and rest[0].startswith(SLUG_TITLE):
        rest[0] = rest[0].removeprefix(SLUG_TITLE).strip()
    return RawPage(source=str(path), content="\n".join(rest).encode("utf-8"), url=url,
                   is_text_dump=True)


def corpus_stories(folder: Path) -> list[Story]:
    labels = folder / "labels.tsv"
    if not labels.is_file():
        raise FileNotFoundError(f"{labels}: no such file (is the corpus beside the repository?)")
    stories = []
    for number, line in enumerate(labels.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            raise ValueError(f"{labels}:{number}: expected file, labels, title and note")
        name, tags, title = fields[:3]
        wanted = frozenset(t.strip() for t in tags.split(",") if t.strip() not in ("", "none"))
        stories.append(Story(Path(name).stem, title, wanted, fields[3] if len(fields) > 3 else "",
                             corpus_page(folder / name)))
    return stories


# --- scoring ----------------------------------------------------------------------------------


def tag_story(story: Story, rules: TopicRules) -> tuple[tuple[str, ...], dict[str, str]]:
    """The topics the pipeline gives the story, and per topic its score and terms."""
    try:
        article = extract_article(story.page)
    except ScraperError:
        return (), {}  # the pipeline refused the page: it is published under no topic
    weighed = rules.weigh(article)
    shown = {s.topic: f"{s.score:.1f} of {s.needed:.1f}: "
             + ", ".join(f"{e.term}×{e.count}" for e in s.evidence[:8]) for s in weighed}
    return rules.tag(article).tags, shown


def score(stories: Iterable[Story], rules: TopicRules) -> Scores:
    topics = [t.id for t in rules.topics]
    scores = Scores({t: {"tp": 0, "fp": 0, "fn": 0} for t in topics}, {t: [] for t in topics})
    for story in stories:
        got, shown = tag_story(story, rules)
        for topic in topics:
            hit, wanted = topic in got, topic in story.labels
            kind = "tp" if hit and wanted else "fp" if hit else "fn" if wanted else None
            if kind is None:
                continue
            scores.counts[topic][kind] += 1
            if kind != "tp":
                scores.mistakes[topic].append(Mistake(story, got, shown.get(topic, "")))
    return scores


def evaluate(items: Iterable[dict[str, Any]], rules: TopicRules) -> tuple[dict[str, dict[str, float]],
                                                                        list[str]]:
    """Scores of a YAML set and its mistakes as one line each (kept for the tests)."""
    scores = score(yaml_stories(items), rules)
    mistakes = [f"{m.story.id}: {'extra' if topic in m.got else 'missed'} {topic} ({m.story.note})"
                for topic, ms in scores.mistakes.items() for m in ms]
    return scores.table(), mistakes


def folds(stories: Sequence[Story], k: int) -> list[list[Story]]:
    """k blocks of consecutive ids, as even in size as they can be."""
    ordered = sorted(stories, key=lambda s: s.id)
    size, extra = divmod(len(ordered), k)
    out, start = [], 0
    for i in range(k):
        end = start + size + (i < extra)
        out.append(ordered[start:end])
        start = end
    return out


def report(name: str, scores: Scores, count: int, show_errors: bool) -> list[str]:
    lines = [f"{name} ({count} stories)",
             f"  {'topic':15} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8} {'FP':>4} {'FN':>4}"]
    for topic, s in scores.table().items():
        lines.append(f"  {topic:15} {s['precision']:9.3f} {s['recall']:7.3f} {s['f1']:6.3f} "
                     f"{s['support']:8.0f} {s['fp']:4.0f} {s['fn']:4.0f}")
    if show_errors:
        for topic, mistakes in scores.mistakes.items():
            if mistakes:
                lines.append(f"  wrong for {topic}:")
                lines += [f"    {m.line()}" for m in mistakes]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tag_eval", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path, help="YAML sets (default: our two)")
    parser.add_argument("--corpus", type=Path, help="a folder with labels.tsv and texts/")
    parser.add_argument("--folds", type=int, default=0, help="also score K blocks of ids")
    parser.add_argument("--errors", action="store_true", help="list the wrong stories")
    parser.add_argument("--topics", type=Path, help="topic rules file (default: the packaged)")
    args = parser.parse_args(argv)
    rules = load_rules(args.topics)
    lines: list[str] = []
    if args.corpus:
        stories = corpus_stories(args.corpus)
        lines += report(str(args.corpus), score(stories, rules), len(stories), True)
        if args.folds > 1:
            for i, block in enumerate(folds(stories, args.folds), 1):
                name = f"fold {i}/{args.folds}: ids {block[0].id}-{block[-1].id}"
                lines += report(name, score(block, rules), len(block), args.errors)
    for path in args.sets or ([] if args.corpus else SETS):
        items = yaml.safe_load(path.read_text(encoding="utf-8"))
        stories = yaml_stories(items)
        lines += report(str(path), score(stories, rules), len(stories), args.errors)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
