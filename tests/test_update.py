"""`scraper update` against a fake TMTPost on 127.0.0.1: politeness, increments, faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from scraper.cli import main
from scraper.config import load_config
from scraper.tag import TopicRules
from scraper.update import run_update
from tests.fakesite import FakeSite

EN_IDS = [f"73000{n:02d}" for n in range(1, 9)]
ZH_IDS = [f"74000{n:02d}" for n in range(1, 6)]
AGENT = "TestDigest/0.1 (+https://example.org/contact)"


@pytest.fixture
def site(fake_site: FakeSite) -> FakeSite:
    return fake_site


def config(tmp_path: Path, site: FakeSite, **overrides: Any) -> Path:
    data: dict[str, Any] = {
        "user_agent": AGENT, "docs": "docs", "state_dir": "state", "max_articles": 100,
        "timeout": {"connect": 2, "read": 2}, "min_delay": 0, "max_delay": 0, "retries": 1,
        "backoff": 0, "allow_hosts": ["127.0.0.1"],
        "sources": [
            {"name": "en", "type": "listing", "url": site.url("/listing-1.html"),
             "link_pattern": r"^/post/\d+$", "pages": 2},
            {"name": "zh", "type": "feed", "url": site.url("/rss.xml")},
        ],
    }
    data.update(overrides)
    path = tmp_path / "scraper.yml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def update(cfg: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["update", "--config", str(cfg)])
    report_file = cfg.parent / "state" / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, report


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["name"]: s for s in report["sources"]}


def feed_source(site: FakeSite, items: str) -> list[dict[str, str]]:
    """Serves an RSS feed of `items` at /f.xml; the sources list with just that feed, "f"."""
    site.routes["/f.xml"] = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>'
                             f'{items}</channel></rss>').encode()
    return [{"name": "f", "type": "feed", "url": site.url("/f.xml")}]


def articles(tmp_path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((tmp_path / "docs" / "articles").glob("*.md"))}


def test_first_run_writes_every_article(tmp_path: Path, site: FakeSite) -> None:
    code, report = update(config(tmp_path, site))
    assert code == 0
    assert set(articles(tmp_path)) == {f"tmtpost-{i}.md" for i in EN_IDS + ZH_IDS}
    sources = by_name(report)
    assert sources["en"]["counts"]["new"] == 8 and sources["zh"]["counts"]["new"] == 5
    assert sources["en"]["status"] == sources["zh"]["status"] == "ok"
    # every request identifies us honestly
    assert {h.headers.get("User-Agent") for h in site.hits} == {AGENT}
    # robots.txt once per host, and each article page exactly once despite duplicate links
    assert site.paths().count("/robots.txt") == 1
    posts = [p for p in site.paths() if p.startswith("/post/")]
    assert sorted(posts) == sorted(f"/post/{i}" for i in EN_IDS)


def test_second_run_sends_only_conditional_requests_and_writes_nothing(tmp_path: Path,
                                                                        site: FakeSite) -> None:
    cfg = config(tmp_path, site)
    update(cfg)
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*.md")
              if p.name != "sources.md"}
    site.reset_log()
    code, report = update(cfg)
    assert code == 0
    assert sorted(site.paths()) == sorted(["/robots.txt", "/listing-1.html", "/listing-2.html",
                                           "/rss.xml"])
    for hit in site.hits:
        assert "If-None-Match" in hit.headers or "If-Modified-Since" in hit.headers, hit.path
        assert hit.status == 304
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "docs").rglob("*.md")
             if p.name != "sources.md"}
    assert after == before
    assert report["totals"]["unchanged"] == 13 and report["totals"]["new"] == 0


def test_a_changed_feed_item_updates_its_page_in_place(tmp_path: Path, site: FakeSite) -> None:
    cfg = config(tmp_path, site)
    update(cfg)
    page = tmp_path / "docs" / "articles" / "tmtpost-7400002.md"
    rss = site.routes["/rss.xml"].decode("utf-8")
    item = rss[rss.index(site.url("/7400002.html")):]
    old_date = item[item.index("<pubDate>") + 9:item.index("</pubDate>")]
    site.routes["/rss.xml"] = rss.replace(old_date, "Fri, 26 Dec 2025 10:00:00 +0800").encode()
    site.routes["/7400002.html"] = site.routes["/7400002.html"].replace(
        b"</h1>", "（更新）</h1>".encode(), 1)
    site.reset_log()
    code, report = update(cfg)
    assert code == 0 and by_name(report)["zh"]["counts"]["updated"] == 1
    assert [p for p in site.paths() if p.endswith(".html") and "listing" not in p] == ["/7400002.html"]
    assert "（更新）" in page.read_text(encoding="utf-8")
    assert len(articles(tmp_path)) == 13


def test_a_disallowed_path_is_never_requested(tmp_path: Path, site: FakeSite) -> None:
    site.routes["/listing-private.html"] = (
        b'<html><body><a href="/private/secret.html">secret</a></body></html>')
    cfg = config(tmp_path, site, sources=[{"name": "p", "type": "listing", "link_pattern": "^/private/",
                                           "url": site.url("/listing-private.html")}])
    code, report = update(cfg)
    assert "/private/secret.html" not in site.paths()
    errors = by_name(report)["p"]["errors"]
    assert any("disallowed by robots.txt" in e["error"] for e in errors)


class FakeClock:
    """The run's clock: sleeping only moves it on, and every requested sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 6))
        self.now += seconds


def update_on(clock: FakeClock, cfg: Path, rules: TopicRules) -> None:
    run_update(load_config(cfg), rules, clock=clock.monotonic, sleep=clock.sleep)


def test_the_crawl_delay_spaces_requests_to_one_host(tmp_path: Path, site: FakeSite,
                                                     rules: TopicRules) -> None:
    clock = FakeClock()
    site.routes["/robots.txt"] = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 0.3\n"
    cfg = config(tmp_path, site, max_delay=5, sources=[
        {"name": "zh", "type": "feed", "url": site.url("/rss.xml")}], max_articles=2)
    update_on(clock, cfg, rules)
    requested = site.paths()
    assert requested[:2] == ["/robots.txt", "/rss.xml"] and len(requested) == 4  # two articles
    # no time passes on the fake clock between requests, so each waits the whole delay
    assert clock.sleeps == [0.3, 0.3, 0.3]


def test_max_delay_caps_the_crawl_delay(tmp_path: Path, site: FakeSite, rules: TopicRules) -> None:
    clock = FakeClock()
    site.routes["/robots.txt"] = b"User-agent: *\nCrawl-delay: 60\n"
    cfg = config(tmp_path, site, max_delay=5, sources=[
        {"name": "zh", "type": "feed", "url": site.url("/rss.xml")}], max_articles=1)
    update_on(clock, cfg, rules)
    assert clock.sleeps == [5, 5]


def test_article_cap_defers_the_rest_to_the_next_run(tmp_path: Path, site: FakeSite) -> None:
    cfg = config(tmp_path, site, max_articles=5)
    _, report = update(cfg)
    assert report["totals"]["new"] == 5 and report["totals"]["deferred"] == 8
    _, report = update(cfg)
    assert report["totals"]["new"] == 5 and report["totals"]["unchanged"] == 5
    _, report = update(cfg)
    assert report["totals"]["new"] == 3 and len(articles(tmp_path)) == 13


def test_one_article_reached_by_several_addresses_gets_one_page(tmp_path: Path,
                                                                site: FakeSite) -> None:
    # a mirror serving the same post under another path, and the feed link with tracking
    site.routes["/mirror/7300001.html"] = site.routes["/post/7300001"]
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>m</title>'
            f'<item><title>a</title><link>{site.url("/mirror/7300001.html")}</link></item>'
            f'<item><title>b</title><link>{site.url("/post/7300002?utm_source=x&amp;from=y")}'
            f'</link></item></channel></rss>')
    site.routes["/mirror.xml"] = feed.encode()
    cfg = config(tmp_path, site)
    update(cfg)
    data = yaml.safe_load(cfg.read_text())
    data["sources"].append({"name": "mirror", "type": "feed", "url": site.url("/mirror.xml")})
    cfg.write_text(yaml.safe_dump(data))
    site.reset_log()
    _, report = update(cfg)
    assert len(articles(tmp_path)) == 13
    assert by_name(report)["mirror"]["counts"]["new"] == 0
    assert "/post/7300002" not in site.paths()  # known by its address, not fetched again


FAULTS = {
    "403": (403, 0.0, "HTTP 403"),
    "404": (404, 0.0, "HTTP 404"),
    "410": (410, 0.0, "HTTP 410"),
    "429": (429, 0.0, "HTTP 429"),
    "500": (500, 0.0, "HTTP 500"),
    "timeout": (0, 3.0, "timed out"),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_failing_article_is_reported_and_the_run_goes_on(tmp_path: Path, site: FakeSite,
                                                           fault: str) -> None:
    status, delay, message = FAULTS[fault]
    site.faults["/post/7300003"] = (status, delay, {"Retry-After": "0"})
    code, report = update(config(tmp_path, site))
    assert code == 0
    en = by_name(report)["en"]
    assert en["counts"]["new"] == 7 and en["counts"]["failed"] == 1
    assert en["status"] == "partial"
    assert any("/post/7300003" in e["url"] and message in e["error"] for e in en["errors"])
    assert by_name(report)["zh"]["counts"]["new"] == 5


@pytest.mark.parametrize("fault", ["403", "500", "timeout"])
def test_a_failing_source_is_reported_and_the_others_go_on(tmp_path: Path, site: FakeSite,
                                                           fault: str) -> None:
    status, delay, message = FAULTS[fault]
    site.faults["/rss.xml"] = (status, delay, {})
    code, report = update(config(tmp_path, site))
    assert code == 0
    zh = by_name(report)["zh"]
    assert zh["status"] == "failed" and message in zh["errors"][0]["error"]
    assert by_name(report)["en"]["counts"]["new"] == 8


def test_every_source_failing_exits_non_zero(tmp_path: Path, site: FakeSite) -> None:
    site.faults["/robots.txt"] = (500, 0.0, {})
    code, report = update(config(tmp_path, site))
    assert code == 1 and report["ok_sources"] == 0
    assert all("robots.txt" in s["errors"][0]["error"] for s in report["sources"])


def test_retry_after_a_429_succeeds(tmp_path: Path, site: FakeSite) -> None:
    site.once["/post/7300004"] = 429
    _, report = update(config(tmp_path, site))
    assert by_name(report)["en"]["counts"]["new"] == 8
    assert site.paths().count("/post/7300004") == 2


@pytest.mark.parametrize(("page", "status", "message"), [
    ("challenge.html", "skipped", "bot-challenge"),
    ("truncated.html", "failed", "truncated"),
    ("not-article.html", "skipped", "not an article"),
    ("empty.html", "failed", "empty"),
])
def test_bad_pages_are_recorded_per_article(tmp_path: Path, site: FakeSite, page: str,
                                            status: str, message: str) -> None:
    items = (f'<item><title>x</title><link>{site.url("/faults/" + page)}</link></item>'
             f'<item><title>y</title><link>{site.url("/7400001.html")}</link></item>')
    _, report = update(config(tmp_path, site, sources=feed_source(site, items)))
    f = by_name(report)["f"]
    assert f["counts"][status] == 1 and f["counts"]["new"] == 1
    assert message in f["errors"][0]["error"]


def test_a_malformed_feed_is_read_with_a_warning(tmp_path: Path, site: FakeSite) -> None:
    _, report = update(config(tmp_path, site, sources=[
        {"name": "bad", "type": "feed", "url": site.url("/faults/malformed-feed.xml")}]))
    bad = by_name(report)["bad"]
    assert bad["warnings"] and "malformed feed" in bad["warnings"][0]
    assert bad["counts"]["new"] >= 1 and bad["status"] != "failed"  # what could be read, was


def test_a_gbk_page_without_charset_is_decoded(tmp_path: Path, site: FakeSite) -> None:
    update(config(tmp_path, site))
    text = (tmp_path / "docs" / "articles" / "tmtpost-7400005.md").read_text(encoding="utf-8")
    assert "\ufffd" not in text and "language: zh" in text


def test_a_response_over_the_size_cap_fails_that_article(tmp_path: Path, site: FakeSite) -> None:
    site.routes["/post/7300005"] = site.routes["/post/7300005"] + b"<!--" + b"x" * 300_000 + b"-->"
    _, report = update(config(tmp_path, site, max_bytes=200_000))
    en = by_name(report)["en"]
    assert en["counts"]["failed"] == 1 and "byte limit" in en["errors"][0]["error"]


def test_private_addresses_are_refused_unless_allowed(tmp_path: Path, site: FakeSite) -> None:
    code, report = update(config(tmp_path, site, allow_hosts=[]))
    assert code == 1 and site.hits == []
    assert "loopback" in report["sources"][0]["errors"][0]["error"]


def test_a_redirect_into_a_private_range_is_refused(tmp_path: Path, site: FakeSite) -> None:
    site.faults["/post/7300006"] = (302, 0.0, {"Location": "http://10.1.2.3/internal"})
    _, report = update(config(tmp_path, site))
    errors = by_name(report)["en"]["errors"]
    assert any("10.1.2.3" in e["error"] and "private" in e["error"] for e in errors)


def test_report_renders_as_markdown(tmp_path: Path, site: FakeSite) -> None:
    site.faults["/rss.xml"] = (404, 0.0, {})
    cfg = config(tmp_path, site)
    update(cfg)
    result = CliRunner().invoke(main, ["report", str(tmp_path / "state" / "report.json")])
    assert result.exit_code == 0
    assert "| en | ok |" in result.stdout and "| zh | failed |" in result.stdout
    assert "HTTP 404" in result.stdout
    # the Sources page is the build's (from this report): update writes only articles
    assert {p.relative_to(tmp_path / "docs").parts[0] for p in (tmp_path / "docs").rglob("*")} == {
        "articles"}


def test_an_interrupted_run_then_a_rerun_equals_an_uninterrupted_run(
        tmp_path: Path, site: FakeSite, httpserver: HTTPServer) -> None:
    whole = tmp_path / "whole"
    whole.mkdir()
    update(config(whole, site))
    broken = tmp_path / "broken"
    broken.mkdir()
    cfg = config(broken, site)
    # The fourth article request is held until the run has been killed: three articles are
    # written by then, however slow the machine.
    held, release = threading.Event(), threading.Event()
    articles_asked: list[str] = []

    def hold_the_fourth_article(request: Request) -> Response:
        if request.path.startswith("/post/"):
            articles_asked.append(request.path)
            if len(articles_asked) == 4:
                held.set()
                release.wait(60)
        return site.handle(request)

    httpserver.clear_all_handlers()
    httpserver.expect_request("").respond_with_handler(hold_the_fourth_article)
    proc = subprocess.Popen([sys.executable, "-m", "scraper.cli", "update", "--config", str(cfg)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    try:
        assert held.wait(120), "the run never asked for a fourth article"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        release.set()
    assert len(articles(broken)) == 3
    update(cfg)
    assert articles(broken) == articles(whole)
    leftovers = [p for p in (broken / "docs").rglob("*") if p.name.startswith(".tmp-")]
    assert leftovers == []


def test_the_archive_keeps_articles_the_feed_rotated_out(tmp_path: Path, site: FakeSite) -> None:
    cfg = config(tmp_path, site, sources=[{"name": "zh", "type": "feed", "url": site.url("/rss.xml")}])
    update(cfg)
    rss = site.routes["/rss.xml"].decode("utf-8")
    first = rss.index("<item>")
    site.routes["/rss.xml"] = (rss[:first] + rss[rss.index("</item>") + 7:]).encode()
    _, report = update(cfg)
    assert report["totals"]["unchanged"] == 4
    assert len(articles(tmp_path)) == 5


def test_a_files_source_needs_no_network(tmp_path: Path, site: FakeSite) -> None:
    samples = Path(__file__).parents[1] / "samples"
    code, report = update(config(tmp_path, site, sources=[
        {"name": "samples", "type": "files", "path": str(samples)}]))
    assert code == 0 and site.hits == []
    assert report["sources"][0]["counts"]["new"] == len(list(samples.glob("*.htm*"))) + len(
        list(samples.glob("*.txt")))


@pytest.mark.parametrize(("change", "message"), [
    ({"user_agent": "python-requests"}, "key user_agent"),
    ({"sources": [{"name": "x", "type": "rss", "url": "https://e.org"}]}, "sources[0] (x): key 'type'"),
    ({"sources": [{"name": "x", "type": "feed", "url": "ftp://e.org"}]}, "sources[0] (x): key 'url'"),
    ({"sources": [{"name": "x", "type": "listing", "url": "https://e.org", "link_pattern": "("}]},
     "key 'link_pattern'"),
    ({"max_articles": 0}, "key 'max_articles'"),
])
def test_a_config_mistake_names_the_file_and_key(tmp_path: Path, site: FakeSite,
                                                 change: dict[str, Any], message: str) -> None:
    cfg = config(tmp_path, site, **change)
    result = CliRunner().invoke(main, ["update", "--config", str(cfg)])
    assert result.exit_code == 1 and str(cfg) in result.output and message in result.output
    assert site.hits == []


def test_user_agent_on_the_command_line_replaces_the_configs(tmp_path: Path, site: FakeSite) -> None:
    cfg = config(tmp_path, site, max_articles=1)
    fork = "ForkDigest/1 (+https://fork.example.org/contact)"
    result = CliRunner().invoke(main, ["update", "--config", str(cfg), "--user-agent", fork])
    assert result.exit_code == 0, result.output
    assert site.hits and {h.headers.get("User-Agent") for h in site.hits} == {fork}
    site.reset_log()
    result = CliRunner().invoke(main, ["update", "--config", str(cfg), "--user-agent", "python-requests"])
    assert result.exit_code != 0 and site.hits == []
    assert "--user-agent: give an honest User-Agent" in result.output


BAD_LINKS = ["http://127.0.0.1:99999/post/1", "http://[::1/post/1", "http://[x/",
             "http://127.0.0.1:abc/post/1", "http://:80/post/1", "http://user:pw@127.0.0.1/post/1",
             "javascript:alert(1)", "data:text/html,x", "http://127.0.0.1/\x01post",
             "http://" + "a" * 3000 + ".com/", "http://xn--zz/post/1", ""]


def test_bad_addresses_in_a_feed_are_problems_of_their_source(tmp_path: Path,
                                                              site: FakeSite) -> None:
    items = "".join(f"<item><title>bad {i}</title><link>{escape(link)}</link></item>"
                    for i, link in enumerate(BAD_LINKS))
    items += (f'<item><title>no link</title><guid isPermaLink="false">{site.url("/7400003.html")}'
              '</guid></item>')
    items += f'<item><title>good</title><link>{site.url("/7400001.html")}</link></item>'
    code, report = update(config(tmp_path, site, sources=feed_source(site, items)))
    assert code == 0
    bad = by_name(report)["f"]
    assert bad["counts"]["new"] == 1 and bad["counts"]["skipped"] == len(BAD_LINKS) + 1
    assert bad["status"] == "partial"
    assert set(articles(tmp_path)) == {"tmtpost-7400001.md"}
    assert site.paths().count("/f.xml") == 1  # never fetched again as an article


def test_bad_addresses_on_a_listing_are_warnings_of_their_source(tmp_path: Path,
                                                                 site: FakeSite) -> None:
    anchors = "".join(f'<a href="{escape(link, quote=True)}">x</a>' for link in BAD_LINKS)
    site.routes["/bad-list.html"] = (f'<html><body>{anchors}<a href="/post/7300001">one</a>'
                                     f'</body></html>').encode()
    code, report = update(config(tmp_path, site, sources=[
        {"name": "list", "type": "listing", "url": site.url("/bad-list.html"),
         "link_pattern": r"^/post/\d+$"}]))
    assert code == 0
    listing = by_name(report)["list"]
    assert listing["counts"]["new"] == 1 and listing["status"] == "ok"
    assert sum("unusable link" in w for w in listing["warnings"]) >= 8


# (werkzeug will not send a Location with a bad port or brackets: test_slow_servers does)
@pytest.mark.parametrize("location", ["javascript:alert(1)", "data:text/html,x"])
def test_a_redirect_to_a_bad_address_fails_only_that_article(tmp_path: Path, site: FakeSite,
                                                             location: str) -> None:
    site.faults["/post/7300002"] = (302, 0.0, {"Location": location})
    code, report = update(config(tmp_path, site))
    assert code == 0
    en = by_name(report)["en"]
    assert en["counts"]["new"] == 7 and en["counts"]["failed"] == 1
    assert any("unusable address" in e["error"] for e in en["errors"])


class SteppedClock:
    """Stands still unless the test moves it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_deadline_stops_new_fetches_and_defers_the_rest(tmp_path: Path, site: FakeSite) -> None:
    from scraper.config import load_config
    from scraper.tag import load_rules
    from scraper.update import deadline_reserve, run_update

    clock = SteppedClock()

    def progress(source: str, status: str, url: str, detail: str) -> None:
        if status == "new":
            clock.now += 250  # each article "takes" 250 s

    settings = load_config(config(tmp_path, site, deadline=1000))
    assert deadline_reserve(1000) == 100  # no fetch starts at or after 900 s
    slept: list[float] = []
    report = run_update(settings, load_rules(None), progress, clock=clock, sleep=slept.append)
    en, zh = by_name(report)["en"], by_name(report)["zh"]
    # posts 1-4 start at 0, 250, 500 and 750 s; at 1000 s the rest waits for the next run
    assert en["counts"]["new"] == 4 and en["counts"]["deferred"] == 4
    assert en["status"] == "ok" and en["errors"] == []
    assert any("deadline stopped this source: 4 item(s) deferred" in w for w in en["warnings"])
    assert zh["status"] == "deferred" and "/rss.xml" not in site.paths()
    assert report["deadline"] == {"seconds": 1000, "stopped_run": True}
    assert len(articles(tmp_path)) == 4 and slept == []
    # only articles are written (the build makes the listings from them)
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == ["articles"]


def test_a_request_in_flight_at_the_deadline_is_abandoned(tmp_path: Path, site: FakeSite) -> None:
    from scraper.config import load_config
    from scraper.tag import load_rules
    from scraper.update import run_update

    clock = SteppedClock()
    serve = site.handle

    def stalls(request: Any) -> Any:
        if request.path == "/post/7300002":
            clock.now += 5000  # the answer "arrives" after the run's deadline
        return serve(request)

    site.server.clear()
    site.server.expect_request("").respond_with_handler(stalls)
    settings = load_config(config(tmp_path, site, deadline=1000, timeout={"connect": 600, "read": 600}))
    report = run_update(settings, load_rules(None), clock=clock, sleep=lambda s: None)
    en = by_name(report)["en"]
    assert en["counts"]["new"] == 1 and en["counts"]["failed"] == 1
    assert "abandoned" in en["errors"][0]["error"] and en["counts"]["deferred"] == 6


def test_without_a_deadline_nothing_is_deferred(tmp_path: Path, site: FakeSite) -> None:
    code, report = update(config(tmp_path, site))
    assert code == 0 and report["totals"]["deferred"] == 0 and "deadline" not in report


def test_the_deadline_option_overrides_the_config(tmp_path: Path, site: FakeSite) -> None:
    cfg = config(tmp_path, site, deadline=5000)
    result = CliRunner().invoke(main, ["update", "--config", str(cfg), "--deadline", "3000"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "state" / "report.json").read_text())
    assert report["deadline"] == {"seconds": 3000, "stopped_run": False}
    assert report["totals"]["new"] == 13


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-5", "soon"])
def test_a_bad_deadline_option_is_a_usage_error(tmp_path: Path, site: FakeSite, value: str) -> None:
    result = CliRunner().invoke(main, ["update", "--config", str(config(tmp_path, site)),
                                       "--deadline", value])
    assert result.exit_code == 2 and "Invalid value for '--deadline'" in result.output
    assert site.hits == []


@pytest.mark.parametrize("value", [0, "soon", True])
def test_a_bad_deadline_key_names_the_key(tmp_path: Path, site: FakeSite, value: Any) -> None:
    cfg = config(tmp_path, site, deadline=value)
    result = CliRunner().invoke(main, ["update", "--config", str(cfg)])
    assert result.exit_code == 1 and "key 'deadline'" in result.output


def _next_elsewhere(site: FakeSite, target: str) -> None:
    site.routes["/listing-1.html"] = site.routes["/listing-1.html"].replace(
        b'rel="next" href="/listing-2.html"', f'rel="next" href="{target}"'.encode())


@pytest.mark.parametrize(("fault", "message"), [
    ("500", "HTTP 500"),
    ("404", "HTTP 404"),
    ("private", "10.0.0.1"),
    ("link-local", "169.254.169.254"),
    ("redirect to private", "10.0.0.2"),
])
def test_a_broken_next_page_keeps_the_links_before_it(tmp_path: Path, site: FakeSite,
                                                      fault: str, message: str) -> None:
    """Before: page 2 of a listing failing (or its rel="next" pointing anywhere hostile)
    failed the whole source, and the articles page 1 had listed were never fetched."""
    if fault in ("500", "404"):
        site.faults["/listing-2.html"] = (int(fault), 0.0, {})
    elif fault == "private":
        _next_elsewhere(site, "http://10.0.0.1/listing-2.html")
    elif fault == "link-local":
        _next_elsewhere(site, "http://169.254.169.254/latest/meta-data/")
    else:
        site.faults["/listing-2.html"] = (301, 0.0, {"Location": "http://10.0.0.2/listing-2.html"})
    code, report = update(config(tmp_path, site))
    assert code == 0
    en = by_name(report)["en"]
    assert en["counts"]["new"] == 4 and en["status"] == "partial"
    assert any("listing page 2 not read" in e["error"] and message in e["error"]
               for e in en["errors"]), en["errors"]
    assert {f"tmtpost-730000{n}.md" for n in range(1, 5)} <= set(articles(tmp_path))

