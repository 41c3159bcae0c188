"""benchmarks/mkdocs_floor.py builds what it says: every empty page written, with our
Markdown extensions and no plugin (so none of our code is in the figure)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from benchmarks.mkdocs_floor import project
from tests.conftest import ROOT
from tests.test_plugin import ENV


def test_the_floor_project_writes_every_page_and_runs_none_of_our_code(tmp_path: Path) -> None:
    root = project(tmp_path, 30)
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    ours = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    assert config["plugins"] == [] and config["markdown_extensions"] == ours["markdown_extensions"]
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict"], cwd=root,
                          capture_output=True, text=True, env=ENV)
    assert done.returncode == 0, done.stderr[-2000:]
    pages = sorted((root / "site" / "articles").glob("*/index.html"))
    assert len(pages) == 30
    assert all(p.read_text(encoding="utf-8").startswith("<!doctype html><title>") for p in pages)
    assert "scraper" not in done.stderr
