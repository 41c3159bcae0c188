"""Recall and precision of the site's search, through Pagefind's JavaScript API in Chromium.

    python -m benchmarks.search_recall [--articles 1500] [--keep DIR]

Builds a site of realistic synthetic articles (benchmarks/synth.py: real sentences, about
15% Chinese), serves it on 127.0.0.1, and runs each query below through the search box's
own query treatment (`window.digestSearch.find`, which calls `pagefind.search`). For each
query it prints the truth (Chinese: every article whose title or text contains the string;
English: every article containing the word, in any form with the same English stem, the
unit Pagefind's English index matches), what the search found, recall and precision.
Targets: recall >= 0.99 and precision >= 0.95 for every query. Also the size of the index,
against the index the same articles made before (one Chinese-segmented index of each page's
HTML, `force_language: zh`), and each query's recall there, typed into `pagefind.search` as the
search box did. Results go to benchmarks/results/search_recall.{json,md}.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import snowballstemmer
import yaml
from lxml import html as lxml_html

from benchmarks.site_scale import import_synthetic, project
from scraper.mkdocs.searchindex import SearchIndex

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
RECALL_TARGET, PRECISION_TARGET = 0.99, 0.95

# Two-, three- and four-character words, company names, and strings that cross where a
# segmenter would cut (的数据, 据安全, 发布了, 用户数据), simplified and traditional.
CHINESE = ["数据", "芯片", "电池", "安全", "黑客", "泄露", "车企", "交付", "关税", "监管", "數據",
           "比亚迪", "特斯拉", "电动车", "新能源", "网信办", "大模型", "价格战",
           "数据安全", "个人信息", "网络安全", "人工智能", "出口管制", "智能驾驶", "网络攻击",
           "蔚来", "华为", "小米", "理想汽车", "宁德时代",
           "的数据", "据安全", "发布了", "用户数据", "安全审查"]
ENGLISH = ["NIO", "BYD", "Tesla", "Huawei", "Xiaomi", "Nvidia", "TSMC", "battery", "ransomware",
           "hackers", "chip", "semiconductor", "tariffs", "export", "breach", "privacy",
           "autonomous", "regulator", "lithium", "subsidies", "bitcoin", "charging", "smartphone",
           "data"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD = re.compile(r"[^\W_]+")
_STEM = snowballstemmer.stemmer("english")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass


def article_texts(docs: Path) -> dict[str, str]:
    """{site URL: title and text} of every article, read from its Markdown: the title, and the
    body between the byline and the rule before credits, topics and source."""
    texts = {}
    for path in sorted((docs / "articles").glob("*.md")):
        _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        parts = body.strip().split("\n\n")[1:]  # after the "# title" heading
        # the summary is text; the byline after it is not
        parts = parts[:1] + parts[2:] if meta.get("summary") else parts[1:]
        if "---" in parts:
            parts = parts[:len(parts) - 1 - parts[::-1].index("---")]
        text = "\n".join(parts).replace("\\", "")  # Markdown escapes
        texts[f"/articles/{path.stem}/"] = f"{meta['title']}\n{text}"
    return texts


@functools.cache
def stem(word: str) -> str:
    return str(_STEM.stemWord(word))


@functools.cache
def stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _WORD.findall(text.lower()))


def truth(query: str, texts: dict[str, str]) -> set[str]:
    if _HAN.search(query):
        return {url for url, text in texts.items() if query in text}
    wanted = stem(query.lower())
    return {url for url, text in texts.items() if wanted in stems(text)}


def exact_form(query: str, texts: dict[str, str]) -> int:
    word = re.compile(rf"\b{re.escape(query)}\b", re.I)
    return sum(1 for text in texts.values() if word.search(text))


def fragment_urls(bundle: Path) -> dict[str, str]:
    """{Pagefind page id: URL}, from the fragments (a page's id is its fragment's name)."""
    urls = {}
    for path in bundle.glob("**/fragment/*.pf_fragment"):  # one bundle, or a site's parts
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        urls[path.stem] = data["url"]
    return urls


def bundle_size(bundle: Path) -> dict[str, int]:
    files = [p for p in bundle.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "index_bytes": sum(p.stat().st_size for p in (bundle / "index").glob("*")),
            "fragment_bytes": sum(p.stat().st_size for p in (bundle / "fragment").glob("*"))}


def previous_scheme_size(site: Path, out: Path) -> dict[str, int]:
    """The index the same article pages made before: their HTML, one index segmented as Chinese."""
    index = SearchIndex({"force_language": "zh"})
    for page in sorted((site / "articles").glob("*/index.html")):
        tree = lxml_html.fromstring(page.read_bytes())
        content = tree.find_class("md-content__inner")[0]
        html = lxml_html.tostring(content, encoding="unicode")
        index.add(f"/articles/{page.parent.name}/",
                  f"<html><body><main data-pagefind-body>{html}</main></body></html>")
    index.start_writing(out)
    index.finish()
    return bundle_size(out)


# The search box's query treatment, and Pagefind's own (the query as typed), for the index before.
TREATED = "async q => (await window.digestSearch.find(q)).map(r => r.id)"
AS_TYPED = """async q => { const pf = await import('/pagefind/pagefind.js');
                          return (await pf.search(q)).results.map(r => r.id); }"""


def previous_site(site: Path, folder: Path, bundle: Path) -> Path:
    """The site with the index made before in place of today's (links, not copies)."""
    folder.mkdir(exist_ok=True)
    for item in site.iterdir():
        link = folder / item.name
        if not link.exists():
            link.symlink_to(bundle if item.name == "pagefind" else item)
    return folder


def search_all(site: Path, queries: list[str], script: str = TREATED) -> dict[str, list[str]]:
    """{query: ids of the articles found} by `script` in the site's home page."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    found = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            for query in queries:
                found[query] = page.evaluate(script, query)
            browser.close()
    finally:
        server.shutdown()
    return found


def build(root: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet"], cwd=root, check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--part-size", type=int, default=500,
                        help="articles per part of the index (the plugin's search_part_size): "
                             "several parts, merged in the browser, as on a large archive")
    args = parser.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="recall-"))
    tmp.mkdir(parents=True, exist_ok=True)
    root = project(tmp)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - scraper:\n", f"  - scraper:\n      search_part_size: {args.part_size}\n", 1), encoding="utf-8")
    if not (root / "docs" / "articles").is_dir():
        import_synthetic(root, tmp, args.articles)
    build(root)
    site = root / "site"
    parts = len(json.loads((site / "pagefind" / "parts.json").read_text(encoding="utf-8"))["parts"])
    texts = article_texts(root / "docs")
    urls = fragment_urls(site / "pagefind")
    found = search_all(site, CHINESE + ENGLISH)
    size = bundle_size(site / "pagefind")
    before = previous_scheme_size(site, tmp / "previous-pagefind")
    previous = previous_site(site, tmp / "previous-site", tmp / "previous-pagefind")
    found_before = search_all(previous, CHINESE + ENGLISH, AS_TYPED)
    urls_before = fragment_urls(previous / "pagefind")
    rows: list[dict[str, Any]] = []
    for query in CHINESE + ENGLISH:
        want = truth(query, texts)
        got = {urls[i] for i in found[query]}
        hits = len(want & got)
        rows.append({"query": query, "language": "zh" if _HAN.search(query) else "en",
                     "truth": len(want), "found": len(got),
                     "recall": round(hits / len(want), 4) if want else 1.0,
                     "precision": round(hits / len(got), 4) if got else 1.0,
                     "recall_before": round(len(want & {urls_before[i] for i in found_before[query]})
                                            / len(want), 4) if want else 1.0,
                     **({} if _HAN.search(query) else {"truth_exact_form": exact_form(query, texts)})})
    failing = [r["query"] for r in rows
               if r["recall"] < RECALL_TARGET or r["precision"] < PRECISION_TARGET]
    result = {"articles": len(texts), "chinese_articles": sum(1 for t in texts.values() if _HAN.search(t)),
              "queries": rows, "index": size, "previous_index": before,
              "index_ratio": round(size["bytes"] / before["bytes"], 2), "failing": failing}
    lines = ["| query | truth | found | recall | precision | recall before |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['query']} | {r['truth']} | {r['found']} | {r['recall']:.3f} | {r['precision']:.3f} "
              f"| {r['recall_before']:.3f} |" for r in rows]
    table = "\n".join(lines)
    print(table)
    print(f"\nindex: {size['bytes'] / 2**20:.1f} MB in {size['files']} files "
          f"(before: {before['bytes'] / 2**20:.1f} MB in {before['files']} files; "
          f"ratio {result['index_ratio']})")
    print("targets met" if not failing else f"targets missed: {', '.join(failing)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "search_recall.json").write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    (RESULTS / "search_recall.md").write_text(
        f"# Search recall and precision, {len(texts)} articles\n\n"
        f"`python -m benchmarks.search_recall --articles {args.articles} --part-size {args.part_size}`: "
        f"the index in {parts} parts, merged in Chromium\n\n{table}\n")
    sys.exit(1 if failing else 0)


if __name__ == "__main__":
    main()
