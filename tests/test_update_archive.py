"""`scraper update` over an archive holding hand-broken pages: skipped, kept, never duplicated."""

from __future__ import annotations

import shutil
from pathlib import Path

from scraper.config import Settings, Source
from scraper.fetch.discover import Link
from scraper.frontmatter import read_meta
from scraper.tag import TopicRules
from scraper.update import SourceReport, Updater
from scraper.write.archiveindex import CACHE_FILE, scan_archive
from tests.fakesite import FakeSite
from tests.test_update import AGENT, EN_IDS, ZH_IDS, articles, by_name, config, site, update

__all__ = ["site"]  # the fake TMTPost fixture, shared with test_update


def test_update_keeps_a_broken_page_of_a_linked_article_and_writes_no_copy(
        tmp_path: Path, site: FakeSite) -> None:
    victim = tmp_path / "docs" / "articles" / f"tmtpost-{EN_IDS[0]}.md"
    victim.parent.mkdir(parents=True)
    victim.write_text("---\ntitle: [unclosed\nid: tmtpost:1\n---\n\nHand-edited.\n")
    bad_url = victim.with_name("tmtpost-1.md")  # another page, whose address cannot be parsed
    bad_url.write_text("---\ntitle: T\nid: tmtpost:1\nsite: tmtpost\nurl: http://[x/\n---\n")
    code, report = update(config(tmp_path, site))
    assert code == 0
    assert victim.read_text().endswith("Hand-edited.\n") and bad_url.exists()
    names = {p.name for p in victim.parent.glob("*.md")}
    assert names == {f"tmtpost-{i}.md" for i in EN_IDS + ZH_IDS} | {"tmtpost-1.md"}
    en = by_name(report)["en"]
    assert en["counts"]["failed"] == 1 and en["counts"]["new"] == len(EN_IDS) - 1
    assert en["errors"][0]["error"].startswith(f"{victim}: front matter: not valid YAML")
    assert sorted(report["archive_warnings"]) == sorted([
        next(w for w in report["archive_warnings"] if w.startswith(f"{victim}: ")),
        next(w for w in report["archive_warnings"] if w.startswith(f"{bad_url}: front matter: "
                                                                   "key 'url'"))])
    assert read_meta(victim.with_name(f"tmtpost-{EN_IDS[1]}.md")).key == f"tmtpost:{EN_IDS[1]}"


class NoFetching:
    log: list[object] = []

    def fetch(self, url: str) -> object:
        raise AssertionError(f"fetched {url}")


def test_a_tmtpost_link_whose_page_is_broken_is_not_even_fetched(tmp_path: Path,
                                                                 rules: TopicRules) -> None:
    docs = tmp_path / "docs"
    (docs / "articles").mkdir(parents=True)
    broken = docs / "articles" / "tmtpost-7012345.md"
    broken.write_text("---\ntitle: x\ndate: 2025-13-45\nid: tmtpost:7012345\nsite: tmtpost\n---\n")
    settings = Settings(user_agent=AGENT, docs=docs)
    source = Source("zh", "feed", url="https://www.tmtpost.com/rss.xml")
    updater = Updater(settings, rules, NoFetching())  # type: ignore[arg-type]
    report = SourceReport("zh", "feed", source.url)
    updater._article(Link("https://www.tmtpost.com/7012345.html"), source, report)
    assert report.counts == {"skipped": 1}
    assert report.errors == [{"url": "https://www.tmtpost.com/7012345.html", "error":
                              f"{broken}: front matter: key 'date': '2025-13-45' is not a date "
                              "(month must be in 1..12): left as it is; fix or delete that page"}]


def test_an_update_from_a_restored_scan_cache_writes_what_a_full_parse_writes(
        tmp_path: Path, site: FakeSite) -> None:
    """The nightly's case: a fresh checkout (new file times) with the scan's cache restored.
    The run parses no page and writes byte for byte what a run that parsed them all writes."""
    last_night = tmp_path / "last-night"
    last_night.mkdir()
    update(config(last_night, site))
    scan_archive(last_night / "docs")  # the cache as a night's scan leaves it, pages and all
    rss = site.routes["/rss.xml"].decode("utf-8")  # one article changed since, at its source
    item = rss[rss.index(site.url("/7400002.html")):]
    old_date = item[item.index("<pubDate>") + 9:item.index("</pubDate>")]
    site.routes["/rss.xml"] = rss.replace(old_date, "Fri, 26 Dec 2025 10:00:00 +0800").encode()
    site.routes["/7400002.html"] = site.routes["/7400002.html"].replace(
        b"</h1>", "（更新）</h1>".encode(), 1)
    runs = {}
    for how in ("parsed", "cached"):
        project = tmp_path / how
        shutil.copytree(last_night / "docs", project / "docs")  # new inodes and change times
        if how == "parsed":
            (project / "docs" / "articles" / CACHE_FILE).unlink()
        code, report = update(config(project, site))
        assert code == 0
        runs[how] = (articles(project), report["totals"], report["archive_scan"])
    assert runs["cached"][:2] == runs["parsed"][:2]
    assert runs["cached"][1]["updated"] == 1 and runs["cached"][1]["unchanged"] == 12
    assert runs["parsed"][2] == {"pages": 13, "parsed": 13}
    assert runs["cached"][2] == {"pages": 13, "parsed": 0}
