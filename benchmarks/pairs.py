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
import re
import shutil
import sys
import time
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
        result.notes.append("informative (no target): the load as every coopledger command "
                            "does it (the command lets coopledger.books.load_books pause the "
                            "collector), "
                            "against bare Beancount (bean-check) with the collector running "
                            "as Beancount leaves it")

    yield Plan("1b", "coopledger plugins, collector paused (as coopledger's commands load) "
               "vs bare Beancount",
               size.label,
               Side("coopledger plugins, no GC", ("load", str(folder / "main.beancount"),
                                                  "off")),
               Side("bare Beancount", ("load", str(folder / "bare.beancount"))), finish)


PAIRS: list[tuple[str, Callable[[Context], Iterator[Plan | Skipped]]]] = [
    ("1", prepare_plugins),
    ("1b", prepare_collector),
]


# Pair 2 -----------------------------------------------------------------------------

def _closed_stamp(context: Context, size: BookSize) -> str:
    """What the closed books depend on: the generated books.

    Closed books made by an older version of the close are reused too: if its seals no
    longer verify, both sides of the pair report the errors (the notes of the result).
    """
    context.books(size)
    generated = (context.out / size.name / ".stamp").read_bytes()
    return hashlib.sha256(generated + repr(size).encode()).hexdigest()


def _close_growing(context: Context, size: BookSize, folder: Path) -> str:
    """Close the books as an umbrella would have, year by year; return why it failed.

    The books grow as they did in real life: the main file starts with the first year
    only; each month is closed on the daily books as it ends (on the main file in the
    first year, before any daily books exist), each year is closed on the full history,
    then the next year's file is included in both. Closing every month on the full ten
    years instead would load 100 000 transactions some 250 times. Every year but the last
    is closed; the last is the open one that the daily file is for.
    """
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(context.books(size), folder)
    main = folder / "main.beancount"
    daily = folder / "daily.beancount"
    text = main.read_text(encoding="utf-8")
    later = [f'include "years/{year}.beancount"\n'
             for year in range(synthetic.START_YEAR + 1, synthetic.START_YEAR + size.years)]
    for line in later:
        text = text.replace(line, "")
    main.write_text(text, encoding="utf-8")
    # The bank's balance on the first of January closes December (the preflight asks for
    # it): it is entered when the statement comes, before the close, in a file of its own.
    statements = []
    for year in range(synthetic.START_YEAR + 1, synthetic.START_YEAR + size.years):
        source = folder / "years" / f"{year}.beancount"
        lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
        first = f"{year}-01-01 balance "
        (folder / "years" / f"{year}-01-01-bank.beancount").write_text(
            "".join(line for line in lines if line.startswith(first)), encoding="utf-8")
        source.write_text("".join(line for line in lines if not line.startswith(first)),
                          encoding="utf-8")
        statements.append(f'include "years/{year}-01-01-bank.beancount"\n')
    print(f"  closing {size.years - 1} years of {size.label} as they grow: "
          f"{12 * (size.years - 1)} monthly closes and {size.years - 1} year-end closes")
    started = time.perf_counter()
    for number, year in enumerate(range(synthetic.START_YEAR,
                                        synthetic.START_YEAR + size.years - 1)):
        ledger = daily if daily.is_file() else main
        for books in (main, daily) if daily.is_file() else (main,):
            with books.open("a", encoding="utf-8") as handle:
                handle.write(statements[number])
        for task in (("cli", "close", str(ledger), f"{year}-01..{year}-12"),
                     ("cli", "close", str(main), "--year", str(year))):
            done = run_worker(task)
            if done.get("status"):
                return (f"closing the synthetic books failed at {' '.join(task[2:])}: "
                        f"{done.get('output', '')[-300:]}")
        for ledger in (main, daily):
            with ledger.open("a", encoding="utf-8") as handle:
                handle.write(later[number])
        print(f"  {year} closed ({time.perf_counter() - started:.0f} s so far)")
    return ""


def prepare_daily_check(context: Context) -> Iterator[Plan | Skipped]:
    """``coopledger check`` on the daily file vs full-history ``bean-check``."""
    title = "coopledger check on the daily file vs full-history bean-check"
    if not has_module("coopledger.close.yearend") or not has_command("close"):
        yield Skipped("2", title, "the year-end close (coopledger.close.yearend, "
                      "`coopledger close LEDGER --year YYYY`) is not installed, so there "
                      "is no daily file with sealed years carried as opening balances")
        return
    size = context.sizes[0]
    folder = context.out / f"{size.name}-closed"
    main = folder / "main.beancount"
    daily = folder / "daily.beancount"
    stamp = _closed_stamp(context, size)
    stamp_file = folder / ".closed"
    if stamp_file.is_file() and stamp_file.read_text() == stamp and daily.is_file():
        print(f"  reusing the closed books in {folder} (delete the folder to close them "
              "again)")
    else:
        failure = _close_growing(context, size, folder)
        if failure:
            yield Skipped("2", title, failure)
            return
        if not daily.is_file():
            yield Skipped("2", title, f"the year-end close wrote no {daily.name}")
            return
        stamp_file.write_text(stamp)
    context.daily = daily

    def finish(result: Result) -> None:
        ratio_verdict(result, "speed-up (bean-check time / daily check time)",
                      1 / result.time_ratio, 5.0, at_most=False)
        ratio_verdict(result, "speed-up in CPU time", 1 / result.cpu_ratio, 5.0,
                      at_most=False)
        # The daily file starts from the opening balances of its first open year; the
        # full history keeps every closed year's result on the income and expense
        # accounts (the year-end goes through 8999), so those are compared for the
        # open years only, and every balance sheet account on the whole.
        open_years = re.findall(r'^include "years/(\d{4})\.beancount"$',
                                daily.read_text(encoding="utf-8"), flags=re.MULTILINE)
        since = f"{min(open_years)}-01-01" if open_years else ""
        full = run_worker(("balances", str(main), "", since))
        part = run_worker(("balances", str(daily), full["date"], since))
        same = full["balances"] == part["balances"]
        differing = sorted(set(full["balances"].items()) ^ set(part["balances"].items()))
        scope = f" (income and expenses from {since})" if since else ""
        result.verdicts.append(("identical balances on every account at " + full["date"]
                                + scope,
                                f"{len(full['balances'])} accounts compared, "
                                f"{len({a for a, _ in differing})} differ", same))
        if differing:
            result.notes.append(f"first differences: {differing[:6]}")
        result.notes.append(f"the books were closed as they grew: {size.years - 1} "
                            "years, every month, each year-end; the daily file holds the "
                            "last year and the opening balances")

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

#: How long pycamt may parse the 50 000-entry statement before it is stopped. It reads
#: each entry's fields with searches from the statement down (``.//Acct//Id//IBAN`` per
#: entry), so its time grows with the square of the entries: 18 s for 5 000, 41 s for
#: 10 000 on the machine of docs/performance.md; minutes for 50 000.
PYCAMT_LIMIT = 120.0


def prepare_camt(context: Context) -> Iterator[Plan | Skipped]:
    """camt import with dedup vs pycamt parsing the same file; a bare parse; linearity."""
    from benchmarks import camtgen

    title = "camt import with dedup vs parsing the same file alone"
    if not has_module("coopledger.importers.camt"):
        yield Skipped("4", title, "the camt importer (coopledger.importers.camt) is not "
                      "installed")
        return
    size = context.sizes[0]
    folder = context.scratch(size, "imported")
    entries = 50_000 if size.transactions >= 100_000 else 5_000
    account = account_for("M001", "1930")
    bban = "5000 0000 0000 0001"
    start = datetime.date(synthetic.START_YEAR + size.years, 1, 1)
    seen = entries // 4
    _add_imported(folder, account, seen, start)
    importing = ("camt", str(folder / "main.beancount"))
    existing = (f"existing entries: the {size.label} books plus {seen} entries imported "
                "before (zero-amount transactions on the bank account carrying the bank "
                "references of the statement's first entries, so that the dedup skips "
                "them), all loaded before the timer starts")
    statements = {count: camtgen.write_statement(
        context.out / "camt" / f"camt053-{count}.xml", count, bban, start)
        for count in (entries, 2 * entries)}
    label = f"{entries:,}".replace(",", " ")

    if not has_module("pycamt"):
        yield Skipped("4", title + " (pycamt)", "pycamt is not installed in the "
                      "benchmark's environment (`pip install pycamt`); the comparison "
                      "with a bare parse below still runs")
    else:
        def finish_pycamt(result: Result) -> None:
            timed_out = bool(result.right_out.last.get("timed_out"))
            bound = " (an upper bound: pycamt was stopped)" if timed_out else ""
            ratio_verdict(result, f"time ratio{bound}", result.time_ratio, 1.5)
            if timed_out:
                result.notes.append(
                    f"pycamt had not finished the {label} entries after "
                    f"{PYCAMT_LIMIT:.0f} s and was stopped: its time is at least that, so "
                    "the ratio is at most the one shown. pycamt searches the whole statement "
                    "for each entry, so its time grows with the square of the entries")
            result.notes.append(existing)

        limit = 0.0 if entries < 50_000 else PYCAMT_LIMIT
        yield Plan("4", title, f"{label} entries vs {size.label}",
                   Side("coopledger camt import", (*importing, str(statements[entries]),
                                                   account, bban)),
                   Side("pycamt", ("pycamt", str(statements[entries]), str(limit))),
                   finish_pycamt, repetitions=1)

    timings: dict[int, float] = {}
    cpu_timings: dict[int, float] = {}
    for count, statement in statements.items():
        def finish(result: Result, count: int = count) -> None:
            timings[count] = result.left_out.time
            cpu_timings[count] = result.left_out.cpu
            ratio_verdict(result, "time ratio against a bare parse (stricter than the "
                          "issue's pycamt)", result.time_ratio, 1.5)
            result.notes.append(f"entries written by the import (last run): "
                                f"{result.left_out.last.get('entries')}; the import runs "
                                "as `coopledger import` runs it (the collector may pause "
                                "while it runs, coopledger.collector.pausing_allowed)")
            if len(timings) == 2:
                ratio_verdict(result, f"linearity: time at {2 * entries} / time at "
                              f"{entries} entries", timings[2 * entries] / timings[entries],
                              2.2)
                ratio_verdict(result, "linearity in CPU time",
                              cpu_timings[2 * entries] / cpu_timings[entries], 2.2)
            result.notes.append(existing)

        entries_label = f"{count:,}".replace(",", " ")
        yield Plan("4", "camt import with dedup vs a bare XML parse of the same file",
                   f"{entries_label} entries vs {size.label}",
                   Side("coopledger camt import", (*importing, str(statement), account,
                                                   bban)),
                   Side("defusedxml ElementTree parse", ("etree", str(statement))), finish)


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
        result.notes.append("the reader runs as `coopledger sie import` runs it (the "
                            "collector may pause while it reads)")

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
        ratio_verdict(result, "the same in CPU time", result.cpu_ratio, 1.0)
        income = result.right_out.time
        for url, seconds in sorted((result.left_out.last.get("pages") or {}).items()):
            result.notes.append(f"{url}: {seconds:.3f} s, ratio {seconds / income:.2f} "
                                "(last run)")
        income_first = max((result.right_out.last.get("first") or {"": 0.0}).values())
        firsts = ", ".join(f"{url.rstrip('/').split('/')[-2]} {seconds:.2f} s"
                           for url, seconds in sorted(
                               (result.left_out.last.get("first") or {}).items()))
        result.notes.append(
            f"first render after the load (last run; the pages compute their figures "
            f"then, Fava builds its own during the load): {firsts}; Fava's income "
            f"statement {income_first:.2f} s")
        result.notes.append(
            "Fava's income statement is its page frame plus /api/income_statement, the "
            "two requests a browser makes to show it; an extension page is one request "
            "(Fava renders the same frame around the extension's content). Medians of 5 "
            "renders of each page after its first")

    yield Plan("6", title, size.label,
               Side("slowest extension page", ("fava", str(fava_main), "extensions", query)),
               Side("Fava income statement", ("fava", str(fava_main), "income")), finish)


PAIRS.extend([("2", prepare_daily_check), ("3", prepare_close), ("4", prepare_camt),
              ("5", prepare_sie), ("6", prepare_fava)])
