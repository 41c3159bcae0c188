"""The companies dictionary: what counts as a mention, and a clear error for a bad file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.companies import DEFAULT_COMPANIES, load_companies, parse_companies
from scraper.errors import ConfigError


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
