"""Hostile pages as `scraper extract` reads them: charsets that lie or turn text into
markup, and nesting deeper than libxml2 builds (which silently dropped the rest of the page)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.cli import main
from scraper.read.decode import decode_page
from scraper.report import render_report
from tests.conftest import FIXTURES

POST = (FIXTURES / "fakesite" / "en" / "post-7300001.html").read_text(encoding="utf-8")
URL = "https://en.tmtpost.com/post/7300001"
LAST_PARAGRAPH = "Analysts expect the competition to continue into 2026"
ZH = "这是一段中文正文，用来测试网页编码是否被正确识别。" * 4


@pytest.mark.parametrize(("data", "content_type", "expected"), [
    # the UTF-16 label on a page that is not UTF-16: CJK noise before
    (b"<html><body><p>plain ascii text!</p></body></html>", "text/html; charset=utf-16",
     "plain ascii text"),
    (b"<html><body><p>plain ascii text!</p></body></html>", "text/html; charset=utf-16le",
     "plain ascii text"),
    (b'<html><head><meta charset="utf-16"></head><p>plain ascii text</p></html>', None,
     "plain ascii text"),
    (b"<html><body><p>plain ascii</p></body></html>", "text/html; charset=utf-32",
     "plain ascii"),  # (no 4-byte group of ASCII is a code point: it never decoded)
    # charsets Python knows and browsers refuse: they turned text into markup before
    (b"<p>+ADw-script+AD4-x+ADw-/script+AD4-</p>", "text/html; charset=utf-7", "+ADw-script+AD4-"),
    (b'<meta charset="utf-7"><p>+ADw-b+AD4-</p>', None, "+ADw-b+AD4-"),
    (b"<p>\\u003cscript\\u003e</p>", "text/html; charset=unicode_escape", "\\u003cscript\\u003e"),
    (b"<p>\\u003cscript\\u003e</p>", "text/html; charset=raw_unicode_escape", "\\u003cscript\\u003e"),
    (b"<p>xn--abc-def</p>", "text/html; charset=punycode", "xn--abc-def"),
    # UTF-8 served under a single-byte label (a misconfigured server's ISO-8859-1 default)
    (f"<html><p>{ZH}</p></html>".encode(), "text/html; charset=iso-8859-1", ZH),
    (f"<html><p>{ZH}</p></html>".encode(), "text/html; charset=windows-1252", ZH),
    (f'<html><meta charset="latin1"><p>{ZH}</p></html>'.encode(), None, ZH),
    (f"<html><p>{ZH}</p></html>".encode(), "text/html; charset=koi8-r", ZH),
])
def test_a_charset_that_does_not_fit_is_not_used(data: bytes, content_type: str | None,
                                                 expected: str) -> None:
    assert expected in decode_page(data, content_type)


@pytest.mark.parametrize(("data", "content_type", "expected"), [
    ("<p>caf\u00e9 na\u00efve</p>".encode("latin-1"), "text/html; charset=iso-8859-1",
     "caf\u00e9 na\u00efve"),
    ("<p>\u201cquoted\u201d</p>".encode("cp1252"), "text/html; charset=windows-1252", "\u201cquoted\u201d"),
    ("<p>\u041f\u0440\u0438\u0432\u0435\u0442</p>".encode("koi8-r"), "text/html; charset=koi8-r",
     "\u041f\u0440\u0438\u0432\u0435\u0442"),
    (f"<p>{ZH}</p>".encode("utf-16-le"), "text/html; charset=utf-16le", ZH),
    (f"<p>{ZH}</p>".encode("gb18030"), "text/html; charset=gbk", ZH),
    (f"<p>{ZH}</p>".encode("big5", "ignore"), "text/html; charset=big5",
     ZH.encode("big5", "ignore").decode("big5")),
])
def test_a_charset_that_fits_is_still_used(data: bytes, content_type: str, expected: str) -> None:
    assert expected in decode_page(data, content_type)


def extract_markdown(tmp_path: Path, html: str, *args: str) -> tuple[int, str]:
    page = tmp_path / "page.html"
    page.write_text(html, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(page), "--format", "markdown", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


DEEP = {
    "div": "<div>" * 10_000 + "<p>Deep inside.</p>" + "</div>" * 10_000,
    "unclosed div and span": "<div><span>" * 5_000 + "<p>Deep inside.",
    "inline": "<p>" + "<b><i>" * 5_000 + "Deep inside." + "</i></b>" * 5_000 + "</p>",
    "blockquote": "<blockquote>" * 3_000 + "<p>Deep inside.</p>" + "</blockquote>" * 3_000,
    "list": "<ul><li>" * 3_000 + "Deep inside." + "</li></ul>" * 3_000,
    "table": "<table><tr><td>" * 2_000 + "Deep inside." + "</td></tr></table>" * 2_000,
    "just past libxml2's limit": "<div>" * 300 + "<p>Deep inside.</p>" + "</div>" * 300,
    "script deep inside": "<div>" * 400 + "<script>var hidden = 1;</script><p>Deep inside.</p>"
                          + "</div>" * 400,
}


@pytest.mark.parametrize("adapter", ["tmtpost", "generic"])
@pytest.mark.parametrize("shape", sorted(DEEP))
def test_nesting_thousands_deep_keeps_the_whole_article(tmp_path: Path, shape: str,
                                                         adapter: str) -> None:
    """Before: libxml2 stopped at depth 256 without a word, so the rest of the page was lost
    ("no article text found", or an article cut short)."""
    first = "<p>The first paragraph comes before the deep part, and it is plain running text.</p>"
    html = POST.replace('<div class="post-content">',
                        '<div class="post-content">' + first + DEEP[shape], 1)
    code, markdown = extract_markdown(tmp_path, html, *(["--url", URL] if adapter == "tmtpost"
                                                        else []))
    assert code == 0, markdown
    body = markdown.split("\n---\n", 1)[1]
    assert "The first paragraph comes before the deep part" in body
    assert "Deep inside" in body
    assert LAST_PARAGRAPH in body
    assert "var hidden" not in body


def test_a_utf7_page_keeps_its_text_as_text(tmp_path: Path) -> None:
    """UTF-7 made "+ADw-h1+AD4-" a real heading element of the page before."""
    html = POST.replace('<meta charset="utf-8">', '<meta charset="utf-7">').replace(
        "<p>HANGZHOU", "<p>+ADw-/div+AD4-+ADw-h1+AD4-Fake+ADw-/h1+AD4- HANGZHOU", 1)
    html = html.encode("ascii", "xmlcharrefreplace").decode()  # UTF-7 decodes only ASCII
    code, markdown = extract_markdown(tmp_path, html, "--url", URL)
    assert code == 0
    assert "+ADw-/div+AD4-+ADw-h1+AD4-Fake" in markdown.replace("\\", "")
    assert "\n# Fake" not in markdown and LAST_PARAGRAPH in markdown


def test_the_report_names_the_page_of_an_error_that_does_not() -> None:
    """Before: "- **f**: the page is empty", with no word of which page."""
    report = {"sources": [{"name": "f", "status": "partial", "counts": {}, "errors": [
        {"url": "http://127.0.0.1/a/empty", "error": "the page is empty"},
        {"url": "http://127.0.0.1/a/gone", "error": "http://127.0.0.1/a/gone: HTTP 410 gone"},
        {"url": "item 3 ('x')", "error": "no http(s) link"}]}]}
    text = render_report(report)
    assert "http://127.0.0.1/a/empty: the page is empty" in text
    assert text.count("http://127.0.0.1/a/gone") == 1
    assert "item 3 \\('x'\\): no http\\(s\\) link" in text  # Markdown-escaped


def gzipped_post(shape: str) -> bytes:
    data = POST.encode()
    whole = gzip.compress(data)
    return {"cut short": whole[: len(whole) * 2 // 3],
            "two members": gzip.compress(data[:4000]) + gzip.compress(data[4000:]),
            "two members and padding": gzip.compress(data[:4000]) + gzip.compress(data[4000:])
            + b"\x00" * 8,
            "a member per line": b"".join(gzip.compress(line) for line in
                                          data.splitlines(keepends=True))}[shape]


@pytest.mark.parametrize(("shape", "error"), [
    ("cut short", "the gzip data is cut short"),
    ("two members", None),
    ("two members and padding", None),
    ("a member per line", "more than 100 gzip members"),
])
@pytest.mark.parametrize("name", ["page.html.gz", "page.html"])
def test_a_saved_gzip_page_is_read_whole_or_refused(tmp_path: Path, shape: str,
                                                    error: str | None, name: str) -> None:
    """Before: a cut-short download was read as a shorter article without a word, and the
    members after the first of a concatenated file were dropped."""
    page = tmp_path / name
    page.write_bytes(gzipped_post(shape))
    result = CliRunner().invoke(main, ["extract", str(page), "--url", URL, "--format", "markdown"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if error is None:
        assert result.exit_code == 0 and LAST_PARAGRAPH in result.output
    else:
        assert result.exit_code == 1
        assert f"{page}: {error}" in result.output and LAST_PARAGRAPH not in result.output
