"""The archive scan every `import` and `update` starts with (once: the build reads the
pages itself).

Copies the golden article pages into N pages under a temporary docs/articles and times
`scan_archive` cold (no cache), after every page got new file times (a fresh checkout with
its cache restored, as the nightly workflow does) and warm (from its cache), as CPU
seconds, best of three. The baseline, in the same run, is the floor any reader pays:
libyaml parsing the same front matter with no checks at all.

    python -m benchmarks.archive_scan [--pages 10000]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from scraper.write.archiveindex import CACHE_FILE, scan_archive

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden"


def best_cpu(run: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    times = []
    for _ in range(3):
        before()
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=10_000)
    n = parser.parse_args().pages
    golden = sorted(GOLDEN.glob("*/*.md"))
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        folder = docs / "articles"
        folder.mkdir(parents=True)
        for i in range(n):
            text = golden[i % len(golden)].read_text(encoding="utf-8")
            (folder / f"page-{i}.md").write_text(text.replace("\nid: ", f"\nid: n{i}", 1),
                                                 encoding="utf-8")
        cache = folder / CACHE_FILE
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        def bare() -> None:
            for path in folder.glob("*.md"):
                yaml.load(path.read_text(encoding="utf-8").split("\n---\n", 1)[0][4:], loader)

        def new_times() -> None:
            for path in folder.glob("*.md"):
                os.utime(path)

        floor = best_cpu(bare)
        cold = best_cpu(lambda: scan_archive(docs), lambda: cache.unlink(missing_ok=True))
        checkout = best_cpu(lambda: scan_archive(docs), new_times)
        time.sleep(3)  # the pages settle: a page changed just before a scan is read again
        scan_archive(docs)
        warm = best_cpu(lambda: scan_archive(docs))
    print(f"{n} pages, CPU seconds, best of 3")
    print(f"bare libyaml parse (baseline): {floor:.2f}")
    print(f"scan, no cache:   {cold:.2f}  ({cold / floor:.2f}x the baseline)")
    print(f"scan, new times:  {checkout:.2f}  ({checkout / floor:.2f}x the baseline)")
    print(f"scan, from cache: {warm:.2f}  ({warm / floor:.2f}x the baseline)")


if __name__ == "__main__":
    main()
