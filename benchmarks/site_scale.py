"""The site at scale: N synthetic articles imported, built, indexed; time, memory, page weight.

    python -m benchmarks.site_scale [--articles 10000] [--keep DIR]

Prints and writes benchmarks/results/site_scale_N.json: import time, MkDocs build time and
peak memory, search indexing time and peak memory, the largest article page, the largest
listing page, and the search files a first query needs.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import measured
from benchmarks.synth import generate
from scraper.pipeline import import_pages
from scraper.tag import load_rules

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

def project(tmp: Path) -> Path:
    root = tmp / "project"
    root.mkdir()
    for name in ("mkdocs.yml", "overrides", "scraper/mkdocs_hooks.py", "docs/about.md"):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target)
        else:
            shutil.copy(ROOT / name, target)
    return root


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    args = parser.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    root = project(tmp)
    pages_dir = tmp / "pages"
    pages_dir.mkdir(exist_ok=True)
    start = time.perf_counter()
    pages = []
    for kind, article_id, html in generate(args.articles):
        path = pages_dir / f"{kind}-{article_id}.html"
        path.write_text(html, encoding="utf-8")
        url = (f"https://en.tmtpost.com/post/{article_id}" if kind == "en"
               else f"https://www.tmtpost.com/{article_id}.html")
        pages.append((path, url))
    generated = time.perf_counter() - start
    start = time.perf_counter()
    counts = import_pages(pages, root / "docs", load_rules())
    imported = time.perf_counter() - start
    build = measured([sys.executable, "-m", "mkdocs", "build", "--strict"], root)
    site = root / "site"
    articles = [p.stat().st_size for p in (site / "articles").glob("*/index.html")]
    listings = {str(p.relative_to(site)): p.stat().st_size for d in ("topics", "archive", "digest")
                for p in (site / d).glob("*/index.html")}
    biggest_listing = max(listings.items(), key=lambda kv: kv[1])
    material_index = site / "search" / "search_index.json"
    result = {
        "articles": args.articles, "written": dict(counts.by_status),
        "generate_s": round(generated, 1), "import_s": round(imported, 1),
        "full_build_s": round(build.seconds, 1),  # `mkdocs build`, search index included
        "build_peak_mb": build.peak_mb,  # MkDocs and Pagefind together
        "build_peak_mb_by_program": build.peak_by_program,
        "article_page_kb_max": round(max(articles) / 1024, 1),
        "article_page_kb_mean": round(sum(articles) / len(articles) / 1024, 1),
        "largest_listing": [biggest_listing[0], round(biggest_listing[1] / 1024, 1)],
        "material_search_index_mb": round(material_index.stat().st_size / 2**20, 1)
        if material_index.exists() else None,
        "site_mb": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20, 1),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"site_scale_{args.articles}.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:28} {value}")
    if not args.keep:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
