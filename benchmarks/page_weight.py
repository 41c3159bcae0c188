"""What a page costs a reader: its HTML and the CSS and JS it links, gzip-compressed.

    python -m benchmarks.page_weight SITE_DIR [SITE_DIR ...] [--article NAME]

For each built site: the home page, the newest daily digest and one article (the same
article name in every site, default tmtpost-7286540, so sites compare), read from disk.
Sizes are gzip level 6 (what web servers send). "blocking 3rd-party" counts stylesheets and
synchronous scripts in the page's head served from another host: the page paints nothing
until they load. "site files" is the size of the whole site folder, uncompressed, which
shows assets shipped but never fetched. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []
        self.blocking_external = 0
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "head":
            self.in_head = True
        href, src = a.get("href") or "", a.get("src") or ""
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split():
            self.css.append(href)
            self.blocking_external += self.in_head and bool(urlsplit(href).netloc)
        if tag == "script" and src:
            self.js.append(src)
            sync = "async" not in a and "defer" not in a and a.get("type") != "module"
            self.blocking_external += self.in_head and sync and bool(urlsplit(src).netloc)

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def local(site: Path, page: Path, ref: str) -> Path | None:
    if urlsplit(ref).netloc or urlsplit(ref).scheme:
        return None
    rel = page.relative_to(site).as_posix()
    path = urlsplit(urljoin("/" + rel, ref)).path.lstrip("/")
    target = site / path
    return target / "index.html" if target.is_dir() else target


def weigh(site: Path, page: Path) -> dict[str, int]:
    html = page.read_bytes()
    links = Links()
    links.feed(html.decode("utf-8"))
    out = {"html": gz(html), "css": 0, "js": 0, "blocking": links.blocking_external}
    for kind, refs in (("css", links.css), ("js", links.js)):
        for ref in dict.fromkeys(refs):
            target = local(site, page, ref)
            if target is not None and target.is_file():
                out[kind] += gz(target.read_bytes())
    return out


def pages(site: Path, article: str) -> dict[str, Path]:
    digests = sorted(p for p in (site / "digest").glob("20*/index.html"))
    found = {"home": site / "index.html", "article": site / "articles" / article / "index.html"}
    if digests:
        found["digest"] = digests[-1]
    return found


def site_bytes(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sites", nargs="+", type=Path)
    parser.add_argument("--article", default="tmtpost-7286540")
    args = parser.parse_args(argv)
    print("| site | page | HTML gz | CSS gz | JS gz | total gz | blocking 3rd-party |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for site in args.sites:
        for name, page in pages(site, args.article).items():
            if not page.is_file():
                print(f"page_weight: {page}: not found", file=sys.stderr)
                continue
            w = weigh(site, page)
            total = w["html"] + w["css"] + w["js"]
            print(f"| {site} | {name} | {w['html'] / 1024:.1f} KB | {w['css'] / 1024:.1f} KB | "
                  f"{w['js'] / 1024:.1f} KB | {total / 1024:.1f} KB | {w['blocking']} |")
    print()
    for site in args.sites:
        print(f"site files, {site}: {site_bytes(site) / 1024:.0f} KB uncompressed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
