"""A rehearsal of the nightly job: the steps of .github/workflows/nightly.yml, read from the
file and run by tests/workflow_runner.py, night after night, against the fake TMTPost on
127.0.0.1, in a copy of this repository whose origin is a bare git repository in tmp_path.

The copy is a fork ("someone/digest") with its own SCRAPER_CONTACT and Pages address; its
scraper.yml points at the fake site. Every night starts from a fresh checkout of origin, as a
runner does, and gets its HTTP and scan caches only through the workflow's cache steps.

* Night 1 is too long for its deadline: robots.txt asks for a second between requests and the
  deadline is 12 s instead of 2400 s (the only change made to a workflow command). It commits
  and publishes what it fetched; the rest is deferred.
* Night 2 fetches the rest.
* Night 3 has nothing new: no tracked file changes, no commit, no build and no deploy. That
  holds once generated pages are no longer tracked (the plugin branch, issue 12): while
  docs/sources.md is tracked, its new timestamp is a change every night, and that test is an
  expected failure.

The install step and the test step are not run here (the install would fetch from PyPI and
the tests are what runs this); the runner records every such stand-in.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_httpserver import HTTPServer

from tests.fakesite import FakeSite
from tests.workflow_runner import JobResult, Runner, git, load_workflow

ROOT = Path(__file__).resolve().parents[1]
NIGHTLY = ROOT / ".github" / "workflows" / "nightly.yml"
CONTACT = "https://someone.example.org/crawler"
PAGES = "https://someone.github.io/digest"
FAKE_ARTICLES = 13  # 8 on the listing pages, 5 in the feed
SOURCES_TRACKED = "docs/sources.md" in git(ROOT, "ls-files", "docs/sources.md")


@dataclass
class Night:
    runner: Runner
    jobs: dict[str, JobResult]
    report: dict[str, Any]
    statuses: set[int]
    agents: set[str]
    origin_before: str
    origin_after: str
    status_after: str  # `git status --porcelain` of the update job's checkout
    articles_on_disk: set[str]
    articles_on_origin: set[str]


def copy_project(target: Path) -> None:
    """This working tree's files (tracked and new, not ignored) into `target`."""
    listed = git(ROOT, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for rel in filter(None, listed.split("\0")):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


def fork_config(site: FakeSite) -> str:
    config = yaml.safe_load((ROOT / "scraper.yml").read_text(encoding="utf-8"))
    config.update(
        sources=[{"name": "tmtpost-en", "type": "listing", "url": site.url("/listing-1.html"),
                  "link_pattern": r"^/post/\d+$", "pages": 2},
                 {"name": "tmtpost-zh", "type": "feed", "url": site.url("/rss.xml")}],
        allow_hosts=["127.0.0.1"], min_delay=0, max_delay=1, retries=0, backoff=0,
        timeout={"connect": 2, "read": 5})
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def articles(tree: str) -> set[str]:
    return {line for line in tree.splitlines() if line.startswith("docs/articles/")}


@dataclass
class Fork:
    site: FakeSite
    origin: Path
    project: Path
    store: Path  # the Actions caches and artifacts
    base: Path
    polite: bytes  # the fake site's robots.txt, which asks for a second between requests
    quick: bytes = b"User-agent: *\nDisallow: /private/\n"


def make_fork(base: Path, server: HTTPServer) -> Fork:
    server.clear()
    site = FakeSite(server)
    site.load()
    server.expect_request("").respond_with_handler(site.handle)
    assert b"Crawl-delay: 1" in site.routes["/robots.txt"]
    origin, project = base / "origin.git", base / "project"
    git(base, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(base, "clone", "--quiet", str(origin), str(project))
    copy_project(project)
    (project / "scraper.yml").write_text(fork_config(site), encoding="utf-8")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "the fork, its scraper.yml on the fake site")
    git(project, "push", "--quiet", "origin", "HEAD:main")
    return Fork(site, origin, project, base / "actions", base, site.routes["/robots.txt"])


def run_night(fork: Fork, number: int, robots: bytes, **runner_options: Any) -> Night:
    fork.site.routes["/robots.txt"] = robots
    fork.site.reset_log()
    project, origin = fork.project, fork.origin
    # a runner's fresh checkout: nothing but what origin holds
    git(project, "fetch", "--quiet", "origin")
    git(project, "reset", "--quiet", "--hard", "origin/main")
    git(project, "clean", "--quiet", "-fdx")
    state = fork.base / f"night-{number}"
    state.mkdir()
    runner = Runner(
        load_workflow(NIGHTLY), project, origin, state, fork.store,
        github={"repository": "someone/digest", "ref_name": "main", "server_url": "https://github.com",
                "token": "no-token", "event_name": "schedule"},
        variables={"SCRAPER_CONTACT": CONTACT}, pages_url=PAGES,
        skip_runs={"dev.py install": "installs from PyPI; this interpreter's environment is used",
                   "python -m pytest": "the test suite is what runs this rehearsal",
                   "gh cache": "needs GitHub"}, **runner_options)
    before = git(origin, "rev-parse", "main")
    jobs = runner.run()
    report_file = project / ".scraper" / "report.json"
    return Night(
        runner, jobs, json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else {},
        {hit.status for hit in fork.site.hits}, {hit.headers.get("User-Agent", "") for hit in fork.site.hits},
        before, git(origin, "rev-parse", "main"), git(project, "status", "--porcelain"),
        {str(p.relative_to(project)) for p in (project / "docs" / "articles").glob("*.md")},
        articles(git(origin, "ls-tree", "-r", "--name-only", "main")))


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory, make_httpserver: HTTPServer) -> list[Night]:
    fork = make_fork(tmp_path_factory.mktemp("rehearsal"), make_httpserver)
    return [run_night(fork, 1, fork.polite, replace_in_runs={"--deadline 2400": "--deadline 12"}),
            run_night(fork, 2, fork.quick),
            run_night(fork, 3, fork.quick)]


def fetched(night: Night) -> int:
    return int(night.report["totals"]["new"])


def explain(night: Night) -> str:
    return "\n".join(f"{job.name}/{step.name}: {step.outcome}\n{step.output[-1500:]}"
                     for job in night.jobs.values() for step in job.steps if step.outcome == "failure")


def test_an_over_long_night_commits_and_publishes_what_it_fetched(nights: list[Night]) -> None:
    night = nights[0]
    assert night.jobs["update"].result == "success", explain(night)
    assert night.report["deadline"]["stopped_run"] is True
    assert 1 <= fetched(night) < FAKE_ARTICLES and night.report["totals"]["deferred"] > 0
    assert night.jobs["update"].outputs["changed"] == "true"
    assert night.origin_after == night.jobs["update"].outputs["sha"] != night.origin_before
    assert night.articles_on_origin == night.articles_on_disk  # every page it wrote is committed
    assert night.status_after == ""
    assert night.jobs["build"].result == "success", explain(night)
    assert night.jobs["deploy"].result == "success" and night.runner.deployed


def test_the_fork_crawls_and_publishes_under_its_own_name(nights: list[Night]) -> None:
    assert nights[0].agents == {f"ChinaTechDigest/0.1 (+{CONTACT})"}
    home = (nights[0].runner.store / "pages" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{PAGES}/">' in home
    sitemap = (nights[0].runner.store / "pages" / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{PAGES}/about/</loc>" in sitemap and "china-tech-digest.github.io" not in sitemap


def test_the_next_night_fetches_the_rest(nights: list[Night]) -> None:
    first, night = nights[0], nights[1]
    assert night.jobs["update"].result == "success", explain(night)
    assert fetched(first) + fetched(night) == FAKE_ARTICLES
    assert night.report["totals"]["deferred"] == 0
    assert night.articles_on_origin == night.articles_on_disk
    assert len(night.articles_on_origin - first.articles_on_origin) == fetched(night)
    assert night.jobs["deploy"].result == "success"


def test_the_http_cache_carries_over_from_night_to_night(nights: list[Night]) -> None:
    # Night 3 asks for robots.txt, the feed and two listing pages, all conditionally: each is
    # answered 304, with the cache the workflow saved on night 2 and restored on night 3.
    assert nights[2].statuses == {304}


def test_the_archive_scan_cache_carries_over_from_night_to_night(nights: list[Night]) -> None:
    # Every night is a fresh checkout (new file times, no ignored files): with the cache the
    # workflow saved on the night before, a night parses only the pages that night wrote.
    first, second, third = nights
    assert first.report["archive_scan"] == {"pages": 0, "parsed": 0}
    assert second.report["archive_scan"] == {"pages": fetched(first), "parsed": fetched(first)}
    assert fetched(first) and fetched(second)
    assert third.report["archive_scan"] == {"pages": fetched(first) + fetched(second),
                                            "parsed": fetched(second)}


@pytest.mark.xfail(SOURCES_TRACKED, strict=True,
                   reason="docs/sources.md is tracked and rewritten every night until the plugin branch")
def test_a_night_without_news_changes_nothing_and_deploys_nothing(nights: list[Night]) -> None:
    night = nights[2]
    assert night.jobs["update"].result == "success", explain(night)
    assert fetched(night) == 0
    assert night.status_after == ""
    assert night.jobs["update"].outputs["changed"] == "false"
    assert night.origin_after == night.origin_before
    assert night.jobs["build"].result == "skipped" and night.jobs["deploy"].result == "skipped"


def test_the_rehearsal_says_what_it_did_not_run(nights: list[Night]) -> None:
    stand_ins = nights[0].runner.stand_ins
    assert any("--deadline 2400" in line for line in stand_ins)
    assert not any("--deadline" in line for line in nights[1].runner.stand_ins)
    assert {line.split(":")[0] for line in stand_ins if "not run" in line} == {
        "Install", "Run the tests", "Delete all but the newest entry of each cache"}


def test_git_is_never_left_mid_rebase(nights: list[Night]) -> None:
    project = nights[-1].runner.project
    assert subprocess.run(["git", "status"], cwd=project, capture_output=True, text=True).returncode == 0
    assert not any((project / ".git" / name).exists() for name in ("rebase-merge", "rebase-apply"))


def test_a_night_killed_by_its_time_limit_still_commits_what_it_fetched(
        tmp_path: Path, make_httpserver: HTTPServer) -> None:
    # The update step's `timeout-minutes` (45) is enforced at 0.2 s a minute: the step is killed
    # (with the scraper) after 9 s, a few articles in at a second each, long before its deadline.
    fork = make_fork(tmp_path, make_httpserver)
    night = run_night(fork, 1, fork.polite, seconds_per_minute=0.2)
    update = night.jobs["update"]
    assert update.step("Fetch the sources").outcome == "failure"
    assert "ran out of time" in update.step("Fetch the sources").output
    assert update.step("Commit and push the new pages").outcome == "success"
    assert update.result == "failure" and update.outputs["changed"] == "true"
    assert night.articles_on_disk and night.articles_on_origin == night.articles_on_disk
    assert 1 <= len(night.articles_on_disk - nights_seed(fork)) < FAKE_ARTICLES
    assert night.status_after == ""
    # the pages that made it are built and published all the same
    assert night.jobs["build"].result == "success", explain(night)
    assert night.jobs["deploy"].result == "success"


def nights_seed(fork: Fork) -> set[str]:
    """The articles the fork started with: none, the repository tracks no demo page."""
    return articles(git(fork.origin, "ls-tree", "-r", "--name-only", "main~1"))


def test_the_fork_starts_without_demo_pages(nights: list[Night]) -> None:
    # The fork is this repository as a developer leaves it, who may have run `dev.py site`
    # (its pages go to the git-ignored build/demo/docs): its first commit has no article page,
    # so the first night publishes only what it fetched.
    first = nights[0]
    seed = git(first.runner.origin, "ls-tree", "-r", "--name-only", first.origin_before).split()
    assert "docs/about.md" in seed and not articles("\n".join(seed))
    assert len(first.articles_on_origin) == fetched(first)
