"""Hand edits of docs/articles/ a careless editor (or an attacker with write access to one
article) makes: each bad file is named in one line, the rest of the site builds, nothing
outside the articles is published, and no field becomes markup or breaks a feed."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import xml.dom.minidom
from pathlib import Path

import html5lib
import pytest
from mkdocs.config.base import ValidationError

from scraper.dates import BEIJING
from scraper.frontmatter import parse_front_matter
from scraper.mkdocs.entries import Entry
from scraper.mkdocs.listings import build_listings
from scraper.mkdocs.sitefeeds import doc_url, rss
from scraper.searchtext import body_blocks, decode
from scraper.tag import TopicRules
from tests.conftest import site_root

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "true"}
SECRET = "SECRET-OUTSIDE-THE-PROJECT"


def article(name: str, extra: str = "", body: str = "Text of the article.\n", title: str = "") -> str:
    return (f"---\ntitle: {title or 'Edited ' + name}\nid: edit:{name}\ndate: 2024-03-05 09:00:00+08:00\n"
            f"published: '2024-03-05T09:00:00+08:00'\nsite_name: Editor\n{extra}---\n\n"
            f"# Edited {name}\n\n{body}")


# name in docs/articles -> (its bytes, or a kind of file; the warning naming it, or None)
BAD_FILES: dict[str, tuple[bytes | str, str | None]] = {
    # MkDocs crashed reading these (an "Encoding error" traceback), for any build
    "latin1.md": (article("latin1", body="caf\u00e9\n").encode("latin-1"), "not UTF-8 text"),
    "utf16.md": (article("utf16").encode("utf-16"), "not UTF-8 text"),
    # MkDocs blocked for ever reading it
    "fifo.md": ("fifo", "not a regular file"),
    # MkDocs published the target of the link, outside the project
    "outside-link.md": ("link", "is a symbolic link"),
    # copied into the site as they are: a live script, a page of another layout
    "raw.html": (b"<script>alert(1)</script>\n", "not an article page"),
    "UPPER.MD": (article("upper").encode(), "not an article page"),
    "sub/nested.md": (article("nested", "topics: [ai]\n").encode(), "not in a sub-folder"),
    "x.md~": (article("backup").encode(), None),  # an editor's backup: info, not a warning
    # a refused page with an id crashed the search index ('int' object is not iterable)
    "bad-topics.md": (article("bad-topics", "topics: 5\n").encode(), "key 'topics': 5 is not a list"),
    "noeol.md": (b"---\ntitle: No end\nid: edit:noeol\n---", "closing '---' line needs a line break"),
    # cmark leaves a comment for raw HTML: the search index crashed on it
    "raw-body.md": (article("raw-body", "topics: [ai]\n", "<script>alert(1)</script>\n\n<img src=x "
                            "onerror=alert(2)>\n\nText <b onclick=alert(3)>b</b>.\n").encode(), None),
    # the listings' Markdown links ended at the space and showed as text
    "with space.md": (article("space", "topics: [ai]\n").encode(), None),
    # its topic page replaced the Topics page
    "index-topic.md": (article("index-topic", "topics: [index, ai]\n").encode(),
                       "topic 'index' of docs/articles/index-topic.md: its page topics/index.md"),
    # MkDocs leaves dot files out; the listings and feeds linked it all the same
    ".hidden.md": (article("hidden", "topics: [ai]\n").encode(), None),
    # a BEL made feed.xml invalid XML; the bidi override reached every listing
    "control.md": (article("control", 'summary: "Bell \\a here, \\u202eevil"\ntopics: [ai]\n').encode(),
                   None),
    # refused, yet MkDocs still rendered the page with the template it chose: a live script
    "template.md": (article("template", "template: redirect.html\n"
                            'location: "javascript:alert(1)//"\n').encode(), "key 'template' is not allowed"),
    "amp-title.md": (article("amp", "topics: [ai]\n", title="'R&D''s <b>plan</b>'").encode(), None),
}


def write_bad_files(articles: Path, outside: Path) -> None:
    (outside / "secret.md").write_text(f"---\ntitle: Secret\nid: s:1\n---\n\n{SECRET}\n",
                                       encoding="utf-8")
    for name, (content, _) in BAD_FILES.items():
        path = articles / name
        path.parent.mkdir(exist_ok=True)
        if content == "fifo":
            os.mkfifo(path)
        elif content == "link":
            path.symlink_to(outside / "secret.md")
        else:
            assert isinstance(content, bytes)
            path.write_bytes(content)


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory, demo_articles: Path) -> tuple[Path, str, str]:
    """The demo project with every bad file: (its site, the log of a build, of a strict build)."""
    root = site_root(tmp_path_factory.mktemp("edited"))
    shutil.copytree(demo_articles, root / "docs" / "articles", ignore=shutil.ignore_patterns(".*"))
    write_bad_files(root / "docs" / "articles", tmp_path_factory.mktemp("outside"))

    def build(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "mkdocs", "build", *args], cwd=root,
                              capture_output=True, text=True, env=ENV, timeout=300)

    strict = build("--strict")
    assert strict.returncode == 1, strict.stderr[-3000:]
    done = build("--no-strict")
    assert done.returncode == 0, done.stderr[-3000:]
    return root / "site", done.stderr, strict.stderr


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_each_bad_file_is_named_in_one_line_and_fails_only_the_strict_build(
        edited: tuple[Path, str, str], name: str) -> None:
    _, log, strict = edited
    assert "Traceback" not in log and "Traceback" not in strict
    problem = BAD_FILES[name][1]
    lines = [line for line in log.splitlines() if f"docs/articles/{name}" in line
             and line.startswith(("WARNING", "ERROR"))]
    if problem is None:
        assert lines == []
    else:
        assert len(lines) == 1 and problem in lines[0], lines
        assert any(f"docs/articles/{name}" in line and problem in line for line in strict.splitlines())


def test_nothing_outside_the_articles_is_published(edited: tuple[Path, str, str]) -> None:
    site, _, _ = edited
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".xml", ".json"):
            assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    published = {p.relative_to(site / "articles").as_posix() for p in (site / "articles").rglob("*")}
    for left_out in ("raw.html", "UPPER.MD", "x.md~", "sub", "outside-link", "latin1", "utf16", "fifo",
                     ".hidden"):
        assert not any(p == left_out or p.startswith(left_out + "/") for p in published), left_out
    for text in (site / "feed.json", site / "topics" / "ai" / "index.html"):
        assert ".hidden" not in text.read_text(encoding="utf-8")


def test_edited_fields_never_become_markup_or_break_a_feed(edited: tuple[Path, str, str]) -> None:
    site, _, _ = edited
    for feed in [site / "feed.xml", *site.glob("topics/*.xml")]:
        xml.dom.minidom.parse(str(feed))  # raises on a control character
    for path in [site / "feed.json", site / "topics" / "ai" / "index.html", site / "index.html"]:
        text = path.read_text(encoding="utf-8")
        assert "\u202e" not in text and "\a" not in text, path
    assert "javascript:" not in (site / "articles" / "template" / "index.html").read_text(encoding="utf-8")
    page = html5lib.parse((site / "articles" / "raw-body" / "index.html").read_bytes(),
                          namespaceHTMLElements=False)
    body = page.find(".//article")
    assert body is not None
    assert not body.findall(".//script") and not body.findall(".//img")
    assert not [el for el in body.iter() if any(a.startswith("on") for a in el.attrib)]


def test_a_file_name_with_a_space_is_linked_from_the_listings(edited: tuple[Path, str, str]) -> None:
    site, _, _ = edited
    month = (site / "archive" / "2024-03" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../articles/with%20space/"' in month
    assert "](../articles/with" not in month  # not a link shown as text
    assert (site / "articles" / "with space" / "index.html").is_file()


def test_a_topic_named_index_leaves_the_topics_page_in_place(edited: tuple[Path, str, str]) -> None:
    site, _, _ = edited
    page = html5lib.parse((site / "topics" / "index.html").read_bytes(), namespaceHTMLElements=False)
    heading = page.find(".//article//h1")
    assert heading is not None and heading.text == "Topics"


def test_search_titles_are_the_front_matters_text(edited: tuple[Path, str, str]) -> None:
    """The page's title is escaped for the theme; the search box prints the record's as text,
    so R&D showed as R&amp;D."""
    site, _, _ = edited
    titles = []
    for fragment in (site / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        titles.append(decode(json.loads(data[data.index(b"{"):])["meta"]["title"]))
    assert "R&D's <b>plan</b>" in titles
    assert not any("Edited bad-topics" in t for t in titles)  # refused: in no listing, not searched


@pytest.mark.parametrize("field", ["title", "summary", "site_name"])
@pytest.mark.parametrize("raw", ['"a\\0b"', '"a\\ab"', '"a\\u202eb"', '"a\\x1bb"', '"a\\u2066b"'])
def test_front_matter_text_loses_control_and_bidi_characters(field: str, raw: str) -> None:
    fields = {"title": "t", "id": "x", field: raw}
    meta, _ = parse_front_matter("---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n",
                                 "x.md")
    assert getattr(meta, field) == "ab"


@pytest.mark.parametrize("value", [0, -1, True, False, "5", 2.5])
def test_search_part_size_must_be_a_whole_number_of_at_least_one(value: object) -> None:
    from scraper.mkdocs.config import PositiveInt

    with pytest.raises(ValidationError):
        PositiveInt(default=2000).validate(value)


def test_a_search_part_size_of_zero_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    root = site_root(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  - scraper:\n", "  - scraper:\n      search_part_size: 0\n", 1), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root, capture_output=True,
                          text=True, env=ENV, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "'search_part_size': Expected a whole number of at least 1, not 0" in done.stderr


def entry(path: str, topics: tuple[str, ...] = ("ai",), day: int = 1, summary: str | None = None) -> Entry:
    from datetime import datetime

    return Entry(path=path, title=f"Title {path}", when=datetime(2024, 3, day, 9, tzinfo=BEIJING),
                 site_name="S", topics=topics, summary=summary, timed=True)


@pytest.mark.parametrize(("path", "directory_urls", "url"), [
    ("articles/x.md", True, "https://e.org/articles/x/"),
    ("articles/x.md", False, "https://e.org/articles/x.html"),
    ("articles/index.md", True, "https://e.org/articles/"),
    ("articles/index.md", False, "https://e.org/articles/index.html"),
    ("articles/with space.md", True, "https://e.org/articles/with%20space/"),
])
def test_feeds_link_articles_as_mkdocs_addresses_them(path: str, directory_urls: bool, url: str) -> None:
    assert doc_url("https://e.org/", entry(path).path, directory_urls) == url


def test_a_feed_drops_characters_xml_forbids(rules: TopicRules) -> None:
    text = rss([entry("articles/a.md", summary="bell\a nul\x00 esc\x1b")], "T", "https://e.org/",
               "feed.xml", rules, lambda e: "<p>body\x0b\x01</p>")
    dom = xml.dom.minidom.parseString(text)
    item = dom.getElementsByTagName("item")[0]
    assert item.getElementsByTagName("description")[0].firstChild.data == "bell nul esc"  # type: ignore[union-attr]


def test_a_topic_never_replaces_another_generated_page(rules: TopicRules,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    """`index` would replace the Topics page, `ai-1` the oldest page of ai's long list."""
    entries = [entry(f"articles/a{i}.md", day=1 + i % 28) for i in range(150)]
    entries += [entry("articles/odd.md", ("index", "ai-1", "fine"))]
    pages = build_listings(entries, rules, "Site")
    assert pages["topics/index.md"].startswith("---\ntitle: Topics\n")
    assert "Title articles/a0.md" in pages["topics/ai-1.md"]  # still ai's own oldest page
    assert "odd.md" in pages["topics/fine.md"]
    assert "(index.md)" not in pages["topics/index.md"] and "(ai-1.md)" not in pages["topics/index.md"]
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warned) == 2 and all("docs/articles/odd.md" in w for w in warned), warned


def test_search_text_skips_the_comment_cmark_leaves_for_raw_html() -> None:
    assert body_blocks("<h1>T</h1><p>by</p><!-- raw HTML omitted --><p>text</p>", False) == ["text"]
