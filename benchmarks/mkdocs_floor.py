"""What MkDocs itself costs per page, with none of our code: the floor under any build.

    python -m benchmarks.mkdocs_floor [--pages 10000 50000] [--nightly-10k SECONDS]

For each count, makes a project of that many empty Markdown pages (outside the navigation,
as our articles are), with Material, our `markdown_extensions` and a `main.html` that prints
only the page's title and (empty) content, and no plugin; then times `mkdocs build --strict` into a
fresh `site/`. What is left is MkDocs' own work for every page on every build that is not
`--dirty`: a File and a Page object, a Markdown instance, the events, one template render,
a folder and a file written, the sitemap. No cache of ours can take it away, because MkDocs
does it for every documentation page it is given.

With `--nightly-10k S` (the nightly at 10,000 from benchmarks/results/nightly_10000.txt)
it prints whether the floor at the largest count already exceeds 1.5 times that nightly.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import yaml

from benchmarks.measure import measured

ROOT = Path(__file__).resolve().parents[1]


def project(folder: Path, pages: int) -> Path:
    ours = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", "")) or {}
    docs = folder / "docs"
    (docs / "articles").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n", encoding="utf-8")
    for n in range(pages):
        (docs / "articles" / f"page-{n:06d}.md").write_bytes(b"")
    (folder / "overrides").mkdir()
    (folder / "overrides" / "main.html").write_text(
        "<!doctype html><title>{{ page.title }}</title>{{ page.content }}\n", encoding="utf-8")
    config = {
        "site_name": "floor", "site_url": "http://127.0.0.1:8000/",
        "theme": {"name": "material", "custom_dir": "overrides", "font": False},
        "nav": [{"Home": "index.md"}], "not_in_nav": "/articles/\n",
        "markdown_extensions": ours.get("markdown_extensions", []),
        "plugins": [],
    }
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--nightly-10k", type=float, default=None)
    args = parser.parse_args()
    seconds = {}
    for pages in args.pages:
        with tempfile.TemporaryDirectory(prefix="mkdocs-floor-") as tmp:
            root = project(Path(tmp), pages)
            run = measured([sys.executable, "-m", "mkdocs", "build", "--strict"], root)
            written = len(list((root / "site" / "articles").glob("*/index.html")))
            if written != pages:  # MkDocs skips a page whose output is empty: that is no floor
                raise SystemExit(f"{pages} pages given, {written} written")
        seconds[pages] = run.seconds
        print(f"{pages:7d} empty pages: mkdocs build --strict {run.seconds:6.1f} s "
              f"({1000 * run.seconds / pages:.2f} ms a page), peak {run.peak_mb} MB")
    largest = max(seconds)
    if args.nightly_10k is not None:
        allowed = 1.5 * args.nightly_10k
        verdict = "above" if seconds[largest] > allowed else "within"
        print(f"MkDocs alone at {largest}: {seconds[largest]:.1f} s, {verdict} 1.5 x the nightly at "
              f"10,000 ({args.nightly_10k:.1f} s x 1.5 = {allowed:.1f} s)")


if __name__ == "__main__":
    main()
