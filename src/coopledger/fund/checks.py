"""The fund's checks on a ledger: declarations that make sense, movements that mirror.

- A loan is lent by the fund or a member and borrowed by a member; both must be declared
  entities, and a loan id is declared once. Rate changes, reschedules, provision and
  capital rules must name a loan, a lender and a fund that exist.
- Every posting on a loan account (the lender's BAS 1380 receivable, the borrower's 2390
  liability) carries the link ``^<loan id>`` of a loan between those two entities, and a
  transaction moves one loan only (its accounts are shared with the lender's other loans).
- The mirror: inside every transaction, the lender's receivable moves by minus the
  borrower's liability, and the lender's accrued interest (1682) by minus the borrower's
  (2960); so they mirror at every date.
- A disbursement matches the declaration: not before the loan starts, in its currency, and
  never more in total than the principal.
- No repayment above what is owed: the receivable never goes below zero, unless the loan
  declares ``overpayment: "hold"``.
- A member's capital in the fund is withdrawn only under the fund's ``coop-capital-rule``,
  down to its minimum or to nothing.

In daily books (from opening balances; give them without the closed years' entries),
the opening-balance entries carry each loan's part of a loan account as a posting with
``loan: "<id>"`` metadata: that is its link; the mirror holds between the lender's and
the borrower's opening entries, which the year seal covers. Running totals (disbursed,
balance, members' capital) start from the opening entries and the loans' snapshots.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from beancount.core import data

from coopledger.declarations import Declarations
from coopledger.entities import Entity, EntityKind, entity_of
from coopledger.errors import CoopError
from coopledger.fund.capital import CONTRIBUTION_BAS, HOLDING_BAS
from coopledger.fund.ledger import (
    LoanBook,
    LoanRecord,
    is_generated,
    is_opening,
    posting_loan,
)
from coopledger.fund.loans import (
    CapitalRule,
    Loan,
    LoanRate,
    LoanReschedule,
    Overpayment,
    ProvisionRule,
)
from coopledger.money import ZERO

LENDER_KINDS = (EntityKind.FUND, EntityKind.MEMBER)


class LoanError(CoopError):
    """A loan or fund declaration or movement that breaks the fund's rules."""


def _party(entities: Mapping[str, Entity], code: str, role: str, kinds: tuple[EntityKind, ...],
           loan: Loan) -> str | None:
    entity = entities.get(code)
    if entity is None:
        known = ", ".join(sorted(entities)) or "none"
        return f"loan {loan.id}: unknown {role} {code!r} (declared entities: {known})"
    if entity.kind not in kinds:
        allowed = " or ".join(k.value for k in kinds)
        return (f"loan {loan.id}: {role} {code} is the {entity.kind.value}; a {role} must "
                f"be a {allowed}")
    return None


def check_declarations(declarations: Declarations,
                       entities: Mapping[str, Entity]) -> list[LoanError]:
    """Check that loans and fund rules name entities and loans that exist.

    Args:
        declarations: The ledger's valid declarations.
        entities: Declared entities by code.

    Returns:
        One error per declaration at fault, at its file and line.
    """
    errors: list[LoanError] = []
    loans: dict[str, Loan] = {}
    for loan in declarations.of(Loan):
        if loan.id in loans:
            first = loans[loan.id].meta
            errors.append(LoanError(loan.meta, f"loan {loan.id} is declared twice (first at "
                                    f"{first.get('filename')}:{first.get('lineno')})", None))
            continue
        loans[loan.id] = loan
        for code, role, kinds in ((loan.lender, "lender", LENDER_KINDS),
                                  (loan.borrower, "borrower", (EntityKind.MEMBER,))):
            problem = _party(entities, code, role, kinds, loan)
            if problem:
                errors.append(LoanError(loan.meta, problem, None))
    for change in [*declarations.of(LoanRate), *declarations.of(LoanReschedule)]:
        loan_of = loans.get(change.id)
        if loan_of is None:
            errors.append(LoanError(change.meta, f"{change.directive} {change.id}: no loan "
                                    "with that id is declared", None))
        elif change.date <= loan_of.date:
            errors.append(LoanError(change.meta, f"{change.directive} {change.id}: dated "
                                    f"{change.date}, not after the loan starts on "
                                    f"{loan_of.date}", None))
    for rule in declarations.of(ProvisionRule):
        if rule.id not in entities:
            errors.append(LoanError(rule.meta, f"coop-provision {rule.id}: not a declared "
                                    "entity (the id is the lender's code)", None))
    for crule in declarations.of(CapitalRule):
        entity = entities.get(crule.id)
        if entity is None or entity.kind is not EntityKind.FUND:
            errors.append(LoanError(crule.meta, f"coop-capital-rule {crule.id}: not a "
                                    "declared fund (the id is the fund's code)", None))
    return errors


def _loan_postings(entry: data.Transaction, account_loans: Mapping[str, set[str]],
                   book: LoanBook, errors: list[LoanError]) -> None:
    linked = [link for link in entry.links or () if link in book.loans]
    for posting in entry.postings:
        owners = account_loans.get(posting.account)
        if owners is None:
            continue
        if not any(link in owners for link in linked):
            hint = (f"add the link of one of its loans: {', '.join(sorted(owners))}"
                    if owners else "no declared loan uses this account")
            errors.append(LoanError(entry.meta, f"posting on loan account {posting.account} "
                                    f"carries no loan link ({hint})", entry))


def _opening_postings(entry: data.Transaction, account_loans: Mapping[str, set[str]],
                      book: LoanBook, balance: dict[str, Decimal],
                      errors: list[LoanError]) -> None:
    """An opening-balance entry: each loan-account posting names its loan in metadata."""
    for posting in entry.postings:
        owners = account_loans.get(posting.account)
        if owners is None:
            continue
        loan_id = posting_loan(posting)
        if loan_id not in owners:
            errors.append(LoanError(entry.meta, f"opening balance on loan account "
                                    f"{posting.account} names no loan of that account "
                                    f"(loan: {loan_id!r}; its loans: "
                                    f"{', '.join(sorted(owners)) or 'none'})", entry))
            continue
        record = book.loans[str(loan_id)]
        if (posting.account == record.accounts.lender["principal"]
                and posting.units is not None and posting.units.number is not None):
            balance[record.loan.id] = balance.get(record.loan.id, ZERO) + posting.units.number


def _mirror(entry: data.Transaction, record: LoanRecord,
            errors: list[LoanError]) -> Decimal:
    lender, borrower = record.accounts.lender, record.accounts.borrower
    sums = {"lp": ZERO, "la": ZERO, "bp": ZERO, "ba": ZERO}
    keys = {lender["principal"]: "lp", lender["accrued"]: "la",
            borrower["principal"]: "bp", borrower["accrued"]: "ba"}
    for posting in entry.postings:
        key = keys.get(posting.account)
        if key is not None and posting.units is not None and posting.units.number is not None:
            if posting.units.currency != record.loan.currency:
                errors.append(LoanError(entry.meta, f"loan {record.loan.id} is in "
                                        f"{record.loan.currency}, not "
                                        f"{posting.units.currency}", entry))
            sums[key] += posting.units.number
    loan_id = record.loan.id
    if sums["lp"] + sums["bp"] != 0:
        errors.append(LoanError(entry.meta, f"loan {loan_id}: the lender's receivable moves "
                                f"{sums['lp']} but the borrower's liability {sums['bp']}; "
                                "they must mirror (sum to zero) in every transaction", entry))
    if sums["la"] + sums["ba"] != 0:
        errors.append(LoanError(entry.meta, f"loan {loan_id}: the lender's accrued interest "
                                f"moves {sums['la']} but the borrower's {sums['ba']}; they "
                                "must mirror in every transaction", entry))
    return sums["lp"]


def _track(entry: data.Transaction, record: LoanRecord, disbursed: dict[str, Decimal],
           balance: dict[str, Decimal], errors: list[LoanError]) -> None:
    """Check one loan's movement in a transaction against its running totals."""
    loan = record.loan
    moved = _mirror(entry, record, errors)
    if moved > 0 and not is_generated(entry):
        if entry.date < loan.date:
            errors.append(LoanError(entry.meta, f"loan {loan.id} is disbursed on {entry.date}, "
                                    f"before it starts on {loan.date}", entry))
        disbursed[loan.id] = disbursed.get(loan.id, ZERO) + moved
        if disbursed[loan.id] > loan.principal:
            errors.append(LoanError(entry.meta, f"loan {loan.id}: disbursed "
                                    f"{disbursed[loan.id]} in all, more than the declared "
                                    f"principal {loan.principal}", entry))
    balance[loan.id] = balance.get(loan.id, ZERO) + moved
    if balance[loan.id] < 0 and moved < 0 and loan.overpayment is Overpayment.REFUSE:
        errors.append(LoanError(entry.meta, f"loan {loan.id}: repays {-moved} of principal, "
                                f"{-balance[loan.id]} more than is owed (declare "
                                "overpayment: \"hold\" to keep a credit)", entry))


def check_movements(entries: Iterable[data.Directive], book: LoanBook) -> list[LoanError]:
    """Check every loan movement: links, mirror, disbursements and repayments; one pass.

    Args:
        entries: The ledger's directives, in date order.
        book: The ledger's loan book.

    Returns:
        One error per problem, at the transaction's file and line.
    """
    errors: list[LoanError] = []
    account_loans = loan_account_owners(book)
    disbursed = {loan_id: rec.opening.disbursed for loan_id, rec in book.loans.items()
                 if rec.opening is not None}
    balance: dict[str, Decimal] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        if is_opening(entry):
            _opening_postings(entry, account_loans, book, balance, errors)
            continue
        _loan_postings(entry, account_loans, book, errors)
        loans_linked = sorted(link for link in entry.links or () if link in book.loans)
        if len(loans_linked) > 1:
            errors.append(LoanError(entry.meta, f"one transaction moves {', '.join(loans_linked)}"
                                    "; book each loan's movement in a transaction of its own",
                                    entry))
            continue
        for link in loans_linked:
            _track(entry, book.loans[link], disbursed, balance, errors)
    return errors


def loan_account_owners(book: LoanBook) -> dict[str, set[str]]:
    """Every loan account (the lender's 1380, the borrower's 2390) and the loans it carries.

    Args:
        book: The ledger's loan book.

    Returns:
        Account to the ids of the loans on it (empty for an opened loan account that no
        declared loan uses).
    """
    account_loans: dict[str, set[str]] = {}
    for (_code, bas), account in book.bas.items():
        if bas in ("1380", "2390"):
            account_loans.setdefault(account, set())
    for loan_id, rec in book.loans.items():
        for account in (rec.accounts.lender["principal"], rec.accounts.borrower["principal"]):
            account_loans.setdefault(account, set()).add(loan_id)
    return account_loans


def capital_accounts(opens: Mapping[str, data.Open],
                     funds: Iterable[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The funds' capital accounts and the members' holdings in a fund.

    Args:
        opens: ``open`` directives by account.
        funds: The codes of the declared funds.

    Returns:
        Fund capital account to its fund, and holding account to its member.
    """
    fund_codes = set(funds)
    capital: dict[str, str] = {}
    holdings: dict[str, str] = {}
    for account, entry in opens.items():
        bas = str(entry.meta.get("bas")) if entry.meta else None
        code = entity_of(account)
        if code in fund_codes and bas in CONTRIBUTION_BAS:
            capital[account] = code
        elif code is not None and bas == HOLDING_BAS:
            holdings[account] = code
    return capital, holdings


def loan_transactions(entries: Iterable[data.Directive], book: LoanBook,
                      opens: Mapping[str, data.Open], entities: Mapping[str, Entity],
                      cut: datetime.date | None = None) -> list[data.Transaction]:
    """The transactions the loan and capital checks can find fault with, in one pass.

    A transaction matters to :func:`check_movements` and :func:`check_capital` only when
    it carries a link or posts to a loan, fund capital or member holding account; every
    other one passes both checks untouched, so the checks run on these alone.

    Args:
        entries: The ledger's directives, in date order.
        book: The ledger's loan book (its movements are not needed).
        opens: ``open`` directives by account.
        entities: Declared entities by code.
        cut: In daily books, the first day of the open years: earlier transactions are
            left out, except the opening balances (as
            :func:`coopledger.close.yearseal.drop_closed_years` does).

    Returns:
        Those transactions, in the entries' order.
    """
    funds = [code for code, e in entities.items() if e.kind is EntityKind.FUND]
    capital, holdings = capital_accounts(opens, funds)
    watched = set(loan_account_owners(book)) | set(capital) | set(holdings)
    found: list[data.Transaction] = []
    append = found.append
    transaction = data.Transaction
    # Hot loop (one iteration per directive): a set lookup per posting, nothing more.
    for entry in entries:
        if type(entry) is not transaction:
            continue
        if cut is not None and entry.date < cut and not is_opening(entry):
            continue
        if entry.links:
            append(entry)
            continue
        for posting in entry.postings:
            if posting.account in watched:
                append(entry)
                break
    return found


def _opening_holdings(txn: data.Transaction, funds: set[str], holdings: Mapping[str, str],
                      holding: dict[tuple[str, str], Decimal]) -> None:
    """Daily books: members' capital held at the opening (with one fund only)."""
    if len(funds) != 1:
        return
    fund = next(iter(funds))
    for posting in txn.postings:
        member = holdings.get(posting.account)
        if member is not None and member != fund and posting.units is not None \
                and posting.units.number is not None:
            key = (fund, member)
            holding[key] = holding.get(key, ZERO) + posting.units.number


def check_capital(transactions: Iterable[data.Transaction], opens: Mapping[str, data.Open],
                  entities: Mapping[str, Entity],
                  rules: Mapping[str, list[CapitalRule]]) -> list[LoanError]:
    """Withdrawals of members' capital follow the fund's capital rule.

    Args:
        transactions: The ledger's transactions, in date order.
        opens: ``open`` directives by account.
        entities: Declared entities by code.
        rules: Capital rules by fund code, in date order.

    Returns:
        One error per withdrawal not allowed.
    """
    errors: list[LoanError] = []
    funds = {code for code, e in entities.items() if e.kind is EntityKind.FUND}
    capital, holdings = capital_accounts(opens, funds)
    holding: dict[tuple[str, str], Decimal] = {}
    for txn in transactions:
        if is_opening(txn):
            _opening_holdings(txn, funds, holdings, holding)
            continue
        fund = next((capital[p.account] for p in txn.postings if p.account in capital), None)
        if fund is None:
            continue
        for posting in txn.postings:
            member = holdings.get(posting.account)
            if (member is None or member == fund or posting.units is None
                    or posting.units.number is None):
                continue
            key = (fund, member)
            holding[key] = holding.get(key, ZERO) + posting.units.number
            if posting.units.number >= 0:
                continue
            in_force = [r for r in rules.get(fund, []) if r.date <= txn.date]
            rule = in_force[-1] if in_force else None
            if rule is None or not rule.withdrawals:
                errors.append(LoanError(txn.meta, f"{member} withdraws capital from {fund}, "
                                        "which no coop-capital-rule allows", txn))
            elif holding[key] < 0 or 0 < holding[key] < rule.minimum:
                errors.append(LoanError(txn.meta, f"{member} would hold {holding[key]} in "
                                        f"{fund}: a withdrawal leaves nothing or at least "
                                        f"{rule.minimum}", txn))
    return errors
