"""The companies dictionary: what counts as a mention, and a clear error for a bad file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.companies import DEFAULT_COMPANIES, Companies, load_companies, parse_companies
from scraper.errors import ConfigError
from scraper.read.clean import CJK


def test_the_built_in_dictionary_has_the_companies_readers_follow() -> None:
    companies = load_companies()
    names = {c.id: c.names for c in companies.companies}
    for ident, chinese in [("nio", "蔚来"), ("byd", "比亚迪"), ("xiaomi", "小米"), ("huawei", "华为"),
                           ("catl", "宁德时代"), ("tesla-china", "特斯拉"), ("smic", "中芯国际")]:
        assert chinese in names[ident], ident


def test_latin_names_match_whole_words_with_their_capitals() -> None:
    companies = load_companies(DEFAULT_COMPANIES)
    assert companies.mentioned("The union of nio fans met BYDs owners") == ()
    assert companies.mentioned("NIO and BYD; Li\nAuto too") == ("nio", "byd", "li-auto")


def test_chinese_names_match_inside_text_in_either_script() -> None:
    companies = load_companies()
    assert companies.mentioned("宁德时代与华为合作，台積電供货") == ("huawei", "catl", "tsmc")


def test_a_users_own_dictionary_replaces_the_built_in_one(tmp_path: Path) -> None:
    own = tmp_path / "companies.yml"
    own.write_text("companies:\n  - id: unitree\n    name: Unitree\n    names: [Unitree, 宇树]\n",
                   encoding="utf-8")
    companies = load_companies(own)
    assert companies.mentioned("宇树 and NIO") == ("unitree",)


@pytest.mark.parametrize(("data", "message"), [
    ({"firms": []}, "must have a list `companies:`"),
    ({"companies": ["NIO"]}, "company 1: must be a mapping"),
    ({"companies": [{"id": "Bad Id", "name": "X"}]}, "company 1: id 'Bad Id'"),
    ({"companies": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}, "company 2: id 'a' is used twice"),
    ({"companies": [{"id": "a", "name": ""}]}, "company 1 (a): `name`"),
    ({"companies": [{"id": "a", "name": "A", "names": "A"}]}, "company 1 (a): `names`"),
])
def test_a_bad_dictionary_is_one_clear_error_naming_the_file(data: object, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_companies(data, "my/companies.yml")
    assert str(caught.value).startswith("my/companies.yml: ") and message in str(caught.value)


# --- the fast pattern finds what the first one found ----------------------------------------

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "tagging-dev" / "texts"


class FirstPattern:
    """The first `Companies.mentioned` (a lookbehind before every name), kept as the reference
    the fast pattern must agree with: same ids, in the same order, for any text."""

    def __init__(self, companies: Companies) -> None:
        self.companies = companies.companies
        self.owner: dict[str, str] = {}
        parts = []
        for company in self.companies:
            for name in sorted(company.names, key=len, reverse=True):
                self.owner[name] = company.id
                escaped = re.escape(name).replace(r"\ ", r"\s+")
                parts.append(escaped if CJK.search(name) else rf"(?<![A-Za-z0-9]){escaped}(?![A-Za-z0-9])")
        self.pattern = re.compile("|".join(parts))

    def mentioned(self, text: str) -> tuple[str, ...]:
        found = {self.owner[re.sub(r"\s+", " ", m.group(0))] for m in self.pattern.finditer(text)}
        return tuple(c.id for c in self.companies if c.id in found)


def corpus_texts() -> list[str]:
    if not CORPUS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{CORPUS}: the tagging dev corpus is missing")
        pytest.skip(f"{CORPUS} is not here")
    return [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]


# Names that overlap across companies (the first name found at a place wins, and a shorter
# name inside it is not found there), share starts, hold punctuation, or are one letter.
CROWDED = parse_companies({"companies": [
    {"id": "tsmc", "name": "TSMC", "names": ["Taiwan Semiconductor Manufacturing", "TSMC", "台积电"]},
    {"id": "smic", "name": "SMIC", "names": ["Semiconductor Manufacturing International", "SMIC"]},
    {"id": "li-auto", "name": "Li Auto", "names": ["Li Auto", "理想", "理想汽车"]},
    {"id": "auto", "name": "Auto", "names": ["Auto", "汽车"]},
    {"id": "att", "name": "AT&T", "names": ["AT&T", "AT", "C++", "(x)", "a.b"]},
    {"id": "x", "name": "X", "names": ["X", "X Corp", "X蔚来"]},
    {"id": "nio", "name": "NIO", "names": ["NIO", "Nio Inc", "蔚来"]},
]}, "crowded")

EDGES = [
    "", "NIO", "蔚来", "NIO蔚来NIO", "union BYDs NIOs xNIO NIO1 _NIO_ NIO.", "蔚来NIO比亚迪BYD",
    "Li\nAuto", "Li  \t Auto", "Li\u3000Auto", "Li\u00a0Auto", "LiAuto", "Li Auto2", "Li  Autos",
    "Taiwan Semiconductor Manufacturing International", "Semiconductor Manufacturing International",
    "Taiwan  Semiconductor\nManufacturing", "理想汽车", "汽车理想", "X Corp", "X Corporation", "XX",
    "X蔚来", "AT&T's", "AT&Tx", "C++11", "xC++", "(x)(x)", "a.b.c", "a.bc", "Nio Inc.", "Nio  Inc",
    "华为Huawei華為", "TSMC台积电", "台積電-TSMC-", "Contemporary\n\nAmperex", "Xiaomi小米",
    "ÉNIO", "NIOé", "ＮＩＯ", "NIO\n", "\nNIO", " BYD ",
]


@pytest.mark.parametrize("companies", [load_companies(), CROWDED], ids=["built-in", "crowded"])
def test_the_fast_pattern_finds_what_the_first_one_found(companies: Companies) -> None:
    reference = FirstPattern(companies)
    texts = corpus_texts()
    # also every pair of edge cases back to back, and the corpus stories run together
    texts += EDGES + [a + b for a in EDGES for b in EDGES] + ["".join(texts)]
    differ = [t[:80] for t in texts if companies.mentioned(t) != reference.mentioned(t)]
    assert not differ
    assert sum(1 for t in texts if reference.mentioned(t)) > 100  # the texts do name companies


# (a name with a run of spaces inside is left out: both patterns fail on its match, KeyError)
NAME = st.text(alphabet="AaBb1 &.-蔚来", min_size=1, max_size=5).map(str.strip).filter(
    lambda n: bool(n) and "  " not in n)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_dictionary_finds_in_any_text_what_the_first_pattern_found(data: st.DataObject) -> None:
    names = data.draw(st.lists(st.lists(NAME, min_size=1, max_size=3), min_size=1, max_size=4))
    companies = parse_companies({"companies": [
        {"id": f"c{i}", "name": n[0], "names": n} for i, n in enumerate(names)]}, "drawn")
    # texts made of the names themselves and what may stand next to them
    piece = st.sampled_from([n for group in names for n in group] + list("Aa1 \n\t_x蔚来"))
    text = "".join(data.draw(st.lists(piece, max_size=12)))
    assert companies.mentioned(text) == FirstPattern(companies).mentioned(text)
