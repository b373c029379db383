"""Year-end close: result to equity, opening balances, year seal, daily books.

``coopledger close LEDGER --year 2025`` needs every month of the fiscal year sealed. It
writes, all at once or not at all:

- ``closing/2025-year-end.beancount``: per entity, on the year's last day, one entry
  (series ``Y``, tag ``#year-end``, metadata ``year-end: "2025"``) booking the year's
  result on ``Expenses:<E>:8999-Årets-resultat`` against ``Equity:<E>:2099-Årets-resultat``
  (BAS): the income and expense accounts keep the year's figures, so Fava's own income
  statement shows the year, 8999 brings it to zero, and the balance sheet at 2025-12-31
  shows the result on 2099, as a Swedish balance sheet does. An entity without a 8999
  account gets it opened there.
- ``closing/2026-carry-forward.beancount``: per entity, on the next year's first day,
  2099 moved to ``2091-Balanserad-vinst-eller-förlust`` (the annual meeting's
  disposition is booked on top of this by hand when it differs).
- ``closing/2025-seal.beancount``: the year seal (see :mod:`coopledger.close.yearseal`).
- ``closing/2026-opening-balances.beancount``: per entity one entry dated 2025-12-31
  (metadata ``opening-balances: "2026"``) holding every balance-sheet account's closing
  balance (the income and expense accounts start the year at zero); only the daily
  books include it.
- ``daily.beancount`` beside the main file: the main file without the includes that
  hold only closed-year entries, plus the opening balances. Daily work (``check``,
  ``close``) loads it; the main file stays the full history, and a full check proves the
  opening balances equal the sealed closing balances. A file with entries of both years
  (or with declarations and opens, which the daily books need whatever their date) is
  kept and its closed-year entries are dropped at load; the report names the mixed ones
  (split them by year for a faster daily load).

A year closes only when every year before it is closed (the income and expense accounts
net to zero before its first day). The year-end entries are excluded from the month
seals (December may be sealed before the year is closed; the law allows closing entries
in a special series) and covered by the year seal. All entities must share one fiscal
year. In books that declare loans, the opening balances split each loan account per loan
(posting metadata ``loan``) and carry each loan's state at the cut
(``coop-loan-opening``, see :mod:`coopledger.fund.opening`); the year seal covers those
snapshots.

The close reads top-down, one step per module, each visited once:
:mod:`.yeargather` (load the books, check the year can close, name the files),
:mod:`.yearcompute` (every new text, checked by loading the books with them) and
:mod:`.yearwrite` (all files at once, or none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from coopledger.close.yearcompute import compute_year
from coopledger.close.yeargather import DAILY_FILE, Settled, gather_year
from coopledger.close.yearwrite import write_year

__all__ = ["DAILY_FILE", "YearReport", "close_year"]


@dataclass
class YearReport:
    """What a year-end close did or would do."""

    year: int
    status: str = "failed"
    failure: list[str] = field(default_factory=list)
    written: dict[Path, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def close_year(path: str | Path, year: int, *, dry_run: bool = False) -> YearReport:
    """Close a fiscal year (see the module docstring).

    Raises:
        CoopException: Mixed fiscal years, a month of the year not sealed, a missing
            equity account, or a file that cannot be written.
    """
    inputs = gather_year(path, year)
    if isinstance(inputs, Settled):
        return YearReport(year, inputs.status, inputs.failure)
    texts = compute_year(inputs)
    if texts.failure:
        return YearReport(year, failure=texts.failure, notes=texts.notes)
    written = write_year(texts.staged, dry_run=dry_run)
    return YearReport(year, "dry run" if dry_run else "closed", written=written,
                      notes=texts.notes)
