"""The part every coopledger bank importer shares: a ``beangulp.Importer`` over a reader.

Each format module has a module-level ``read_<format>(path)`` that returns
:class:`~coopledger.bank.model.Statement` objects (or raises
:class:`~coopledger.bank.model.BankFileError`) and a ``sniff_<format>(path)`` test; its
importer class only names them. Everything else (which account, matching, dedup, balance
assertions) is :mod:`coopledger.bank`'s. An importer is configured in one of three ways::

    CamtImporter("books/main.beancount")        # accounts, rules and loans from the ledger
    CamtImporter(accounts={"SE4550000000058398257466": "Assets:Kafe:1930-Företagskonto"})
    CamtImporter(account="Assets:Kafe:1930-Företagskonto")   # every file is this account
"""

from __future__ import annotations

import datetime
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

import beangulp
from beancount.core import data

from coopledger.bank.accounts import BankAccounts
from coopledger.bank.book import statement_entries
from coopledger.bank.context import BankContext, context_from_books, index_entries
from coopledger.bank.model import BankFileError, Statement
from coopledger.books import Books, load_books
from coopledger.collector import paused_if_allowed

#: How much of a file ``identify`` reads to recognise it.
SNIFF_BYTES = 4096


def read_head(path: str | Path, size: int = SNIFF_BYTES) -> bytes:
    """The first bytes of a file (empty if it cannot be read)."""
    try:
        with Path(path).open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def read_bytes(path: str | Path) -> bytes:
    """The whole file.

    Raises:
        BankFileError: It cannot be read.
    """
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise BankFileError(str(path), "", exc.strerror or str(exc)) from None


class BankImporter(beangulp.Importer):  # type: ignore[misc]  # beangulp is untyped
    """A beangulp importer for one bank file format.

    Args:
        ledger: The main ledger file: bank accounts, rules, claims and loans come from it.
        accounts: Bank identifier (IBAN, BBAN, bankgiro) to ledger account, instead of or
            in addition to the ledger's declarations.
        account: The ledger account of any file whose own account is not declared.
    """

    kind: ClassVar[str] = ""

    def __init__(self, ledger: str | Path | None = None, *,
                 accounts: Mapping[str, str] | None = None,
                 account: str | None = None) -> None:
        self.ledger = Path(ledger) if ledger is not None else None
        self.mapping = dict(accounts or {})
        self.fallback = account
        self._books: Books | None = None

    @abstractmethod
    def read(self, filepath: str) -> list[Statement]:
        """Read the file's statements (the format module's ``read_*`` function)."""

    @abstractmethod
    def sniff(self, filepath: str) -> bool:
        """Whether the file looks like this format (cheap; never raises)."""

    @property
    def name(self) -> str:
        """The importer's name in beangulp's listings."""
        return f"coopledger.{self.kind}"

    def identify(self, filepath: str) -> bool:
        """Whether this importer reads the file."""
        return self.sniff(filepath)

    def books(self) -> Books | None:
        """The ledger's books, loaded once (None without a ledger)."""
        if self.ledger is not None and self._books is None:
            self._books = load_books(self.ledger)
        return self._books

    def context(self, existing: Sequence[data.Directive] = ()) -> BankContext:
        """A fresh matching context: the ledger's, or the mapping's with ``existing``."""
        books = self.books()
        if books is not None:
            ctx = context_from_books(books)
        else:
            ctx = BankContext(BankAccounts())
            index_entries(ctx, existing)
        if self.mapping:
            merged = {**ctx.accounts.by_id, **BankAccounts.from_mapping(self.mapping).by_id}
            ctx.accounts = BankAccounts.from_mapping(merged)
        return ctx

    def bank_account(self, statement: Statement, ctx: BankContext) -> str:
        """The ledger account of a statement.

        Raises:
            BankFileError: Its account is not declared and no fallback was given.
        """
        found = ctx.accounts.find(statement.account_ids) or self.fallback
        if found is None:
            ids = ", ".join(statement.account_ids) or "none given in the file"
            raise BankFileError(
                statement.path, "", f"account {ids} is not declared in the ledger; add "
                "iban:, bban: or bankgiro: to its bank account's open directive")
        return found

    def account(self, filepath: str) -> data.Account:
        """The ledger account of the file's first statement."""
        statements = self.read(filepath)
        if not statements:
            raise BankFileError(filepath, "", "the file holds no statement")
        return self.bank_account(statements[0], self.context())

    def date(self, filepath: str) -> datetime.date | None:
        """The last date the file covers: its closing balance date or last entry."""
        dates: list[datetime.date] = []
        for statement in self.read(filepath):
            if statement.closing is not None:
                dates.append(statement.closing.date)
            dates.extend(t.date for t in statement.transactions)
        return max(dates) if dates else None

    def extract(self, filepath: str, existing: data.Entries) -> data.Entries:
        """New entries of the file: matched, deduplicated, balances asserted.

        Raises:
            BankFileError: The file cannot be read or its balances do not add up.
        """
        # A large statement builds a few objects per entry while the books are loaded;
        # the cyclic collector's passes over the books would cost more than the import.
        with paused_if_allowed():
            ctx = self.context(existing)
            entries: list[data.Directive] = []
            for statement in self.read(filepath):
                bank = self.bank_account(statement, ctx)
                entries.extend(statement_entries(statement, bank, ctx,
                                                 source=filepath).entries)
        return entries

    def deduplicate(self, entries: data.Entries, existing: data.Entries) -> None:
        """Nothing more to do: ``extract`` already left out what the books hold.

        Duplicates are found by the bank's own reference (``bank-ref`` metadata), which is
        exact, so beangulp's fuzzy date-and-amount comparison is not applied on top.
        """
