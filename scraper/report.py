"""The update report: JSON written by `scraper update`, Markdown for people and the site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scraper.errors import ConfigError
from scraper.mdtext import escape_inline
from scraper.store import atomic_write

COLUMNS = ("new", "updated", "unchanged", "skipped", "failed", "deferred")
MAX_ERRORS_SHOWN = 10


def write_report(path: Path, report: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")


def read_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no report yet (run `scraper update` first)") from exc
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable report: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError(f"{path}: not a scraper report")
    return data


def render_report(report: dict[str, Any], heading: str = "# Update report") -> str:
    """Markdown: one row per source, then the errors (e.g. for $GITHUB_STEP_SUMMARY)."""
    lines = [heading, "",
             f"Run {report.get('started', '?')} → {report.get('finished', '?')}: "
             f"{report.get('ok_sources', 0)} source(s) worked, "
             f"{report.get('failed_sources', 0)} failed, {report.get('requests', 0)} request(s).",
             "", "| source | status | HTTP | " + " | ".join(COLUMNS) + " |",
             "| --- | --- | --- | " + " | ".join("---:" for _ in COLUMNS) + " |"]
    for src in report["sources"]:
        http = ", ".join(f"{code} ×{n}" for code, n in (src.get("http") or {}).items()) or "–"
        counts = src.get("counts") or {}
        lines.append(f"| {escape_inline(str(src.get('name')))} | {src.get('status')} | {http} | "
                     + " | ".join(str(counts.get(c, 0)) for c in COLUMNS) + " |")
    problems = [(s, e) for s in report["sources"] for e in s.get("errors") or []]
    warnings = [(s, w) for s in report["sources"] for w in s.get("warnings") or []]
    if problems or warnings:
        lines += ["", "## Problems", ""]
        for src, err in problems[:MAX_ERRORS_SHOWN * 3]:
            lines.append(f"- **{escape_inline(str(src['name']))}**: "
                         f"{escape_inline(str(err.get('error')))}")
        for src, warning in warnings:
            lines.append(f"- **{escape_inline(str(src['name']))}** (warning): "
                         f"{escape_inline(str(warning))}")
    return "\n".join(lines) + "\n"
