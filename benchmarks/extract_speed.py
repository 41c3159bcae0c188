"""Extraction + tagging throughput against trafilatura on the same TMTPost pages.

Both run in this process on the same bytes; the figure that matters is the ratio.

    python -m benchmarks.extract_speed [--rounds N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura
import yaml

from scraper.fetch.files import gunzip_capped
from scraper.models import RawPage
from scraper.sites.dispatch import extract_article
from scraper.tag import load_rules
from scraper.urls import forget_parsed

PAGES = sorted(Path("tests/fixtures/tmtpost").glob("*.html*")) + sorted(Path("samples").glob("*.html"))


def load() -> list[tuple[bytes, str | None]]:
    """The pages with the addresses they were fetched from, as in a real run."""
    urls: dict[str, str | None] = {}
    for expect in Path("tests/fixtures/tmtpost").glob("*.expect.yml"):
        urls[expect.name.removesuffix(".expect.yml")] = yaml.safe_load(expect.read_text()).get("url")
    urls.update(yaml.safe_load(Path("samples/urls.yml").read_text()) or {})
    out = []
    for p in PAGES:
        data = gunzip_capped(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        out.append((data, urls.get(p.name, urls.get(p.name.split(".")[0]))))
    return out


def timed(fn: Callable[[tuple[bytes, str | None]], object],
          pages: list[tuple[bytes, str | None]]) -> float:
    start = time.perf_counter()
    for page in pages:
        fn(page)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    pages = load()
    rules = load_rules()

    def ours(page: tuple[bytes, str | None]) -> object:
        forget_parsed()  # every page's addresses as new, as in a real run
        return rules.tag(extract_article(RawPage("bench", page[0], url=page[1])))

    def baseline(page: tuple[bytes, str | None]) -> object:
        return trafilatura.extract(page[0], url=page[1], include_comments=False)

    baseline(pages[0])  # warm caches and lazy imports outside the timing
    ours(pages[0])
    # Rounds alternate between the two, so drift in machine load hits both alike.
    base_times, our_times = [], []
    for _ in range(rounds):
        base_times.append(timed(baseline, pages))
        our_times.append(timed(ours, pages))
    base = len(pages) / statistics.median(base_times)
    mine = len(pages) / statistics.median(our_times)
    ratios = sorted(b / o for b, o in zip(base_times, our_times, strict=True))
    print(f"{len(pages)} TMTPost pages x {rounds} rounds (median of alternating rounds)")
    print(f"trafilatura.extract        {base:8.1f} pages/s")
    print(f"scraper extract + tag      {mine:8.1f} pages/s")
    print(f"ratio                      {mine / base:8.2f}x  "
          f"(per-round range {ratios[0]:.2f}x to {ratios[-1]:.2f}x)")


if __name__ == "__main__":
    main()
