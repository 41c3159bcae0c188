from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from scraper.tag import TopicRules, load_rules

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
SHARED_EXAMPLE = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "tmtpost-nio-data-leak.txt"
EXAMPLE = SHARED_EXAMPLE if SHARED_EXAMPLE.exists() else Path(__file__).parents[1] / "samples" / (
    "tmtpost-nio-data-leak.txt")


@pytest.fixture
def fake_site(httpserver: Any) -> Any:
    """The fake TMTPost site (tests/fixtures/fakesite) on 127.0.0.1."""
    from tests.fakesite import FakeSite

    fake = FakeSite(httpserver)
    fake.load()
    httpserver.expect_request("").respond_with_handler(fake.handle)
    return fake


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite tests/golden/ from the current output (review the diff!)")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def rules() -> TopicRules:
    return load_rules(Path(__file__).parents[1] / "scraper" / "topics.yml")


ROOT = Path(__file__).parents[1]


def site_root(tmp: Path) -> Path:
    """A fresh project folder with our mkdocs.yml, theme overrides and hand-written pages
    (the plugin comes with the installed package)."""
    import shutil

    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", tmp / "overrides")
    site_root_pages(tmp / "docs")
    return tmp


def with_part_size(root: Path, size: int) -> None:
    """The project's search index in parts of `size` articles (the plugin's search_part_size)."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "  - scraper:\n" in text
    config.write_text(text.replace("  - scraper:\n", f"  - scraper:\n      search_part_size: {size}\n", 1),
                      encoding="utf-8")


def site_root_pages(docs: Path) -> None:
    """The hand-written pages (about.md) into a fresh `docs`."""
    import shutil

    docs.mkdir()
    shutil.copy(ROOT / "docs" / "about.md", docs / "about.md")


@pytest.fixture(scope="session")
def demo_articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo archive's articles folder, imported once from samples/ as `dev.py site` does:
    the repository tracks no demo page (docs/articles/ is the live archive)."""
    from click.testing import CliRunner

    from scraper.cli import main

    docs = tmp_path_factory.mktemp("demo") / "docs"
    result = CliRunner().invoke(main, ["import", str(ROOT / "samples"), "--docs", str(docs)])
    assert result.exit_code == 0, result.output
    return docs / "articles"


def demo_docs_with_golden_articles(docs: Path, demo_articles: Path) -> None:
    """`docs` becomes the demo archive plus every golden article page (all our layouts)."""
    import shutil

    shutil.rmtree(docs, ignore_errors=True)
    site_root_pages(docs)
    shutil.copytree(demo_articles, docs / "articles", ignore=shutil.ignore_patterns(".*"))
    for golden in GOLDEN.glob("*/*.md"):
        shutil.copy(golden, docs / "articles" / f"golden-{golden.parent.name}-{golden.name}")


def build_site(root: Path, *args: str, program: str = "mkdocs") -> Path:
    """`mkdocs build --strict`, which also writes the Pagefind index, as the README says."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true"}
    cmd = [sys.executable, "-m", program, "build", "--strict", *args]
    done = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{cmd}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return root / "site"


def require(condition: bool, reason: str) -> None:
    """Skip locally when a tool is missing; in CI (SCRAPER_NO_SKIP=1) a skip is a failure."""
    if condition:
        return
    if os.environ.get("SCRAPER_NO_SKIP"):
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)
