"""The site at scale: N synthetic articles imported, built, indexed; time, memory, page weight.

    python -m benchmarks.site_scale [--articles 10000] [--keep DIR [--reuse]] [--baseline [search] [blog]]

Prints and writes benchmarks/results/site_scale_N.json: import time; `mkdocs build` time
(search index included) and peak memory of MkDocs, Pagefind and both; the largest article
page, the largest listing page. `--baseline` builds the same articles again, in the same
run, the stock ways (Material with its search plugin, every page through Python-Markdown;
the articles as posts of Material's blog plugin) and prints our time as ratios of theirs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml
from mkdocs.config import load_config
from mkdocs.structure.files import get_files
from mkdocs.utils.yaml import yaml_load

from benchmarks.measure import measured
from benchmarks.synth import generate
from scraper.pipeline import import_pages
from scraper.tag import load_rules

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"

def project(tmp: Path) -> Path:
    """The project folder with this checkout's configuration and theme overrides (the plugin
    comes with the installed package)."""
    root = tmp / "project"
    for name in ("mkdocs.yml", "overrides", "docs/about.md"):
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / name, target)
        else:
            shutil.copy(ROOT / name, target)
    return root


def generated_pages(root: Path) -> dict[str, str]:
    """The pages and feeds our plugin adds to the build of `root`."""
    config = load_config(str(root / "mkdocs.yml"))
    config.plugins.on_startup(command="build", dirty=False)
    config = config.plugins.on_config(config)
    files = config.plugins.on_files(get_files(config), config=config)
    return {f.src_uri: f.content_string for f in files if f.generated_by}


def baseline_project(root: Path) -> Path:
    """The same docs built the plain way: stock Material, its search plugin, Python-Markdown."""
    base = root.parent / "baseline"
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(root / "docs", base / "docs", copy_function=os.link)  # the same files
    for rel, text in generated_pages(root).items():  # as files: what our plugin makes
        (base / "docs" / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / "docs" / rel).write_text(text, encoding="utf-8")
    config = yaml_load((root / "mkdocs.yml").read_text())  # MkDocs' loader: it knows !ENV
    for key in ("theme", "strict"):
        config.pop(key, None)
    config["theme"] = {"name": "material", "features": ["navigation.tabs"]}
    config["plugins"] = ["search"]
    (base / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return base


def blog_project(root: Path) -> Path:
    """The same articles as posts of Material's blog plugin, with its search plugin."""
    base = root.parent / "baseline-blog"
    shutil.rmtree(base, ignore_errors=True)
    posts = base / "docs" / "blog" / "posts"
    posts.mkdir(parents=True)
    for article in (root / "docs" / "articles").glob("*.md"):
        os.link(article, posts / article.name)  # hard links: the same files, no copying
    (base / "docs" / "index.md").write_text("# Home\n")
    (base / "docs" / "blog" / "index.md").write_text("# Blog\n")
    config = {"site_name": "Baseline blog", "theme": {"name": "material", "features": ["navigation.tabs"]},
              "plugins": ["search", {"blog": {"authors": False}}]}
    (base / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False))
    return base


def baseline_build(base: Path, article_pages: str) -> dict[str, float]:
    shutil.rmtree(base / "site", ignore_errors=True)
    run = measured([sys.executable, "-m", "mkdocs", "build"], base)
    index = base / "site" / "search" / "search_index.json"
    return {"build_s": round(run.seconds, 1), "peak_mb": run.peak_mb,
            "search_index_mb": round(index.stat().st_size / 2**20, 1),
            "article_page_kb_max": round(max(p.stat().st_size for p in (base / "site").glob(article_pages))
                                         / 1024, 1)}


def import_synthetic(root: Path, tmp: Path, articles: int) -> dict[str, object]:
    pages_dir = tmp / "pages"
    pages_dir.mkdir(exist_ok=True)
    start = time.perf_counter()
    pages = []
    for kind, article_id, html in generate(articles):
        path = pages_dir / f"{kind}-{article_id}.html"
        path.write_text(html, encoding="utf-8")
        url = (f"https://en.tmtpost.com/post/{article_id}" if kind == "en"
               else f"https://www.tmtpost.com/{article_id}.html")
        pages.append((path, url))
    generated = time.perf_counter() - start
    start = time.perf_counter()
    counts = import_pages(pages, root / "docs", load_rules())
    return {"written": dict(counts.by_status), "generate_s": round(generated, 1),
            "import_s": round(time.perf_counter() - start, 1)}


def weights(site: Path) -> dict[str, object]:
    articles = [p.stat().st_size for p in (site / "articles").glob("*/index.html")]
    listings = {str(p.relative_to(site)): p.stat().st_size for d in ("topics", "archive", "digest")
                for p in (site / d).glob("*/index.html")}
    biggest_listing = max(listings.items(), key=lambda kv: kv[1])
    return {
        "article_page_kb_max": round(max(articles) / 1024, 1),
        "article_page_kb_mean": round(sum(articles) / len(articles) / 1024, 1),
        "largest_listing": [biggest_listing[0], round(biggest_listing[1] / 1024, 1)],
        "site_mb": round(sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: build the archive imported by an earlier run again")
    parser.add_argument("--baseline", nargs="*", choices=["search", "blog"],
                        help="also build the same articles the stock ways: Material with its search "
                             "plugin (search), as posts of its blog plugin (blog); both when bare")
    args = parser.parse_args()
    baselines = ["search", "blog"] if args.baseline == [] else args.baseline or []
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="scale-"))
    tmp.mkdir(parents=True, exist_ok=True)
    root = project(tmp)
    reuse = args.reuse and (root / "docs" / "articles").is_dir()
    result: dict[str, object] = {"articles": args.articles}
    if reuse:
        result["articles"] = len(list((root / "docs" / "articles").glob("*.md")))
    else:
        result.update(import_synthetic(root, tmp, args.articles))
    shutil.rmtree(root / "site", ignore_errors=True)
    shutil.rmtree(root / ".cache", ignore_errors=True)  # a full build: no search part is cached
    build = measured([sys.executable, "-m", "mkdocs", "build", "--strict"], root)
    result.update({
        "full_build_s": round(build.seconds, 1),  # `mkdocs build`, search index included
        "build_peak_mb": build.peak_mb,  # MkDocs and Pagefind together
        "build_peak_mb_by_program": build.peak_by_program,
        "search_parts": len(json.loads((root / "site" / "pagefind" / "parts.json").read_text())["parts"]),
        **weights(root / "site"),
    })
    print(json.dumps(result), flush=True)  # the full build's figures, before the longer runs
    again = measured([sys.executable, "-m", "mkdocs", "build", "--strict"], root)
    result.update({"rebuild_no_change_s": round(again.seconds, 1),  # every search part cached
                   "rebuild_no_change_peak_mb": again.peak_mb})
    for name, make, pages in (("search", baseline_project, "articles/*/index.html"),
                              ("blog", blog_project, "blog/20*/**/index.html")):
        if name in baselines:
            figures = baseline_build(make(root), pages)
            result[f"baseline_material_{name}"] = figures
            result[f"build_time_vs_{name}_baseline"] = round(build.seconds / figures["build_s"], 2)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"site_scale_{args.articles}.json").write_text(json.dumps(result, indent=2) + "\n")
    for key, value in result.items():
        print(f"{key:28} {value}")
    if not args.keep:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
