"""Every address from outside is parsed once, at the border: usable http(s), or a reason."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.fetch.files import gunzip_capped
from scraper.urls import (
    MAX_URL_LENGTH,
    CheckedUrl,
    _is_normal,
    _parse_in_full,
    forget_parsed,
    normalize_url,
    parse_url,
)

MALFORMED = {
    "port out of range": "http://127.0.0.1:99999/post/1",
    "port 65536": "http://example.com:65536/",
    "negative port": "http://example.com:-1/",
    "non-numeric port": "http://example.com:abc/post/1",
    "port 0": "http://example.com:0/",
    "empty port with junk": "http://example.com:8o/",
    "broken IPv6 bracket": "http://[::1/post/1",
    "IPv6 bracket without address": "http://[x/",
    "closing bracket only": "http://::1]/post/1",
    "bracket with garbage": "http://[::1]x/",
    "IPv6 zone id": "http://[fe80::1%25eth0]/",
    "empty host": "http:///post/1",
    "only a scheme": "http://",
    "userinfo": "http://user:pw@example.com/",
    "userinfo disguising the host": "https://www.tmtpost.com@evil.example/",
    "encoded @ in userinfo": "http://tmtpost.com%40x@evil.example/",
    "backslash in authority": "http://tmtpost.com\\@evil.example/",
    "backslash for slashes": "http:\\\\evil.example\\x",
    "NUL byte": "http://example.com/\x00post",
    "control character in host": "http://exa\x01mple.com/",
    "DEL character": "http://example.com/\x7f",
    "C1 control": "http://example.com/\x85x",
    "space in host": "http://exa mple.com/",
    "percent in host": "http://%65vil.example/",
    "over-long URL": "http://example.com/" + "a" * MAX_URL_LENGTH,
    "over-long host label": "http://" + "a" * 64 + ".com/",
    "empty label": "http://a..b/",
    "label starting with a hyphen": "http://-a.example/",
    "bad punycode": "http://xn--zz/",
    "right-to-left override": "http://\u202eexample.com/",
    "IDN garbage": "http://\udcff.com/",
    "integer IPv4": "http://2130706433/",
    "hex IPv4": "http://0x7f.0.0.1/",
    "short IPv4": "http://127.1/",
    "octet over 255": "http://999.1.1.1/",
    "javascript": "javascript:alert(1)",
    "javascript, any case, leading space": "  JaVaScRiPt:alert(1)",
    "javascript with a tab": "java\tscript:alert(1)",
    "javascript with a newline": "javas\ncript:alert(1)",
    "javascript after control characters": "\x01\x02javascript:alert(1)",
    "javascript entity left encoded": "javascript&colon;alert(1)",
    "data": "data:text/html,<script>alert(1)</script>",
    "vbscript": "VBScript:msgbox(1)",
    "file": "file:///etc/passwd",
    "ftp": "ftp://example.com/x",
    "mailto": "mailto:a@example.com",
    "scheme-relative without base": "//evil.example/x",
    "relative without base": "/post/1",
    "empty": "",
    "whitespace only": " \t\n ",
}


@pytest.mark.parametrize("raw", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_address_is_refused_with_a_reason(raw: str) -> None:
    checked = parse_url(raw)
    assert checked.url is None
    assert checked.problem and "\n" not in checked.problem


@pytest.mark.parametrize("raw", list(MALFORMED.values()), ids=list(MALFORMED))
def test_identity_of_a_malformed_address_never_raises(raw: str) -> None:
    assert isinstance(normalize_url(raw), str)


@pytest.mark.parametrize("raw", [None, 7, b"http://example.com/", ["http://example.com/"]])
def test_what_is_not_text_is_no_url(raw: object) -> None:
    assert parse_url(raw).url is None


@pytest.mark.parametrize(("raw", "base", "expected"), [
    ("HTTP://WWW.Example.COM:80/a", None, "http://www.example.com/a"),
    ("https://example.com:443", None, "https://example.com/"),
    ("http://example.com:8080/a#frag", None, "http://example.com:8080/a"),
    ("  http://example.com/a \n", None, "http://example.com/a"),
    ("http://exam\tple.com/a", None, "http://example.com/a"),
    ("http://example.com/a b/中文?q=中", None,
     "http://example.com/a%20b/%E4%B8%AD%E6%96%87?q=%E4%B8%AD"),
    ("http://例子.测试/x", None, "http://xn--fsqu00a.xn--0zwm56d/x"),
    ("http://ＥＸＡＭＰＬＥ.com/", None, "http://example.com/"),
    ("http://[::1]:8080/x", None, "http://[::1]:8080/x"),
    ("http://127.0.0.1:8000/a/./b/../c", None, "http://127.0.0.1:8000/a/c"),
    ("http://example.com/../../etc/passwd", None, "http://example.com/etc/passwd"),
    ("../../../x", "http://example.com/a/b/c", "http://example.com/x"),
    ("../../../../../x", "http://example.com/a/", "http://example.com/x"),
    ("//cdn.example.com/x", "https://example.com/", "https://cdn.example.com/x"),
    ("?page=2", "http://example.com/list", "http://example.com/list?page=2"),
    ("http://my_host.example.com/", None, "http://my_host.example.com/"),
    ("http://Example.com./x", None, "http://example.com/x"),
    ("http://Bücher.de/", None, "http://xn--bcher-kva.de/"),
    ("http://[::ffff:127.0.0.1]/", None, "http://[::ffff:7f00:1]/"),
])
def test_a_usable_address_comes_out_in_normal_form(raw: str, base: str | None,
                                                   expected: str) -> None:
    assert parse_url(raw, base).url == expected


def test_a_bad_base_is_a_problem_not_a_crash() -> None:
    assert parse_url("/post/1", "http://[x/").url is None


def test_identity_ignores_scheme_default_port_and_tracking() -> None:
    assert normalize_url("http://Example.com:80/a?utm_source=x&id=1#f") == \
        normalize_url("https://example.com/a?id=1")


@pytest.mark.parametrize(("raw", "base"), [
    ("http:///x", "http://127.0.0.1:8000/page"),  # Python joins to 127.0.0.1, browsers go to x
    ("http:\\\\x\\y", "http://127.0.0.1:8000/page"),
])
def test_an_address_browsers_read_differently_is_refused(raw: str, base: str) -> None:
    assert parse_url(raw, base).url is None


@pytest.mark.parametrize("text", ["https://en.tmtpost.com/post/1", "HTTP://Example.com/a/../b",
                                  "http://[::1/post/1", "http://127.0.0.1:99999/x", "/post/2",
                                  "javascript:alert(1)", " https://en.tmtpost.com/post/3 "])
def test_a_cached_parse_is_the_same_as_a_fresh_one(text: str) -> None:
    base = "https://www.tmtpost.com/column/1"
    first = (parse_url(text, base), parse_url(text))
    forget_parsed()
    assert (parse_url(text, base), parse_url(text)) == first
    if text.lower().startswith("http"):  # an absolute address ignores its base
        assert parse_url(text, base) == parse_url(text)


@pytest.mark.parametrize("value", [["https://a.example/"], {"a": 1}, None, 3])
def test_a_value_that_is_not_text_is_no_url_and_never_raises(value: object) -> None:
    assert parse_url(value).url is None


# --- the fast path for addresses already in normal form -------------------------------------
# `_is_normal` skips the full parse for most links; whenever it says yes, the full parse
# must give back the very same text. Checked on real addresses, hostile ones and generated ones.

FIXTURES = Path(__file__).parent / "fixtures"


def _hrefs_in_fixtures() -> list[str]:
    found: set[str] = set()
    pages = [*FIXTURES.rglob("*.htm"), *FIXTURES.rglob("*.html"), *FIXTURES.glob("tmtpost/*.html.gz")]
    for page in sorted(pages):  # (not hostile/'s gzip bomb)
        data = gunzip_capped(page.read_bytes()) if page.suffix == ".gz" else page.read_bytes()
        found.update(re.findall(r'(?:href|src|content)="([^"]{1,400})"', data.decode("utf-8", "replace")))
    return sorted(found)


NEAR_NORMAL = [
    "https://en.tmtpost.com/post/7000001", "https://www.tmtpost.com/2512346.html",
    "http://a.example/x?y=1&z=[2]", "https://a.example", "https://A.example/", "HTTPS://a.example/",
    "https://a.example/./x", "https://a.example/x/..", "https://a.example/.well-known/x",
    "https://a.example/x?", "https://a.example/x?#", "https://a.example/x#f", "https://a.example:443/",
    "https://a.example:8080/", "https://a.example./", "https://.a.example/", "https://a..example/",
    "https://127.0.0.1/", "https://2130706433/", "https://a.0x7f/", "https://a.08/", "https://a.0x/",
    "https://xn--zz.example/", "https://a.xn--zz/", "https://-a.example/", "https://a-.example/",
    "https://my_host.example/", "https://" + "a" * 63 + ".example/", "https://" + "a" * 64 + ".example/",
    "https://" + ".".join(["abcdefghi"] * 26) + "/", "https://" + ".".join(["abcdefghi"] * 25) + "/",
    "https://a.example/%zz/%2e%2e/", "https://a.example//x//", "https://a.example/x?a=/./b",
    "https://a.example/x?a?b", "https://a.example/x;y=1:z@w!$&'()*+,=~", "https://a.example/" + "a" * 2030,
    "https://a.example/" + "a" * 2031, "https://a.example/a b", "https://a.example/\u4e2d",
    "https://a.example/x\\y", "https://user@a.example/", "https://a.example/x?q=[1]",
]
NORMAL_ALPHABET = st.sampled_from(list("az09_-.~/:@!$&'()*+,;=%?#[]\\ AZ") + ["xn--", "0x", "/./", "/../",
                                                                                 "\u4e2d", "\t", "\x00"])


def _assert_fast_path_agrees(raw: str) -> None:
    if _is_normal(raw):
        assert _parse_in_full(raw, None) == CheckedUrl(raw), raw


@pytest.mark.parametrize("raw", NEAR_NORMAL + list(MALFORMED.values()))
def test_the_fast_path_agrees_with_the_full_parse(raw: str) -> None:
    _assert_fast_path_agrees(raw)


def test_the_fast_path_agrees_on_every_address_in_the_fixtures() -> None:
    hrefs = _hrefs_in_fixtures()
    fast = [raw for raw in hrefs if _is_normal(raw)]
    assert len(fast) > 100  # the test compares something: most real links take the fast path
    for raw in hrefs:
        _assert_fast_path_agrees(raw)
        assert parse_url(raw) == _parse_in_full(raw, None)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(["http://", "https://", "HTTP://", "https:/", "ftp://", ""]),
       st.lists(NORMAL_ALPHABET, max_size=12).map("".join),
       st.lists(NORMAL_ALPHABET, max_size=20).map("".join))
def test_the_fast_path_agrees_on_generated_addresses(scheme: str, host: str, rest: str) -> None:
    _assert_fast_path_agrees(f"{scheme}{host}/{rest}")
    _assert_fast_path_agrees(f"{scheme}a.{host}/{rest}")


def test_the_fast_path_is_taken_for_plain_links_only() -> None:
    assert _is_normal("https://en.tmtpost.com/post/7000001")
    assert _is_normal("http://a.example/x?y=1")
    assert not _is_normal("https://A.example/")  # lower-cased by the full parse
    assert not _is_normal("https://a.example/./x")  # dot segments removed by it
    assert not _is_normal("https://a.example/x#f")  # fragment dropped
