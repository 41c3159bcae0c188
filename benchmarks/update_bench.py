"""`scraper update` of N new articles from a local server, then a no-change rerun.

Serves N synthetic TMTPost pages on 127.0.0.1 (half through listing pages, half through an
RSS feed, with ETag and 304 answers) and runs `scraper update` twice in fresh processes,
printing wall time, requests made, peak memory and the HTTP cache's size after each run.

    python -m benchmarks.update_bench [--articles 500]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import threading
from datetime import UTC, date, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from benchmarks.synth import FIRST_DAY, generate

PER_LISTING = 50


def build_routes(n: int, base: str, start_id: int = 8_000_000,
                 first: date = FIRST_DAY) -> dict[str, bytes]:
    routes: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nDisallow: /private/\n"}
    en, zh = [], []
    for kind, article_id, html in generate(n, seed=start_id, start_id=start_id, first=first):
        path = f"/post/{article_id}" if kind == "en" else f"/{article_id}.html"
        routes[path] = html.encode("utf-8")
        (en if kind == "en" else zh).append(path)
    chunks = [en[i:i + PER_LISTING] for i in range(0, len(en), PER_LISTING)]
    for k, chunk in enumerate(chunks, 1):
        nxt = f'<a rel="next" href="/listing-{k + 1}.html">Next</a>' if k < len(chunks) else ""
        links = "".join(f'<li><a href="{p}">Story {p}</a></li>' for p in chunk)
        routes[f"/listing-{k}.html"] = f"<html><body><ul>{links}</ul>{nxt}</body></html>".encode()
    stamp = format_datetime(datetime(2025, 6, 1, tzinfo=UTC))
    items = "".join(f"<item><title>Item {p}</title><link>{base}{p}</link><pubDate>{stamp}</pubDate>"
                    f"</item>" for p in zh)
    routes["/rss.xml"] = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                          f"<title>bench</title>{items}</channel></rss>").encode()
    return routes


def serve(routes: dict[str, bytes]) -> tuple[ThreadingHTTPServer, list[str]]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            hits.append(self.path)
            body = routes.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, hits


CHILD = """
import resource, sys, time
from scraper.cli import main
start = time.perf_counter()
try:
    main(["update", "--config", sys.argv[1]])
except SystemExit:
    pass
print("BENCH", time.perf_counter() - start,
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, file=sys.stderr)
"""


def run(cfg: Path) -> tuple[float, int]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(cfg)], capture_output=True, text=True,
                          check=False)
    line = next((x for x in proc.stderr.splitlines() if x.startswith("BENCH")), None)
    if line is None:
        raise SystemExit(proc.stderr[-2000:])
    _, seconds, peak_mb = line.split()
    return float(seconds), int(peak_mb)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=500)
    n = parser.parse_args().articles
    routes: dict[str, bytes] = {}
    server, hits = serve(routes)  # routes are looked up per request: fill them in now
    base = f"http://127.0.0.1:{server.server_address[1]}"
    routes.update(build_routes(n, base))
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "scraper.yml"
        cfg.write_text(yaml.safe_dump({
            "user_agent": "Bench/0.1 (+https://example.org)", "docs": "docs", "state_dir": "state",
            "max_articles": n, "min_delay": 0, "max_delay": 0, "retries": 0,
            "allow_hosts": ["127.0.0.1"],
            "sources": [{"name": "listing", "type": "listing", "url": f"{base}/listing-1.html",
                         "link_pattern": r"^/post/\d+$", "pages": n // PER_LISTING + 1},
                        {"name": "feed", "type": "feed", "url": f"{base}/rss.xml"}]}))
        results = []
        for label in ("first run", "no-change rerun"):
            hits.clear()
            seconds, peak = run(cfg)
            report = json.loads((Path(tmp) / "state" / "report.json").read_text())
            article_hits = sum(1 for h in hits if h.startswith("/post/") or h.endswith(".html")
                               and not h.startswith("/listing"))
            cache_kb = (Path(tmp) / "state" / "http_cache.sqlite").stat().st_size // 1024
            results.append((label, seconds, len(hits), article_hits, peak, cache_kb, report["totals"]))
    server.shutdown()
    print(f"scraper update, {n} synthetic articles from 127.0.0.1")
    print(f"{'run':16} {'wall s':>7} {'requests':>9} {'article GETs':>13} {'peak MB':>8} {'cache KB':>9}"
          "  counts")
    for label, seconds, requests, article_hits, peak, cache_kb, totals in results:
        counts = ", ".join(f"{k} {v}" for k, v in totals.items() if v)
        print(f"{label:16} {seconds:7.1f} {requests:9d} {article_hits:13d} {peak:8d} {cache_kb:9d}  {counts}")


if __name__ == "__main__":
    main()
