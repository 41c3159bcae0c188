"""Runs a GitHub Actions workflow's jobs on this machine, from the workflow file itself.

Each `run:` step runs as GitHub runs it (`bash -eo pipefail`, with the step's `env:`,
GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY), in job and step order, with
`if:` conditions and `${{ }}` expressions evaluated (the small part of GitHub's expression
language our workflows use; anything else is an error, not a guess). What needs GitHub is
stood in for, and every stand-in is listed in `Runner.stand_ins`:

* `uses:` steps: checkout (the update job's checkout is the project; a later job clones the
  commit it asks for from origin), the caches and artifacts (folders under `state`),
  configure-pages (a fixed Pages address), upload-pages-artifact and deploy-pages (recorded).
* `run:` steps named in `skip_runs` (for example the install, which would fetch from PyPI:
  the running interpreter's environment is put on PATH instead).
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Context = dict[str, Any]


class ExpressionError(Exception):
    pass


TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
                   r"|(?P<num>\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w.-]*(?:\[\d+\])?))")
STATUS_FUNCTIONS = ("always(", "success(", "failure(", "cancelled(")


def evaluate(expression: str, context: Context, functions: dict[str, Callable[..., Any]]) -> Any:
    """A GitHub expression (without ${{ }}) as Python: `||` and `&&` return an operand."""
    python, position = [], 0
    expression = expression.strip()
    while position < len(expression):
        match = TOKEN.match(expression, position)
        if not match or match.end() == position:
            raise ExpressionError(f"cannot read {expression[position:]!r} in {expression!r}")
        position = match.end()
        if match["str"] is not None:
            python.append(repr(match["str"][1:-1].replace("''", "'")))
        elif match["num"] is not None:
            python.append(match["num"])
        elif match["op"] is not None:
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(match["op"], match["op"]))
        else:
            name = match["name"]
            if expression[position:].lstrip().startswith("("):
                if name not in functions:
                    raise ExpressionError(f"no function {name}() in this runner")
                python.append(f"_f[{name!r}]")
            elif name in ("true", "false", "null"):
                python.append({"true": "True", "false": "False", "null": "None"}[name])
            else:
                python.append(f"_c({name!r})")

    def lookup(dotted: str) -> Any:
        value: Any = context
        for part in dotted.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return "" if value is None else value

    return eval("".join(python), {"__builtins__": {}}, {"_f": functions, "_c": lookup})  # noqa: S307


def substitute(text: str, context: Context, functions: dict[str, Callable[..., Any]]) -> str:
    def one(match: re.Match[str]) -> str:
        value = evaluate(match.group(1), context, functions)
        return str(value).lower() if isinstance(value, bool) else str(value)

    return re.sub(r"\$\{\{(.*?)\}\}", one, text)


def read_outputs(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


@dataclass
class StepResult:
    name: str
    outcome: str  # success, failure, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    output: str = ""
    conclusion: str = ""  # the outcome, except that continue-on-error turns failure into success


@dataclass
class JobResult:
    name: str
    result: str  # success, failure, skipped
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)

    def step(self, needle: str) -> StepResult:
        for step in self.steps:
            if needle in step.name:
                return step
        raise KeyError(f"{self.name}: no step {needle!r}")


@dataclass
class Runner:
    """One run of a workflow: the update job works in `project`, a git clone of `origin`."""

    workflow: dict[str, Any]
    project: Path
    origin: Path
    state: Path  # this run's step files and later jobs' checkouts
    store: Path  # the Actions caches and artifacts, kept from run to run
    github: Context
    variables: Context = field(default_factory=dict)
    inputs: Context = field(default_factory=dict)
    pages_url: str = "https://someone.github.io/digest"
    skip_runs: dict[str, str] = field(default_factory=dict)  # run: text contains key -> why
    replace_in_runs: dict[str, str] = field(default_factory=dict)  # text -> text, said in stand_ins
    seconds_per_minute: float = 60.0  # how a step's `timeout-minutes` is enforced here
    stand_ins: list[str] = field(default_factory=list)
    deployed: list[Path] = field(default_factory=list)
    jobs: dict[str, JobResult] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=itertools.count)

    def run(self) -> dict[str, JobResult]:
        for name, job in self.workflow["jobs"].items():
            self.jobs[name] = self.run_job(name, job)
        return self.jobs

    # ------------------------------------------------------------------ jobs

    def needs(self, job: dict[str, Any]) -> list[str]:
        needs = job.get("needs", [])
        return [needs] if isinstance(needs, str) else list(needs)

    def ancestors_ok(self, name: str) -> bool:
        job = self.workflow["jobs"][name]
        return all(self.jobs[n].result == "success" and self.ancestors_ok(n) for n in self.needs(job))

    def run_job(self, name: str, job: dict[str, Any]) -> JobResult:
        needs = {n: {"result": self.jobs[n].result, "outputs": self.jobs[n].outputs} for n in self.needs(job)}
        context = {"github": self.github, "vars": self.variables, "inputs": self.inputs, "needs": needs}
        functions = self.functions(lambda: self.ancestors_ok(name), lambda: not self.ancestors_ok(name),
                                   self.project)
        if not self.condition(job.get("if"), context, functions):
            return JobResult(name, "skipped")
        workdir = self.project if name == self.first_job() else self.state / f"checkout-{name}"
        steps: list[StepResult] = []
        context["steps"] = {}
        for index, step in enumerate(job.get("steps", [])):
            label = step.get("name") or step.get("uses") or f"step {index}"
            failed = any(s.conclusion == "failure" for s in steps)
            functions = self.functions(lambda failed=failed: not failed, lambda failed=failed: failed,
                                       workdir)
            if not self.condition(step.get("if"), context, functions):
                result = StepResult(label, "skipped")
            else:
                result = self.run_step(step, label, context, functions, workdir)
            result.conclusion = ("success" if result.outcome == "failure" and step.get("continue-on-error")
                                 else result.outcome)
            steps.append(result)
            if "id" in step:
                context["steps"][step["id"]] = {"outcome": result.outcome, "conclusion": result.conclusion,
                                                "outputs": result.outputs}
        outputs = {key: substitute(str(value), context, self.functions(lambda: True, lambda: False, workdir))
                   for key, value in job.get("outputs", {}).items()}
        failed = any(s.conclusion == "failure" for s in steps)
        return JobResult(name, "failure" if failed else "success", outputs, steps)

    def first_job(self) -> str:
        return next(iter(self.workflow["jobs"]))

    # ------------------------------------------------------------------ expressions

    def functions(self, success: Callable[[], bool], failure: Callable[[], bool],
                  workdir: Path) -> dict[str, Callable[..., Any]]:
        def hash_files(*patterns: str) -> str:
            found = [p for pattern in patterns for p in sorted(workdir.glob(pattern)) if p.is_file()]
            return "hash" if found else ""

        def format_(template: str, *args: Any) -> str:
            return re.sub(r"\{(\d+)\}", lambda m: str(args[int(m.group(1))]), template)

        return {"always": lambda: True, "cancelled": lambda: False, "success": success,
                "failure": failure, "hashFiles": hash_files, "format": format_}

    def condition(self, expression: Any, context: Context, functions: dict[str, Callable[..., Any]]) -> bool:
        if expression is None:
            return bool(functions["success"]())
        text = str(expression).strip()
        if text.startswith("${{") and text.endswith("}}"):
            text = text[3:-2]
        if not any(f in text for f in STATUS_FUNCTIONS):
            text = f"success() && ({text})"
        return bool(evaluate(text, context, functions))

    # ------------------------------------------------------------------ steps

    def run_step(self, step: dict[str, Any], label: str, context: Context,
                 functions: dict[str, Callable[..., Any]], workdir: Path) -> StepResult:
        env, with_ = ({key: substitute(str(value), context, functions) for key, value in
                       step.get(part, {}).items()} for part in ("env", "with"))
        if "uses" in step:
            return self.use(step["uses"].split("@")[0], label, with_, workdir)
        script = str(step["run"])
        for needle, why in self.skip_runs.items():
            if needle in script:
                self.stand_ins.append(f"{label}: not run ({why})")
                if "GITHUB_PATH" in script:
                    self.add_path(Path(sys.executable).parent)
                return StepResult(label, "success")
        for old, new in self.replace_in_runs.items():
            if old in script:
                script = script.replace(old, new)
                self.stand_ins.append(f"{label}: {old!r} run as {new!r}")
        number = next(self.counter)
        files = {name: self.state / f"{name}-{number}" for name in
                 ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY")}
        for path in files.values():
            path.write_text("", encoding="utf-8")
        environment = {**os.environ, **self.extra_env(), **{k: str(v) for k, v in files.items()},
                       "GITHUB_PATH": str(self.state / "path"), "CI": "true",
                       "GITHUB_REPOSITORY": self.github["repository"],
                       "GITHUB_REF_NAME": self.github["ref_name"], **env}
        environment["PATH"] = os.pathsep.join([*self.paths(), environment["PATH"]])
        minutes = step.get("timeout-minutes")
        # Its own process group, so that a step over its time limit is ended with everything it
        # started, as on GitHub.
        process = subprocess.Popen(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                                   cwd=workdir, env=environment, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            output, _ = process.communicate(
                timeout=None if minutes is None else minutes * self.seconds_per_minute)
            outcome = "success" if process.returncode == 0 else "failure"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            outcome, output = "failure", f"{output}\nthe step ran out of time ({minutes} minutes)"
        with (self.state / "env").open("a", encoding="utf-8") as exported:
            exported.write(files["GITHUB_ENV"].read_text(encoding="utf-8"))
        return StepResult(label, outcome, read_outputs(files["GITHUB_OUTPUT"]), output)

    def extra_env(self) -> dict[str, str]:
        return read_outputs(self.state / "env")

    def paths(self) -> list[str]:
        path_file = self.state / "path"
        return list(reversed(path_file.read_text(encoding="utf-8").split())) if path_file.exists() else []

    def add_path(self, folder: Path) -> None:
        with (self.state / "path").open("a", encoding="utf-8") as out:
            out.write(f"{folder}\n")

    def use(self, action: str, label: str, with_: dict[str, str], workdir: Path) -> StepResult:
        store = self.store
        if action == "actions/checkout":
            if workdir != self.project:
                shutil.rmtree(workdir, ignore_errors=True)
                git(self.state, "clone", "--quiet", str(self.origin), str(workdir))
                if with_.get("ref"):
                    git(workdir, "checkout", "--quiet", with_["ref"])
            return StepResult(label, "success")
        if action == "actions/setup-python":
            return StepResult(label, "success")
        if action in ("actions/cache/restore", "actions/cache/save", "actions/upload-artifact",
                      "actions/download-artifact"):
            kind = "cache" if action.startswith("actions/cache") else "artifact"
            key = with_["path"].replace("/", "_") if kind == "cache" else with_["name"]
            saved = store / kind / key
            target = workdir / with_["path"]
            if action.endswith(("restore", "download-artifact")):
                if not saved.exists():
                    return StepResult(label, "failure" if kind == "artifact" else "success")
                if saved.is_dir():
                    shutil.copytree(saved, target, dirs_exist_ok=True)
                else:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(saved, target)
            else:
                saved.parent.mkdir(parents=True, exist_ok=True)
                if kind == "artifact":
                    saved.mkdir(exist_ok=True)
                    shutil.copy2(target, saved / target.name)
                elif target.is_dir():  # the plugin's cache folder
                    shutil.rmtree(saved, ignore_errors=True)
                    shutil.copytree(target, saved)
                else:
                    shutil.copy2(target, saved)
            return StepResult(label, "success")
        if action == "actions/configure-pages":
            return StepResult(label, "success", {"base_url": self.pages_url})
        if action == "actions/upload-pages-artifact":
            copy = store / "pages"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(workdir / with_["path"], copy)
            return StepResult(label, "success")
        if action == "actions/deploy-pages":
            self.deployed.append(store / "pages")
            return StepResult(label, "success", {"page_url": self.pages_url + "/"})
        raise ExpressionError(f"{label}: no stand-in for {action}")


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"})
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {done.stderr}")
    return done.stdout.strip()


def load_workflow(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as a boolean
        data["on"] = data.pop(True)
    return dict(data)
