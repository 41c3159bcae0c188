"""A page's own address (canonical link, og:url, --url, urls.yml) is checked at the border.

Only http(s) addresses are ever stored in an article; an unusable one becomes "no URL"
with a warning, and the next run reads the archive as before.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scraper.cli import main
from scraper.frontmatter import read_meta
from scraper.mkdocs.entries import Entry
from scraper.mkdocs.sitefeeds import all_feeds
from scraper.models import RawPage
from scraper.sites.dispatch import extract_article
from scraper.tag import load_rules

FIXTURES = Path(__file__).parent / "fixtures"
GENERIC = FIXTURES / "generic" / "reuters-like.html"
TMTPOST = FIXTURES / "tmtpost" / "en-post-2023.html"
ZH_GBK = FIXTURES / "fakesite" / "zh" / "7400005.html"

BAD = [
    "http://127.0.0.1:99999/post/1", "http://[::1/post/1", "http://[x/", "http://a.com:abc/",
    "http://[::1]junk/", "http:///x", "http://user@evil.example/", "javascript:alert(1)",
    " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)", "\x01javascript:alert(1)", "http://exa mple.com/",
]


def with_canonical(source: Path, href: str) -> bytes:
    """The page with every canonical link and og:url replaced by `href` (HTML-escaped)."""
    text = source.read_text(encoding="utf-8")
    escaped = href.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    lines = [f'<link rel="canonical" href="{escaped}">' if 'rel="canonical"' in line else
             f'<meta property="og:url" content="{escaped}">' if 'property="og:url"' in line
             else line for line in text.splitlines()]
    return "\n".join(lines).encode("utf-8")


@pytest.mark.parametrize("source", [GENERIC, TMTPOST], ids=["generic", "tmtpost"])
@pytest.mark.parametrize("href", BAD)
def test_an_unusable_canonical_link_becomes_no_url_with_a_warning(source: Path, href: str) -> None:
    article = extract_article(RawPage("page.html", with_canonical(source, href)))
    assert article.url is None
    assert article.warnings and "unusable" in article.warnings[0]


def test_an_entity_encoded_javascript_canonical_is_refused() -> None:
    page = GENERIC.read_text(encoding="utf-8").replace(
        'rel="canonical" href="https://www.reuters.com', 'rel="canonical" href="jav&#x61;script:x//', 1)
    page = page.replace('content="https://www.reuters.com/technology', 'content="&#106;avascript:', 1)
    assert extract_article(RawPage("page.html", page.encode())).url is None


def test_a_usable_og_url_stands_in_for_a_broken_canonical_link() -> None:
    page = GENERIC.read_text(encoding="utf-8").replace(
        'rel="canonical" href="https://www.reuters.com', 'rel="canonical" href="http://[x', 1)
    article = extract_article(RawPage("page.html", page.encode()))
    assert article.url and article.url.startswith("https://www.reuters.com/technology/")


@pytest.mark.parametrize("href", BAD[:3] + ["javascript:alert(1)"])
def test_import_then_update_survive_a_bad_canonical_link(tmp_path: Path, href: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(with_canonical(TMTPOST, href))
    docs = tmp_path / "docs"
    for _ in range(2):  # the second run reads back what the first one stored
        result = CliRunner().invoke(main, ["import", str(page), "--docs", str(docs)])
        assert result.exit_code == 0, result.output
        assert "warning:" in result.stderr and "unusable" in result.stderr
    stored = "\n".join(p.read_text(encoding="utf-8") for p in (docs / "articles").glob("*.md"))
    assert len(list((docs / "articles").glob("*.md"))) == 1
    assert "javascript" not in stored.lower() and "[x" not in stored
    # the site feed the build makes from it (scraper.mkdocs.sitefeeds) has no source link
    entries = [Entry.from_front_matter(f"articles/{p.name}", read_meta(p))
               for p in (docs / "articles").glob("*.md")]
    feed = json.loads(all_feeds(entries, load_rules(), "Digest", "https://example.org/")["feed.json"])
    assert feed["items"] and all("external_url" not in item for item in feed["items"])


@pytest.mark.parametrize("command", ["import", "extract"])
@pytest.mark.parametrize("url", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x",
                                 "vbscript:x", "http://127.0.0.1:99999/", "http://[x/", "/relative",
                                 "ftp://example.com/x"])
def test_url_option_refuses_what_is_not_a_usable_http_url(tmp_path: Path, command: str,
                                                          url: str) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(TMTPOST.read_bytes())
    result = CliRunner().invoke(main, [command, str(page), "--url", url, "--docs" if command ==
                                       "import" else "--format", str(tmp_path / "docs") if command
                                       == "import" else "json"])
    assert result.exit_code == 2
    error = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(error) == 1 and "'--url'" in error[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "docs").exists()


def test_extract_warns_about_an_unusable_canonical_link(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(with_canonical(TMTPOST, "http://[x/"))
    result = CliRunner().invoke(main, ["extract", str(page)])
    assert result.exit_code == 0 and json.loads(result.stdout)["url"] is None
    assert "warning:" in result.stderr and "unusable" in result.stderr


def test_url_option_is_stored_in_normal_form(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(GENERIC.read_bytes())
    result = CliRunner().invoke(main, ["extract", str(page), "--url",
                                       "HTTPS://Example.COM:443/a/../story#top"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["url"] == "https://example.com/story"


def test_an_unusable_address_in_urls_yml_becomes_no_url(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "a.html").write_bytes(GENERIC.read_bytes().replace(b'rel="canonical"', b'rel="x"')
                                    .replace(b'property="og:url"', b'property="x"'))
    (folder / "b.html").write_bytes(TMTPOST.read_bytes())
    (folder / "urls.yml").write_text(yaml.safe_dump({"a.html": "javascript:alert(1)",
                                                     "b.html": "http://[::1/post/1"}))
    docs = tmp_path / "docs"
    result = CliRunner().invoke(main, ["import", str(folder), "--docs", str(docs)])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("unusable") >= 2
    stored = "\n".join(p.read_text(encoding="utf-8") for p in (docs / "articles").glob("*.md"))
    assert "javascript" not in stored.lower() and "[::1" not in stored


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_an_xhtml_page_with_an_xml_declaration_is_read(encoding: str) -> None:
    html = ZH_GBK.read_bytes().decode("gb18030")
    html = html.replace('charset="gbk"', "").replace("charset=gbk", "")
    xhtml = (f'<?xml version="1.0" encoding="{encoding}"?>\n<!DOCTYPE html PUBLIC '
             '"-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
             + html[html.index("<html"):].replace("<html", '<html xmlns="http://www.w3.org/1999/xhtml"', 1))
    article = extract_article(RawPage("page.xhtml", xhtml.encode(encoding, "replace")))
    assert article.language == "zh" and article.title
    assert "\ufffd" not in article.title + " ".join(b.text for b in article.blocks)
