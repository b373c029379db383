"""The load cache gives exactly an uncached load, whatever happened to the files.

A stateful machine edits, copies, touches and renames the files of a multi-file ledger
(with an include glob and a plugin of its own beside it) and after every step compares a
load through the cache with Beancount's own uncached load: the same entries with their
metadata, the same errors, the same options. Further tests show the cache is used (an
unchanged ledger is served finished, one edited file is the only one reparsed), that it
is bounded, and that a broken cache is skipped with a note.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from beancount import loader
from beancount.ops import validation
from beancount.parser import printer
from beancount.parser.parser import parse_file
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from coopledger import filebooking, fileparts, loadcache
from coopledger.books import load_books
from coopledger.cli import main
from coopledger.errors import format_error
from coopledger.loadcache import LoadCache
from coopledger.loadindex import scan, shared_index

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "ledgers" / "example" / "main.beancount"
PLUGIN = "cachetestplugin"

# The plugin marks the transactions "part 1" and passes the others through untouched;
# "b" also unbalances them, "c" unbalances them in place (the same entry object, against
# Beancount's plugin contract) and "d" marks a posting interpolated in place; "e"
# tightens the tolerances in the options: the balance check must see every change.
PLUGIN_SOURCE = '''
from decimal import Decimal
from beancount.core import data
from beancount.core.amount import Amount
__plugins__ = ("mark",)
def mark(entries, options_map, config=None):
    if {label!r} == "e":
        options_map["tolerance_multiplier"] = Decimal("0.1")
    out = []
    for entry in entries:
        if (isinstance(entry, data.Transaction) and entry.narration in ("part 0", "part 1")
                and {label!r} in "fgh"):
            # clearing-like postings: a pair that cancels (f, h) or not (g), appended
            units = entry.postings[0].units
            other = units.number.copy_negate() + (Decimal("0.01") if {label!r} == "g" else 0)
            if {label!r} == "h":  # the residual no longer counts the first posting
                entry.postings[0].meta["__residual__"] = True
            entry = entry._replace(postings=[
                *entry.postings, data.Posting("Assets:Cash", units, None, None, None, {{}}),
                data.Posting("Assets:Bank", Amount(other, units.currency), None, None, None,
                             None)])
        elif (isinstance(entry, data.Transaction) and entry.narration == "part 1"
                and {label!r} not in "efgh"):
            first = entry.postings[0]
            more = first._replace(units=Amount(first.units.number + 1, first.units.currency))
            if {label!r} == "c":
                entry.postings[0] = more
            elif {label!r} == "d":  # its precision no longer counts for the tolerance
                entry.postings[0].meta["__automatic__"] = True
            else:
                meta = dict(entry.meta)
                meta["marked"] = {label!r}
                postings = [more, *entry.postings[1:]] if {label!r} == "b" else entry.postings
                entry = entry._replace(meta=meta, postings=postings)
        out.append(entry)
    return out, []
'''


def write_plugin(folder: Path, label: str) -> None:
    """Write the ledger's own plugin, and drop what Python compiled of it before.

    Python's compiled copy of a module is used again while the source has the same size
    and modification second, which a rewrite with another label has.
    """
    (folder / f"{PLUGIN}.py").write_text(PLUGIN_SOURCE.format(label=label))
    shutil.rmtree(folder / "__pycache__", ignore_errors=True)
    sys.modules.pop(PLUGIN, None)


def main_file(includes: list[str], option: str, fifo: bool = False) -> str:
    """The main file: options, the plugin, the includes, and one transaction."""
    lines = [f'option "title" "{option}"', 'option "operating_currency" "SEK"',
             'option "insert_pythonpath" "TRUE"', f'plugin "{PLUGIN}"',
             *(f'include "{pattern}"' for pattern in includes),
             "2020-01-01 open Assets:Bank SEK", "2020-01-01 open Income:Sales SEK",
             "2020-01-01 open Expenses:Rent", "2020-01-01 open Assets:Cash",
             "2020-01-01 open Assets:Broker" + (' "FIFO"' if fifo else ""),
             '2020-01-02 * "main"', "  Assets:Bank  1.00 SEK", "  Assets:Cash  1.00 SEK",
             "  Income:Sales"]
    return "\n".join(lines) + "\n"


#: What an included file's transaction does: most are plain; the others make its
#: booking read or change the balances other files' booking reads.
KINDS = ["plain", "plain", "near", "buy", "sell", "uncosted", "guess", "infer"]


def transaction(kind: str, ore: int) -> list[str]:
    """One transaction's postings (amounts from ``ore``) of the given kind."""
    postings = {
        # a lot at cost: its booking reads the broker's balance
        "buy": [f"  Assets:Broker  {abs(ore) % 5 + 1} HOOL {{{abs(ore) % 900 / 100 + 1:.2f} SEK}}",
                "  Assets:Bank"],
        # reduces a lot bought in any file (or fails: no lot, ambiguous)
        "sell": [f"  Assets:Broker  -{abs(ore) % 3 + 1} HOOL {{}}", "  Assets:Bank"],
        # changes the broker's balance without a cost
        "uncosted": [f"  Assets:Broker  1 HOOL @ {abs(ore) % 500 / 100 + 1:.2f} SEK",
                     "  Assets:Bank"],
        # no currency and no other posting's: from the cash's balance
        "guess": [f"  Assets:Cash  {ore / 100:.2f}", "  Income:Sales"],
        # no currency, inferred from the other posting's
        "infer": [f"  Assets:Cash  {ore / 100:.2f}", f"  Income:Sales  {-ore / 100:.2f} SEK"],
        # off by 0.4 öre: within the tolerance its amounts allow
        "near": [f"  Assets:Bank  {ore / 100:.2f} SEK",
                 f"  Income:Sales  {(4 - ore * 10) / 1000:.3f} SEK"],
    }
    return postings.get(kind, [f"  Assets:Bank  {ore / 100:.2f} SEK", "  Income:Sales"])


def part_file(amounts: list[tuple[str, int]], day: int, broken: bool) -> str:
    """An included file: transactions (amounts in öre), maybe a bad line or balance."""
    lines = []
    for i, (kind, ore) in enumerate(amounts):
        lines += [f'2020-02-{day:02d} * "part {i}" #t{i % 3}', f"  line: {i}",
                  *transaction(kind, ore)]
    if broken:
        lines += ["2020-03-01 balance Assets:Bank 12345.67 SEK", "2020-03-02 * bad line"]
    return "\n".join(lines) + "\n"


amounts = st.lists(st.tuples(st.sampled_from(KINDS), st.integers(-10**7, 10**7)),
                   max_size=4)


def same_load(got: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    """Assert two loads are the same: entries with metadata, errors, options."""
    def entries(load: tuple[Any, ...]) -> list[str]:
        return [printer.format_entry(e) + repr(sorted(e.meta.items(), key=str))
                for e in load[0]]

    def options(load: tuple[Any, ...]) -> dict[str, str]:
        return {k: str(v) if k == "dcontext" else repr(v) for k, v in load[2].items()}

    assert entries(got) == entries(expected)
    assert got[0] == expected[0]
    assert [format_error(e) for e in got[1]] == [format_error(e) for e in expected[1]]
    assert [repr(e) for e in got[1]] == [repr(e) for e in expected[1]]
    assert options(got) == options(expected)


class LedgerEdits(RuleBasedStateMachine):
    """Random edits, copies, touches and renames; the cached load always equals a plain one."""

    def __init__(self) -> None:
        super().__init__()
        self.base = Path(__import__("tempfile").mkdtemp(prefix="coopledger-cachetest-"))
        self.cache = LoadCache(self.base / "cache")
        self.root = self.base / "books0"
        self.copies = 0
        # Every file of more than a few lines is parsed in parts (coopledger.fileparts).
        self.sizes = (fileparts.PART_LINES, fileparts.MIN_BYTES)
        fileparts.PART_LINES, fileparts.MIN_BYTES = 3, 0

    @initialize(parts=st.lists(amounts, min_size=1, max_size=3))
    def write_books(self, parts: list[list[tuple[str, int]]]) -> None:
        (self.root / "parts").mkdir(parents=True)
        write_plugin(self.root, "a")
        (self.root / "main.beancount").write_text(main_file(["parts/*.beancount",
                                                             "extra.beancount"], "x"))
        for i, part in enumerate(parts):
            (self.root / "parts" / f"p{i}.beancount").write_text(part_file(part, i + 1, False))
        sys.modules.pop(PLUGIN, None)

    def teardown(self) -> None:
        fileparts.PART_LINES, fileparts.MIN_BYTES = self.sizes
        sys.modules.pop(PLUGIN, None)
        shutil.rmtree(self.base, ignore_errors=True)

    def files(self) -> list[Path]:
        return sorted((self.root / "parts").glob("*.beancount"))

    @rule(index=st.integers(0, 9), part=amounts, day=st.integers(1, 28), broken=st.booleans())
    def edit(self, index: int, part: list[tuple[str, int]], day: int, broken: bool) -> None:
        """Rewrite (or add) an included file, in the same second as the last load."""
        (self.root / "parts" / f"p{index}.beancount").write_text(part_file(part, day, broken))

    @rule(index=st.integers(0, 9), digit=st.integers(0, 9))
    def same_size_edit(self, index: int, digit: int) -> None:
        """Change one digit, keeping the size and the modification time."""
        files = self.files()
        if not files:
            return
        path = files[index % len(files)]
        stat = path.stat()
        text = path.read_text()
        position = next((i for i, c in enumerate(text) if c.isdigit() and i > 10), None)
        if position is not None:
            path.write_text(text[:position] + str(digit) + text[position + 1:])
            os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    @rule(index=st.integers(0, 9))
    def touch(self, index: int) -> None:
        files = self.files()
        if files:
            os.utime(files[index % len(files)])

    @rule(index=st.integers(0, 9), name=st.sampled_from(["moved.beancount", "extra.beancount",
                                                           "parts/renamed.beancount"]))
    def rename(self, index: int, name: str) -> None:
        """Rename an included file: still matched by the glob, named, or left out."""
        files = self.files()
        if files and not (self.root / name).exists():
            files[index % len(files)].rename(self.root / name)

    @rule(index=st.integers(0, 9), at=st.integers(0, 40), ore=st.integers(-10**5, 10**5),
          spread=st.booleans())
    def insert(self, index: int, at: int, ore: int, spread: bool) -> None:
        """Insert a transaction before a line of a file: the lines after it move down.

        With ``spread`` its narration runs over three lines, the second beginning with a
        date, as a new entry would (a part cut there must not be taken for one).
        """
        files = self.files()
        if not files:
            return
        path = files[index % len(files)]
        lines = path.read_text().splitlines(keepends=True)
        starts = [i for i, line in enumerate(lines) if line[:1].isdigit()] or [len(lines)]
        where = starts[at % len(starts)]
        narration = "inserted\n2020-02-03 * \\\"not an entry\n" if spread else "inserted"
        new = [f'2020-02-03 * "{narration}"\n', f"  Assets:Bank  {ore / 100:.2f} SEK\n",
               "  Income:Sales\n"]
        path.write_text("".join(lines[:where] + new + lines[where:]))

    @rule()
    def copy_folder(self) -> None:
        """Copy the whole folder (cache files' names and times included) and use the copy."""
        self.copies += 1
        copy = self.base / f"books{self.copies}"
        shutil.copytree(self.root, copy, copy_function=shutil.copy2)
        self.root = copy

    @rule(label=st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"]))
    def edit_plugin(self, label: str) -> None:
        """Change the ledger's own plugin: its entries must change with it."""
        write_plugin(self.root, label)

    @rule(option=st.sampled_from(["x", "y"]), extra=st.booleans(), fifo=st.booleans())
    def edit_main(self, option: str, extra: bool, fifo: bool) -> None:
        includes = ["parts/*.beancount", "extra.beancount"] if extra else ["parts/*.beancount"]
        (self.root / "main.beancount").write_text(main_file(includes, option, fifo))

    @invariant()
    def cached_equals_plain(self) -> None:
        main_path = self.root / "main.beancount"
        if not main_path.exists():
            return
        cached = loadcache.load_file(main_path, self.cache)
        plain = loader.load_file(str(main_path))
        same_load(cached, plain)
        again = loadcache.load_file(main_path, self.cache)
        # A plugin that raised: Beancount's own load every time, for its error's text.
        failed = any(str(error.message).startswith("Error applying plugin")
                     for error in plain[1])
        assert self.cache.finished_hit is not failed
        same_load(again, plain)


LedgerEdits.TestCase.settings = settings(max_examples=20, stateful_step_count=12,
                                         deadline=None)
test_cached_load_is_the_plain_load = LedgerEdits.TestCase


def test_the_cache_is_used_and_reparses_only_the_changed_file(tmp_path: Path) -> None:
    books = tmp_path / "books"
    shutil.copytree(EXAMPLE.parent, books)
    cache = LoadCache(tmp_path / "cache")
    main_path = books / "main.beancount"
    first = loadcache.load_file(main_path, cache)
    assert cache.parsed > 10
    assert not cache.finished_hit
    loadcache.load_file(main_path, cache)
    assert cache.finished_hit
    assert cache.parsed == 0
    included = sorted(first[2]["include"])
    changed = Path(next(p for p in included if "transactions" in p))
    changed.write_text(changed.read_text() + "\n; an edit\n")
    edited = loadcache.load_file(main_path, cache)
    assert not cache.finished_hit
    assert cache.parsed == 1  # the edited file's last part: the comment is at its end
    units = sum(len(fileparts.split(Path(name).read_bytes()) or [name]) for name in included)
    assert units > len(included)  # the transactions are in parts
    assert cache.hits == units - 1
    same_load(edited, loader.load_file(str(main_path)))


def test_a_finished_load_read_in_chunks_is_the_same_load(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # Chunks of 4 entries: the errors' entries and the entries they name sit in different
    # chunks, and must come back as the very objects of the entries list, as they are in
    # an uncached load.
    monkeypatch.setattr(loadcache, "CHUNK", 4)
    ledger = tmp_path / "main.beancount"
    lines = ['option "operating_currency" "SEK"', "2020-01-01 open Assets:Bank SEK",
             "2020-01-01 open Income:Sales SEK"]
    for day in range(1, 20):
        lines += [f'2020-02-{day:02d} * "sale {day}"', f"  Assets:Bank  {day}.00 SEK",
                  "  Income:Sales"]
    lines += ['2020-02-25 * "does not balance"', "  Assets:Bank  1.00 SEK",
              "  Income:Sales  -2.00 SEK", "2020-03-01 balance Assets:Bank 1.00 SEK"]
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cache = LoadCache(tmp_path / "cache")
    loadcache.load_file(ledger, cache)
    again = loadcache.load_file(ledger, cache)
    assert cache.finished_hit
    plain = loader.load_file(str(ledger))
    same_load(again, plain)
    assert len(again[0]) > 4 * loadcache.CHUNK
    assert len(again[1]) == 2

    def named(load: tuple[Any, ...]) -> list[bool]:
        listed = {id(entry) for entry in load[0]}
        return [id(error.entry) in listed for error in load[1]]

    assert named(again) == named(plain)
    assert any(named(again))


def test_the_shared_index_of_a_finished_load_describes_its_entries(tmp_path: Path) -> None:
    # The example's load is more than one chunk; its options carry the plugins' shared
    # index, whose directives must be the entries' own objects after reading.
    cache = LoadCache(tmp_path / "cache")
    loadcache.load_file(EXAMPLE, cache)
    entries, _, options = loadcache.load_file(EXAMPLE, cache)
    assert cache.finished_hit
    assert len(entries) > loadcache.CHUNK
    index = shared_index(options)
    assert index is not None
    assert index.describes(scan(entries)[0])


def test_library_loads_use_no_cache_unless_asked(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(loadcache.CACHE_ENV, str(folder))
    plain = load_books(EXAMPLE)
    assert not folder.exists()
    cached = load_books(EXAMPLE, cache=True)
    assert cached.entries == plain.entries
    assert len(list(folder.iterdir())) > 10
    with loadcache.caching_allowed(tmp_path / "other"):
        assert load_books(EXAMPLE).entries == plain.entries
    assert (tmp_path / "other").is_dir()


def test_the_command_uses_it_and_clear_empties_it(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv(loadcache.CACHE_ENV, str(folder))
    assert main(["check", "-q", str(EXAMPLE)]) == 0
    # The command stores the finished load from a detached process: wait for it.
    waited = 0.0
    while not any(folder.glob("finished-*.pickle")) and waited < 120:
        time.sleep(0.2)
        waited += 0.2
    assert any(folder.glob("finished-*.pickle"))
    assert any(folder.glob("parse-*.pickle"))
    assert main(["cache", "clear"]) == 0
    assert not any(folder.glob("*.pickle"))
    monkeypatch.setenv(loadcache.CACHE_ENV, "off")
    assert main(["check", "-q", str(EXAMPLE)]) == 0
    assert not any(folder.glob("*.pickle"))
    assert main(["cache", "show"]) == 0
    assert "off" in capsys.readouterr().out


def test_the_cache_stays_within_its_bound(tmp_path: Path) -> None:
    cache = LoadCache(tmp_path / "cache", limit=500_000)
    loaded = loadcache.load_file(EXAMPLE, cache)
    assert cache.size()[1] <= 500_000
    same_load(loadcache.load_file(EXAMPLE, cache), loaded)


def test_a_broken_cache_is_skipped_with_a_note(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    plain = loader.load_file(str(EXAMPLE))
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with caplog.at_level(logging.WARNING, "coopledger.loadcache"):
        same_load(loadcache.load_file(EXAMPLE, LoadCache(blocked / "cache")), plain)
    assert "skipped" in caplog.text
    cache = LoadCache(tmp_path / "cache")
    loadcache.load_file(EXAMPLE, cache)
    for path in (tmp_path / "cache").glob("*.pickle"):
        path.write_bytes(path.read_bytes()[:50])  # truncated, as by a full disk
    caplog.clear()
    with caplog.at_level(logging.WARNING, "coopledger.loadcache"):
        same_load(loadcache.load_file(EXAMPLE, cache), plain)
    assert "unreadable" in caplog.text
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    open_cache = LoadCache(shared)
    same_load(loadcache.load_file(EXAMPLE, open_cache), plain)
    assert not any(shared.iterdir())


def test_files_are_booked_alone_only_where_no_other_file_changes_their_booking(
        tmp_path: Path) -> None:
    books = tmp_path / "books"
    (books / "parts").mkdir(parents=True)
    write_plugin(books, "a")
    parts = {"buy": [("buy", 250), ("buy", 399)], "sell": [("sell", 1)],
             "plain": [("plain", 1200), ("plain", -300)], "uncosted": [("uncosted", 5)],
             "guess": [("guess", 700)], "later": [("plain", 4)]}
    for day, (name, part) in enumerate(parts.items(), start=1):
        (books / "parts" / f"{name}.beancount").write_text(part_file(part, day, False))
    main_path = books / "main.beancount"
    main_path.write_text(main_file(["parts/*.beancount"], "x", fifo=True))
    cache = LoadCache(tmp_path / "cache")
    first = loadcache.load_file(main_path, cache)
    plain = loader.load_file(str(main_path))
    same_load(first, plain)
    assert not plain[1]
    # Which files the rule books alone: the lots' files and the one posting to the
    # broker without a cost are booked together; the cash's balance is read for the
    # currency of "guess" (any posting without a currency counts as reading its
    # account's balance, "infer" too), so the main file posting to it joins them.
    prints = {path.stem: filebooking.footprint(parse_file(str(path))[0])
              for path in (books / "parts").glob("*.beancount")}
    assert filebooking.booked_together(prints) == {"buy", "sell", "uncosted", "guess"}
    assert filebooking.booked_together({k: v for k, v in prints.items() if k != "guess"}) \
        == {"buy", "sell", "uncosted"}
    # Booked alone: plain and later; main opens the broker with a booking method (and
    # posts to the cash).
    assert len(list((tmp_path / "cache").glob("booked-*.pickle"))) == 2
    later = books / "parts" / "later.beancount"
    later.write_text(part_file([("plain", 5)], 7, False))
    edited = loadcache.load_file(main_path, cache)
    same_load(edited, loader.load_file(str(main_path)))
    assert cache.parsed == 1  # the edited file, booked alone
    assert cache.hits == 6  # plain's booking; the parses of the five booked together
    assert len(list((tmp_path / "cache").glob("booked-*.pickle"))) == 3


def test_the_checks_of_a_load_are_beancounts_when_nothing_is_known(tmp_path: Path) -> None:
    # filebooking.checked runs validation.VALIDATIONS itself, skipping only the balance
    # check of transactions known to balance; with none known it must be
    # validation.validate, errors and order (a guard against a Beancount that changes
    # what validate does).
    ledger = tmp_path / "main.beancount"
    ledger.write_text('option "operating_currency" "SEK"\n'
                      "2020-01-01 open Assets:Bank SEK\n2020-01-01 open Income:Sales SEK\n"
                      '2020-01-02 * "x"\n  Assets:Bank  1.00 SEK\n  Income:Sales  -2.00 SEK\n'
                      '2020-01-03 * "y"\n  Assets:Bank  1.00 USD\n  Income:Other\n'
                      "2020-01-01 open Assets:Bank SEK\n2019-01-01 close Income:Sales\n",
                      encoding="utf-8")
    entries, _, options = loader.load_file(str(ledger))
    expected = validation.validate(entries, options)  # type: ignore[no-untyped-call]
    assert len(expected) >= 3
    got = filebooking.checked(entries, options, filebooking.Balanced(options))
    assert [format_error(e) for e in got] == [format_error(e) for e in expected]
    assert validation.validate_check_transaction_balances in validation.VALIDATIONS


@pytest.mark.parametrize(("label", "errors"), [("a", 0), ("b", 2), ("c", 2), ("d", 2), ("e", 2),
                                               ("f", 0), ("g", 4), ("h", 4)])
def test_a_transaction_a_plugin_changes_is_checked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, label: str, errors: int) -> None:
    # The booked files come from the cache, with what the balance check said of them;
    # the plugin then replaces (b) or changes in place (c, d) the transactions "part 1",
    # or tightens the tolerance (e) within which they balance; or appends two postings
    # to "part 0" (balances exactly) and "part 1" (within the tolerance): a pair that
    # cancels (f), one that does not (g), one that cancels while the residual is made to
    # skip one of the transaction's own postings (h).
    root = tmp_path / "books"
    (root / "parts").mkdir(parents=True)
    write_plugin(root, "z")
    main_path = root / "main.beancount"
    main_path.write_text(main_file(["parts/*.beancount"], "x"))
    for day in (1, 2):
        (root / "parts" / f"p{day}.beancount").write_text(
            part_file([("plain", 100 * day), ("near", 250)], day, False))
    cache = LoadCache(tmp_path / "cache")
    loadcache.load_file(main_path, cache)
    write_plugin(root, label)
    known: list[tuple[str, int]] = []  # what the balance check was spared
    holds = filebooking.Balanced.holds

    def spy(self: filebooking.Balanced, entry: Any) -> bool:
        if holds(self, entry):
            known.append((entry.narration, len(entry.postings)))
            return True
        return False

    monkeypatch.setattr(filebooking.Balanced, "holds", spy)
    cached = loadcache.load_file(main_path, cache)
    monkeypatch.undo()
    assert not cache.finished_hit
    assert cache.hits == 3  # every file's booking from the cache
    # Untouched, "part 0" is known; so it is completed with a cancelling pair (it balanced
    # exactly), while "part 1" (within the tolerance only) is checked again. With the
    # tolerance changed (e), nothing is known.
    expected = {"e": [], "f": [("part 0", 4)] * 2, "g": [], "h": []}.get(
        label, [("part 0", 2)] * 2)
    assert sorted(known) == sorted(expected + ([("main", 3)] if label != "e" else []))
    sys.modules.pop(PLUGIN, None)
    plain = loader.load_file(str(main_path))
    sys.modules.pop(PLUGIN, None)
    same_load(cached, plain)
    unbalanced = [e for e in plain[1] if "does not balance" in e.message]
    assert len(unbalanced) == errors


def test_a_detached_writer_is_waited_for_and_a_dead_one_is_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a load stores in the background can be waited for (the benchmark waits)."""
    started = threading.Event()
    release = threading.Event()
    workers: list[threading.Thread] = []

    def detached(work: Callable[[], None]) -> None:  # a thread stands in for the child
        def run() -> None:
            started.set()
            release.wait(60)
            work()
        workers.append(threading.Thread(target=run))
        workers[-1].start()

    monkeypatch.setattr(loadcache, "_can_detach", lambda: True)
    monkeypatch.setattr(loadcache, "_detached", detached)
    cache = LoadCache(tmp_path / "cache", write_behind=True)
    cache.write_later("parse", "key", list(range(200_000)))
    cache.flush()
    assert started.wait(60)
    assert not cache.wait_for_writes(timeout=0.2)  # still writing
    release.set()
    assert cache.wait_for_writes(timeout=60)
    workers[0].join()
    assert cache.read("parse", "key", 1) == [list(range(200_000))]
    assert not list(cache.directory.glob(".writing-*"))  # a dead writer's: the test below


#: A fresh interpreter (the test process may run other threads, the browser tests' for
#: one, and then nothing is written in the background): the scenario below, in argv[1].
DETACHED = """
import os, sys, time
from pathlib import Path
from coopledger import loadcache
from coopledger.loadcache import LoadCache
assert loadcache._can_detach()  # the write below happens in a detached child
cache = LoadCache(Path(sys.argv[1]) / "cache", write_behind=True)
cache.write_later("parse", "key", list(range(200_000)))
cache.flush()
assert cache.wait_for_writes(timeout=60)
assert cache.read("parse", "key", 1) == [list(range(200_000))]
assert not list(cache.directory.glob(".writing-*"))
cache.write_later("parse", "other", [1])
cache.flush()  # the next fork reaps the finished child: no zombie is left
assert cache.wait_for_writes(timeout=60)
for _ in range(600):
    loadcache._reap()
    if not loadcache._children:
        break
    time.sleep(0.1)
assert not loadcache._children
try:
    os.waitpid(-1, os.WNOHANG)
    raise AssertionError("a child was left unreaped")
except ChildProcessError:
    pass
marker = cache.directory / ".writing-left"
marker.touch()  # a writer that is still at work, as far as anyone can tell
assert not cache.wait_for_writes(timeout=0.2)
old = time.time() - loadcache.STALE_SECONDS - 60
os.utime(marker, (old, old))  # ...killed an hour ago: nobody waits for it
assert cache.wait_for_writes(timeout=0.2)
cache.prune()
assert not marker.exists()
print("ok")
"""


def test_a_real_detached_child_writes_and_is_waited_for(tmp_path: Path) -> None:
    """The same with the fork itself, in an interpreter with no other thread."""
    done = subprocess.run([sys.executable, "-c", DETACHED, str(tmp_path)],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok"]
