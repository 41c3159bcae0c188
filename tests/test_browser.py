"""The built site as a reader sees it, in headless Chromium (Debian's, never a downloaded one).

Needs /usr/bin/chromium and the playwright package; in CI (SCRAPER_NO_SKIP=1) a missing
browser fails instead of skipping. Screenshots go to build/screenshots/ for review.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scraper.cli import main
from tests.conftest import EXAMPLE, ROOT, build_site, require, site_root

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = ROOT / "build" / "screenshots"
NIO = "Chinese New Energy Car Maker NIO Responds to Data Leak Blackmail"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the stdlib's name)
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = site_root(tmp_path_factory.mktemp("browser"))
    docs = str(root / "docs")
    runner = CliRunner()
    assert runner.invoke(main, ["import", str(EXAMPLE), "--url", "https://en.tmtpost.com/post/6353223",
                                "--docs", docs]).exit_code == 0
    assert runner.invoke(main, ["import", str(ROOT / "samples"), "--docs", docs]).exit_code == 0
    build_site(root)
    return root


@pytest.fixture(scope="module")
def base_url(project: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(project / "site"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).exists(), "Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the playwright package is not installed")
        return
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def search(page: Any, base_url: str, query: str) -> list[str]:
    page.goto(base_url + "/")
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # Material searches on key release
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    # Material marks jieba's word boundaries in Chinese with zero-width spaces
    return [t.replace("\u200b", "").strip()
            for t in page.locator(".md-search-result__item h1").all_inner_texts()]


def test_searching_blackmailed_finds_the_nio_article(page: Any, base_url: str) -> None:
    titles = search(page, base_url, "blackmailed")
    assert any("NIO Responds to Data Leak Blackmail" in t for t in titles), titles


def test_searching_a_chinese_term_finds_the_chinese_article(page: Any, base_url: str) -> None:
    titles = search(page, base_url, "数据安全法")
    assert any("数据安全法" in t for t in titles), titles


def test_the_data_security_topic_page_lists_the_nio_article(page: Any, base_url: str) -> None:
    page.goto(base_url + "/topics/data-security/")
    link = page.get_by_role("link", name=NIO)
    assert link.count() == 1
    link.click()
    page.wait_for_url("**/articles/tmtpost-6353223/")
    assert page.locator("h1").first.inner_text() == NIO


def digest_sections(page: Any) -> dict[str, list[str]]:
    """A listing page's list items under each of its h2 headings."""
    return page.evaluate("""() => {
        const out = {};
        let current = null;
        for (const el of document.querySelectorAll('.md-content h2, .md-content h2 ~ ul > li')) {
            if (el.tagName === 'H2') { current = el.innerText.trim(); out[current] = []; }
            else if (current) out[current].push(el.innerText);
        }
        return out;
    }""")


def test_the_digest_of_21_dec_2022_shows_nio_once_with_both_topics(page: Any, base_url: str) -> None:
    page.goto(base_url + "/digest/2022-12-21/")
    sections = digest_sections(page)
    assert any(NIO in item for item in sections.get("Data Security", [])), sections
    assert not any(NIO in item for item in sections.get("EVs", [])), sections  # once, first topic
    chips = page.locator(".md-content li", has_text=NIO).locator("a[href*='topics/']")
    assert chips.all_inner_texts() == ["Data Security", "EVs"]


def test_the_dark_light_toggle_switches_the_palette(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    scheme = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') !== '{scheme}'")
    switched = page.locator("body").get_attribute("data-md-color-scheme")
    assert {scheme, switched} == {"default", "slate"}


def test_screenshots_of_home_and_article_are_saved(page: Any, base_url: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in [("home", "/"), ("article-nio", "/articles/tmtpost-6353223/"),
                       ("article-zh", "/articles/tmtpost-7012399/"),
                       ("digest-2022-12-21", "/digest/2022-12-21/")]:
        page.goto(base_url + path)
        target = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000


def test_mkdocs_serve_starts_serves_and_stops(project: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "-a",
                             f"127.0.0.1:{port}"], cwd=project, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "true"})
    try:
        body = ""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    body = resp.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.5)
        assert "<title>China Tech Digest" in body
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode is not None


def test_a_page_load_fetches_no_sitemap_and_no_search_index(page: Any, base_url: str) -> None:
    """The archive grows without bound: nothing on a plain page load may grow with it."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base_url + "/articles/tmtpost-6353223/")
    page.wait_for_load_state("networkidle")
    assert requested and not [u for u in requested if "sitemap" in u or "/pagefind/" in u], requested
