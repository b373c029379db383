"""Pair 7: coopledger's load cache against cold bare Beancount and ledger-cli.

Every side named "warm" or "after an edit" runs ``coopledger check`` with its own cache
folder, warmed by one untimed run before the pair is measured; every other side runs with
no cache (Beancount's pickle cache off, as in every pair). "After an edit" changes one
transaction's payee in one included file before each run (untimed, a text never seen
before), so each run reparses and books that file and reruns the plugins and the checks
over all entries (the other files' booked entries come from the cache).

ledger-cli reads the same transactions, written from the loaded books in its own syntax
(every posting's amount written out). It is installed with ``apt-get install ledger`` when
missing and the process may (root); otherwise its pair is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from benchmarks.harness import Result, Side, Skipped, run_worker
from benchmarks.pairs import BookSize, Context, Plan, _closed_stamp, ratio_verdict
from coopledger.loadcache import LoadCache

TITLE = "coopledger's load cache"


def ensure_ledger() -> str:
    """The path of ledger-cli, installed with apt when missing (empty: not available)."""
    found = shutil.which("ledger")
    if found:
        return found
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("  installing ledger-cli: apt-get install -y ledger")
        subprocess.run(["apt-get", "install", "-y", "ledger"], check=False,  # noqa: S607
                       capture_output=True, timeout=600)
    return shutil.which("ledger") or ""


def write_ledger_file(main: Path, target: Path) -> int:
    """Write the books' transactions in ledger-cli's syntax; return how many."""
    from beancount import loader
    from beancount.core import data
    from beancount.core.position import Cost

    entries, _, _ = loader.load_file(str(main))
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for entry in entries:
            if not isinstance(entry, data.Transaction):
                continue
            count += 1
            what = " ".join(filter(None, (entry.payee, entry.narration))).replace("\n", " ")
            out.write(f"{entry.date:%Y/%m/%d} * {what or '-'}\n")
            for posting in entry.postings:
                units = posting.units
                if units is None:
                    continue
                line = f"    {posting.account}  {units.number} {units.currency}"
                if isinstance(posting.cost, Cost):
                    line += f" {{{posting.cost.number} {posting.cost.currency}}}"
                if posting.price is not None:
                    line += f" @ {posting.price.number} {posting.price.currency}"
                out.write(line + "\n")
            out.write("\n")
    return count


def _cache(context: Context, name: str) -> tuple[tuple[str, str], ...]:
    folder = context.out / "load-cache" / name
    shutil.rmtree(folder, ignore_errors=True)
    return (("COOPLEDGER_CACHE_DIR", str(folder)),)


def warm_up(task: tuple[str, ...], env: tuple[tuple[str, str], ...]) -> None:
    """Run the task once and wait until its finished load is stored (in the background)."""
    run_worker(task, env=env)
    LoadCache(Path(dict(env)["COOPLEDGER_CACHE_DIR"])).wait_for_writes()


def _bean_check(main: Path) -> Side:
    return Side("cold bare bean-check (full history)",
                ("cmd", sys.executable, "-m", "beancount.scripts.check", str(main)))


def prepare_cache(context: Context) -> Iterator[Plan | Skipped]:
    """The cache's pairs: warm, after one edit, the daily file, ledger-cli, memory."""
    size = context.sizes[0]
    folder = context.scratch(size, "cache")
    main = folder / "main.beancount"
    years = sorted((folder / "years").glob("*.beancount"))
    edited = str(years[-1])
    full = _cache(context, "full")
    print("  warming the cache: coopledger check on the full history")
    warm_up(("cli", "check", "-q", str(main)), full)
    check = ("cli", "check", "-q", str(main))

    def warm(result: Result) -> None:
        ratio_verdict(result, "warm check / cold bare bean-check", result.time_ratio, 0.15)
        ratio_verdict(result, "the same in CPU time", result.cpu_ratio, 0.15)

    yield Plan("7", "warm coopledger check of unchanged full history vs cold bare bean-check",
               size.label, Side("warm coopledger check", check, env=full),
               _bean_check(main), warm)

    def changed(result: Result) -> None:
        ratio_verdict(result, "check after one changed transaction / cold bare bean-check",
                      result.time_ratio, 0.35)
        ratio_verdict(result, "the same in CPU time", result.cpu_ratio, 0.35)
        result.notes.append(f"each run first changes one transaction in "
                            f"{Path(edited).relative_to(folder)} (one of "
                            f"{len(years) + 1} included files)")

    yield Plan("7", "coopledger check after one transaction changed in one included file "
               "vs cold bare bean-check", size.label,
               Side("check after one edit", ("edit-cli", edited, *check[1:]), env=full),
               _bean_check(main), changed)

    def memory(result: Result) -> None:
        ratio_verdict(result, "peak memory, warm / uncached", result.memory_ratio, 1.15)
        result.notes.append("the same command, the same books; right: COOPLEDGER_CACHE_DIR=off")

    yield Plan("7", "warm coopledger check vs the same check uncached", size.label,
               Side("warm coopledger check", check, env=full),
               Side("uncached coopledger check", check), memory)

    ledger = ensure_ledger()
    if not ledger:
        yield Skipped("7", "warm coopledger check vs ledger-cli bal",
                      "ledger-cli is not installed and could not be (apt-get install ledger)")
    else:
        ledger_file = folder / "books.ledger"
        count = write_ledger_file(main, ledger_file)

        def versus_ledger(result: Result) -> None:
            ratio_verdict(result, "warm check / ledger-cli bal", result.time_ratio, 1.0)
            result.notes.append(f"ledger-cli ({ledger}) totals the same {count} "
                                "transactions, written from the loaded books in its syntax")

        yield Plan("7", "warm coopledger check of full history vs ledger-cli bal",
                   size.label, Side("warm coopledger check", check, env=full),
                   Side("ledger-cli bal", ("cmd", ledger, "-f", str(ledger_file), "bal")),
                   versus_ledger)
    yield from _daily(context, size)


def _daily(context: Context, size: BookSize) -> Iterator[Plan | Skipped]:
    """The daily file warm and after one edit, against bean-check on the closed history."""
    title = "coopledger check of the daily file vs cold bare bean-check (closed history)"
    closed = context.out / f"{size.name}-closed"
    stamp = closed / ".closed"
    if context.daily is None and stamp.is_file() and stamp.read_text() == _closed_stamp(
            context, size):
        context.daily = closed / "daily.beancount"
    if context.daily is None or not context.daily.is_file():
        yield Skipped("7", title, "there are no closed books with a daily file yet "
                      "(pair 2 makes them)")
        return
    label = size.label
    source = context.daily.parent
    folder = source.parent / f"{source.name}-cache"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(source, folder)
    daily, main = folder / "daily.beancount", folder / "main.beancount"
    open_year = sorted((folder / "years").glob("[0-9][0-9][0-9][0-9].beancount"))[-1]
    env = _cache(context, "daily")
    print("  warming the cache: coopledger check on the daily file")
    warm_up(("cli", "check", "-q", str(daily)), env)
    check = ("cli", "check", "-q", str(daily))

    def warm(result: Result) -> None:
        result.notes.append("informative: the daily file, unchanged, from the cache")

    yield Plan("7", title + ", warm", f"{label}, closed", Side(
        "warm coopledger check daily.beancount", check, env=env), _bean_check(main), warm)

    def edited(result: Result) -> None:
        ratio_verdict(result, "daily check after one edit / cold bare bean-check",
                      result.time_ratio, 0.05)
        ratio_verdict(result, "the same in CPU time", result.cpu_ratio, 0.05)
        result.notes.append(f"each run first changes one transaction in "
                            f"{open_year.relative_to(folder)}, the open year")

    yield Plan("7", title + ", after one edit", f"{label}, closed", Side(
        "daily check after one edit", ("edit-cli", str(open_year), *check[1:]), env=env),
        _bean_check(main), edited)
