"""Property: no sequence of writer commands changes a sealed month.

On a copy of small books with January 2025 sealed, hypothesis runs generated sequences
of writer commands (bank imports with and without ``--book-in``, payroll, services, joint
purchases, corrections, new members) at dates before, inside and after the sealed month.
Whatever each command answers, afterwards January's entries are exactly those sealed and
every seal verifies.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopledger.books import load_books
from coopledger.cli import main
from coopledger.seals import (
    digest_entries,
    month_bounds,
    month_entries,
    read_seals,
    verify_month_seals,
)
from tests.test_periodlock import KAFE_BANK, camt, write_books

SEALED = "2025-01"
DAYS = st.dates(datetime.date(2024, 12, 1), datetime.date(2025, 3, 31))


@dataclass(frozen=True)
class Command:
    """One writer command at one date."""

    kind: str
    date: datetime.date
    book_in: bool = False

    def argv(self, main_file: Path, folder: Path, number: int) -> list[str]:
        """The command line, writing any input file it needs into ``folder``."""
        day, month = self.date.isoformat(), f"{self.date:%Y-%m}"
        ledger = str(main_file)
        if self.kind == "import":
            path = folder / f"s{number}.camt053.xml"
            path.write_text(camt([(day, "10.00", f"P{number}")]).replace(
                "LOCK-1", f"PROP-{number}"), encoding="utf-8")
            extra = ["--book-in", "2025-02"] if self.book_in else []
            return ["import", ledger, str(path), "--account", KAFE_BANK, *extra]
        if self.kind == "payroll":
            path = folder / f"lon{number}.csv"
            path.write_text("employee,member,period,gross_pay,benefits,tax,net_pay,"
                            f"birth_year\nE{number},Kafe,{month},20000.00,0.00,4000.00,"
                            "16000.00,1980\n", encoding="utf-8")
            return ["payroll", ledger, str(path)]
        if self.kind == "services":
            return ["services", ledger, month]
        if self.kind == "purchase":
            return ["purchase", ledger, "--date", day, "--supplier", "Grossisten",
                    "--invoice", f"F{number}", "--net", "100.00", "--vat", "25.00",
                    "--split", "Kafe:1 Stad:2"]
        if self.kind == "correct":
            return ["correct", ledger, "Kafe:A-2025-0001", "--by", "Anna", "--date", day,
                    "--move", "3001=3002"]
        return ["new-coop", ledger, f"Ny{number}", "--name", "Ny", "--start", day]


commands = st.lists(st.builds(Command, st.sampled_from(
    ["import", "payroll", "services", "purchase", "correct", "new-coop"]), DAYS,
    st.booleans()), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def sealed_books() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield write_books(Path(tmp))


def sealed_digest(main_file: Path) -> str:
    books = load_books(main_file)
    start, end = month_bounds(SEALED)
    return digest_entries(SEALED, month_entries(books.entries, start, end)).digest


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(commands)
def test_no_writer_sequence_changes_a_sealed_month(sealed_books: Path,
                                                   sequence: list[Command]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "books"
        shutil.copytree(sealed_books.parent, folder)
        main_file = folder / sealed_books.name
        sealed = sealed_digest(main_file)
        for number, command in enumerate(sequence, 1):
            with contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                status = main(command.argv(main_file, Path(tmp), number))
            # (services may find the sealed month's entries all booked by its close)
            if (f"{command.date:%Y-%m}" == SEALED and command.kind != "services"
                    and not (command.kind == "import" and command.book_in)):
                assert status != 0, command
        books = load_books(main_file)
        seals, _ = read_seals(books.entries)
        assert seals[SEALED].digest == sealed
        assert sealed_digest(main_file) == sealed
        assert verify_month_seals(books.entries, seals) == {}
