"""Every module of the package imports: a module moved without its importers fails here.

(mypy runs with ignore_missing_imports for third-party packages without stubs, which also
hides an import of one of our own modules that no longer exists.)
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import scraper

MODULES = sorted(m.name for m in pkgutil.walk_packages(scraper.__path__, "scraper."))


@pytest.mark.parametrize("name", MODULES)
def test_the_module_imports(name: str) -> None:
    importlib.import_module(name)


def test_the_package_has_its_stages() -> None:
    assert {"scraper.fetch.http", "scraper.read.parse", "scraper.write.store",
            "scraper.mkdocs.plugin", "scraper.fetch.cache"} <= set(MODULES)
