"""The site registry: one adapter module per news site, found by host or by content.

Adding a site is one new module in this package that defines a `SiteAdapter` subclass
decorated with `@register`.
"""

from __future__ import annotations

import importlib
import pkgutil

from scraper.sites.base import SiteAdapter
from scraper.urls import host_of

_ADAPTERS: dict[str, SiteAdapter] = {}
_loaded = False


def register(cls: type[SiteAdapter]) -> type[SiteAdapter]:
    adapter = cls()
    if adapter.name in _ADAPTERS:
        raise RuntimeError(f"two site adapters are named {adapter.name!r}")
    _ADAPTERS[adapter.name] = adapter
    return cls


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    _loaded = True


def adapters() -> list[SiteAdapter]:
    """Every adapter, specific sites first and the generic fallback last."""
    _load_all()
    return sorted(_ADAPTERS.values(), key=lambda a: a.fallback)


def get(name: str) -> SiteAdapter:
    _load_all()
    try:
        return _ADAPTERS[name]
    except KeyError:
        raise KeyError(f"no site adapter named {name!r}; known: {', '.join(sorted(_ADAPTERS))}") from None


def host_matches(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def for_url(url: str | None) -> SiteAdapter | None:
    """The adapter whose domains cover the URL's host, if any."""
    host = host_of(url)
    if not host:
        return None
    for adapter in adapters():
        if any(host_matches(host, d) for d in adapter.domains):
            return adapter
    return None
