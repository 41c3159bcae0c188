"""The config file of `scraper update`: every mistake is one line naming the file and the key."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from scraper.cli import main
from scraper.config import Settings, load_config
from scraper.errors import ConfigError

AGENT = "TestDigest/0.1 (+https://example.org/contact)"


def write(tmp_path: Path, text: str | None = None, **overrides: Any) -> Path:
    data: dict[str, Any] = {"user_agent": AGENT, "state_dir": "state",
                            "sources": [{"name": "s", "type": "feed", "url": "https://e.org/rss"}]}
    data.update(overrides)
    path = tmp_path / "scraper.yml"
    body = yaml.safe_dump(data)
    path.write_text(body + (text or ""), encoding="utf-8")
    return path


def test_a_good_config_reads_with_its_defaults(tmp_path: Path) -> None:
    settings = load_config(write(tmp_path, timeout={"connect": 1.5}, max_delay=5, min_delay=5))
    assert isinstance(settings, Settings)
    assert (settings.connect_timeout, settings.read_timeout) == (1.5, 30)
    assert (settings.min_delay, settings.max_delay, settings.retries) == (5, 5, 3)
    assert settings.report == tmp_path / "state" / "report.json"


BAD = [
    # (the YAML added to a good config, the key the message must name)
    ("timeout: {conect: 1}\n", "key 'timeout': unknown key(s) 'conect'"),
    ("timeout: {connect: .nan}\n", "timeout: key 'connect'"),
    ("timeout: {read: .inf}\n", "timeout: key 'read'"),
    ("timeout: {read: -1}\n", "timeout: key 'read'"),
    ("timeout: 5\n", "key timeout"),
    ("min_delay: .inf\n", "key 'min_delay': inf is not a number"),
    ("min_delay: .nan\n", "key 'min_delay': nan is not a number"),
    ("min_delay: -1\n", "key 'min_delay'"),
    ("min_delay: true\n", "key 'min_delay': True is not a number"),
    ("max_delay: 1\nmin_delay: 2\n", "key 'max_delay': 1 is less than min_delay (2)"),
    ("retries: 1e12\n", "key 'retries'"),
    ("retries: 1.0e+12\n", "key 'retries'"),
    ("retries: 1000000000000\n", "key 'retries'"),
    ("retries: 2.5\n", "key 'retries': 2.5 is not a whole number"),
    ("retries: yes\n", "key 'retries'"),
    ("backoff: -.inf\n", "key 'backoff'"),
    ("max_bytes: 10\n", "key 'max_bytes'"),
    ("max_articles: 0\n", "key 'max_articles'"),
    ("max_articles: '5'\n", "key 'max_articles'"),
    ("retrys: 3\n", "unknown key(s) 'retrys'"),
    ("docs: [a]\n", "key 'docs': must be a path"),
    ("allow_hosts: 127.0.0.1\n", "key allow_hosts"),
]


@pytest.mark.parametrize(("extra", "message"), BAD, ids=[b[0].strip() for b in BAD])
def test_a_bad_value_is_an_error_naming_file_and_key(tmp_path: Path, extra: str,
                                                     message: str) -> None:
    path = write(tmp_path)
    text = path.read_text()
    for line in extra.splitlines():  # replace a key the good config already has
        key = line.split(":", 1)[0]
        text = "\n".join(x for x in text.splitlines() if not x.startswith(f"{key}:")) + "\n"
    path.write_text(text + extra)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(("source", "message"), [
    ({"name": "s", "type": "listing", "url": "https://e.org", "link_pattern": "x", "pages": 1e9},
     "sources[0] (s): key 'pages'"),
    ({"name": "s", "type": "listing", "url": "https://e.org", "link_pattern": "x", "pages": True},
     "sources[0] (s): key 'pages'"),
    ({"name": "s", "type": "feed", "url": "https://e.org", "max_articles": float("nan")},
     "sources[0] (s): key 'max_articles'"),
    ({"name": "s", "type": "feed", "url": "https://e.org", "timeout": 3},
     "sources[0] (s): unknown key(s) 'timeout'"),
    ({"name": "s", "type": "feed", "url": "http://[x/"}, "sources[0] (s): key 'url'"),
])
def test_a_bad_source_names_its_index_and_key(tmp_path: Path, source: dict[str, Any],
                                              message: str) -> None:
    path = write(tmp_path, sources=[source])
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


@pytest.mark.parametrize(("make", "overrides", "message"), [
    (lambda tmp: (tmp / "state").write_text("x"), {}, "key 'state_dir': "),
    (lambda tmp: (tmp / "report.json").mkdir(), {"report": "report.json"},
     "key 'report': "),
    (lambda tmp: (tmp / "docs").write_text("x"), {"docs": "docs"}, "key 'docs': "),
    (lambda tmp: (tmp / "file").write_text("x"), {"docs": "file/docs"}, "key 'docs': "),
    (lambda tmp: (tmp / "file").write_text("x"), {"report": "file/r.json"}, "key 'report': "),
])
def test_a_path_of_the_wrong_kind_is_refused_before_the_run(tmp_path: Path, make: Any,
                                                            overrides: dict[str, Any],
                                                            message: str) -> None:
    make(tmp_path)
    path = write(tmp_path, **overrides)
    result = CliRunner().invoke(main, ["update", "--config", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: {message}"), result.output


def test_the_numeric_keys_come_from_one_table(tmp_path: Path) -> None:
    from scraper.config import NUMBERS, TOP_KEYS

    # every numeric key is known and range-checked: a new one is one line in NUMBERS
    assert set(NUMBERS) <= TOP_KEYS
    for key, number in NUMBERS.items():
        path = write(tmp_path, **{key: number.maximum * 10 + 1})
        with pytest.raises(ConfigError, match=f"key {key!r}"):
            load_config(path)


def test_a_key_given_twice_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "retries: 3\nretries: 1\n")
    with pytest.raises(ConfigError, match=f"{re.escape(str(path))}: not valid YAML: .*duplicate "
                                          "key 'retries'"):
        load_config(path)


def test_an_alias_bomb_in_a_value_gives_a_short_message(tmp_path: Path) -> None:
    levels = ["&l0 [x,x,x,x,x,x,x,x,x,x]"] + [
        f"&l{n} [{', '.join([f'*l{n - 1}'] * 10)}]" for n in range(1, 9)]
    bomb = f"[{', '.join(levels)}]"  # 10^9 strings once expanded, e.g. by repr()
    for key in ("retries", "url"):
        path = write(tmp_path, sources=[{"name": "s", "type": "feed", "url": "https://e.org"}])
        text = path.read_text()
        text = (text.replace("url: https://e.org", f"url: {bomb}") if key == "url"
                else text + f"retries: {bomb}\n")
        path.write_text(text)
        with pytest.raises(ConfigError, match=f"key '?{key}'?") as caught:
            load_config(path)
        assert len(str(caught.value)) < 400
