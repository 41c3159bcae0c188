"""requirements.lock: every install (dev.py, CI, the nightly) takes its versions from it.

The lock must hold, pinned and hashed, a version that pyproject.toml allows for every
dependency and test dependency, on every Python the project supports. When this fails after
a change to pyproject.toml: `python3 dev.py lock`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PIP_LOCK = ROOT / "requirements-pip.lock"
PYTHONS = ["3.11.0", "3.11.4", "3.11.9", "3.12.8", "3.13.1", "3.14.0"]


def pins(lock: Path = LOCK) -> list[tuple[str, Version, Marker | None, list[str]]]:
    """(name, version, marker, hashes) for each entry of a lock file."""
    text = lock.read_text(encoding="utf-8")
    found = []
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        head = entry.split("\\", 1)[0].strip()
        if not head or head.startswith("#"):
            continue
        requirement = Requirement(head)
        (spec,) = requirement.specifier
        assert spec.operator == "==", head
        found.append((canonicalize_name(requirement.name), Version(spec.version), requirement.marker,
                      re.findall(r"--hash=sha256:[0-9a-f]{64}", entry)))
    return found


def pinned_for(python: str) -> dict[str, Version]:
    environment = {"python_version": ".".join(python.split(".")[:2]), "python_full_version": python,
                   "sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                   "platform_python_implementation": "CPython", "implementation_name": "cpython",
                   "platform_machine": "x86_64", "extra": ""}
    chosen: dict[str, Version] = {}
    for name, version, marker, _ in pins():
        if marker is None or marker.evaluate(environment):
            assert name not in chosen, f"{name} is pinned twice for Python {python}"
            chosen[name] = version
    return chosen


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]


def test_every_pin_is_exact_and_hashed() -> None:
    entries = pins()
    assert len(entries) > 30
    for name, _, _, hashes in entries:
        assert hashes, f"{name} has no hash"


@pytest.mark.parametrize("python", PYTHONS)
def test_the_lock_holds_an_allowed_version_of_every_dependency(python: str) -> None:
    chosen = pinned_for(python)
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in chosen, f"{name} is missing from requirements.lock: run `python3 dev.py lock`"
        assert requirement.specifier.contains(chosen[name], prereleases=True), (
            f"requirements.lock has {name} {chosen[name]}, pyproject.toml asks for {requirement}: "
            "run `python3 dev.py lock`")


def test_lxml_html_clean_is_a_direct_dependency() -> None:
    # jusText asks for lxml[html_clean]; the pip bundled with Python 3.11 does not resolve that
    # extra, and without the package trafilatura fails on import.
    assert "lxml-html-clean" in {canonicalize_name(r.name) for r in declared()}
    assert "lxml-html-clean" in pinned_for("3.11.9")


def test_the_pip_that_installs_the_lock_is_locked_too() -> None:
    # Python 3.11's pip (23.2.1) stops with an internal error on requirements.lock.
    ((name, version, marker, hashes),) = pins(PIP_LOCK)
    assert name == "pip" and version >= Version("23.3") and marker is None and hashes


def test_dev_py_installs_from_the_lock_with_hashes() -> None:
    source = (ROOT / "dev.py").read_text(encoding="utf-8")
    assert source.index('"--require-hashes", "-r", PIP_LOCK') < source.index('"--require-hashes", "-r", LOCK')
    assert '"--no-deps", "-e", "."' in source
    assert '"-e", ".[test]"' not in source  # the open ranges of pyproject.toml are not installed
