"""Measuring pairs: each side in a fresh process, both sides interleaved, medians.

A *pair* is two commands measured against each other in the same run: repetition after
repetition the two sides alternate (A B, then B A, ...), each run in a new Python
process (:mod:`benchmarks.worker`) so that its peak resident memory is its own. The
medians of time and of peak memory, and their ratio, are what the report shows.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopledger.loadcache import LoadCache

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Side:
    """One side of a pair: a worker task and what to call it."""

    label: str
    task: tuple[str, ...]
    python: str = sys.executable
    #: Environment for the worker: coopledger's load cache is off unless a side names one.
    env: tuple[tuple[str, str], ...] = ()


@dataclass
class Outcome:
    """The runs of one side: seconds and peak MiB per run, and the last run's output."""

    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)
    last: dict[str, Any] = field(default_factory=dict)

    @property
    def time(self) -> float:
        """Median seconds."""
        return statistics.median(self.seconds)

    @property
    def cpu(self) -> float:
        """Median CPU seconds (user + system) of the measured work."""
        return statistics.median(self.cpu_seconds) if self.cpu_seconds else float("nan")

    @property
    def memory(self) -> float:
        """Median peak resident memory, MiB."""
        return statistics.median(self.peak_mib)


@dataclass
class Result:
    """A measured pair: both outcomes, the verdicts and notes."""

    number: str
    title: str
    size: str
    left: Side
    right: Side
    left_out: Outcome
    right_out: Outcome
    verdicts: list[tuple[str, str, bool]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def time_ratio(self) -> float:
        """Median time of the left side over the right."""
        return self.left_out.time / self.right_out.time

    @property
    def cpu_ratio(self) -> float:
        """Median CPU time of the left side over the right."""
        return self.left_out.cpu / self.right_out.cpu

    @property
    def memory_ratio(self) -> float:
        """Median peak memory of the left side over the right."""
        return self.left_out.memory / self.right_out.memory


@dataclass(frozen=True)
class Skipped:
    """A pair that could not be measured, and why."""

    number: str
    title: str
    reason: str


def run_worker(task: tuple[str, ...], timeout: float = 3600,
               python: str = sys.executable,
               env: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """Run one worker task in a fresh interpreter; its JSON result.

    Raises:
        RuntimeError: The worker failed or printed no result.
    """
    given = dict(env)
    env_all = dict(os.environ, BEANCOUNT_DISABLE_LOAD_CACHE="1",
                   COOPLEDGER_CACHE_DIR=given.pop("COOPLEDGER_CACHE_DIR", "off"), **given,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                             os.environ.get("PYTHONPATH")])))
    # Python caches each module's compiled code as an installed package has it; without
    # that cache (PYTHONDONTWRITEBYTECODE in the environment, and no earlier run that
    # wrote it) every run compiles coopledger's modules again, about 0.07 s that no
    # installation pays. The first run of a side writes it.
    env_all.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [python, "-m", "benchmarks.worker", *task], capture_output=True, text=True,
        check=False, cwd=ROOT, env=env_all, timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"worker {' '.join(task)} failed: {' | '.join(tail)}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def measure(left: Side, right: Side, repetitions: int,
            log: Callable[[str], None] = print) -> tuple[Outcome, Outcome]:
    """Run both sides ``repetitions`` times, interleaved, alternating which goes first."""
    outcomes = {left.label: Outcome(), right.label: Outcome()}
    for rep in range(repetitions):
        order = (left, right) if rep % 2 == 0 else (right, left)
        for side in order:
            result = run_worker(side.task, python=side.python, env=side.env)
            cache = dict(side.env).get("COOPLEDGER_CACHE_DIR")
            if cache:  # the next run waits for what this one stores in the background
                LoadCache(Path(cache)).wait_for_writes()
            outcome = outcomes[side.label]
            outcome.seconds.append(float(result["seconds"]))
            outcome.peak_mib.append(float(result["peak_mib"]))
            if "cpu_seconds" in result:
                outcome.cpu_seconds.append(float(result["cpu_seconds"]))
            outcome.last = result
            log(f"    {side.label}: {result['seconds']:.2f} s (cpu "
                f"{result.get('cpu_seconds', float('nan')):.2f} s), "
                f"{result['peak_mib']:.0f} MiB")
    return outcomes[left.label], outcomes[right.label]
