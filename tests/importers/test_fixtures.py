"""Every real sample file: imported with balances that reconcile, or refused clearly.

Files are read from the shared fixtures folder beside the checkout (skipped with a reason
where it is absent). A file that imports is booked statement by statement on a stand-in
account and loaded by Beancount, so its ``balance`` assertions are checked by Beancount
itself; a file that is refused must give one line naming the file and saying why.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from beancount.parser import printer

from coopledger.bank.accounts import BankAccounts
from coopledger.bank.book import statement_entries, total
from coopledger.bank.context import BankContext
from coopledger.bank.model import BankFileError
from coopledger.importers.registry import identify, read_statements
from tests.conftest import SHARED_FILES, fixture_path

STAND_IN = "Assets:Prov:1930-Bank"

#: Files that import: format, then the number of entries of each statement.
IMPORTED: dict[str, tuple[str, list[int]]] = {
    "camt/business_sample_camt.053.001.04.xml": ("camt", [3]),
    "camt/business_sample_camt.054.001.04.xml": ("camt", [1]),
    "camt/genkgo/camt053.v2.multi.statement.xml": ("camt", [1, 1]),
    "camt/genkgo/camt053.v2.with-account-name.xml": ("camt", [1]),
    "camt/genkgo/camt054.v2.xml": ("camt", [1]),
    "camt/genkgo/camt054.v4.xml": ("camt", [1]),
    "camt/genkgo/camt054.v8.xml": ("camt", [1]),
    "camt/genkgo/camt53.only-Dt-with-DtTm.xml": ("camt", [0]),
    "bgmax/BgMaxfil4.txt": ("bgmax", [3, 1]),
    "bgmax/bankgiroinbetalningar_exempelfil_avtal-om-ocr-kontroll_checksiffra_langd_sv.txt":
        ("bgmax", [2]),
    "mt940/wolph/jejik/generic.sta": ("mt940", [1, 1]),
    "mt940/wolph/jejik/rabobank-iban.sta": ("mt940", [2, 2]),
    "mt940/wolph/mBank/mt940.sta": ("mt940", [3]),
}

CAMT052 = "BkToCstmrAcctRpt: camt.052 (intraday account report) is not a booked statement"
MIXED = "Stmt[1]/Bal[2]/Amt: CLBD balance in SEK on a EUR account"
NO_DATE = "Ntfctn[1]/Ntry[1]/BookgDt: booking date missing"

#: Files that are refused: format, then the message after the file name.
REFUSED: dict[str, tuple[str, str]] = {
    "camt/business_sample_camt.052.001.04.xml": ("camt", CAMT052),
    "camt/genkgo/camt052.v1.xml": ("camt", "BkToCstmrAcctRptV01: unknown message type"),
    "camt/genkgo/camt052.v2.other-account.xml": ("camt", CAMT052),
    "camt/genkgo/camt052.v2.with-account-name.xml": ("camt", CAMT052),
    "camt/genkgo/camt052.v2.xml": ("camt", CAMT052),
    "camt/genkgo/camt052.v4.xml": ("camt", CAMT052),
    "camt/genkgo/camt052.v6.Amt-zero.xml": ("camt", CAMT052),
    "camt/genkgo/camt052.v6.xml": ("camt", CAMT052),
    "camt/genkgo/camt052.v8.xml": ("camt", CAMT052),
    "camt/genkgo/camt053.v2.all-balance-types.xml": (
        "camt", "statement CAMT0532015012200001: opening balance 1.01 + entries 8.850 = "
                "9.860, but the closing balance is 4.04 EUR"),
    "camt/genkgo/camt053.v2.five.decimals.xml": (
        "camt", "statement 253EURNL26VAYB8060476890: opening balance 18.150 + entries "
                "8.850 = 27.000, but the closing balance is 27.050 EUR"),
    "camt/genkgo/camt053.v2.minimal.ultimate.xml": ("camt", MIXED),
    "camt/genkgo/camt053.v2.minimal.xml": ("camt", MIXED),
    "camt/genkgo/camt053.v2.with-party-ids.xml": ("camt", MIXED),
    "camt/genkgo/camt053.v3.xml": ("camt", MIXED),
    "camt/genkgo/camt053.v4.xml": ("camt", MIXED),
    "camt/genkgo/camt053.v8.xml": ("camt", MIXED),
    "camt/genkgo/camt053.v2.wrong.xml": ("camt", "BkToCstmrStmt: no Stmt element"),
    "camt/genkgo/camt054.v2.with-account-name.xml": ("camt", NO_DATE),
    "camt/genkgo/camt054.v8-with-UETR.xml": ("camt", NO_DATE),
    "camt/genkgo/camt054.v8-with-financial-institution.xml": ("camt", NO_DATE),
    "mt940/wolph/ASNB/0708271685_09022020_164516.940.txt": (
        "mt940", "statement at line 2: MT940 parser: Unable to parse"),
    "mt940/wolph/betterplace/sepa_mt9401.sta": (
        "mt940", "opening balance -1234718.36 + entries -2500.11 = -1237218.47, but the "
                 "closing balance is -1237628.23 EUR"),
    "mt940/wolph/cmxl/mt940.sta": (
        "mt940", "the closing balance is dated 2002-03-25, before the opening balance "
                 "(2003-10-02)"),
    "mt940/wolph/jejik/abnamro.sta": (
        "mt940", "opening balance 3236.28 + entries -321.44 = 2914.84, but the closing "
                 "balance is 876.84 EUR"),
    "mt940/wolph/jejik/ing.sta": (
        "mt940", "opening balance 0.00 + entries -45.59 = -45.59, but the closing balance "
                 "is 3.47 EUR"),
    "mt940/wolph/jejik/triodos.sta": (
        "mt940", "opening balance 4975.09 + entries -715.70 = 4259.39, but the closing "
                 "balance is 4370.79 EUR"),
    "mt940/wolph/self-provided/mt942.sta": (
        "mt940", "statement at line 1: an MT942 interim report is not a booked statement"),
}


def _claimed(path: Path) -> bool:
    return any(path.as_posix().endswith(name) for name in (*IMPORTED, *REFUSED))


def unclaimed_files() -> list[str]:
    """Every fixture file that is neither imported nor refused: no importer may claim it."""
    return sorted(name for name in SHARED_FILES if not _claimed(Path(name)))


def reconciled_on_beancount(entries: list[data.Directive], start: Decimal,
                            currency: str) -> list[str]:
    """Load the entries after an opening of ``start``; Beancount's own errors, if any."""
    accounts = sorted({p.account for e in entries if isinstance(e, data.Transaction)
                       for p in e.postings} | {STAND_IN, "Equity:Prov:Start"})
    text = "".join(f"1990-01-01 open {account}\n" for account in accounts)
    first = min(e.date for e in entries) - datetime.timedelta(days=1)
    text += (f'{first} * "start"\n  {STAND_IN}  {start} {currency}\n'
             "  Equity:Prov:Start\n\n")
    text += "\n".join(printer.format_entry(e) for e in entries)
    _, errors, _ = loader.load_string(text)
    return [str(e.message) for e in errors]


def read_and_check(path: Path, kind: str) -> None:
    """Read a file and check every statement's balances (what an import does first)."""
    for statement in read_statements(str(path), kind):
        statement.check_balances()


@pytest.mark.parametrize("name", sorted(IMPORTED))
def test_fixture_imports_and_reconciles(name: str) -> None:
    path = fixture_path(*name.split("/"))
    kind, counts = IMPORTED[name]
    assert identify(str(path)) == kind
    statements = read_statements(str(path), kind)
    assert [len(s.transactions) for s in statements] == counts
    for statement in statements:
        ctx = BankContext(BankAccounts())
        result = statement_entries(statement, STAND_IN, ctx, source=str(path))
        assert result.counts.entries == len(statement.transactions)
        asserted = [e for e in result.entries if isinstance(e, data.Balance)]
        assert len(asserted) == (statement.opening is not None) + (statement.closing
                                                                  is not None)
        if not result.entries:
            continue
        moved = sum((t.amount for t in statement.transactions), Decimal(0))
        start = (statement.opening.amount if statement.opening
                 else statement.closing.amount - moved if statement.closing else Decimal(0))
        assert reconciled_on_beancount(result.entries, start, statement.currency) == []


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_fixture_refused_with_clear_message(name: str) -> None:
    path = fixture_path(*name.split("/"))
    kind, message = REFUSED[name]
    assert identify(str(path)) == kind
    with pytest.raises(BankFileError) as caught:
        read_and_check(path, kind)
    text = str(caught.value)
    assert text.startswith(f"{path}: ")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize("name", unclaimed_files())
def test_other_fixtures_not_identified(name: str) -> None:
    path = fixture_path(*name.split("/"))
    assert identify(str(path)) is None


def test_business_sample_closing_balance_asserted_next_day() -> None:
    path = fixture_path("camt", "business_sample_camt.053.001.04.xml")
    (statement,) = read_statements(str(path), "camt")
    result = statement_entries(statement, STAND_IN, BankContext(BankAccounts()))
    balances = {e.date.isoformat(): e.amount.number for e in result.entries
                if isinstance(e, data.Balance)}
    # The file: OPBD 500000 on 2010-10-15, CLBD 435678.50 on 2010-10-18.
    assert balances == {"2010-10-15": 500000, "2010-10-19": pytest.approx(435678.50)}
    moved = total(result.entries, STAND_IN)
    assert moved == 105678.50 - 200000 + 30000
