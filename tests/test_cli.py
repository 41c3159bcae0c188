"""The command line: extract formats and exit codes, import, and a strict MkDocs build."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.store import read_front_matter
from tests.conftest import EXAMPLE, FIXTURES, build_site, site_root

ROOT = Path(__file__).parents[1]
HTML = FIXTURES / "tmtpost" / "en-post-2023.html"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_jsonl_gives_one_line_per_page_in_order_with_errors_inline(tmp_path: Path) -> None:
    missing = tmp_path / "gone.html"
    code, out, err = run("extract", "--format", "jsonl", str(EXAMPLE), str(missing), str(HTML))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(lines) == 3
    assert lines[0]["title"].startswith("Chinese New Energy Car Maker NIO")
    assert lines[1] == {"source": str(missing), "error": f"{missing}: no such file"}
    assert lines[2]["site"] == "tmtpost"
    assert "gone.html" in err


def test_exit_status_is_1_only_when_every_page_failed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    code, out, _ = run("extract", "--format", "jsonl", str(empty), str(tmp_path / "x.txt"))
    assert code == 1 and all("error" in json.loads(line) for line in out.splitlines())


def test_unknown_page_type_is_a_clear_error(tmp_path: Path) -> None:
    page = tmp_path / "page.pdf"
    page.write_bytes(b"%PDF")
    code, out, _ = run("extract", str(page))
    assert code == 1 and "unknown page type .pdf" in out


def test_url_with_several_pages_is_a_usage_error() -> None:
    code, _, err = run("extract", str(EXAMPLE), str(HTML), "--url", "https://en.tmtpost.com/post/1")
    assert code == 2 and "--url goes with exactly one PAGE" in err


def test_markdown_format_is_exactly_what_import_writes(tmp_path: Path) -> None:
    _, md, _ = run("extract", "--format", "markdown", str(HTML), "--url",
                   "https://en.tmtpost.com/post/6401234")
    code, _, _ = run("import", str(HTML), "--url", "https://en.tmtpost.com/post/6401234",
                     "--docs", str(tmp_path))
    assert code == 0
    assert (tmp_path / "articles" / "tmtpost-6401234.md").read_text(encoding="utf-8") == md


def test_import_twice_changes_nothing(tmp_path: Path) -> None:
    run("import", str(FIXTURES / "tmtpost"), "--docs", str(tmp_path))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.md")}
    code, out, _ = run("import", str(FIXTURES / "tmtpost"), "--docs", str(tmp_path))
    assert code == 0 and "unchanged" in out and "new" not in out
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.md")} == before


def test_a_bad_topic_file_is_reported_with_its_name(tmp_path: Path) -> None:
    rules = tmp_path / "topics.yml"
    rules.write_text("topics:\n  - id: evs\n    label: EVs\n    terms: EV\n")
    code, out, err = run("extract", str(EXAMPLE), "--topics", str(rules))
    assert code == 1 and f"{rules}: topic 'evs': key 'terms'" in err


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = site_root(tmp_path_factory.mktemp("site"))
    code, out, err = run("import", str(EXAMPLE), "--url", "https://en.tmtpost.com/post/6353999",
                         "--docs", str(root / "docs"))
    assert code == 0, err
    run("import", str(ROOT / "samples"), "--docs", str(root / "docs"))
    return build_site(root)


def test_strict_build_has_the_article_page(built_site: Path) -> None:
    page = (built_site / "articles" / "tmtpost-6353999" / "index.html").read_text(encoding="utf-8")
    assert "Chinese New Energy Car Maker NIO Responds to Data Leak Blackmail" in page
    assert "blackmailed by hackers" in page and "Related Posts" not in page
    assert 'href="https://en.tmtpost.com/post/6353999"' in page


@pytest.mark.parametrize("topic", ["data-security", "evs"])
def test_topic_listing_pages_show_the_example(built_site: Path, topic: str) -> None:
    page = (built_site / "topics" / topic / "index.html").read_text(encoding="utf-8")
    assert "../../articles/tmtpost-6353999/" in page


def test_search_index_holds_the_article_text(built_site: Path) -> None:
    fragments = {}
    for path in (built_site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        fragments[data["url"]] = data["content"].replace("\u200b", "")
    nio = [c for url, c in fragments.items() if url.endswith("/articles/tmtpost-6353999/")]
    assert nio and "blackmailed" in nio[0]
    assert not any(url.rstrip("/").endswith(("topics/evs", "digest/2022-12-21")) for url in fragments)


def test_the_front_matter_date_is_a_datetime(built_site: Path) -> None:
    meta = read_front_matter(built_site.parent / "docs" / "articles" / "tmtpost-6353999.md")
    assert meta["date"].isoformat() == "2022-12-21T00:00:00+08:00"


@pytest.mark.parametrize("url_first", [True, False])
def test_one_article_saved_with_and_without_its_address_gets_one_page(tmp_path: Path,
                                                                      url_first: bool) -> None:
    with_url = ["import", str(EXAMPLE), "--url", "https://en.tmtpost.com/post/6353999",
                "--docs", str(tmp_path)]
    without = ["import", str(EXAMPLE), "--docs", str(tmp_path)]
    for args in ([with_url, without] if url_first else [without, with_url]):
        assert run(*args)[0] == 0
    pages = list((tmp_path / "articles").glob("*.md"))
    assert len(pages) == 1
    meta = read_front_matter(pages[0])
    assert meta["id"] == "tmtpost:6353999" and meta["url"] == "https://en.tmtpost.com/post/6353999"


def test_check_site_passes_the_built_site(built_site: Path) -> None:
    code, out, _ = run("check-site", str(built_site))
    assert code == 0 and "no live code" in out


@pytest.mark.parametrize(("where", "inject", "finding"), [
    ("articles/tmtpost-6353999/index.html", "<p><script>alert(1)</script></p>", "inline <script>"),
    ("articles/tmtpost-6353999/index.html", '<img src="x" onerror="alert(1)">', "event handler onerror"),
    ("topics/evs/index.html", '<a href=" JavaScript:alert(1)">x</a>', "href="),
    ("topics/evs/index.html", '<a href="java&#x09;script:alert(1)">x</a>', "href="),
    ("index.html", '<script src="https://evil.example/x.js"></script>', "from outside the theme"),
    ("index.html", '<iframe src="https://evil.example/"></iframe>', "<iframe>"),
    ("index.html", '<meta http-equiv="refresh" content="0;url=https://evil.example">', "refresh"),
])
def test_check_site_fails_on_live_code(built_site: Path, tmp_path: Path, where: str, inject: str,
                                       finding: str) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    page = site / where
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", inject + "</article>", 1),
                    encoding="utf-8")
    code, out, err = run("check-site", str(site))
    assert code == 1 and finding in out and where in out
    assert "not safe to publish" in err


def test_check_site_reads_the_search_index_and_feeds(built_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    index = site / "search" / "search_index.json"
    index.parent.mkdir(exist_ok=True)
    data = {"docs": [{"location": "x/", "title": "<img src=x onerror=alert(1)>", "text": ""}]}
    index.write_text(json.dumps(data), encoding="utf-8")
    feed = site / "feed.xml"
    feed.write_text(feed.read_text(encoding="utf-8").replace(
        "<description>", "<description>&lt;script&gt;alert(1)&lt;/script&gt;", 1), encoding="utf-8")
    code, out, _ = run("check-site", str(site))
    assert code == 1 and "search_index.json" in out and "feed.xml: live markup" in out


def test_extract_reads_any_language_and_import_publishes_only_english_and_chinese(
        tmp_path: Path) -> None:
    page = FIXTURES / "hostile" / "unknown-language.html"
    code, out, err = run("extract", "--format", "jsonl", str(page))
    record = json.loads(out)
    assert code == 0 and record["language"] == "other"
    assert "Компания рассчитывает" in record["text"]
    assert "language we do not publish" in err
    code, out, err = run("import", "--docs", str(tmp_path / "docs"), str(page))
    assert code == 1 and "language we do not publish" in out + err
    assert not list((tmp_path / "docs" / "articles").glob("*.md"))
