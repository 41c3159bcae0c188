"""The `scraper` command line: thin wrappers over the pipeline."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from pathlib import Path
from typing import Any

import click

from scraper.errors import ScraperError
from scraper.fetch.files import expand_pages
from scraper.pipeline import extract_pages, import_pages
from scraper.sites.dispatch import OTHER_LANGUAGE
from scraper.tag import TopicRules, load_rules
from scraper.write.render import render_page, render_record

PAGE = click.argument("pages", nargs=-1, required=True, type=click.Path())


def _http_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--url is parsed at the border like every address: only a usable http(s) URL passes."""
    if value is None:
        return None
    from scraper.urls import parse_url

    checked = parse_url(value)
    if checked.url is None:
        raise click.BadParameter(f"{value[:200]!r}: {checked.problem}")
    return checked.url


URL = click.option("--url", callback=_http_url,
                   help="The page's original http(s) address (only with a single PAGE): picks "
                   "the site adapter by host and is recorded as the source link.")
TOPICS = click.option("--topics", "topics_file", type=click.Path(dir_okay=False),
                      help="Topic rules file (default: ./topics.yml, else the built-in rules).")


def _rules(topics_file: str | None) -> TopicRules:
    try:
        return load_rules(topics_file)
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc


def _os_error(exc: OSError) -> click.ClickException:
    """A file-system failure no stage foresaw: still one line, naming the file."""
    return click.ClickException(f"{exc.filename or 'a file'}: {exc.strerror or exc}")


def _pages(args: tuple[str, ...], url: str | None) -> list[tuple[Path, str | None]]:
    if url and (len(args) != 1 or Path(args[0]).is_dir()):
        raise click.UsageError("--url goes with exactly one PAGE file")
    try:
        found = expand_pages(list(args), url)
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    if not found:
        raise click.ClickException(f"{', '.join(args)}: no pages found (.html, .htm, .txt, or "
                                   ".gz of them)")
    return found


@click.group()
@click.version_option(package_name="scraper")
def main() -> None:
    """Scrape Chinese tech news into a searchable MkDocs site.

    Example: scraper import samples/*.txt && mkdocs build --strict
    """


@main.command()
@PAGE
@URL
@TOPICS
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "markdown"]), default="json",
              show_default=True, help="json: one object per PAGE (a list for several); jsonl: "
              "one line per PAGE; markdown: the page as `import` writes it.")
def extract(pages: tuple[str, ...], url: str | None, topics_file: str | None, fmt: str) -> None:
    """Print the normalised, tagged article of each PAGE (.html, .htm, .txt, or .gz of them).

    Example: scraper extract page.html --url https://en.tmtpost.com/post/6353999
    """
    found = _pages(pages, url)
    rules = _rules(topics_file)
    ok = 0
    records = []
    for outcome in extract_pages(found, rules):
        if outcome.article is None:
            click.echo(f"error: {outcome.source}: {outcome.error}", err=True)
            record = {"source": outcome.source, "error": outcome.error}
        else:
            ok += 1
            record = render_record(outcome.article)
            for warning in outcome.article.warnings:
                click.echo(f"warning: {outcome.source}: {warning}", err=True)
            if outcome.article.language == OTHER_LANGUAGE:
                click.echo(f"warning: {outcome.source}: the page is in a language we do not publish "
                           "(only English and Chinese); import and update refuse it", err=True)
        if fmt == "jsonl":
            click.echo(json.dumps(record, ensure_ascii=False))
        elif fmt == "markdown" and outcome.article is not None:
            click.echo(render_page(outcome.article, rules), nl=False)
        elif fmt == "json":
            records.append(record)
    if fmt == "json" and records:
        click.echo(json.dumps(records[0] if len(records) == 1 else records, ensure_ascii=False,
                              indent=2))
    if ok == 0:
        sys.exit(1)


@main.command("import")
@PAGE
@URL
@TOPICS
@click.option("--docs", "docs_dir", default="docs", show_default=True, type=click.Path(),
              help="The MkDocs docs folder to write into.")
def import_(pages: tuple[str, ...], url: str | None, topics_file: str | None,
            docs_dir: str) -> None:
    """Write each PAGE as an article page under DOCS/articles (listings are made by the build).

    A PAGE that is a folder imports every page in it; its urls.yml, if any, maps file
    names to their original URLs.

    Example: scraper import samples/*.html samples/*.txt
    """
    found = _pages(pages, url)
    rules = _rules(topics_file)
    done = 0

    def report(status: str, source: str, detail: str) -> None:
        nonlocal done
        done += 1
        click.echo(f"[{done}/{len(found)}] {status:9} {source} → {detail}", err=True)

    try:
        counts = import_pages(found, Path(docs_dir), rules, report)
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise _os_error(exc) from exc
    for warning in counts.warnings:
        click.echo(f"warning: {warning}", err=True)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.by_status.items()))
    click.echo(f"imported {len(found)} page(s): {summary}")
    if len(counts.errors) == len(found):
        sys.exit(1)


CONFIG = click.option("--config", "config_file", default="scraper.yml", show_default=True,
                      type=click.Path(dir_okay=False), help="The sources and politeness settings.")


def _seconds(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value >= 1):
        raise click.BadParameter(f"{value}: give a number of seconds, at least 1")
    return value


@main.command()
@CONFIG
@click.option("--deadline", type=float, callback=_seconds, metavar="SECONDS",
              help="Stop starting fetches in time to write every page and the report within "
              "SECONDS (overrides the config's `deadline`); the rest is deferred.")
@click.option("--user-agent", metavar="TEXT",
              help="The User-Agent to crawl with, with your contact URL or e-mail (overrides the "
              "config's `user_agent`).")
def update(config_file: str, deadline: float | None, user_agent: str | None) -> None:
    """Fetch every configured source and write new and changed articles into the docs folder.

    Writes only article pages under the docs folder and the JSON report (which the build
    turns into the Sources page). Prints a summary; exit status 0 when a source worked.

    Example: scraper update --config scraper.yml --deadline 1500
    """
    from scraper.config import checked_user_agent, load_config
    from scraper.report import render_report, write_report
    from scraper.update import run_update

    try:
        settings = load_config(config_file)
        if user_agent is not None:
            settings = dataclasses.replace(settings,
                                           user_agent=checked_user_agent(user_agent, "--user-agent"))
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    if deadline is not None:
        settings = dataclasses.replace(settings, deadline=deadline)
    rules = _rules(str(settings.topics) if settings.topics else None)
    tty = sys.stderr.isatty()
    bars: dict[str, Any] = {}

    def start_total(name: str, total: int) -> None:
        if tty:
            bar = click.progressbar(length=total, label=f"{name:>12}", file=sys.stderr,
                                    show_pos=True)
            bar.__enter__()
            bars[name] = bar
        else:
            click.echo(f"{name}: {total} item(s)", err=True)

    def progress(name: str, status: str, url: str, detail: str) -> None:
        bar = bars.get(name)
        if bar is not None:
            bar.update(1)
            if status in ("failed", "skipped"):
                click.echo(f"\n{name}: {status} {url}: {detail}", err=True)
        else:
            click.echo(f"{name}: {status:9} {url}  {detail}", err=True)

    try:
        report = run_update(settings, rules, progress, start_total)
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise _os_error(exc) from exc
    finally:
        for bar in bars.values():
            bar.__exit__(None, None, None)
    for warning in report["archive_warnings"]:
        click.echo(f"warning: {warning}", err=True)
    try:
        write_report(settings.report, report)
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render_report(report), nl=False)
    click.echo(f"report: {settings.report}")
    if report["ok_sources"] == 0:
        sys.exit(1)


@main.command()
@click.argument("report_file", required=False, type=click.Path(dir_okay=False))
def report(report_file: str | None) -> None:
    """Render an update report (default .scraper/report.json) as Markdown.

    Example: scraper report >> "$GITHUB_STEP_SUMMARY"
    """
    from scraper.report import read_report, render_report

    try:
        data = read_report(Path(report_file or ".scraper/report.json"))
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render_report(data), nl=False)


@main.command("check-site")
@click.argument("site_dir", type=click.Path(file_okay=False, exists=True))
@click.option("--overrides", type=click.Path(file_okay=False), default="overrides", show_default=True,
              help="The project's theme folder (mkdocs.yml's custom_dir): its assets and "
              "templates are allowed code, like Material's and Pagefind's own.")
def check_site_command(site_dir: str, overrides: str) -> None:
    """Fail if the built site holds code that is not the theme's or Pagefind's own.

    Reads every page, feed, search fragment, stylesheet and script file a static host would
    serve, as a browser reads it; each finding names its class.

    Example: mkdocs build --strict && scraper check-site site
    """
    from scraper.checksite import check_site

    theme = Path(overrides)
    try:
        report = check_site(Path(site_dir), theme if theme.is_dir() else None)
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc
    for finding in report.findings[:200]:
        click.echo(str(finding))
    if report.findings:
        click.echo(f"{len(report.findings)} finding(s) in {report.documents} documents: "
                   "the site is not safe to publish", err=True)
        sys.exit(1)
    click.echo(f"{report.documents} documents checked: no live code from scraped content")


if __name__ == "__main__":
    main()
