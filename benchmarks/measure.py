"""Wall time and peak memory of a command and every process it starts (Linux /proc).

The build runs Pagefind as a child of MkDocs, so one peak figure would hide which of the two
used the memory: this samples the whole process tree and keeps each program's peak and the
peak of their sum.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Run:
    seconds: float
    peak_mb: int  # the most the whole tree held at once
    peak_by_program: dict[str, int] = field(default_factory=dict)
    output: str = ""  # what the command printed (stdout and stderr)


def _tree(pid: int) -> Iterator[int]:
    yield pid
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return
    for tid in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for child in children:
            yield from _tree(int(child))


def _rss_mb(pid: int) -> tuple[str, int]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return "", 0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kb = int(fields.get("VmRSS", "0 kB").split()[0])
    return fields.get("Name", "").strip(), rss_kb // 1024


def measured(cmd: list[str], cwd: Path, interval: float = 0.05) -> Run:
    """Run `cmd`; raise SystemExit with its output when it fails."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "true"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak, by_program = 0, {}
    output = bytearray()
    os.set_blocking(proc.stdout.fileno(), False)  # type: ignore[union-attr]
    while proc.poll() is None:
        total = 0
        for pid in list(_tree(proc.pid)):
            name, mb = _rss_mb(pid)
            total += mb
            if name:
                by_program[name] = max(by_program.get(name, 0), mb)
        peak = max(peak, total)
        output += proc.stdout.read() or b""  # type: ignore[union-attr]
        time.sleep(interval)
    seconds = time.perf_counter() - start
    output += proc.stdout.read() or b""  # type: ignore[union-attr]
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{output.decode(errors='replace')[-3000:]}")
    return Run(seconds, peak, by_program, output.decode(errors="replace"))
