"""What each hostile input does to a run: result, time and peak memory, one row per input.

    python -m benchmarks.hostile_table [--markdown]

Each page goes through read → extract → tag → render → write into a scratch docs folder;
feeds through feed discovery. Peak memory is Python's own allocation peak (tracemalloc).
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml

from scraper.errors import ScraperError
from scraper.fetch.discover import feed_links
from scraper.pipeline import import_pages
from scraper.tag import load_rules

HOSTILE = Path("tests/fixtures/hostile")


def run_entry(entry: dict, rules, scratch: Path) -> str:  # type: ignore[no-untyped-def, type-arg]
    path = HOSTILE / entry["file"]  # an absolute name (generated input) stays as it is
    if entry["kind"] == "feed":
        try:
            found = feed_links(path.read_bytes(), "https://www.tmtpost.com/rss.xml")
        except ScraperError as exc:
            return f"refused: {exc}"[:90]
        return f"{len(found.links)} item(s) read" + (" (malformed, warned)" if found.warnings else "")
    docs = scratch / "docs" / Path(entry["file"]).name
    counts = import_pages([(path, None)], docs, rules)
    if counts.errors:
        return f"refused: {counts.errors[0][1]}"[:90]
    return "article written (tests/test_hostile.py builds and checks it)"


def main() -> None:
    rules = load_rules()
    entries = [e for e in yaml.safe_load((HOSTILE / "manifest.yml").read_text())
               if "generate" not in e]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "big-50MB.html"
        with big.open("wb") as fh:
            fh.write(b"<html><body>")
            while fh.tell() < 50 * 2**20:
                fh.write(b"<p>" + b"word " * 2000 + b"</p>\n")
        items = "".join(f"<item><title>t{i}</title><link>https://www.tmtpost.com/{7_000_000 + i}.html"
                        f"</link></item>" for i in range(10_000))
        feed = Path(tmp) / "feed-10000.xml"
        feed.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}'
                        "</channel></rss>")
        entries += [{"file": str(big), "kind": "html", "attack": "a 50 MB page"},
                    {"file": str(feed), "kind": "feed", "attack": "a feed of 10,000 items"}]
        for entry in entries:
            tracemalloc.start()
            start = time.perf_counter()
            outcome = run_entry(entry, rules, Path(tmp))
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            name = Path(entry["file"]).name if Path(entry["file"]).is_absolute() else entry["file"]
            rows.append((name, entry["attack"].split(";")[0][:60], outcome, seconds, peak))
    if "--markdown" in sys.argv:
        print("| input | attack | what happened | time s | peak MB |")
        print("| --- | --- | --- | ---: | ---: |")
        for name, attack, outcome, seconds, peak in rows:
            print(f"| {name} | {attack} | {outcome.replace('|', '/')} | {seconds:.2f} | {peak:.1f} |")
    else:
        for name, _, outcome, seconds, peak in rows:
            print(f"{name:34} {seconds:6.2f}s {peak:7.1f}MB  {outcome}")


if __name__ == "__main__":
    main()
