"""The command line: extract formats and exit codes, import, and a strict MkDocs build."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from scraper.cli import main
from scraper.frontmatter import read_meta
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
    for path in (built_site / "pagefind").glob("part-*/fragment/*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
        fragments[data["url"]] = data["content"].replace("\u200b", "")
    nio = [c for url, c in fragments.items() if url.endswith("/articles/tmtpost-6353999/")]
    assert nio and "blackmailed" in nio[0]
    assert not any(url.rstrip("/").endswith(("topics/evs", "digest/2022-12-21")) for url in fragments)


def test_the_front_matter_date_is_a_datetime(built_site: Path) -> None:
    meta = read_meta(built_site.parent / "docs" / "articles" / "tmtpost-6353999.md")
    assert meta.date is not None and meta.date.isoformat() == "2022-12-21T00:00:00+08:00"


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
    meta = read_meta(pages[0])
    assert meta.key == "tmtpost:6353999" and meta.url == "https://en.tmtpost.com/post/6353999"


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


# --- refusals are one line naming the input -----------------------------------------------

def error_line(args: list[str]) -> str:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_importing_an_empty_folder_says_why(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    line = error_line(["import", str(tmp_path / "empty"), "--docs", str(tmp_path / "docs")])
    assert f"{tmp_path / 'empty'}: no pages found" in line
    assert not (tmp_path / "docs").exists()


@pytest.mark.parametrize("docs", ["afile", "afile/docs"])
def test_a_docs_folder_that_cannot_be_one_is_refused(tmp_path: Path, docs: str) -> None:
    (tmp_path / "afile").write_text("x")
    line = error_line(["import", str(EXAMPLE), "--docs", str(tmp_path / docs)])
    assert str(tmp_path / docs) in line and "docs folder" in line
    assert (tmp_path / "afile").read_text() == "x"


def test_a_symlinked_archive_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "2020-01.md").write_text("someone else's file\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "articles").symlink_to(outside)  # the one folder a run writes
    line = error_line(["import", str(EXAMPLE), "--docs", str(tmp_path / "docs")])
    assert f"{tmp_path / 'docs' / 'articles'}: is a symbolic link" in line
    assert [p.name for p in outside.iterdir()] == ["2020-01.md"]


NIO = "https://en.tmtpost.com/post/6353999"


@pytest.mark.parametrize(("old", "new"), [
    ("date: 2022-12-21 00:00:00+08:00", "date: 2025-13-45"),
    ("topics:\n- data-security\n- evs", "topics: [data-security, evs"),
    ("title: Chinese", "title: !!python/object/apply:os.system ['true']\nx: Chinese"),
    ("language: en", "language: en\n\tx: 1"),
    ("\n---\n\n# Chinese", "\n\n# Chinese"),
])
def test_reimport_over_a_hand_broken_page_warns_keeps_it_and_writes_no_copy(
        tmp_path: Path, old: str, new: str) -> None:
    docs = tmp_path / "docs"
    assert run("import", str(EXAMPLE), "--url", NIO, "--docs", str(docs))[0] == 0
    page = docs / "articles" / "tmtpost-6353999.md"
    text = page.read_text(encoding="utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), encoding="utf-8")
    broken = page.read_bytes()
    code, out, err = run("import", str(EXAMPLE), "--url", NIO, "--docs", str(docs))
    assert code == 1 and "1 failed" in out and "Traceback" not in err
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert warnings == [next(w for w in warnings if w.startswith(f"warning: {page}: "))]
    assert page.read_bytes() == broken
    assert sorted(p.name for p in page.parent.glob("*.md")) == ["tmtpost-6353999.md"]
    # listings are the build's, which leaves such a page out with a warning (test_plugin.py)
    assert [p.name for p in docs.iterdir()] == ["articles"]


def test_a_different_page_claiming_a_stored_address_is_skipped(tmp_path: Path) -> None:
    generic = FIXTURES / "generic"
    url = "https://example.org/story"
    docs = tmp_path / "docs"
    assert run("import", str(generic / "reuters-like.html"), "--url", url, "--docs", str(docs))[0] == 0
    (stored,) = (docs / "articles").glob("*.md")
    before = stored.read_bytes()
    code, out, err = run("import", str(generic / "technode-like.html"), "--url", url,
                         "--docs", str(docs))
    assert "1 skipped" in out and "updated" not in out
    assert f"{url}: already the address of {stored}" in err and "the stored one is kept" in err
    assert stored.read_bytes() == before and len(list((docs / "articles").glob("*.md"))) == 1


@pytest.mark.parametrize(("content", "problem"), [
    (b'{"sources":[1]}', "sources[0]: must be a mapping"),
    (b'{"sources":[{"http":[1]}]}', "sources[0]: key 'http'"),
    (b'{"sources":[{"counts":{"new":"2"}}]}', "sources[0]: key 'counts'"),
    (b'{"sources":[{"errors":"x"}]}', "sources[0]: key 'errors'"),
    (b'{"sources":[{"errors":[1]}]}', "sources[0]: key 'errors'"),
    (b'{"sources":[{"warnings":[{}]}]}', "sources[0]: key 'warnings'"),
    (b'{"sources":{}}', "not a scraper report"),
    (b'{"sources":[],"archive_warnings":[1]}', "key 'archive_warnings'"),
    (b"[]", "not a scraper report"),
    (b"null", "not a scraper report"),
    (b"{", "not a readable report"),
    (b"\xff\xfe{\x00}\x00", "not UTF-8"),
    (b"[" * 100_000, "not a readable report"),
    (b"", "not a readable report"),
])
def test_a_malformed_report_is_one_line(tmp_path: Path, content: bytes, problem: str) -> None:
    path = tmp_path / "report.json"
    path.write_bytes(content)
    line = error_line(["report", str(path)])
    assert line.startswith(f"Error: {path}: ") and problem in line


def test_a_well_formed_report_renders_with_archive_warnings(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"sources": [{"name": "s", "status": "ok", "http": {"200": 2},
                                             "counts": {"new": 1}, "errors": [], "warnings": []}],
                                "archive_warnings": ["docs/articles/x.md: front matter: bad"]}))
    code, out, _ = run("report", str(path))
    assert code == 0 and "| s | ok | 200 ×2 | 1 |" in out
    assert "**archive** (warning): docs/articles/x.md: front matter: bad" in out


def offline_config(tmp_path: Path, **overrides: object) -> Path:
    data = {"user_agent": "TestDigest/0.1 (+https://example.org)", "docs": "docs",
            "state_dir": "state", "sources": [{"name": "samples", "type": "files",
                                               "path": str(ROOT / "samples")}], **overrides}
    path = tmp_path / "scraper.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_update_over_a_broken_page_reports_it_and_writes_no_copy(tmp_path: Path) -> None:
    cfg = offline_config(tmp_path)
    result = CliRunner().invoke(main, ["update", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    pages = sorted((tmp_path / "docs" / "articles").glob("*.md"))
    victim = pages[0]
    victim.write_text(victim.read_text().replace("title: ", "title: [", 1))
    broken = victim.read_bytes()
    result = CliRunner().invoke(main, ["update", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    assert f"warning: {victim}: front matter: not valid YAML" in result.stderr
    assert sorted((tmp_path / "docs" / "articles").glob("*.md")) == pages
    assert victim.read_bytes() == broken
    report = json.loads((tmp_path / "state" / "report.json").read_text())
    assert report["archive_warnings"] == [next(iter(report["archive_warnings"]))]
    assert report["sources"][0]["counts"]["failed"] == 1


@pytest.mark.parametrize(("make", "overrides", "problem"), [
    (lambda tmp: (tmp / "docs").mkdir() or (tmp / "docs" / "articles").symlink_to(tmp),
     {}, "articles: is a symbolic link"),
    (lambda tmp: (tmp / "state").write_text("x"), {}, "key 'state_dir': "),
    (lambda tmp: (tmp / "r").mkdir(), {"report": "r"}, "key 'report': "),
    (lambda tmp: None, {"min_delay": float("inf")}, "key 'min_delay'"),
])
def test_update_refusals_are_one_line(tmp_path: Path, make: Any, overrides: dict[str, object],
                                      problem: str) -> None:
    make(tmp_path)
    line = error_line(["update", "--config", str(offline_config(tmp_path, **overrides))])
    assert problem in line


def test_a_strict_build_fails_naming_each_article_whose_front_matter_is_broken(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    root = site_root(tmp_path)
    docs = root / "docs"
    assert run("import", str(ROOT / "samples"), "--docs", str(docs))[0] == 0
    pages = sorted((docs / "articles").glob("*.md"))
    edits = {pages[0]: ("\ndate: ", "\ndate: 2025-13-45\nx: "),
             pages[1]: ("\ntitle: ", "\ntitle: [\"<img src=x onerror=alert(1)>\"]\nx: "),
             pages[2]: ("\nsite: ", "\n\tsite: ")}
    for page, (old, new) in edits.items():
        page.write_text(page.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                          capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "true"})
    assert done.returncode != 0
    for page, problem in zip(edits, ["key 'date': '2025-13-45' is not a date",
                                     "key 'title': ['<img src=x onerror=alert(1)>'] is not text",
                                     "not valid YAML"], strict=True):
        assert f"WARNING -  docs/articles/{page.name}: front matter: {problem}" in done.stderr
    assert "Traceback" not in done.stderr


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


def test_a_urls_file_with_a_name_twice_is_refused_in_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_bytes(HTML.read_bytes())
    (folder / "urls.yml").write_text("a.html: https://en.tmtpost.com/post/1\n"
                                     "a.html: https://en.tmtpost.com/post/2\n", encoding="utf-8")
    code, out, err = run("import", "--docs", str(tmp_path / "docs"), str(folder))
    assert code != 0 and "urls.yml" in out + err and "Traceback" not in out + err
    assert not (tmp_path / "docs" / "articles").exists() or not list(
        (tmp_path / "docs" / "articles").glob("*.md"))
