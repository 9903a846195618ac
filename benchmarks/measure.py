"""Measuring a subprocess: wall time of its stages (from its output lines) and the peak RSS of its tree.

The pipeline is one `arvo run` process that starts `dbt` as a child, so memory is summed over the
whole process tree (sampled from /proc every 0.2 s); `resource.getrusage(RUSAGE_CHILDREN)` adds the
exact peak of the largest single process.
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants now."""
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError, IndexError):  # the process ended between listing and reading
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        todo.extend(tree.get(current, []))
    return total


@dataclass
class Measured:
    seconds: float
    returncode: int
    peak_tree_rss: int
    peak_process_rss: int
    marks: dict[str, float] = field(default_factory=dict)  # first time (s from start) each mark was seen
    output: str = ""


def run_measured(
    command: list[str],
    env: dict[str, str],
    cwd: Path,
    marks: dict[str, Callable[[str], bool]] | None = None,
    log: Path | None = None,
) -> Measured:
    """Run `command`, timestamping the first output line that matches each mark, sampling tree RSS."""
    marks = marks or {}
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    seen: dict[str, float] = {}
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        now = time.perf_counter() - started
        clean = ANSI.sub("", line)
        lines.append(clean)
        for name, matches in marks.items():
            if name not in seen and matches(clean):
                seen[name] = now
    proc.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    output = "".join(lines)
    if log is not None:
        log.write_text(output)
    # ru_maxrss (KiB) of RUSAGE_CHILDREN: the largest single process among all children waited for so far
    process_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return Measured(seconds, proc.returncode, peak[0], process_peak, seen, output)
