"""One measured task in a fresh process: prints one JSON line with time and peak memory.

The harness (:mod:`benchmarks.run`) starts this module once per repetition, so that each
measurement has its own interpreter and its own peak resident set size. Beancount's
pickle cache is disabled for every task: each load parses the text.

Tasks::

    python -m benchmarks.worker load FILE [off]    loader.load_file (the plugins the file names);
                                                   ``off``: the collector paused
    python -m benchmarks.worker cli ARGS...        coopledger's command line, in process
    python -m benchmarks.worker edit-cli FILE ARGS...  change one transaction's narration
                                                   in FILE (untimed), then ``cli ARGS``
    python -m benchmarks.worker cmd ARGS...        an external command (e.g. bean-check);
                                                   its time and peak memory as a child
    python -m benchmarks.worker fava FILE income|extensions [QUERY]
                                                   Fava pages rendered with Flask's
                                                   test client, after one warm-up
    python -m benchmarks.worker balances FILE [DATE]  every account's balance at a date
    python -m benchmarks.worker camt LEDGER STATEMENT ACCOUNT BBAN [command|library]
    python -m benchmarks.worker pycamt STATEMENT [LIMIT]   (pycamt stopped after LIMIT s)
    python -m benchmarks.worker etree STATEMENT
    python -m benchmarks.worker sie-read FILE [command|library]
    python -m benchmarks.worker lines FILE
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"


def _peak_mib(who: int = resource.RUSAGE_SELF) -> float:
    # Linux keeps ru_maxrss across fork and exec, so a worker started by a large parent
    # would report the parent's size; VmHWM belongs to this process image alone.
    status = "/proc/self/status"
    if who == resource.RUSAGE_SELF and os.path.exists(status):
        with open(status, encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kilobytes
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


def task_load(path: str, collector: str = "on") -> dict[str, Any]:
    """Load a ledger once; time the load alone.

    With ``collector`` ``off`` the cyclic garbage collector is paused for the load, as
    the patch to ``coopledger.books.load_books`` proposed in docs/performance.md does.
    """
    import gc

    from beancount import loader

    phases: dict[str, float] = {}

    def log_timing(line: str) -> None:
        # Beancount's log lines: "Operation: 'name'   Time:   123 ms"
        name, _, rest = line.partition("Time:")
        name = name.split("'")[1] if "'" in name else name.strip()
        if not name.startswith("beancount.parser.parser.parse_file"):
            phases[name] = phases.get(name, 0.0) + float(rest.split()[0]) / 1000

    started, cpu = time.perf_counter(), time.process_time()
    if collector == "off":
        gc.disable()
    try:
        entries, errors, _ = loader.load_file(path, log_timings=log_timing)
    finally:
        gc.enable()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "phases": phases, "entries": len(entries),
            "errors": len(errors),
            "first_errors": [str(getattr(e, "message", e))[:200] for e in errors[:3]]}


def task_balances(path: str, date: str = "", since: str = "") -> dict[str, Any]:
    """Every account's balance at a date (default: the last entry's), nonzero only.

    With ``since``, income and expense accounts count only what was booked from that day
    on: the result of the open year, as books that keep each closed year's figures on
    those accounts (the year-end through 8999, docs/close.md) and the daily file, which
    starts from the year's opening balances, both show it.
    """
    import datetime
    from decimal import Decimal

    from beancount import loader
    from beancount.core import data

    started = time.perf_counter()
    entries, _, _ = loader.load_file(path)
    last = datetime.date.fromisoformat(date) if date else max(e.date for e in entries)
    totals: dict[str, Decimal] = {}
    first = datetime.date.fromisoformat(since) if since else datetime.date.min
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.date <= last:
            for posting in entry.postings:
                if entry.date < first and posting.account.startswith(("Income:",
                                                                      "Expenses:")):
                    continue
                if posting.units is not None and posting.units.number is not None:
                    key = f"{posting.account} {posting.units.currency}"
                    totals[key] = totals.get(key, Decimal(0)) + posting.units.number
    balances = {key: str(value) for key, value in sorted(totals.items()) if value}
    return {"seconds": time.perf_counter() - started, "date": last.isoformat(),
            "balances": balances}


def task_cli(args: list[str]) -> dict[str, Any]:
    """Run coopledger's command line in this process (imports included in the time)."""
    import io

    started, cpu = time.perf_counter(), time.process_time()
    from coopledger.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        status = main(args)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "status": status,
            "output": out.getvalue()[-400:]}


def edit_one_transaction(path: str) -> None:
    """Change the narration of the file's first transaction to a text never seen before."""
    import re

    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    stamp = f"edit {time.time_ns()}"
    changed, count = re.subn(r'^(\d{4}-\d\d-\d\d \* "[^"]*?)( \(edit \d+\))?"',
                             lambda m: f'{m.group(1)} ({stamp})"', text, count=1,
                             flags=re.MULTILINE)
    if not count:
        raise SystemExit(f"{path}: no transaction to change")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(changed)


def task_cmd(args: list[str]) -> dict[str, Any]:
    """Run an external command; its wall time and its own peak memory."""
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "status": done.returncode,
            "output": (done.stdout + done.stderr)[-400:],
            "peak_mib": _peak_mib(resource.RUSAGE_CHILDREN)}


def task_fava(path: str, which: str, query: str, renders: int = 5) -> dict[str, Any]:
    """Render Fava pages with Flask's test client, as a browser opening each page asks.

    ``which`` is ``income`` (Fava's own income statement) or ``extensions`` (every page
    of every Fava extension the ledger enables). Fava 1.30 serves its income statement as
    a page frame and builds the report in the browser from ``/api/income_statement``, so
    that page is both requests; an extension page is one request, its content rendered
    on the server inside the same frame. The first render of each page (after the load:
    the extension computes its figures then) is reported apart as ``first``; then each
    page is rendered ``renders`` times. The result's ``seconds`` and ``cpu_seconds`` are
    the medians of the slowest page; ``pages`` has every page's median.
    """
    import statistics

    from fava.application import create_app

    app = create_app([path], load=True)
    client = app.test_client()
    location = client.get("/").headers.get("Location", "")
    slug = location.strip("/").split("/")[0] if location else ""
    pages: dict[str, list[str]]
    if which == "income":
        pages = {f"/{slug}/income_statement/": [f"/{slug}/income_statement/",
                                                f"/{slug}/api/income_statement"]}
    else:
        ledger = app.config["LEDGERS"][slug]
        names = [ext.name for ext in ledger.extensions.extension_details]
        pages = {url: [url] for url in (f"/{slug}/extension/{name}/?{query}"
                                        for name in names)}
    statuses: dict[str, int] = {}

    def render(page: str) -> tuple[float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        for url in pages[page]:
            statuses[url] = max(statuses.get(url, 0), client.get(url).status_code)
        return time.perf_counter() - started, time.process_time() - cpu

    first = {page: render(page)[0] for page in pages}
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}
    for page in pages:
        runs = [render(page) for _ in range(renders)]
        timings[page] = statistics.median(run[0] for run in runs)
        cpu_timings[page] = statistics.median(run[1] for run in runs)
    slowest = max(timings, key=timings.__getitem__) if timings else ""
    return {"seconds": timings.get(slowest, float("nan")),
            "cpu_seconds": cpu_timings.get(slowest, float("nan")), "pages": timings,
            "first": first, "statuses": statuses,
            "status": max(statuses.values(), default=0) >= 400}


def as_the_command() -> contextlib.AbstractContextManager[object]:
    """The process settings ``coopledger``'s commands run their work in.

    Inside the command, the heavy steps (a load, an import, the SIE reader) may pause the
    cyclic collector while each runs (``coopledger.collector.pausing_allowed``); a
    library caller gets that only by asking. A version of coopledger from before that
    choice paused it in those steps whatever the caller did: nothing to ask for there.
    """
    try:
        from coopledger.collector import pausing_allowed
    except ImportError:
        return contextlib.nullcontext()
    return pausing_allowed()


def task_camt(ledger: str, statement: str, account: str, bban: str,
              settings: str = "command") -> dict[str, Any]:
    """coopledger's camt importer: extract with dedup against the loaded ledger.

    With ``settings`` ``command`` (the default) it runs as ``coopledger import`` runs it
    (:func:`as_the_command`); with ``library``, as a library caller who asks for nothing.
    """
    import importlib

    from beancount import loader

    camt = importlib.import_module("coopledger.importers.camt")  # optional feature
    existing, _, _ = loader.load_file(ledger)  # not timed: the books are already loaded
    started, cpu = time.perf_counter(), time.process_time()
    with as_the_command() if settings == "command" else contextlib.nullcontext():
        importer = camt.CamtImporter(accounts={bban: account})
        entries = importer.extract(statement, existing)
        importer.deduplicate(entries, existing)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "entries": len(entries),
            "existing": len(existing)}


def task_pycamt(statement: str, limit: str = "0") -> dict[str, Any]:
    """pycamt parsing the same statement: every transaction and the statement info.

    With a ``limit`` in seconds, a parse still running then is stopped; the result says
    ``timed_out`` and its time is a lower bound of pycamt's.
    """
    import importlib
    import signal

    parser_module = importlib.import_module("pycamt.parser")  # only for the benchmark

    def stop(_signum: int, _frame: object) -> None:
        raise TimeoutError

    started, cpu = time.perf_counter(), time.process_time()
    if float(limit) > 0:
        signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, float(limit))
    try:
        parser = parser_module.Camt053Parser.from_file(statement)
        transactions = parser.get_transactions()
        parser.get_statement_info()
    except TimeoutError:
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        return {"seconds": seconds, "cpu_seconds": cpu, "timed_out": True}
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "entries": len(transactions)}


def task_etree(statement: str) -> dict[str, Any]:
    """A bare defusedxml ElementTree parse of the statement, visiting every element."""
    import defusedxml.ElementTree

    started, cpu = time.perf_counter(), time.process_time()
    root = defusedxml.ElementTree.parse(statement).getroot()
    count = sum(1 for _ in root.iter())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "elements": count}


def task_sie_read(path: str, settings: str = "command") -> dict[str, Any]:
    """coopledger's SIE reader on one file; counts its #TRANS lines.

    ``settings`` as for :func:`task_camt` (``coopledger sie import`` reads the file).
    """
    import importlib

    reader = importlib.import_module("coopledger.sie.reader")  # optional feature
    with open(path, "rb") as handle:
        trans = sum(1 for line in handle if line.lstrip().startswith(b"#TRANS"))
    started, cpu = time.perf_counter(), time.process_time()
    with as_the_command() if settings == "command" else contextlib.nullcontext():
        sie = reader.read_sie(path)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "trans_lines": trans,
            "vouchers": len(sie.vouchers)}


def task_lines(path: str) -> dict[str, Any]:
    """The floor for reading a text file: read, decode and split it into fields."""
    started, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as handle:
        data = handle.read()
    fields = sum(len(line.split()) for line in data.decode("utf-8", "replace").splitlines())
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "fields": fields}


def main(argv: list[str]) -> int:
    """Run one task and print its result as JSON."""
    task, rest = argv[0], argv[1:]
    if task == "load":
        result = task_load(*rest[:2])
    elif task == "cli":
        result = task_cli(rest)
    elif task == "edit-cli":
        edit_one_transaction(rest[0])
        result = task_cli(rest[1:])
    elif task == "cmd":
        result = task_cmd(rest)
    elif task == "fava":
        result = task_fava(rest[0], rest[1], rest[2] if len(rest) > 2 else "")
    elif task == "balances":
        result = task_balances(*rest[:3])
    elif task == "camt":
        result = task_camt(*rest[:5])
    elif task == "pycamt":
        result = task_pycamt(*rest[:2])
    elif task == "etree":
        result = task_etree(rest[0])
    elif task == "sie-read":
        result = task_sie_read(*rest[:2])
    elif task == "lines":
        result = task_lines(rest[0])
    else:
        print(f"unknown task {task!r}", file=sys.stderr)
        return 2
    result.setdefault("peak_mib", _peak_mib())
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
