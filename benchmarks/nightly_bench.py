"""The nightly job on a large archive: `scraper update` of 50 new articles, then the build.

    python -m benchmarks.nightly_bench PROJECT_DIR [--new 50] [--update-only] [--old-site]

PROJECT_DIR is a project with a docs/ archive (e.g. from `benchmarks.site_scale --keep DIR`,
then DIR/project). Serves 50 new synthetic articles on 127.0.0.1, runs `scraper update`,
`mkdocs build --strict` (search index included) as the nightly workflow does, and prints
each step's wall time and peak memory. `--update-only` stops after the update (the build's
cost is measured on its own elsewhere).

The workflow's build job starts from a fresh checkout, which has no `site/`; so the site of
the previous run is moved aside (a rename) before the build and deleted after it, untimed.
Otherwise MkDocs' cleaning of the old `site/` (one unlink per page, one rmdir per folder)
would be counted, a cost the nightly never pays. `--old-site` keeps it, as a local rebuild
over an existing `site/` pays it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import yaml

from benchmarks.measure import measured
from benchmarks.synth import FIRST_DAY, PER_DAY
from benchmarks.update_bench import build_routes, serve


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("project", type=Path)
    parser.add_argument("--new", type=int, default=50)
    parser.add_argument("--update-only", action="store_true")
    parser.add_argument("--old-site", action="store_true",
                        help="build over the previous site/ (MkDocs cleans it, timed)")
    args = parser.parse_args()
    root = args.project.resolve()
    before = len(list((root / "docs" / "articles").glob("*.md")))
    routes: dict[str, bytes] = {}
    server, hits = serve(routes)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    # The night's news: new ids, above the archive's, dated the day after its last day (the
    # synthetic archive has 50 articles a day from FIRST_DAY).
    ids = [int(m[1]) for p in (root / "docs" / "articles").glob("*.md")
           if (m := re.search(r"-(\d+)$", p.stem))]
    start = max([9_000_000, *(i + 1 for i in ids)])
    fresh = build_routes(args.new, base, start_id=start,
                         first=FIRST_DAY + timedelta(days=-(-before // PER_DAY)))
    routes.update(fresh)
    cfg = root / "nightly.yml"
    cfg.write_text(yaml.safe_dump({
        "user_agent": "Bench/0.1 (+https://example.org)", "docs": "docs", "state_dir": ".scraper",
        "min_delay": 0, "max_delay": 0, "retries": 0, "allow_hosts": ["127.0.0.1"],
        "sources": [{"name": "listing", "type": "listing", "url": f"{base}/listing-1.html",
                     "link_pattern": r"^/post/\d+$", "pages": 5},
                    {"name": "feed", "type": "feed", "url": f"{base}/rss.xml"}]}))
    steps = [("scraper update", [sys.executable, "-m", "scraper.cli", "update", "--config", str(cfg)]),
             ("mkdocs build --strict", [sys.executable, "-m", "mkdocs", "build", "--strict"])]
    if args.update_only:
        steps = steps[:1]
    total = 0.0
    where = ("over the previous site/" if args.old_site
             else "into a fresh site/, as in the workflow's checkout")
    print(f"archive of {before} articles, {args.new} new from 127.0.0.1; built {where}")
    aside = root / ".site-previous"
    for label, cmd in steps:
        if label.startswith("mkdocs") and not args.old_site and (root / "site").is_dir():
            shutil.rmtree(aside, ignore_errors=True)
            (root / "site").rename(aside)
        run = measured(cmd, root)
        total += run.seconds
        print(f"{label:24} {run.seconds:7.1f} s  peak {run.peak_mb:5d} MB  {run.peak_by_program}")
        for line in run.output.splitlines():  # what the build made again, what it took from the cache
            if "Search index:" in line or "Article pages:" in line:
                print(f"{'':24} {line.split('-  ', 1)[-1]}")
    report = json.loads((root / ".scraper" / "report.json").read_text())
    after = len(list((root / "docs" / "articles").glob("*.md")))
    print(f"{'total':24} {total:7.1f} s   articles {before} → {after}, totals {report['totals']}")
    server.shutdown()
    shutil.rmtree(aside, ignore_errors=True)


if __name__ == "__main__":
    main()
