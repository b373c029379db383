"""The fund's checks: loans that mirror, disbursements that match, capital rules kept.

Load it after the entities plugin (it relies on declarations being validated and
cross-entity transactions being completed there, and reuses those validated
declarations)::

    plugin "coopledger.plugins.entities"
    plugin "coopledger.plugins.loans"

In daily books (``custom "coop-opening"``) it checks the open years only, from the
opening balances and each loan's ``coop-loan-opening`` snapshot (see docs/fund.md).

It changes no entry; it reports, at the file and line of the entry at fault:

- a loan to something other than a member, or from something other than the fund or a
  member, or naming an entity that is not declared; a rate change, reschedule or rule
  naming a loan or entity that does not exist;
- a posting on a loan account (BAS 1380 / 2390) without the link ``^<loan id>``;
- a transaction in which the lender's receivable does not move by minus the borrower's
  liability (the loan mirror), or the accrued interest does not mirror;
- a disbursement before the loan starts, in another currency, or above the principal;
- a repayment of more principal than is owed (unless ``overpayment: "hold"``);
- a withdrawal of a member's capital that no ``coop-capital-rule`` allows.

Example of what it refuses::

    2025-03-31 * "Kafe" "Amortering" ^L-2025-01
      Assets:Fonden:1380-Lånefordringar-medlemmar   -900.00 SEK
      Liabilities:Kafe:2390-Lån-från-fonden          800.00 SEK
      ...
    ; loan L-2025-01: the lender's receivable moves -900.00 but the borrower's
    ; liability 800.00; they must mirror (sum to zero) in every transaction
"""

from __future__ import annotations

from typing import Any

from beancount.core import data

from coopledger.close.yearseal import closed_years_cut
from coopledger.errors import CoopError
from coopledger.fund.checks import (
    check_capital,
    check_declarations,
    check_movements,
    loan_transactions,
)
from coopledger.fund.ledger import index_loans
from coopledger.loadindex import load_index, scan
from coopledger.plugins import no_configuration

__plugins__ = ("validate_loans",)


def validate_loans(
    entries: list[data.Directive], options_map: dict[str, Any], config: str | None = None,
) -> tuple[list[data.Directive], list[CoopError]]:
    """Check the loans and the members' capital of a ledger.

    Args:
        entries: The ledger's directives (after the entities plugin).
        options_map: The ledger's options; they carry the declarations that the entities
            plugin validated for this load (see :mod:`coopledger.loadindex`).
        config: None: this plugin takes no configuration (one given is an error).

    Returns:
        The entries, untouched, and the errors found.
    """
    refused = no_configuration(__name__, config)
    if refused:
        return entries, refused
    customs, open_entries = scan(entries)
    # Declaration errors were reported by the entities plugin; only valid ones count here.
    index = load_index(customs, options_map)
    declarations, entities = index.declarations, index.entities
    opens = {e.account: e for e in open_entries}
    book = index_loans(declarations, opens.values())
    errors: list[CoopError] = list(check_declarations(declarations, entities))
    # Daily books: the open years only. Every other transaction passes both checks
    # untouched, so they run on the few that carry a link or touch a loan or capital account.
    moving = loan_transactions(entries, book, opens, entities, closed_years_cut(customs))
    errors.extend(check_movements(moving, book))
    errors.extend(check_capital(moving, opens, entities, book.capital_rules))
    return entries, errors
