"""The benchmark harness: every pair, measured in one run, into docs/performance.md.

Run from the repository root::

    python -m benchmarks.run --quick     # small books, a few minutes
    python -m benchmarks.run --full      # the issue's sizes (100k and 500k transactions)

Each pair runs both of its sides in the same run, interleaved, ``--repetitions`` times,
each run in a fresh process; the report gives medians and ratios. A pair whose feature
is not installed is skipped with the reason, in the output and in the report.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks import cachepairs, pairs
from benchmarks.harness import ROOT, Result, Skipped, measure
from benchmarks.report import write_report


@dataclass(frozen=True)
class Profile:
    """The sizes of one kind of run."""

    name: str
    books: list[pairs.BookSize]
    repetitions: int


QUICK = Profile("quick", [pairs.BookSize(members=10, years=4, transactions=20_000)], 3)
FULL = Profile("full", [pairs.BookSize(members=50, years=10, transactions=100_000),
                        pairs.BookSize(members=200, years=10, transactions=500_000)], 5)


def main(argv: list[str] | None = None) -> int:
    """Run the pairs and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small books (the default)")
    size.add_argument("--full", action="store_true", help="the issue's sizes")
    parser.add_argument("--repetitions", type=int, help="runs per side (default 3 quick, "
                        "5 full; 3 for the 500k books)")
    parser.add_argument("--pairs", default="1,1b,2,3,4,5,6,7", help="which pairs, e.g. 1,4")
    parser.add_argument("--books", metavar="MEMBERS,YEARS,TRANSACTIONS",
                        help="measure on books of this size instead (e.g. 3,1,300 for a "
                        "smoke test of the harness)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out",
                        help="where the generated books go (default benchmarks/out)")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "performance.md",
                        help="the report to write ('-' for none)")
    args = parser.parse_args(argv)
    profile = FULL if args.full else QUICK
    repetitions = args.repetitions or profile.repetitions
    wanted = {p.strip() for p in args.pairs.split(",") if p.strip()}
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    started = time.perf_counter()
    sizes = profile.books
    if args.books:
        members, years, transactions = (int(x) for x in args.books.split(","))
        sizes = [pairs.BookSize(members, years, transactions)]
    context = pairs.Context(args.out, sizes, repetitions)
    measured: list[Result | Skipped] = []
    for number, prepare in [*pairs.PAIRS, ("7", cachepairs.prepare_cache)]:
        if number not in wanted:
            continue
        for plan in prepare(context):
            if isinstance(plan, Skipped):
                print(f"pair {plan.number}: {plan.title}: SKIPPED: {plan.reason}")
                measured.append(plan)
                continue
            print(f"pair {plan.number}: {plan.title} [{plan.size}]")
            reps = plan.repetitions or repetitions
            left, right = measure(plan.left, plan.right, reps)
            result = plan.finish(left, right)
            measured.append(result)
            for name, shown, met in result.verdicts:
                print(f"  {name}: {shown} -> {'met' if met else 'MISSED'}")
            for note in result.notes:
                print(f"  note: {note}")
    elapsed = time.perf_counter() - started
    print(f"done in {elapsed / 60:.1f} min")
    if str(args.report) != "-":
        write_report(args.report, measured, command=command.strip(), profile=profile.name,
                     repetitions=repetitions, elapsed=elapsed,
                     when=datetime.datetime.now(datetime.UTC), python=platform.python_version())
        print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
