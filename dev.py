#!/usr/bin/env python3
"""Project tasks that work on a fresh machine with only Python 3.11+.

    python3 dev.py site    # build the demo site from the bundled samples, offline (after install)
    python3 dev.py test    # lint, type-check and run the test suite
    python3 dev.py serve   # the demo site on http://127.0.0.1:8000

Each task first makes ./.venv and installs the project into it (once; again when
pyproject.toml changes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "true"})


def ensure_venv() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def site() -> None:
    run(BIN / "scraper", "update", "--config", "demo.yml")
    run(BIN / "mkdocs", "build", "--strict")  # the Pagefind search index included
    print(f"\nThe site is in {ROOT / 'site'}; `python3 dev.py serve` shows it.")


def test() -> None:
    run(BIN / "ruff", "check", "scraper", "tests", "benchmarks")
    run(BIN / "mypy")
    run(BIN / "python", "-m", "pytest", *sys.argv[2:])


def serve() -> None:
    """The built site (with its search index) on http://127.0.0.1:8000; `mkdocs serve` for editing."""
    if not (ROOT / "site" / "pagefind").is_dir():
        site()
    run(BIN / "python", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", "site")


TASKS = {"site": site, "test": test, "serve": serve}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    ensure_venv()
    try:
        TASKS[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
