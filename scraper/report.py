"""The update report: JSON written by `scraper update`, Markdown for people and the site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scraper.errors import ConfigError
from scraper.mdtext import escape_inline
from scraper.write.store import atomic_write

COLUMNS = ("new", "updated", "unchanged", "skipped", "failed", "deferred")
MAX_ERRORS_SHOWN = 10


def write_report(path: Path, report: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")


def _problem(data: Any) -> str | None:
    """What is wrong with a report's shape, as `render_report` needs it; None if nothing."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return "not a scraper report (no list of sources)"
    if not all(isinstance(w, str) for w in data.get("archive_warnings") or []):
        return "key 'archive_warnings': must be a list of text"
    for i, src in enumerate(data["sources"]):
        where = f"sources[{i}]"
        if not isinstance(src, dict):
            return f"{where}: must be a mapping"
        for key in ("http", "counts"):
            value = src.get(key) or {}
            if not isinstance(value, dict) or not all(
                    isinstance(n, int) and not isinstance(n, bool) for n in value.values()):
                return f"{where}: key {key!r}: must map names to whole numbers"
        errors = src.get("errors") or []
        if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
            return f"{where}: key 'errors': must be a list of mappings"
        warnings = src.get("warnings") or []
        if not isinstance(warnings, list) or not all(isinstance(w, str) for w in warnings):
            return f"{where}: key 'warnings': must be a list of text"
    return None


def read_report(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: no report yet (run `scraper update` first)") from exc
    except IsADirectoryError as exc:
        raise ConfigError(f"{path}: is a folder, not a report") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a readable report: not UTF-8 (byte {exc.start})") from exc
    except (ValueError, RecursionError) as exc:
        raise ConfigError(f"{path}: not a readable report: {exc}") from exc
    if problem := _problem(data):
        raise ConfigError(f"{path}: {problem}")
    report: dict[str, Any] = data
    return report


def _naming_its_input(err: dict[str, Any]) -> str:
    """The error, led by the address or item it is about unless it names it already
    ("the page is empty" alone would not say which page)."""
    where, error = str(err.get("url") or ""), str(err.get("error"))
    return error if not where or where in error else f"{where}: {error}"


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
    archive = report.get("archive_warnings") or []
    if problems or warnings or archive:
        lines += ["", "## Problems", ""]
        lines += [f"- **archive** (warning): {escape_inline(w)}" for w in archive]
        for src, err in problems[:MAX_ERRORS_SHOWN * 3]:
            lines.append(f"- **{escape_inline(str(src.get('name')))}**: "
                         f"{escape_inline(_naming_its_input(err))}")
        for src, warning in warnings:
            lines.append(f"- **{escape_inline(str(src.get('name')))}** (warning): "
                         f"{escape_inline(str(warning))}")
    return "\n".join(lines) + "\n"
