"""URLs as a browser reads them (WHATWG URL parsing, by ada): what runs, and where it goes."""

from __future__ import annotations

import re
from urllib.parse import unquote

import ada_url

SITE = "https://site.invalid/"  # the site's own origin, standing for wherever it is served
SITE_HOST = "site.invalid"
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
# A URL parser drops these before it reads the scheme: "java\tscript:" and " javascript:" run.
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_C0_SPACE = "".join(chr(c) for c in range(0x21))


def resolve(value: str, base: str) -> str | None:
    """The absolute URL a browser makes of `value` on a page at `base`; None if it makes none."""
    try:
        return str(ada_url.join_url(base, value))
    except ValueError:
        return None


def scheme_of(value: str) -> str:
    """The scheme, with its colon, as a browser reads it (lower case), or "" for a relative URL."""
    cleaned = _TAB_NEWLINE.sub("", value).strip(_C0_SPACE).lower()
    match = re.match(r"[a-z][a-z0-9+.-]*:", cleaned)
    return match.group(0) if match else ""


def runs_script(value: str) -> bool:
    return scheme_of(value) in _SCRIPT_SCHEMES


def is_data(value: str) -> bool:
    return scheme_of(value) == "data:"


def site_path(url: str, root: str) -> str | None:
    """The path within the site (served at `root`) of an absolute URL, else None."""
    try:
        parts = ada_url.parse_url(url)
    except ValueError:
        return None
    prefix = root.removeprefix(SITE.rstrip("/"))
    path = str(parts["pathname"])
    if parts["protocol"] != "https:" or parts["host"] != SITE_HOST or not path.startswith(prefix):
        return None
    return unquote(path[len(prefix):])


def is_remote(url: str) -> bool:
    """An http(s) URL on another host (a protocol-relative "//host/x" resolves to one)."""
    return scheme_of(url) in ("http:", "https:") and site_path(url, SITE) is None
