"""CSS, tokenised as browsers tokenise it (tinycss2), for what loads or runs code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import tinycss2

from scraper.checksite.urls import is_data, is_remote, resolve, runs_script

_CODE_FUNCTIONS = {"expression", "-moz-binding"}  # old IE and Firefox: CSS that runs script
_CODE_PROPERTIES = {"behavior", "-moz-binding", "-ms-behavior"}
_URL_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set"}


def css_problems(css: str, base: str, remote_ok: Any, declarations: bool = False) -> list[str]:
    """What in a stylesheet (or a style="" attribute's declarations) loads or runs something.

    `remote_ok(url)` says whether another host is one the theme itself uses.
    """
    nodes = (tinycss2.parse_blocks_contents(css) if declarations
             else tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))
    problems: list[str] = []
    for node in _walk(nodes):
        kind = node.type
        if kind == "at-rule" and node.lower_at_keyword == "import":
            problems.append("@import")
        elif kind == "declaration" and node.lower_name in _CODE_PROPERTIES:
            problems.append(f"{node.lower_name}:")
        elif kind == "ident" and node.lower_value in _CODE_PROPERTIES:
            problems.append(f"{node.lower_value}:")  # inside a rule, declarations stay tokens
        elif kind == "function" and node.lower_name in _CODE_FUNCTIONS:
            problems.append(f"{node.lower_name}()")
        elif kind == "url":
            problems += _url_problem(node.value, base, remote_ok)
        elif kind == "function" and node.lower_name in _URL_FUNCTIONS:
            for arg in node.arguments:
                if getattr(arg, "type", "") == "string":  # url("..."), image-set("..." 1x)
                    problems += _url_problem(arg.value, base, remote_ok)
    return problems


def _url_problem(value: str, base: str, remote_ok: Any) -> list[str]:
    if runs_script(value):
        return [f"url({value[:40]!r})"]
    if is_data(value):
        return []  # an image or a font: CSS never runs a data: URL
    url = resolve(value, base)
    if url is not None and is_remote(url) and not remote_ok(url):
        return [f"url({value[:60]!r}) from another host"]
    return []


def _walk(nodes: Iterable[Any]) -> Iterator[Any]:
    for node in nodes:
        yield node
        kind = getattr(node, "type", "")
        if kind == "function":
            yield from _walk(node.arguments)
        elif kind == "declaration":
            yield from _walk(node.value)
        elif kind in ("qualified-rule", "at-rule"):
            yield from _walk(node.prelude or ())
            yield from _walk(tinycss2.parse_blocks_contents(node.content) if node.content else ())
        elif kind in ("() block", "[] block", "{} block"):
            yield from _walk(node.content)
