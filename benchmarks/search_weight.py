"""What a reader downloads and waits for a first and a next search, in headless Chromium.

    python -m benchmarks.search_weight SITE_DIR [QUERY ...]

Serves SITE_DIR on 127.0.0.1 (plain http.server: no compression, so byte counts are an upper
bound of what a gzip-serving host sends; "gzip" is that host's estimate: Pagefind's own files
are compressed already, scripts and JSON are not), opens the home page, then types each query
into the search box and counts every byte fetched from the focus of the box until the network
is quiet after the results show.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import sys
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass


def main() -> None:
    site = Path(sys.argv[1])
    queries = sys.argv[2:] or ["battery", "电池"]
    handler = functools.partial(QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
        page = browser.new_page()
        fetched: list[tuple[str, int]] = []
        gzipped: list[int] = []

        def on_response(response):  # type: ignore[no-untyped-def]
            with contextlib.suppress(Exception):  # redirects and aborted requests have no body
                body = response.body()
                fetched.append((response.url, len(body)))
                plain = response.url.split("?")[0].endswith((".js", ".json", ".css", ".html"))
                gzipped.append(len(gzip.compress(body)) if plain else len(body))

        page.on("response", on_response)
        page.goto(base + "/")
        page.wait_for_load_state("networkidle")
        home = sum(n for _, n in fetched)
        print(f"home page load: {home / 1024:.0f} KB in {len(fetched)} requests")
        box = page.locator("input.md-search__input")
        for n, query in enumerate(queries):
            fetched.clear()
            gzipped.clear()
            box.click()
            box.fill("")
            start = time.perf_counter()
            box.fill(query)
            page.wait_for_function(
                "q => document.querySelectorAll('.md-search-result__item').length > 0 && "
                "document.getElementById('digest-search-meta').textContent.includes('matching')",
                arg=query, timeout=30_000)
            waited = time.perf_counter() - start
            # The results' other parts (fragments of the rest of the first page) come after.
            seen = -1
            while seen != len(fetched):
                seen = len(fetched)
                page.wait_for_timeout(500)
            total = sum(size for _, size in fetched)
            kinds: dict[str, int] = {}
            for url, size in fetched:
                name = url.split("?")[0].rsplit("/", 1)[-1]  # Pagefind asks for its entry with ?ts=
                key = name.rsplit(".", 1)[-1] if "." in name else "other"
                kinds[key] = kinds.get(key, 0) + size
            label = "first query" if n == 0 else "next query"
            parts = ", ".join(f"{k} {v / 1024:.0f} KB" for k, v in sorted(kinds.items()))
            print(f"{label:12} {query!r}: {total / 1024:.0f} KB (gzip {sum(gzipped) / 1024:.0f} KB) "
                  f"in {len(fetched)} requests, results after {waited:.2f} s ({parts})")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
