"""Extraction + tagging throughput against trafilatura on the same TMTPost pages.

Both run in this process on the same bytes; the figure that matters is the ratio.

    python -m benchmarks.extract_speed [--rounds N]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from scraper.extract import extract_article
from scraper.fetch.files import gunzip_capped
from scraper.models import RawPage
from scraper.tag import load_rules

PAGES = sorted(Path("tests/fixtures/tmtpost").glob("*.html*")) + sorted(Path("samples").glob("*.html"))


def load() -> list[bytes]:
    return [gunzip_capped(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes() for p in PAGES]


def rate(fn: Callable[[bytes], object], pages: list[bytes], rounds: int) -> float:
    fn(pages[0])  # warm caches and lazy imports outside the timing
    start = time.perf_counter()
    for _ in range(rounds):
        for page in pages:
            fn(page)
    return rounds * len(pages) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    pages = load()
    rules = load_rules()

    def ours(data: bytes) -> object:
        return rules.tag(extract_article(RawPage("bench", data)))

    def baseline(data: bytes) -> object:
        return trafilatura.extract(data, include_comments=False)

    base = rate(baseline, pages, rounds)
    mine = rate(ours, pages, rounds)
    print(f"{len(pages)} TMTPost pages x {rounds} rounds")
    print(f"trafilatura.extract        {base:8.1f} pages/s")
    print(f"scraper extract + tag      {mine:8.1f} pages/s")
    print(f"ratio                      {mine / base:8.2f}x")


if __name__ == "__main__":
    main()
