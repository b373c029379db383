"""The pairs of issue 9: what is measured against what, and the targets.

Each ``prepare_*`` function yields :class:`Plan` objects (or :class:`Skipped` with the
reason when the feature it measures is not installed). A plan names its two sides as
worker tasks (:mod:`benchmarks.worker`) and a ``finish`` that turns the two outcomes into
verdicts. Nothing here knows a result in advance.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib.util
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import synthetic
from benchmarks.harness import Outcome, Result, Side, Skipped, run_worker
from coopledger.chart import account_for


@dataclass(frozen=True)
class BookSize:
    """The size of a set of synthetic books."""

    members: int
    years: int
    transactions: int
    seed: int = 2026
    loans: int = -1  # the generator's default: one loan per three members

    @property
    def name(self) -> str:
        """A folder name for these books."""
        loans = "" if self.loans < 0 else f"-l{self.loans}"
        return f"m{self.members}-y{self.years}-t{self.transactions}-s{self.seed}{loans}"

    @property
    def label(self) -> str:
        """How the report names the size."""
        count = f"{self.transactions:,}".replace(",", " ")
        loans = "" if self.loans < 0 else f", {self.loans} loans"
        return f"{count} transactions, {self.members} members, {self.years} years{loans}"


@dataclass
class Context:
    """What every pair shares: where books go, their sizes, the default repetitions."""

    out: Path
    sizes: list[BookSize]
    repetitions: int
    daily: Path | None = None
    camt_baseline: str = "pycamt"
    _made: dict[str, Path] = field(default_factory=dict)

    def books(self, size: BookSize) -> Path:
        """The folder of synthetic books of this size, generated unless already there."""
        folder = self.out / size.name
        source = Path(synthetic.__file__).read_bytes()
        stamp = hashlib.sha256(source + repr(size).encode()
                               + repr(synthetic.available_plugins()).encode()).hexdigest()
        stamp_file = folder / ".stamp"
        if size.name not in self._made and not (
                stamp_file.is_file() and stamp_file.read_text() == stamp):
            if folder.exists():
                shutil.rmtree(folder)
            print(f"generating {size.label} into {folder}")
            files = synthetic.generate(size.members, size.years, size.transactions,
                                       loans=size.loans, seed=size.seed)
            synthetic.write_books(folder, files)
            stamp_file.write_text(stamp)
        self._made[size.name] = folder
        return folder

    def scratch(self, size: BookSize, purpose: str) -> Path:
        """A fresh copy of the books of this size, for a pair that writes into them."""
        target = self.out / f"{size.name}-{purpose}"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(self.books(size), target)
        return target


@dataclass
class Plan:
    """A pair ready to measure."""

    number: str
    title: str
    size: str
    left: Side
    right: Side
    finish_with: Callable[[Result], None]
    repetitions: int | None = None

    def finish(self, left: Outcome, right: Outcome) -> Result:
        """The result with its verdicts."""
        result = Result(self.number, self.title, self.size, self.left, self.right, left, right)
        for outcome, side in ((left, self.left), (right, self.right)):
            errors = outcome.last.get("errors") or 0
            status = outcome.last.get("status") or 0
            if errors or status:
                result.notes.append(f"{side.label}: {errors} error(s), exit {status}: "
                                    f"{outcome.last.get('first_errors') or ''}"
                                    f"{outcome.last.get('output', '')[-200:]}")
        self.finish_with(result)
        return result


def has_module(name: str) -> bool:
    """Whether a module can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def ratio_verdict(result: Result, name: str, value: float, limit: float, *,
                  at_most: bool = True) -> None:
    """Add a ``value <= limit`` (or ``>=``) verdict to a result."""
    sign = "<=" if at_most else ">="
    met = value <= limit if at_most else value >= limit
    result.verdicts.append((name, f"{value:.3f} (target {sign} {limit})", met))


def phase_summary(phases: dict[str, float]) -> str:
    """Beancount's load phases as ``name seconds`` pairs, the plugins named."""
    shown = []
    for name, seconds in phases.items():
        if name.startswith("function:") or name == "beancount.parser.parser":
            continue
        shown.append(f"{name.removeprefix('beancount.')} {seconds:.2f} s")
    return ", ".join(shown)


# Pair 1 -----------------------------------------------------------------------------

def prepare_plugins(context: Context) -> Iterator[Plan | Skipped]:
    """Full coopledger plugin set vs bare Beancount, the same books."""
    for size in context.sizes:
        folder = context.books(size)

        def finish(result: Result) -> None:
            ratio_verdict(result, "time ratio", result.time_ratio, 1.10)
            ratio_verdict(result, "CPU-time ratio", result.cpu_ratio, 1.10)
            ratio_verdict(result, "peak memory ratio", result.memory_ratio, 1.15)
            plugins = ", ".join(synthetic.available_plugins())
            result.notes.append(f"plugins loaded: {plugins}")
            for outcome, side in ((result.left_out, result.left),
                                  (result.right_out, result.right)):
                result.notes.append(f"{side.label}, phases of the last run: "
                                    f"{phase_summary(outcome.last.get('phases') or {})}")

        yield Plan("1", "coopledger plugins vs bare Beancount load", size.label,
                   Side("coopledger plugins", ("load", str(folder / "main.beancount"))),
                   Side("bare Beancount", ("load", str(folder / "bare.beancount"))),
                   finish, repetitions=3 if size.transactions > 200_000 else None)


def prepare_collector(context: Context) -> Iterator[Plan | Skipped]:
    """The plugins with the collector paused during the load vs bare Beancount as is."""
    size = context.sizes[0]
    folder = context.books(size)

    def finish(result: Result) -> None:
        result.notes.append("informative (no target): what `coopledger check` would cost "
                            "with the proposed load_books patch, against bare Beancount "
                            "(bean-check) with the collector running as it does today")

    yield Plan("1b", "coopledger plugins, collector paused (proposed) vs bare Beancount",
               size.label,
               Side("coopledger plugins, no GC", ("load", str(folder / "main.beancount"),
                                                  "off")),
               Side("bare Beancount", ("load", str(folder / "bare.beancount"))), finish)


PAIRS: list[tuple[str, Callable[[Context], Iterator[Plan | Skipped]]]] = [
    ("1", prepare_plugins),
    ("1b", prepare_collector),
]


# Pair 2 -----------------------------------------------------------------------------

def prepare_daily_check(context: Context) -> Iterator[Plan | Skipped]:
    """``coopledger check`` on the daily file vs full-history ``bean-check``."""
    title = "coopledger check on the daily file vs full-history bean-check"
    if not has_module("coopledger.close.yearend") or not has_command("close"):
        yield Skipped("2", title, "the year-end close (coopledger.close.yearend, "
                      "`coopledger close LEDGER --year YYYY`) is not installed, so there "
                      "is no daily file with sealed years carried as opening balances")
        return
    # The year-end close writes no daily books for books that declare loans (the fund
    # recomputes its schedules from the full history), so these books have none.
    first = context.sizes[0]
    size = BookSize(first.members, first.years, first.transactions, first.seed, loans=0)
    folder = context.scratch(size, "closed")
    main = folder / "main.beancount"
    print(f"  sealing every month of the first {size.years - 1} years and closing "
          f"each year ({12 * (size.years - 1)} monthly closes; this takes a while)")
    daily = folder / "daily.beancount"
    for year in range(synthetic.START_YEAR, synthetic.START_YEAR + size.years - 1):
        # Everything is closed on the full history (the main file).
        for task in (("cli", "close", str(main), f"{year}-01..{year}-12"),
                     ("cli", "close", str(main), "--year", str(year))):
            done = run_worker(task)
            if done.get("status"):
                yield Skipped("2", title, f"closing the synthetic books failed at "
                              f"{' '.join(task[2:])}: {done.get('output', '')[-300:]}")
                return
    if not daily.is_file():
        yield Skipped("2", title, f"the year-end close wrote no {daily.name}")
        return
    context.daily = daily

    def finish(result: Result) -> None:
        ratio_verdict(result, "speed-up (bean-check time / daily check time)",
                      1 / result.time_ratio, 5.0, at_most=False)
        ratio_verdict(result, "speed-up in CPU time", 1 / result.cpu_ratio, 5.0,
                      at_most=False)
        full = run_worker(("balances", str(main)))
        part = run_worker(("balances", str(daily), full["date"]))
        same = full["balances"] == part["balances"]
        differing = sorted(set(full["balances"].items()) ^ set(part["balances"].items()))
        result.verdicts.append(("identical balances on every account at " + full["date"],
                                f"{len(full['balances'])} accounts compared, "
                                f"{len({a for a, _ in differing})} differ", same))
        if differing:
            result.notes.append(f"first differences: {differing[:6]}")
        result.notes.append("books without loans: the year-end close writes no daily "
                            "books for books that declare loans (the fund recomputes its "
                            "schedules from the full history)")

    yield Plan("2", title, f"{size.label}, {size.years - 1} years sealed",
               Side("coopledger check daily.beancount", ("cli", "check", "-q", str(daily))),
               Side("bean-check main.beancount",
                    ("cmd", sys.executable, "-m", "beancount.scripts.check", str(main))),
               finish)


# Pair 3 -----------------------------------------------------------------------------

def prepare_close(context: Context) -> Iterator[Plan | Skipped]:
    """``coopledger close`` of one month vs loading the same (daily) file."""
    title = "coopledger close of one month vs loading the daily file"
    if not has_command("close"):
        yield Skipped("3", title, "`coopledger close` is not installed")
        return
    size = context.sizes[0]
    if context.daily is not None:
        size = BookSize(size.members, size.years, size.transactions, size.seed, loans=0)
        ledger = str(context.daily)
        month = f"{synthetic.START_YEAR + size.years - 1}-01"
        which = "the daily file of pair 2; the month is the first of its open year"
    else:
        ledger = str(context.books(size) / "main.beancount")
        month = f"{synthetic.START_YEAR}-01"
        which = ("the full-history main file (no daily file: pair 2 did not run); the "
                 "month is the books' first, since every later one needs the one before "
                 "it sealed")

    def finish(result: Result) -> None:
        ratio_verdict(result, "time ratio", result.time_ratio, 1.5)
        ratio_verdict(result, "CPU-time ratio", result.cpu_ratio, 1.5)
        result.notes.append(
            f"close {month} --dry-run on {which}; a dry run does every step but the final "
            "rename, so each repetition closes the same month")

    yield Plan("3", title, size.label,
               Side("coopledger close --dry-run", ("cli", "close", ledger, month,
                                                   "--dry-run")),
               Side("coopledger check (load)", ("cli", "check", "-q", ledger)), finish)


def sie_export_has(option: str) -> bool:
    """Whether ``coopledger sie export`` takes an option."""
    import argparse

    from coopledger import cli

    for action in cli.build_parser()._actions:
        if isinstance(action, argparse._SubParsersAction) and "sie" in action.choices:
            for sub in action.choices["sie"]._actions:
                if isinstance(sub, argparse._SubParsersAction) and "export" in sub.choices:
                    return option in sub.choices["export"]._option_string_actions
    return False


def has_command(name: str) -> bool:
    """Whether the installed ``coopledger`` command has a subcommand of this name."""
    import argparse

    from coopledger import cli

    parser = cli.build_parser()
    for action in parser._actions:  # argparse keeps subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            return name in action.choices
    return False


# Pair 4 -----------------------------------------------------------------------------

def prepare_camt(context: Context) -> Iterator[Plan | Skipped]:
    """camt import with dedup vs pycamt parsing the same file; and linearity."""
    from benchmarks import camtgen

    title = "camt import with dedup vs parsing the same file alone"
    if not has_module("coopledger.importers.camt"):
        yield Skipped("4", title, "the camt importer (coopledger.importers.camt) is not "
                      "installed")
        return
    use_pycamt = has_module("pycamt") and context.camt_baseline == "pycamt"
    baseline = ("pycamt", "pycamt") if use_pycamt else ("defusedxml ElementTree parse",
                                                         "etree")
    size = context.sizes[0]
    folder = context.scratch(size, "imported")
    entries = 50_000 if size.transactions >= 100_000 else 5_000
    account = account_for("M001", "1930")
    bban = "5000 0000 0000 0001"
    start = datetime.date(synthetic.START_YEAR + size.years, 1, 1)
    seen = entries // 4
    _add_imported(folder, account, seen, start)
    timings: dict[int, float] = {}
    cpu_timings: dict[int, float] = {}
    for count in (entries, 2 * entries):
        statement = camtgen.write_statement(
            context.out / "camt" / f"camt053-{count}.xml", count, bban, start)

        def finish(result: Result, count: int = count) -> None:
            timings[count] = result.left_out.time
            cpu_timings[count] = result.left_out.cpu
            ratio_verdict(result, "time ratio", result.time_ratio, 1.5)
            ratio_verdict(result, "CPU-time ratio", result.cpu_ratio, 1.5)
            result.notes.append(f"entries written by the import (last run): "
                                f"{result.left_out.last.get('entries')}")
            if baseline[1] == "etree":
                result.notes.append("the baseline is a bare defusedxml ElementTree parse "
                                    "of the file (pycamt not installed, or not chosen)")
            if len(timings) == 2:
                ratio_verdict(result, f"linearity: time at {2 * entries} / time at "
                              f"{entries} entries", timings[2 * entries] / timings[entries],
                              2.2)
                ratio_verdict(result, "linearity in CPU time",
                              cpu_timings[2 * entries] / cpu_timings[entries], 2.2)
            result.notes.append(
                f"existing entries: the {size.label} books plus {seen} entries imported "
                "before (zero-amount transactions on the bank account carrying the "
                "bank references of the statement's first entries, so that the dedup "
                "skips them), all loaded before the timer starts")

        entries_label = f"{count:,}".replace(",", " ")
        yield Plan("4", title, f"{entries_label} entries vs {size.label}",
                   Side("coopledger camt import", ("camt", str(folder / "main.beancount"),
                                                   str(statement), account, bban)),
                   Side(baseline[0], (baseline[1], str(statement))), finish)


def _add_imported(folder: Path, account: str, count: int, start: datetime.date) -> None:
    """Add ``count`` earlier imports of the statement's first entries to the books."""
    income = account.replace("Assets:", "Income:").replace("1930-Företagskonto",
                                                           "3001-Försäljning-25")
    lines = []
    for number in range(1, count + 1):
        lines.append(f'{start} * "Tidigare import"\n  bank-ref: "BENCH-{number:08d}"\n'
                     f"  {account}  0.00 SEK\n  {income}  0.00 SEK\n")
    (folder / "imported.beancount").write_text("\n".join(lines), encoding="utf-8")
    main = folder / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + 'include "imported.beancount"\n',
                    encoding="utf-8")


# Pair 5 -----------------------------------------------------------------------------

def prepare_sie(context: Context) -> Iterator[Plan | Skipped]:
    """SIE 4E export of one year vs loading the books; SIE read throughput."""
    title = "SIE 4E export of one year vs loading the books"
    if not has_command("sie"):
        yield Skipped("5", title, "`coopledger sie export` is not installed")
        return
    full = context.sizes[0].transactions >= 100_000
    size = BookSize(members=context.sizes[0].members, years=1,
                    transactions=100_000 if full else 20_000)
    folder = context.books(size)
    main = str(folder / "main.beancount")
    out = str(context.out / "sie" / f"{size.name}.se")
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    year = str(synthetic.START_YEAR)
    # The umbrella as one legal entity with every member as a dimension-1 object: every
    # voucher of the year (without the option only the umbrella's own).
    everything = ("--consolidated-dims",) if sie_export_has("--consolidated-dims") else ()
    export = ("cli", "sie", "export", main, "--entity", synthetic.UMBRELLA, "--year", year,
              *everything, "-o", out)

    def finish(result: Result) -> None:
        if not everything:
            result.notes.append("this `sie export` has no --consolidated-dims: only the "
                                "umbrella's own vouchers were exported")
        export_only = result.left_out.time - result.right_out.time
        ratio_verdict(result, "(export - load) / load", export_only / result.right_out.time,
                      0.5)
        export_cpu = result.left_out.cpu - result.right_out.cpu
        ratio_verdict(result, "the same in CPU time", export_cpu / result.right_out.cpu, 0.5)
        result.notes.append("the export command loads the books itself; its own work is "
                            "its time minus the load's (`coopledger check`)")

    yield Plan("5", title, size.label, Side("coopledger sie export", export),
               Side("coopledger check (load)", ("cli", "check", "-q", main)), finish)
    if not has_module("coopledger.sie.reader"):
        yield Skipped("5", "SIE read throughput", "the SIE reader is not installed")
        return

    def finish_read(result: Result) -> None:
        lines = result.left_out.last.get("trans_lines", 0)
        ratio_verdict(result, "#TRANS lines per second", lines / result.left_out.time,
                      100_000, at_most=False)

    yield Plan("5", "SIE read vs reading and splitting the same file", size.label,
               Side("coopledger SIE reader", ("sie-read", out)),
               Side("read + split lines", ("lines", out)), finish_read)


# Pair 6 -----------------------------------------------------------------------------

def prepare_fava(context: Context) -> Iterator[Plan | Skipped]:
    """Each Fava extension page vs Fava's own income statement."""
    title = "Fava extension pages vs Fava's income statement"
    if not has_module("coopledger.fava_ext"):
        yield Skipped("6", title, "the Fava extension (coopledger.fava_ext) is not installed")
        return
    size = context.sizes[0]
    folder = context.books(size)
    fava_main = folder / "fava.beancount"
    fava_main.write_text(f'include "main.beancount"\n{synthetic.START_YEAR}-01-01 custom '
                         '"fava-extension" "coopledger.fava_ext"\n', encoding="utf-8")
    query = "entity=M001"

    def finish(result: Result) -> None:
        ratio_verdict(result, "slowest page / income statement", result.time_ratio, 1.0)
        income = result.right_out.time
        for url, seconds in sorted((result.left_out.last.get("pages") or {}).items()):
            result.notes.append(f"{url}: {seconds:.3f} s, ratio {seconds / income:.2f} "
                                "(last run)")

    yield Plan("6", title, size.label,
               Side("slowest extension page", ("fava", str(fava_main), "extensions", query)),
               Side("Fava income statement", ("fava", str(fava_main), "income")), finish)


PAIRS.extend([("2", prepare_daily_check), ("3", prepare_close), ("4", prepare_camt),
              ("5", prepare_sie), ("6", prepare_fava)])
