"""The nightly workflow's scripts (.github/nightly/): the crawler's contact, and the push that
never leaves the checkout mid-rebase. Git remotes here are bare repositories in tmp_path."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.workflow_runner import git

ROOT = Path(__file__).resolve().parents[1]
USER_AGENT = ROOT / ".github" / "nightly" / "user-agent.sh"
PUSH = ROOT / ".github" / "nightly" / "push.sh"


def outputs(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


# ---------------------------------------------------------------------------- the contact


def user_agent(tmp_path: Path, contact: str, repository: str) -> tuple[subprocess.CompletedProcess[str],
                                                                      dict[str, str]]:
    out = tmp_path / "out"
    out.unlink(missing_ok=True)
    done = subprocess.run(["bash", str(USER_AGENT)], capture_output=True, text=True,
                          env={**os.environ, "CONTACT": contact, "GITHUB_REPOSITORY": repository,
                               "GITHUB_OUTPUT": str(out)})
    return done, outputs(out)


@pytest.mark.parametrize("contact", ["https://github.com/someone/digest", "ops@someone.example"])
def test_a_fork_crawls_under_its_own_contact(tmp_path: Path, contact: str) -> None:
    done, out = user_agent(tmp_path, contact, "someone/digest")
    assert done.returncode == 0, done.stdout + done.stderr
    assert out == {"user_agent": f"ChinaTechDigest/0.1 (+{contact})"}


@pytest.mark.parametrize("contact", ["https://github.com/china-tech-digest/digest",
                                     "https://GitHub.com/China-Tech-Digest/digest/issues"])
def test_a_fork_with_the_upstreams_contact_fails_clearly(tmp_path: Path, contact: str) -> None:
    done, out = user_agent(tmp_path, contact, "someone/digest")
    assert done.returncode == 1 and out == {}
    assert "::error title=Crawling under the upstream's name::" in done.stdout
    assert "SCRAPER_CONTACT" in done.stdout


def test_the_upstream_itself_may_use_its_contact(tmp_path: Path) -> None:
    upstream = "https://github.com/china-tech-digest/digest"
    done, out = user_agent(tmp_path, upstream, "china-tech-digest/digest")
    assert done.returncode == 0
    assert out["user_agent"].endswith("(+https://github.com/china-tech-digest/digest)")


@pytest.mark.parametrize("contact", ["", "nobody", "https://x.example/\nuser_agent=evil", "a@b) (evil"])
def test_no_usable_contact_fails_clearly(tmp_path: Path, contact: str) -> None:
    done, out = user_agent(tmp_path, contact, "someone/digest")
    assert done.returncode == 1 and out == {}
    assert "::error title=No contact for the crawler::" in done.stdout


# ---------------------------------------------------------------------------- the push


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path, Path]:
    """(origin, the nightly's checkout, someone else's checkout), all at one first commit."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(origin), str(seed))
    write(seed, "docs/articles/a.md", "a: first\n")
    write(seed, "docs/about.md", "about\n")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "first")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    nightly, other = tmp_path / "nightly", tmp_path / "other"
    for clone in (nightly, other):
        git(tmp_path, "clone", "--quiet", str(origin), str(clone))
    return origin, nightly, other


def push(checkout: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    out = checkout.parent / "push-output"
    out.unlink(missing_ok=True)
    done = subprocess.run(["bash", str(PUSH)], cwd=checkout, capture_output=True, text=True,
                          env={**os.environ, "BRANCH": "main", "GITHUB_OUTPUT": str(out),
                               "PUSH_RETRY_SECONDS": "0"})
    return done, outputs(out)


def remote_file(origin: Path, rel: str) -> str:
    return git(origin, "show", f"main:{rel}")


def test_nothing_changed_means_no_commit(repos: tuple[Path, Path, Path]) -> None:
    origin, nightly, _ = repos
    before = git(origin, "rev-parse", "main")
    done, out = push(nightly)
    assert done.returncode == 0, done.stderr
    assert out == {"changed": "false", "sha": before}
    assert git(origin, "rev-parse", "main") == before


def test_new_pages_are_committed_and_pushed(repos: tuple[Path, Path, Path]) -> None:
    origin, nightly, _ = repos
    write(nightly, "docs/articles/b.md", "b\n")
    done, out = push(nightly)
    assert done.returncode == 0, done.stderr
    assert out["changed"] == "true" and out["sha"] == git(origin, "rev-parse", "main")
    assert remote_file(origin, "docs/articles/b.md") == "b"
    last = git(origin, "log", "-1", "--format=%an %s", "main")
    assert last.startswith("github-actions[bot] Nightly update ")


def test_a_push_meanwhile_is_replayed_on(repos: tuple[Path, Path, Path]) -> None:
    origin, nightly, other = repos
    write(other, "docs/about.md", "about, edited\n")
    git(other, "commit", "--quiet", "-am", "edit about")
    git(other, "push", "--quiet", "origin", "HEAD:main")
    write(nightly, "docs/articles/b.md", "b\n")
    done, out = push(nightly)
    assert done.returncode == 0, done.stderr
    assert remote_file(origin, "docs/about.md") == "about, edited"
    assert remote_file(origin, "docs/articles/b.md") == "b"
    assert out["sha"] == git(origin, "rev-parse", "main")


def test_a_conflicting_push_meanwhile_is_never_left_mid_rebase(repos: tuple[Path, Path, Path]) -> None:
    origin, nightly, other = repos
    write(other, "docs/articles/a.md", "a: fixed by hand\n")
    git(other, "commit", "--quiet", "-am", "fix a by hand")
    git(other, "push", "--quiet", "origin", "HEAD:main")
    write(nightly, "docs/articles/a.md", "a: fetched again\n")  # conflicts with the hand fix
    write(nightly, "docs/articles/b.md", "b\n")
    done, out = push(nightly)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Rebuilt on the remote's archive: 1 page(s)" in done.stdout
    assert not any((nightly / ".git" / name).exists() for name in ("rebase-merge", "rebase-apply"))
    assert remote_file(origin, "docs/articles/a.md") == "a: fixed by hand"  # the remote's copy stays
    assert remote_file(origin, "docs/articles/b.md") == "b"  # tonight's new page is kept
    assert out["changed"] == "true" and out["sha"] == git(origin, "rev-parse", "main")
    assert git(nightly, "status", "--porcelain") == ""


def test_a_push_that_keeps_failing_fails_the_step(repos: tuple[Path, Path, Path], tmp_path: Path) -> None:
    _, nightly, _ = repos
    git(nightly, "remote", "set-url", "--push", "origin", str(tmp_path / "no-such-remote.git"))
    write(nightly, "docs/articles/b.md", "b\n")
    done, out = push(nightly)
    assert done.returncode == 1 and "changed" not in out
    assert "::error title=Push failed::" in done.stdout
